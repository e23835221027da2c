"""Predictions files: read, check against the schema and against the gold, one problem per fault.

A prediction is only useful if every offset means what the scorer thinks it means, so a bad
line is an error naming its file, line and field, never a silent skip or clip. The gold is
streamed past the predictions (which are small) so the article texts never have to be held
in memory all at once.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newserrata import schemas
from newserrata.checks import SPAN_HINT, check_whole_offsets
from newserrata.collector import fewer_collections
from newserrata.errors import Problems
from newserrata.jsonl import read_lines

Located = tuple[str, int, dict[str, Any]]


@dataclass(slots=True)
class PredictedSpan:
    """Missing severity counts as major and missing prob as 1.0, as the schema promises.
    (Not frozen: a frozen dataclass costs twice as much to build, and there are millions of these.)"""

    start: int
    end: int
    severity: str = "major"
    category: str | None = None
    prob: float = 1.0
    text: str | None = None


@dataclass(slots=True)
class Prediction:
    id: str
    spans: list[PredictedSpan] = field(default_factory=list)
    score: float | None = None
    file: str = ""
    line: int | None = None
    has_error: bool | None = None
    segments: dict[int, float] = field(default_factory=dict)


def parse(file: str, line: int, value: dict[str, Any], problems: Problems) -> Prediction | None:
    """One schema-checked line; None (with problems added) when it cannot be used."""
    if not _finite(file, line, value, problems):
        return None
    if not schemas.is_valid("prediction", value):
        for ptr, message in schemas.schema_errors("prediction", value):
            problems.add(file, line, ptr, message, "see schema/prediction.schema.json")
        return None
    found = len(problems)
    for i, s in enumerate(value["spans"]):
        if type(s["start"]) is not int or type(s["end"]) is not int:  # the schema lets 18.0 through
            check_whole_offsets(s, (file, line), f"/spans/{i}", problems)
        elif s["start"] > s["end"]:
            problems.add(file, line, f"/spans/{i}/start", f"start {s['start']} is after end {s['end']}",
                         "end is exclusive and may not come before start")
    segments: dict[int, float] = {}
    for i, s in enumerate(value.get("segments", ())):
        if s["index"] in segments:
            problems.add(file, line, f"/segments/{i}/index", f"segment {s['index']} is scored twice",
                         "give each segment index at most once")
        segments[s["index"]] = float(s["score"])
    # A line with a bad span keeps no spans: later checks would otherwise name the wrong /spans/<i>.
    spans = [PredictedSpan(**s) for s in value["spans"]] if len(problems) == found else []
    return Prediction(value["id"], spans, value.get("score"), file, line, value.get("has_error"), segments)


def _finite(file: str, line: int, value: Any, problems: Problems) -> bool:
    """Python's JSON reader turns NaN, Infinity and 1e999 into floats that the schema validator sees as
    null; name them for what they are, since no metric can be computed from them."""
    if not isinstance(value, dict):
        return True
    try:  # the common case in one pass: a sum of finite numbers is finite (NaN and inf propagate)
        spans, segments, score = value.get("spans") or (), value.get("segments") or (), value.get("score") or 0.0
        if math.isfinite(score + sum(s.get("prob", 0.0) for s in spans) + sum(s.get("score", 0.0) for s in segments)):
            return True
    except (TypeError, AttributeError):
        pass  # not numbers, or not objects: the schema names those; look at each value below
    numbers = [("/score", value.get("score"))]
    for key, number in (("spans", "prob"), ("segments", "score")):
        items = value.get(key)
        if isinstance(items, list):
            numbers += [(f"/{key}/{i}/{number}", s.get(number)) for i, s in enumerate(items) if isinstance(s, dict)]
    bad = [(ptr, v) for ptr, v in numbers if isinstance(v, float) and not math.isfinite(v)]
    for ptr, v in bad:
        problems.add(file, line, ptr, f"{json.dumps(v)} is not a finite number",
                     "write a finite JSON number (NaN and Infinity are not JSON)")
    return not bad


def index(lines: Iterable[Located], problems: Problems) -> dict[str, Prediction]:
    """Predictions by id; duplicate ids are problems (the first line wins so later checks still run)."""
    found: dict[str, Prediction] = {}
    for file, line, value in lines:
        prediction = parse(file, line, value, problems)
        if prediction is None:
            continue
        first = found.get(prediction.id)
        if first is not None:
            problems.add(file, line, "/id", f"duplicate id {prediction.id!r}, first on line {first.line}",
                         "write one line per record")
            continue
        found[prediction.id] = prediction
    return found


def read(path: Path, problems: Problems) -> dict[str, Prediction]:
    with fewer_collections():
        return index(((str(path), n, v) for n, v in read_lines(Path(path), problems)), problems)


def from_dicts(values: Iterable[dict[str, Any]], problems: Problems, name: str = "<predictions>"
               ) -> dict[str, Prediction]:
    """The Python API's predictions: 'line' is the 1-based position in the iterable."""
    return index(((name, n, v) for n, v in enumerate(values, 1)), problems)


