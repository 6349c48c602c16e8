"""Pure checks of an upload: the form's metadata, the filename, the digests, the embedded
metadata of a wheel. Each failure is a ``BadRequest`` whose message twine shows."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from packaging.metadata import parse_email
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    canonicalize_version,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from snakewarden.index.errors import BadRequest

#: PEP 508 / core metadata name syntax (PEP 503 normalizes it)
PROJECT_NAME_RE = re.compile(r"\A([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])\Z", re.IGNORECASE)
FILENAME_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._+!-]*\Z")
METADATA_VERSIONS = frozenset({"1.0", "1.1", "1.2", "2.0", "2.1", "2.2", "2.3", "2.4", "2.5"})
PACKAGETYPES = {"sdist": "sdist", "bdist_wheel": "bdist_wheel"}
MAX_NAME, MAX_VERSION, MAX_FILENAME = 200, 100, 250
MAX_SUMMARY = 512
MAX_DESCRIPTION = 4 * 1024 * 1024
MAX_FIELD = 4096
#: older packages put the whole licence text in License (PyPI stores it as text)
MAX_LICENSE = 256 * 1024
MAX_LIST = 1000
MAX_METADATA_FILE = 4 * 1024 * 1024

_SINGLE_FIELDS = (
    "author", "author_email", "maintainer", "maintainer_email", "home_page", "download_url",
    "license", "license_expression", "keywords", "platform", "description_content_type",
)  # fmt: skip
_LIST_FIELDS = (
    "classifiers", "requires_dist", "provides_extra", "project_urls", "requires_external",
    "provides_dist", "obsoletes_dist", "license_file", "dynamic", "supported_platform",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class UploadForm:
    """A validated upload: everything but the bytes' scan verdict."""

    name: str  # as given
    normalized_name: str
    version: str  # as given (valid PEP 440)
    canonical_version: str
    filename: str
    packagetype: str
    python_version: str
    requires_python: str | None
    sha256: str
    md5: str
    blake2_256: str
    size: int
    summary: str = ""
    description: str = ""
    info: tuple[tuple[str, object], ...] = field(default_factory=tuple)
    wheel_metadata: bytes | None = None  # METADATA of a wheel, served per PEP 658


def _one(form: Mapping[str, Sequence[str]], key: str, *, limit: int = MAX_FIELD) -> str:
    values = form.get(key) or ()
    if len(values) > 1:
        raise BadRequest(f"The field {key!r} was given more than once")
    value = values[0] if values else ""
    if len(value) > limit:
        raise BadRequest(f"The field {key!r} is too long ({len(value)} > {limit} characters)")
    if "\x00" in value:
        raise BadRequest(f"The field {key!r} contains a NUL character")
    return value


def _many(form: Mapping[str, Sequence[str]], key: str) -> list[str]:
    values = [v for v in (form.get(key) or ()) if v]
    if len(values) > MAX_LIST:
        raise BadRequest(f"Too many values for {key!r} (at most {MAX_LIST})")
    for v in values:
        if len(v) > MAX_FIELD or "\x00" in v:
            raise BadRequest(f"A value of {key!r} is too long or contains a NUL character")
    return values


def check_digest(kind: str, given: str, actual: str) -> None:
    if given and given.strip().lower() != actual:
        raise BadRequest(
            f"The {kind} digest supplied does not match the file's content: the upload was "
            "corrupted or the form is wrong"
        )


