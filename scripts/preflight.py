"""The pre-flight check, runnable even where ``import helpers`` fails.

    python scripts/preflight.py

``python -m helpers.support.preflight`` runs the same check, but Python imports the whole
``helpers`` package first, and that import stops with a bare ``ModuleNotFoundError``
on a machine where, say, gymnasium is missing. This script loads only the check's
own file (which imports nothing but the standard library), so it reports what is
missing and how to fix it. Exits 1 when the machine is not ready.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

PREFLIGHT = Path(__file__).resolve().parent.parent / "helpers" / "support" / "preflight.py"


def load_preflight():
    spec = importlib.util.spec_from_file_location("preflight", PREFLIGHT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["preflight"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    sys.exit(load_preflight().main())
