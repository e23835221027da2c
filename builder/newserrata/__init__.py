"""NewsErrata: a benchmark for finding errors in machine-written news."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newserrata.scoring import Report

__version__ = "0.1.0"


def score(gold_records: Any, predictions: Any, **options: Any) -> Report:
    """Score predictions against gold records (see `newserrata.scoring.score`); the scorer and numpy
    are imported on first use so `import newserrata` stays light."""
    from newserrata.scoring import score as _score

    return _score(gold_records, predictions, **options)


def hydrate(data: Any, texts: Any, **options: Any) -> Any:
    """Attach source texts from the user's own copy, checked by sha256 (see `newserrata.hydration.hydrate`):
    `hydrate(load_dataset(...), "AggreFact-Unified-test.xlsx")`."""
    from newserrata.hydration import hydrate as _hydrate

    return _hydrate(data, texts, **options)


def __getattr__(name: str) -> Any:
    if name == "Report":
        from newserrata.scoring import Report

        return Report
    raise AttributeError(f"module 'newserrata' has no attribute {name!r}")
