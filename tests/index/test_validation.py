"""Upload validation: every refusal says what is wrong."""

from __future__ import annotations

import contextlib

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from index.packages import build_sdist, build_wheel, upload_fields, wheel_filename
from snakewarden.index.errors import BadRequest
from snakewarden.index.validation import parse_upload

NAME, VERSION = "swval", "1.0"
WHEEL = build_wheel(NAME, VERSION)
FILENAME = wheel_filename(NAME, VERSION)


def form(**changes: str | None) -> dict[str, list[str]]:
    fields = upload_fields(NAME, VERSION, FILENAME, WHEEL)
    for k, v in changes.items():
        key = k.replace("__", ":")
        if v is None:
            fields.pop(key, None)
        else:
            fields[key] = v
    return {k: [v] for k, v in fields.items()}


def test_a_good_wheel_is_accepted_with_its_metadata() -> None:
    parsed = parse_upload(form(), FILENAME, WHEEL, max_size=10**6)
    assert parsed.normalized_name == "swval"
    assert parsed.wheel_metadata is not None
    assert b"Name: swval" in parsed.wheel_metadata
    assert parsed.requires_python == ">=3.8"


@pytest.mark.parametrize(
    ("changes", "filename", "message"),
    [
        ({"__action": "submit"}, FILENAME, "only file_upload"),
        ({"name": "-bad-"}, FILENAME, "Invalid project name"),
        ({"version": "one"}, FILENAME, "PEP 440"),
        ({"version": "1.0+local"}, FILENAME, "Local versions"),
        ({"version": "2.0"}, FILENAME, "does not match the version"),
        ({"name": "other"}, FILENAME, "does not match the project name"),
        ({}, "swval-1.0-py3-none-any.zip", "must end with .whl"),
        ({}, "../swval-1.0-py3-none-any.whl", "Invalid filename"),
        ({"filetype": "bdist_egg"}, FILENAME, "Unsupported filetype"),
        ({"sha256_digest": "0" * 64}, FILENAME, "sha256 digest supplied does not match"),
        ({"md5_digest": "0" * 32}, FILENAME, "md5 digest"),
        ({"sha256_digest": None, "md5_digest": None}, FILENAME, "at least one message digest"),
        ({"requires_python": ">=>3"}, FILENAME, "Invalid requires_python"),
        ({"requires_dist": "not a req !!"}, FILENAME, "Invalid requires_dist"),
        ({"summary": "two\nlines"}, FILENAME, "single line"),
        ({"metadata_version": "9.9"}, FILENAME, "Unsupported metadata_version"),
    ],
)
def test_refusals(changes: dict[str, str | None], filename: str, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        parse_upload(form(**changes), filename, WHEEL, max_size=10**6)


def test_size_and_content_checks() -> None:
    with pytest.raises(BadRequest, match="too large"):
        parse_upload(form(), FILENAME, WHEEL, max_size=10)
    with pytest.raises(BadRequest, match="empty"):
        parse_upload(form(), FILENAME, b"", max_size=10**6)
    sdist = build_sdist(NAME, VERSION)
    fields = upload_fields(NAME, VERSION, FILENAME, sdist)
    with pytest.raises(BadRequest, match="not a zip"):
        parse_upload({k: [v] for k, v in fields.items()}, FILENAME, sdist, max_size=10**6)


def test_a_wheel_whose_metadata_names_another_project_is_refused() -> None:
    other = build_wheel("swother", VERSION)
    fields = upload_fields(NAME, VERSION, FILENAME, other)
    with pytest.raises(BadRequest, match="METADATA names the project 'swother'"):
        parse_upload({k: [v] for k, v in fields.items()}, FILENAME, other, max_size=10**6)


@settings(max_examples=60, deadline=None)
@given(
    fields=st.dictionaries(
        st.sampled_from([":action", "name", "version", "filetype", "sha256_digest", "summary"]),
        st.lists(st.text(max_size=40), max_size=2),
    ),
    filename=st.text(max_size=60),
    content=st.binary(max_size=200),
)
def test_hostile_forms_only_ever_raise_bad_request(
    fields: dict[str, list[str]], filename: str, content: bytes
) -> None:
    with contextlib.suppress(BadRequest):
        parse_upload(fields, filename, content, max_size=10**6)


def test_a_full_licence_text_in_the_license_field_is_accepted() -> None:
    # Older packages carry the whole licence text in License (e.g. 11 kB): PyPI accepts it.
    parsed = parse_upload(
        form(license="Permission is granted... " * 500), FILENAME, WHEEL, max_size=10**6
    )
    assert dict(parsed.info)["license"].startswith("Permission")
    with pytest.raises(BadRequest, match="'author' is too long"):
        parse_upload(form(author="x" * 5000), FILENAME, WHEEL, max_size=10**6)
