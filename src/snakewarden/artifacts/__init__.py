"""Safe reading of distributions: nothing is extracted, executed or imported.

``read_artifact(data, filename)`` turns the bytes of an sdist, wheel, egg or zip into an
``Artifact``: its members (code read whole, other files by their first bytes), its core metadata,
and the structural problems found on the way (as findings).
"""

from snakewarden.artifacts.model import Artifact, ArtifactKind, CoreMetadata, Limits, Member
from snakewarden.artifacts.reader import artifact_from_files, read_artifact

__all__ = [
    "Artifact",
    "ArtifactKind",
    "CoreMetadata",
    "Limits",
    "Member",
    "artifact_from_files",
    "read_artifact",
]