class Matcher:
    """Hands out each gold record's prediction after checking it against the record's text,
    and at the end reports ids that were never asked for (unknown) or never given (missing)."""

    def __init__(self, predictions: dict[str, Prediction], problems: Problems, *, file: str,
                 allow_missing: bool = False, gold: str = "the gold") -> None:
        self.predictions = predictions
        self.problems = problems
        self.file = file
        self.allow_missing = allow_missing
        self.gold = gold
        self.used: set[str] = set()
        self.missing: list[str] = []
        self.skipped = 0

    def take(self, record_id: str, text: str, segments: int = 0) -> Prediction:
        prediction = self.predictions.get(record_id)
        if prediction is None:
            self.missing.append(record_id)
            return Prediction(record_id)
        self.used.add(record_id)
        check_offsets(prediction, text, self.problems, segments)
        return prediction

    def skip(self, record_id: str) -> None:
        """A gold record outside the scored subset: its prediction, if any, is ignored and counted."""
        if record_id in self.predictions:
            self.used.add(record_id)
            self.skipped += 1

    def finish(self) -> None:
        for record_id, prediction in self.predictions.items():
            if record_id not in self.used:
                self.problems.add(prediction.file, prediction.line, "/id",
                                  f"no record {record_id!r} in {self.gold}",
                                  "predict only records of the scored split and config")
        if self.missing and not self.allow_missing:
            shown = ", ".join(repr(i) for i in self.missing[:5])
            more = f" and {len(self.missing) - 5} more" if len(self.missing) > 5 else ""
            self.problems.add(self.file, None, "/id",
                              f"{len(self.missing)} record(s) of {self.gold} have no prediction: {shown}{more}",
                              "add a line per record (empty spans for no error), or pass --allow-missing "
                              "to score them as empty predictions")


def check_offsets(prediction: Prediction, text: str, problems: Problems, segments: int = 0) -> None:
    """Offsets inside the text and, where the optional `text` is given, equal to the slice; segment
    indexes among the record's `segments` (of which there are `segments`)."""
    for index in prediction.segments:
        if index >= segments:
            problems.add(prediction.file, prediction.line, "/segments",
                         f"segment {index} is not in the record, which has {segments} segment(s)",
                         "index the record's `segments` list from 0")
    length = len(text)
    for i, s in enumerate(prediction.spans):
        if s.end > length:
            problems.add(prediction.file, prediction.line, f"/spans/{i}/end",
                         f"end {s.end} is past the end of the text ({length} characters)", SPAN_HINT)
        elif s.text is not None and s.text != text[s.start:s.end]:
            problems.add(prediction.file, prediction.line, f"/spans/{i}/text",
                         f"span text {s.text!r} does not match the article at [{s.start}:{s.end}], "
                         f"which is {text[s.start:s.end]!r}", SPAN_HINT)
