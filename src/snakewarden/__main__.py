import sys

from snakewarden.cli.main import main

sys.exit(main())
