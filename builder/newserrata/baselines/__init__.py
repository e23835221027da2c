"""`newserrata baseline NAME`: reference predictions to put a model's scores in context.

`empty` and `all` bound the span metrics from below and show what a degenerate system earns; `length`
predicts no span and scores each article by its length, which shows how much of a document-level number
text length alone explains; `heuristic` shows what plain rules find; `llm` runs an LLM judge on any
OpenAI-compatible endpoint. `Table` scores the offline ones on every record of each split, for the
dataset card.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from newserrata.baselines import heuristic, simple
from newserrata.metrics import baseline_metrics
from newserrata.predictions import PredictedSpan, Prediction
from newserrata.scoring import Gold, Scored, score_record, summarize

OFFLINE = ("empty", "all", "length", "heuristic")
NAMES = (*OFFLINE, "llm")


def rule(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The per-record predictor of an offline baseline: a predictions line without its id."""
    spans = {"empty": simple.empty, "all": simple.everything, "heuristic": heuristic.predict}
    if name == "length":
        return simple.length
    return lambda record: {"spans": spans[name](record)}


def predictions(name: str, records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    predict = rule(name)
    return [{"id": r["id"]} | predict(r) for r in records]


class Table:
    """The offline baselines scored on every record of each split as the records stream past (the build
    writes them once and keeps no copy), with the scorer's own per-record code."""

    def __init__(self) -> None:
        self.rules = {name: rule(name) for name in OFFLINE}
        self.scored: dict[str, dict[str, Scored]] = {}

    def add(self, record: dict[str, Any], split: str) -> None:
        gold = Gold.from_dict(record)
        by_name = self.scored.setdefault(split, {name: Scored() for name in OFFLINE})
        for name, predict in self.rules.items():
            line = predict(record)
            prediction = Prediction(record["id"], [PredictedSpan(**s) for s in line["spans"]], line.get("score"))
            out = by_name[name]
            out.rows.append(score_record(gold, prediction, out.categories))

    def markdown(self) -> str:
        names = baseline_metrics()
        lines = ["| split | baseline | records | " + " | ".join(names) + " |", "|" + "---|" * (3 + len(names))]
        for split in sorted(self.scored):
            for name, scored in self.scored[split].items():
                metrics = summarize(scored.rows, scored.categories, gold=split, missing=0).metrics
                cells = ["n/a" if metrics[m] is None else f"{metrics[m]:.3f}" for m in names]
                lines.append(f"| {split} | {name} | {len(scored.rows)} | " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def sentence(self) -> str:
        """What the numbers cover, for the card: every record of each split."""
        parts = [f"all {len(next(iter(by_name.values())).rows)} records of the {split} split"
                 for split, by_name in sorted(self.scored.items())]
        return "Computed on " + (parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]) + "."


def results_table(records: Iterable[dict[str, Any]]) -> str:
    """Markdown table of the offline baselines on each split. Records may carry a `split` key
    (the build knows where each went); without it they are scored together as `all`."""
    table = Table()
    for record in records:
        table.add({k: v for k, v in record.items() if k != "split"}, str(record.get("split", "all")))
    return table.markdown()
