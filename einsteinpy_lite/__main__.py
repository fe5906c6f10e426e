"""``python -m einsteinpy_lite``: the same command line as ``einsteinpy-lite``."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
