"""``python -m einsteinpy_lite.selftest``: the differential self-test (see :mod:`einsteinpy_lite.selftest.runner`)."""

import sys

from .runner import main

if __name__ == "__main__":
    sys.exit(main())
