"""Families of legitimate names: plugin ecosystems and vendor namespaces.

A name in one of these families (``django-foo``, ``types-bar``, ``mypy-boto3-baz``) is judged
``ok``: its authors copy the family prefix on purpose, and near-misses between two members of a
family are the norm, not an attack. The shield drops when what follows the prefix is only a
generic affix (``django-dev``, ``pytest-2024``): that is the shape of a squat on the family's root.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

#: Curated prefixes (canonical form, with the trailing separator).
CURATED_PREFIXES: frozenset[str] = frozenset(
    {
        "types-", "django-", "dj-", "djangorestframework-", "drf-", "pytest-", "flake8-",
        "pylint-", "sphinxcontrib-", "sphinx-", "mkdocs-", "mypy-boto3-", "types-boto3-",
        "types-aiobotocore-", "azure-", "azureml-", "google-cloud-", "google-", "googleapis-",
        "opentelemetry-", "apache-airflow-providers-", "airflow-provider-", "jupyterlab-",
        "jupyter-", "trytond-", "collective-", "plone-", "products-", "zope-", "ckanext-",
        "napari-", "datasette-", "pyobjc-framework-", "tree-sitter-", "llama-index-",
        "langchain-", "nonebot-plugin-", "nonebot-adapter-", "dagster-", "dbt-", "prefect-",
        "pulumi-", "cdktf-", "aws-cdk-", "cdk-", "alibabacloud-", "aliyun-python-sdk-",
        "tencentcloud-sdk-", "oslo-", "nvidia-", "flask-", "fastapi-", "sqlalchemy-",
        "streamlit-", "robotframework-", "tap-", "target-", "airbyte-", "microsoft-", "ibm-",
        "scikit-", "wagtail-", "netbox-", "ovos-", "adafruit-circuitpython-", "micropython-",
        "winrt-", "openedx-", "edx-", "xblock-", "pyramid-", "scrapy-", "sentry-", "mcp-server-",
        "kedro-", "hatch-", "poetry-", "tox-", "pre-commit-", "mdformat-", "backports-",
        "jaraco-", "ansible-", "pyats-", "genie-", "qiskit-", "openbb-", "livekit-", "odoo-",
        "odoo-addon-", "snowflake-", "databricks-", "sagemaker-", "comfyui-", "nautobot-",
        "pretix-", "invenio-", "frappe-", "erpnext-", "esphome-", "homeassistant-", "pyexcel-",
    }
)  # fmt: skip

#: Affixes that attackers glue to a popular name; a prefix made of one is never a family.
GENERIC_AFFIXES: frozenset[str] = frozenset(
    {
        "py", "py3", "python", "python3", "python2", "dev", "lib", "libs", "sdk", "api", "pkg",
        "package", "client", "core", "tool", "tools", "util", "utils", "helper", "helpers",
        "official", "plus", "pro", "new", "latest", "fixed", "fix", "master", "main",
        "easy", "simple", "fast", "async", "my", "test", "open", "pip", "git", "cli", "ai",
        "json", "http", "web", "data", "auto", "free", "get", "the", "mod", "module", "x",
    }
)  # fmt: skip

_ODOO_VERSIONED = re.compile(r"^odoo\d{1,2}-(addon-)?")
_DIGITS = re.compile(r"^(v?\d+)$")

#: A prefix shared by this many popular names is a family.
FAMILY_MIN_MEMBERS = 10


def derive_prefixes(popular: Iterable[str], *, min_members: int = FAMILY_MIN_MEMBERS) -> set[str]:
    """First-token prefixes (``foo-``) shared by at least ``min_members`` popular names."""
    counts: Counter[str] = Counter()
    for name in popular:
        head, sep, _ = name.partition("-")
        if sep and head not in GENERIC_AFFIXES and len(head) >= 2:
            counts[head + "-"] += 1
    return {prefix for prefix, n in counts.items() if n >= min_members}


def is_generic_tail(tail: str) -> bool:
    """True when ``tail`` is nothing but generic affixes and numbers (``dev``, ``py-2024``)."""
    parts = [p for p in tail.split("-") if p]
    return not parts or all(p in GENERIC_AFFIXES or _DIGITS.match(p) for p in parts)


def family_of(canonical: str, prefixes: frozenset[str]) -> str | None:
    """The family prefix ``canonical`` belongs to, or None (also None for ``family-dev``)."""
    match = _ODOO_VERSIONED.match(canonical)
    if match:
        prefix = match.group(0)
        return None if is_generic_tail(canonical[len(prefix) :]) else prefix
    cuts = [i for i, ch in enumerate(canonical) if ch == "-"]
    for cut in reversed(cuts):  # the longest family prefix wins
        prefix = canonical[: cut + 1]
        if prefix in prefixes:
            return None if is_generic_tail(canonical[cut + 1 :]) else prefix
    return None
