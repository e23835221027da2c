"""Mu-SHROOM (SemEval-2025 Task 3): its file shapes, and its official scorer's numbers reproduced exactly.

Mu-SHROOM lines carry `soft_labels` ([{start, end, prob}]) and `hard_labels` ([[start, end], ...]); a
reference line adds `model_output_text`. `newserrata convert` moves files between that shape and ours;
`newserrata score --compat mushroom` scores with the task's own definitions, quirks included, so a number
can be set beside a published Mu-SHROOM result. Our own `shroom_iou` / `shroom_cor` differ from it on
purpose in a few degenerate cases (docs/scoring.md lists them); this module is where they do not.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from newserrata import predictions as preds
from newserrata.aggregate import merge
from newserrata.checks import Level, check_record
from newserrata.errors import Problems
from newserrata.jsonl import read_lines
from newserrata.predictions import Located, PredictedSpan, Prediction
from newserrata.scoring_stats import average_ranks

KEYS = ("hard_labels", "soft_labels", "model_output_text")
CONVERT_HINT = "convert it first: newserrata convert mushroom-to-predictions FILE --out PRED.jsonl"


def neighbour_keys(path: Path) -> list[str]:
    """The Mu-SHROOM keys on the first line of a JSON Lines file (empty when it is not one of theirs)."""
    for _, first in read_lines(Path(path), Problems()):
        return [k for k in KEYS if k in first]
    return []


def refuse_neighbour(path: Path, problems: Problems) -> bool:
    """One problem for a whole Mu-SHROOM file given where our predictions are expected, instead of one per line."""
    found = neighbour_keys(path)
    if found:
        problems.add(str(path), 1, "", f"a Mu-SHROOM file ({', '.join(found)}), not NewsErrata predictions",
                     CONVERT_HINT)
    return bool(found)


# ---------------------------------------------------------------- the shapes


def recompute_hard(soft: list[dict[str, Any]]) -> list[list[int]]:
    """The task's hard labels of soft labels: spans with prob > 0.5 in (start, end) order, a span joined to
    the previous one only when it starts exactly where that one ended (overlaps stay separate entries)."""
    hard: list[list[int]] = []
    previous_end = None
    for start, end in sorted((s["start"], s["end"]) for s in soft if s["prob"] > 0.5):
        if hard and start == previous_end:
            hard[-1][1] = end
        else:
            hard.append([start, end])
        previous_end = end
    return hard


def soft_of_hard(hard: list[list[int]]) -> list[dict[str, Any]]:
    """The task's soft labels of a submission that gives only hard labels: each span with prob 1."""
    return [{"start": start, "end": end, "prob": 1.0} for start, end in hard]


def submission(prediction: Prediction) -> dict[str, Any]:
    """Our prediction as a Mu-SHROOM submission line. Soft labels keep the order of our spans (the task's
    scorer lets a later span overwrite an earlier one); neutral remarks and insertion points, which mark
    no character, are left out, as are severity, category and score, which the task has no place for."""
    spans = [s for s in prediction.spans if s.severity != "neutral" and s.end > s.start]
    hard = merge([(s.start, s.end) for s in spans if s.prob > 0.5])
    return {"id": prediction.id, "soft_labels": [{"start": s.start, "end": s.end, "prob": s.prob} for s in spans],
            "hard_labels": [[start, end] for start, end in hard]}


def reference(record: dict[str, Any]) -> dict[str, Any]:
    """A record as a Mu-SHROOM reference line: the text, the annotators' soft labels and the gold spans."""
    return {"id": record["id"], "lang": record["language"], "model_output_text": record["text"],
            "soft_labels": [{"start": s["start"], "end": s["end"], "prob": s["prob"]} for s in record["soft_labels"]],
            "hard_labels": [[s["start"], s["end"]] for s in record["spans"]]}


def _offset(value: Any) -> bool:
    return type(value) is int and value >= 0


def prediction_line(file: str, line: int, value: dict[str, Any], problems: Problems) -> dict[str, Any] | None:
    """A Mu-SHROOM submission line as our prediction line (spans with prob). Hard labels that say something
    the soft labels do not cannot be kept, since our hard labels are the spans with prob > 0.5: refused."""
    found = len(problems)
    soft, hard = value.get("soft_labels"), value.get("hard_labels")
    if not isinstance(value.get("id"), str):
        problems.add(file, line, "/id", "missing or not a string", "every line needs the record id")
    if soft is None and hard is None:
        problems.add(file, line, "", "neither soft_labels nor hard_labels", "give soft_labels [{start, end, prob}]")
    if soft is not None:
        if not isinstance(soft, list):
            problems.add(file, line, "/soft_labels", "not a list", "write [{\"start\", \"end\", \"prob\"}, ...]")
            soft = []
        for i, s in enumerate(soft):
            ok = isinstance(s, dict) and _offset(s.get("start")) and _offset(s.get("end")) and s["start"] <= s["end"]
            if not ok or not isinstance(s.get("prob"), int | float) or isinstance(s.get("prob"), bool):
                problems.add(file, line, f"/soft_labels/{i}", f"{json.dumps(s)} is not {{start, end, prob}}",
                             "offsets are whole numbers, 0 <= start <= end; prob a number")
    if hard is not None:
        if not isinstance(hard, list):
            problems.add(file, line, "/hard_labels", "not a list", "write [[start, end], ...]")
            hard = []
        for i, h in enumerate(hard):
            if not (isinstance(h, list) and len(h) == 2 and all(map(_offset, h)) and h[0] <= h[1]):
                problems.add(file, line, f"/hard_labels/{i}", f"{json.dumps(h)} is not [start, end]",
                             "offsets are whole numbers, 0 <= start <= end")
    if len(problems) > found:
        return None
    if soft is None:
        soft = soft_of_hard(hard)
    elif hard is not None and _covered(hard) != _covered(recompute_hard(soft)):
        problems.add(file, line, "/hard_labels", "the hard labels are not the soft labels with prob > 0.5",
                     "NewsErrata derives hard labels from prob: drop hard_labels to keep the soft labels, or drop "
                     "soft_labels to keep the hard labels (prob 1)")
        return None
    return {"id": value["id"], "spans": [{"start": s["start"], "end": s["end"], "prob": s["prob"]} for s in soft]}


