"""A busy module decodes an icon and compiles a template of its own: nothing decoded runs."""
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
ICON = base64.b64decode("iVBORw0KGgo=")
template = "def hook(x):\n    return x\n"
code = compile(template, "<hook>", "exec")
exec(code)
