"""NewsErrata: a benchmark for finding errors in machine-written news."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """`newserrata.score(gold, predictions)` and `newserrata.Report` without importing the scorer
    (and numpy) on `import newserrata`."""
    if name in ("score", "Report"):
        import importlib

        module = importlib.import_module("newserrata.score")
        return module if name == "score" else module.Report
    raise AttributeError(f"module 'newserrata' has no attribute {name!r}")
