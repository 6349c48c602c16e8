"""Private names: TOML configuration, environment variables, and the file's location."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snakewarden.metadata import (
    ConfigError,
    PrivateNames,
    load_private_names,
    parse_private_config,
    private_names_from_env,
)


def test_toml_names_and_prefixes_are_canonical() -> None:
    private = parse_private_config(
        '[private]\nnames = ["Acme_Billing", " acme.auth "]\nprefixes = ["acme_", "ACMECORP"]\n'
    )
    assert private.names == {"acme-billing", "acme-auth"}
    assert private.prefixes == ("acme-", "acmecorp")
    assert private.matches("ACME.billing") == "acme-billing"
    assert private.matches("acme-payments") == "acme-*"
    assert private.matches("acmecorp-tools") == "acmecorp*"
    assert private.matches("requests") is None


def test_a_config_without_the_table_is_empty() -> None:
    assert not parse_private_config("[other]\nx = 1\n")


@pytest.mark.parametrize(
    "text",
    [
        "[private\nnames = [",
        "private = 3",
        '[private]\nnames = "acme"',
        "[private]\nnames = [1, 2]",
        '[private]\nprefix = ["a"]',
    ],
)
def test_bad_configs_are_usage_errors(text: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_private_config(text, source="cfg.toml")
    assert "cfg.toml" in info.value.diagnostics()


def test_environment_variables_are_comma_separated() -> None:
    private = private_names_from_env(
        {"SNAKEWARDEN_PRIVATE_NAMES": "acme-one, Acme_Two,,", "SNAKEWARDEN_PRIVATE_PREFIXES": "x-"}
    )
    assert private.names == {"acme-one", "acme-two"}
    assert private.prefixes == ("x-",)


def test_load_merges_the_home_file_and_the_environment(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[private]\nnames = ["from-file"]\n')
    private = load_private_names({"SNAKEWARDEN_PRIVATE_NAMES": "from-env"}, tmp_path)
    assert private.names == {"from-file", "from-env"}
    assert load_private_names({}, tmp_path / "nothing-here") == PrivateNames()


def test_an_explicit_config_path_must_exist(tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text('[private]\nprefixes = ["corp-"]\n')
    assert load_private_names({"SNAKEWARDEN_CONFIG": str(other)}, tmp_path).prefixes == ("corp-",)
    with pytest.raises(ConfigError, match="cannot read"):
        load_private_names({"SNAKEWARDEN_CONFIG": str(tmp_path / "absent.toml")}, tmp_path)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        private = parse_private_config(text)
    except ConfigError:
        return
    assert isinstance(private, PrivateNames)
