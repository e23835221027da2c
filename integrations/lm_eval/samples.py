"""Per-sample metric values that log as the prediction, not as the whole record.

Each metric's aggregation scores the whole split, so `utils.process_results` hands every metric the
(record, predicted spans) pair, and `--log_samples` writes each metric's value into every sample: the
record, article text and all, five more times. `Scored` still unpacks to that pair for the aggregations
but is written as `{"id", "spans"}` (the harness logs values it cannot serialise as their `str`), so a
logged sample holds the record once (`doc`), the prompt once (`arguments`) and the reply.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_spec = importlib.util.spec_from_file_location("newserrata_lm_eval_utils", Path(__file__).with_name("utils.py"))
assert _spec is not None and _spec.loader is not None
utils = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(utils)


class Scored:
    __slots__ = ("doc", "spans")

    def __init__(self, doc: dict[str, Any], spans: list[dict[str, Any]]) -> None:
        self.doc, self.spans = doc, spans

    def __iter__(self) -> Iterator[Any]:
        return iter((self.doc, self.spans))

    def __str__(self) -> str:
        return json.dumps({"id": self.doc["id"], "spans": self.spans}, ensure_ascii=False)


def process_results(doc: dict[str, Any], results: list[str]) -> dict[str, Scored]:
    return {metric: Scored(*item) for metric, item in utils.process_results(doc, results).items()}
