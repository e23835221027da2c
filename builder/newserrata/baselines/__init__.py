"""`newserrata baseline NAME`: reference predictions to put a model's scores in context.

`empty` and `all` bound the metrics from below and show what a degenerate system earns;
`heuristic` shows what plain rules find; `llm` runs an LLM judge on any OpenAI-compatible
endpoint. `results_table` scores the offline ones; `sample_table` does so for the dataset card.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from newserrata.baselines import heuristic, simple
from newserrata.metrics import BASELINE_METRICS
from newserrata.scoring import score

NAMES = ("empty", "all", "heuristic", "llm")


def rule(name: str) -> Callable[[dict[str, Any]], list[dict[str, Any]]]:
    """The per-record predictor of an offline baseline."""
    return {"empty": simple.empty, "all": simple.everything, "heuristic": heuristic.predict}[name]


def predictions(name: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    predict = rule(name)
    return [{"id": r["id"], "spans": predict(r)} for r in records]


def results_table(records: list[dict[str, Any]]) -> str:
    """Markdown table of the offline baselines on each split. Records may carry a `split` key
    (the build knows where each went); without it they are scored together as `all`."""
    by_split: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        clean = {k: v for k, v in record.items() if k != "split"}
        by_split.setdefault(str(record.get("split", "all")), []).append(clean)
    header = "| split | baseline | records | " + " | ".join(BASELINE_METRICS) + " |"
    lines = [header, "|" + "---|" * (3 + len(BASELINE_METRICS))]
    for split in sorted(by_split):
        gold = by_split[split]
        for name in ("empty", "all", "heuristic"):
            metrics = score(gold, predictions(name, gold)).metrics
            cells = ["n/a" if metrics[m] is None else f"{metrics[m]:.3f}" for m in BASELINE_METRICS]
            lines.append(f"| {split} | {name} | {len(gold)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def sample_table(sample: list[tuple[dict[str, Any], str]], totals: dict[str, int]) -> str:
    """results_table on a build's bounded sample of (record, split), and a sentence saying per split what
    the numbers cover: every record of the split, or how many of how many. `totals` counts every
    record of each split."""
    table = results_table([dict(record, split=split) for record, split in sample])
    taken = {split: 0 for split in totals}
    for _, split in sample:
        taken[split] += 1
    parts = []
    for split, total in sorted(totals.items()):
        if not total:
            continue
        if taken[split] == total:
            parts.append(f"all {total} records of the {split} split")
        elif taken[split]:
            parts.append(f"a deterministic sample of {taken[split]} of {total} records of the {split} split")
        else:
            parts.append(f"none of the {total} records of the {split} split (none is in the sample)")
    how = (" The sample is the records with the smallest SHA-256 of their id, so it is the same in every build "
           "and keeps its records when others are added." if any(taken[s] < totals[s] for s in totals) else "")
    return f"{table}\n\nComputed on {_join(parts)}.{how}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
