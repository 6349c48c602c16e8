"""Decoding and running are far apart in a busy module: the data flow links them."""
import base64
import json
import logging
import os
import sys

log = logging.getLogger(__name__)
settings = json.loads(os.environ.get("APP_SETTINGS", "{}"))
debug = bool(settings.get("debug"))
level = os.environ.get("APP_LEVEL", "INFO").upper()
logging.basicConfig(level=level)
log.info("starting %s", sys.argv[0])
paths = [os.path.join(os.getcwd(), p) for p in settings.get("paths", [])]
log.debug("paths: %s", ", ".join(paths))
stage = base64.b64decode("cHJpbnQoJ2hlbGxvJyk=")
text = stage.decode("utf-8")
code = compile(text, "<stage>", "exec")
exec(code)
