"""Prompt, parsing and scoring for the NewsErrata lm-evaluation-harness task.

The harness averages per-document values by default, but the benchmark's metrics are corpus
metrics (character F1 is micro over all characters of the split), so every document passes its
(record, predicted spans) pair through and each aggregation runs `newserrata.score` on the
whole list: the number the harness reports is the number `newserrata score` prints.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import newserrata
from newserrata.baselines import llm
from newserrata.metrics import harness_metrics

METRICS = tuple(m.name for m in harness_metrics())
Item = tuple[dict[str, Any], list[dict[str, Any]]]
_reports: dict[str, Any] = {}


def doc_to_text(doc: dict[str, Any]) -> str:
    """The LLM baseline's GEMBA-MQM-style prompt, system and user parts as one text."""
    return "\n\n".join(m["content"] for m in llm.messages(doc))


def doc_to_target(doc: dict[str, Any]) -> str:
    """The gold spans in the answer format, for few-shot examples and sample logs."""
    return json.dumps({"errors": [{"quote": s["text"], "category": s["category"], "severity": s["severity"]}
                                  for s in doc["spans"]]}, ensure_ascii=False)


def prediction(doc: dict[str, Any], reply: str) -> dict[str, Any]:
    """One predictions-file line from a model reply; an unparseable reply predicts no error."""
    errors = llm.parse_errors(reply) or []
    spans, _ = llm.to_spans(doc["text"], errors)
    return {"id": doc["id"], "spans": spans}


def process_results(doc: dict[str, Any], results: list[str]) -> dict[str, Item]:
    spans = prediction(doc, results[0])["spans"]
    return {metric: (doc, spans) for metric in METRICS}


def report(items: list[Item]) -> newserrata.Report:
    """One scorer run per distinct set of predictions, shared by the metrics' aggregations."""
    predictions = [{"id": doc["id"], "spans": spans} for doc, spans in items]
    key = json.dumps(predictions, sort_keys=True)
    if key not in _reports:
        _reports.clear()
        _reports[key] = newserrata.score([doc for doc, _ in items], predictions)
    return _reports[key]


def _aggregation(name: str) -> Callable[[list[Item]], float]:
    """The harness aggregation of one registered metric: the scorer's corpus value, NaN where undefined."""

    def aggregate(items: list[Item]) -> float:
        value = report(items).metrics[name]
        return float("nan") if value is None else value

    aggregate.__name__ = aggregate.__qualname__ = name
    return aggregate


# One aggregation per registered harness metric, under the metric's name (the YAML's `!function utils.<name>`).
globals().update({name: _aggregation(name) for name in METRICS})