def _covered(hard: list[list[int]]) -> list[tuple[int, int]]:
    """The characters hard labels mark, as runs: a label's size says nothing of its cost (the file has no
    text to bound it by, and [0, 200000000] is 100 bytes of JSON)."""
    return merge([(start, end) for start, end in hard])


def _chars(hard: list[list[int]]) -> set[int]:
    return {i for start, end in hard for i in range(start, end)}


# ---------------------------------------------------------------- the official scorer's definitions


def score_iou(ref_hard: list[list[int]], pred_hard: list[list[int]]) -> float:
    """Character IoU of the hard labels; 1.0 when both are empty."""
    ref, pred = _chars(ref_hard), _chars(pred_hard)
    if not ref and not pred:
        return 1.0
    return len(ref & pred) / len(ref | pred)


def _vector(length: int, soft: list[dict[str, Any]]) -> Any:
    vector = np.zeros(length)
    for s in soft:  # in order: a later span overwrites an earlier one
        vector[s["start"]:s["end"]] = s["prob"]
    return vector


def score_cor(length: int, ref_soft: list[dict[str, Any]], pred_soft: list[dict[str, Any]]) -> float:
    """Spearman's rho of the per-character probabilities. When either vector is constant (values rounded to
    8 decimals), 1.0 if the other is constant too, whatever the two constants are, else 0.0. An empty text
    gives NaN, as scipy does for two empty vectors."""
    ref, pred = _vector(length, ref_soft), _vector(length, pred_soft)
    ref_levels = {round(float(v), 8) for v in np.unique(ref)}
    pred_levels = {round(float(v), 8) for v in np.unique(pred)}
    if len(ref_levels) == 1 or len(pred_levels) == 1:
        return float(len(ref_levels) == len(pred_levels))
    if length == 0:
        return math.nan
    return float(np.corrcoef(average_ranks(ref), average_ranks(pred))[0, 1])


@dataclass
class MushroomReport:
    """What `newserrata score --compat mushroom` prints: the task's two numbers, means over records."""

    gold: str
    records: int
    missing: int
    metrics: dict[str, float | None]
    compat: str = "mushroom"
    undefined: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def table(self) -> str:
        def fmt(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.8f}"

        return "\n".join([f"{self.gold}: {self.records} record(s), {self.missing} scored as empty (no prediction); "
                          "official Mu-SHROOM definitions", f"IoU: {fmt(self.metrics['shroom_iou'])}",
                          f"Cor: {fmt(self.metrics['shroom_cor'])}"])


def evaluate(gold: Iterable[Located], predictions: dict[str, Prediction], problems: Problems, *, file: str,
             gold_name: str, allow_missing: bool = False) -> MushroomReport:
    """Every record scored as the task's scorer scores its reference and submission lines. A span past the
    end of its text is refused (as by our scorer), and said to be a crash of theirs: no number exists."""
    matcher = preds.Matcher(predictions, problems, file=file, allow_missing=allow_missing, gold=gold_name)
    seen: dict[str, str] = {}
    ious: list[float] = []
    cors: list[float] = []
    crash: tuple[Prediction, int, PredictedSpan, int] | None = None
    for where, line, record in gold:
        if not check_record(record, (where, line), problems, Level.GOLD, seen):
            continue
        length = len(record["text"])
        prediction = matcher.take(record["id"], record["text"])
        past = [(i, s) for i, s in enumerate(prediction.spans) if s.end > length and s.severity != "neutral"]
        if past and crash is None:
            crash = (prediction, past[0][0], past[0][1], length)
        if problems:
            continue
        ref, sub = reference(record), submission(prediction)
        ious.append(score_iou(ref["hard_labels"], sub["hard_labels"]))
        cors.append(score_cor(length, ref["soft_labels"], sub["soft_labels"]))
    matcher.finish()
    if crash is not None:
        prediction, i, span, length = crash
        problems.add(prediction.file, prediction.line, f"/spans/{i}/end",
                     f"the official Mu-SHROOM scorer stops with an IndexError on this span (end {span.end}, text of "
                     f"{length} characters), so there is no Mu-SHROOM score for this file",
                     "fix the offsets; spans must end inside their text")
    problems.raise_if_any()
    metrics = {"shroom_iou": _mean(ious), "shroom_cor": _mean(cors)}
    undefined = {k: "no records, or a record with an empty text (NaN in the official scorer)"
                 for k, v in metrics.items() if v is None}
    return MushroomReport(gold_name, len(ious), len(matcher.missing), metrics, undefined=undefined)


def _mean(values: list[float]) -> float | None:
    if not values:
        return None
    mean = sum(values) / len(values)
    return mean if math.isfinite(mean) else None


def mushroom_lines(path: Path, problems: Problems) -> list[dict[str, Any]]:
    """Our prediction lines from a Mu-SHROOM submission file, every bad line named."""
    out = []
    for number, value in read_lines(Path(path), problems):
        converted = prediction_line(str(path), number, value, problems)
        if converted is not None:
            out.append(converted)
    return out
