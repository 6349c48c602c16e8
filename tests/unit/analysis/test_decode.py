"""Static decoding of literals (``analysis.decode``): nothing is run, the data is read."""

from __future__ import annotations

import base64
import zlib

from snakewarden.analysis.decode import decode_layers


def test_base64_written_backwards_is_decoded() -> None:
    text = b"import os\nos.system('echo example.invalid')\n"
    packed = base64.b64encode(zlib.compress(text)).decode()
    assert decode_layers(packed[::-1]) == ("reversed base64+zlib", text.decode())
    padded = base64.b64encode(b"https://example.invalid/collect?x=1").decode()
    assert padded.endswith("=")
    assert decode_layers(padded[::-1]) == ("reversed base64", "https://example.invalid/collect?x=1")
    assert decode_layers("=Dictionary_of_all_things") is None
