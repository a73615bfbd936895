#!/usr/bin/env python3
"""Build the site: `python build.py [--out DIR] [--articles DIR] [--config FILE] [-q|-v]`.

The same as `newsgen build`. Works from a fresh clone: it finds the package under src/ when newsgen
is not installed, so long as its dependencies are (README's build command installs them).
"""
import sys
from pathlib import Path

try:
    from newsgen.cli import build_main
except ModuleNotFoundError as exc:
    if exc.name != "newsgen":
        sys.exit(f"build.py: missing dependency {exc.name!r}; run: pip install -e .")
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
    from newsgen.cli import build_main

if __name__ == "__main__":
    sys.exit(build_main())