def parse_upload(
    form: Mapping[str, Sequence[str]], filename: str, content: bytes, *, max_size: int
) -> UploadForm:
    """Validate the multipart form of ``POST /legacy/`` against the file it carries."""
    action = _one(form, ":action")
    if action != "file_upload":
        raise BadRequest(
            f"Unknown or missing :action {action[:40]!r}: only file_upload is supported"
        )
    if _one(form, "protocol_version") not in ("1", ""):
        raise BadRequest("Unknown protocol_version: only 1 is supported")
    metadata_version = _one(form, "metadata_version")
    if metadata_version and metadata_version not in METADATA_VERSIONS:
        raise BadRequest(f"Unsupported metadata_version {metadata_version[:20]!r}")

    name = _one(form, "name", limit=MAX_NAME).strip()
    if not name:
        raise BadRequest("The 'name' field is required")
    if not PROJECT_NAME_RE.match(name):
        raise BadRequest(
            f"Invalid project name {name!r}: start and end with a letter or digit and use only "
            "letters, digits, '.', '_' and '-'"
        )
    version_text = _one(form, "version", limit=MAX_VERSION).strip()
    if not version_text:
        raise BadRequest("The 'version' field is required")
    try:
        version = Version(version_text)
    except InvalidVersion as exc:
        raise BadRequest(
            f"Invalid version {version_text!r}: it must follow PEP 440 (e.g. 1.0, 2.1.3rc1)"
        ) from exc
    if version.local is not None:
        raise BadRequest(f"Local versions like {version_text!r} cannot be uploaded to an index")

    # the filename
    if not filename or len(filename) > MAX_FILENAME or not FILENAME_RE.match(filename):
        raise BadRequest(f"Invalid filename {filename[:80]!r}")
    packagetype = _one(form, "filetype")
    if packagetype not in PACKAGETYPES:
        raise BadRequest(
            f"Unsupported filetype {packagetype[:30]!r}: upload sdists (.tar.gz) or wheels (.whl)"
        )
    norm = canonicalize_name(name)
    if packagetype == "bdist_wheel":
        if not filename.endswith(".whl"):
            raise BadRequest(f"Invalid filename {filename!r}: a bdist_wheel must end with .whl")
        try:
            fname, fversion, _build, _tags = parse_wheel_filename(filename)
        except (InvalidWheelFilename, InvalidVersion) as exc:
            raise BadRequest(f"Invalid wheel filename {filename!r}: {exc}") from exc
    else:
        if not filename.endswith((".tar.gz", ".zip")):
            raise BadRequest(f"Invalid filename {filename!r}: an sdist must end with .tar.gz")
        try:
            fname, fversion = parse_sdist_filename(filename)
        except (InvalidSdistFilename, InvalidVersion) as exc:
            raise BadRequest(f"Invalid sdist filename {filename!r}: {exc}") from exc
    if fname != norm:
        raise BadRequest(f"The filename {filename!r} does not match the project name {name!r}")
    if fversion != version:
        raise BadRequest(f"The filename {filename!r} does not match the version {version_text!r}")

    # the bytes
    if not content:
        raise BadRequest("The upload is empty")
    if len(content) > max_size:
        raise BadRequest(
            f"The file is too large ({len(content)} bytes; the limit is {max_size} bytes)"
        )
    sha256 = hashlib.sha256(content).hexdigest()
    md5 = hashlib.md5(content, usedforsecurity=False).hexdigest()
    blake2 = hashlib.blake2b(content, digest_size=32).hexdigest()
    given = {
        k: _one(form, k, limit=200) for k in ("sha256_digest", "md5_digest", "blake2_256_digest")
    }
    if not any(given.values()):
        raise BadRequest("Include at least one message digest (sha256_digest) of the file")
    check_digest("sha256", given["sha256_digest"], sha256)
    check_digest("blake2_256", given["blake2_256_digest"], blake2)
    check_digest("md5", given["md5_digest"], md5)
    _check_magic(filename, content)

    # the metadata fields
    summary = _one(form, "summary", limit=MAX_SUMMARY)
    if "\n" in summary or "\r" in summary:
        raise BadRequest("The summary must be a single line")
    description = _one(form, "description", limit=MAX_DESCRIPTION)
    requires_python = _one(form, "requires_python", limit=500).strip() or None
    if requires_python is not None:
        try:
            SpecifierSet(requires_python)
        except InvalidSpecifier as exc:
            raise BadRequest(f"Invalid requires_python {requires_python!r}: {exc}") from exc
    requires_dist = _many(form, "requires_dist")
    for req in requires_dist:
        try:
            Requirement(req)
        except InvalidRequirement as exc:
            raise BadRequest(f"Invalid requires_dist {req[:100]!r}: {exc}") from exc
    info: dict[str, object] = {"summary": summary, "requires_python": requires_python or ""}
    for key in _SINGLE_FIELDS:
        info[key] = _one(form, key, limit=MAX_LICENSE if key == "license" else MAX_FIELD)
    for key in _LIST_FIELDS:
        info[key] = _many(form, key)
    info["metadata_version"] = metadata_version

    wheel_metadata = (
        _wheel_metadata(filename, content, norm, version) if packagetype == "bdist_wheel" else None
    )
    return UploadForm(
        name=name,
        normalized_name=norm,
        version=version_text,
        canonical_version=canonicalize_version(version),
        filename=filename,
        packagetype=packagetype,
        python_version=_one(form, "pyversion", limit=100)
        or ("source" if packagetype == "sdist" else "py3"),
        requires_python=requires_python,
        sha256=sha256,
        md5=md5,
        blake2_256=blake2,
        size=len(content),
        summary=summary,
        description=description,
        info=tuple(sorted(info.items())),
        wheel_metadata=wheel_metadata,
    )


def _check_magic(filename: str, content: bytes) -> None:
    if filename.endswith((".whl", ".zip")):
        if content[:4] != b"PK\x03\x04":
            raise BadRequest(f"{filename!r} is not a zip archive")
    elif filename.endswith(".tar.gz") and content[:2] != b"\x1f\x8b":
        raise BadRequest(f"{filename!r} is not a gzip-compressed tar archive")


def _wheel_metadata(filename: str, content: bytes, name: str, version: Version) -> bytes:
    """The ``.dist-info/METADATA`` of a wheel, checked against the form's name and version."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            candidates = [
                i for i in zf.infolist()
                if i.filename.count("/") == 1 and i.filename.endswith(".dist-info/METADATA")
            ]  # fmt: skip
            if len(candidates) != 1:
                raise BadRequest(
                    f"Invalid wheel {filename!r}: expected exactly one .dist-info/METADATA"
                )
            info = candidates[0]
            if info.file_size > MAX_METADATA_FILE:
                raise BadRequest(f"Invalid wheel {filename!r}: METADATA is too large")
            data = zf.read(info)[: MAX_METADATA_FILE + 1]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise BadRequest(f"Invalid wheel {filename!r}: {exc}") from exc
    if len(data) > MAX_METADATA_FILE:
        raise BadRequest(f"Invalid wheel {filename!r}: METADATA is too large")
    raw, _unparsed = parse_email(data)
    meta_name = str(raw.get("name") or "")
    meta_version = str(raw.get("version") or "")
    if canonicalize_name(meta_name) != name:
        raise BadRequest(
            f"The wheel's METADATA names the project {meta_name[:80]!r}, not the uploaded {name!r}"
        )
    try:
        same = Version(meta_version) == version
    except InvalidVersion:
        same = False
    if not same:
        raise BadRequest(
            f"The wheel's METADATA has version {meta_version[:40]!r}, not the uploaded {version}"
        )
    return data
