"""An image's metadata kept as base64: its URLs name XML namespaces, nothing is requested."""

import base64

XMP = base64.b64decode(
    "PHg6eG1wbWV0YSB4bWxuczp4PSJhZG9iZTpuczptZXRhLyI+PHJkZjpSREYgeG1sbnM6cmRmPSJodHRwOi8vd3d3LnczLm9yZy8xOTk5LzAyLzIyLXJkZi1zeW50YXgtbnMjIj48cmRmOkRlc2NyaXB0aW9uIHJkZjphYm91dD0iIi8+PC9yZGY6UkRGPjwveDp4bXBtZXRhPg=="
)
