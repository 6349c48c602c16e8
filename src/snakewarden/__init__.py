"""snakewarden: supply-chain defence for the Python package ecosystem.

The pipeline: artifact -> analysis -> findings -> verdict -> policy -> action.
"""

from snakewarden.core.models import Finding, PackageRef, ScanResult, Severity, Verdict

__all__ = ["Finding", "PackageRef", "ScanResult", "Severity", "Verdict", "__version__"]
__version__ = "0.1.0"
