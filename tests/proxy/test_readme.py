"""The policy shown in README.md's proxy section is valid."""

from __future__ import annotations

import re
from pathlib import Path

from snakewarden.proxy.policy import parse_policy

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_policy_example_parses() -> None:
    section = README.read_text().split("## Protecting pip and uv users", 1)[1]
    (example,) = re.findall(r"```toml\n(.*?)```", section, re.S)[:1]
    policy = parse_policy(example)
    assert policy.cooldown.total_seconds() == 48 * 3600
    assert policy.is_internal("acme-billing")
    assert policy.routes("corp-utils").alternate_locations
