"""The one check of a published-shape record, at the level its reader needs (`Level`): the schema, then
what a JSON Schema cannot say: offsets against the text, and derived fields against their inputs."""

from __future__ import annotations

from enum import Enum
from typing import Any

from newserrata import schemas
from newserrata.aggregate import derive
from newserrata.errors import Problems
from newserrata.taxonomy import OMISSION
from newserrata.text import text_digest

SPAN_HINT = "offsets are 0-based code points into the NFC text with \\n newlines, end exclusive"
OFFSET_KEYS = ("start", "end", "source_start", "source_end")


def check_whole_offsets(item: dict[str, Any], where: tuple[str, int | None], base: str, problems: Problems) -> bool:
    """JSON Schema counts 18.0 as an integer, but it is no string index: a later stage would crash on it."""
    ok = True
    for key in OFFSET_KEYS:
        if isinstance(item.get(key), float):
            problems.add(where[0], where[1], f"{base}/{key}", f"offset {item[key]!r} is written as a decimal",
                         "write offsets as whole numbers (18, not 18.0)")
            ok = False
    return ok


def check_spans(
    spans: list[dict[str, Any]], text: str, where: tuple[str, int | None], base: str, problems: Problems
) -> None:
    """Offsets in range, start <= end, stored text equals the slice, empty spans only for omissions."""
    file, line = where
    length = len(text)
    for i, span in enumerate(spans):
        start, end = span.get("start"), span.get("end")
        if type(start) is int and type(end) is int and start < end <= length and span.get("text") == text[start:end]:
            continue  # the usual case, decided without building messages
        ptr = f"{base}/{i}"
        if not isinstance(start, int) or not isinstance(end, int):
            check_whole_offsets(span, where, ptr, problems)
            continue
        if start > end:
            problems.add(file, line, f"{ptr}/start", f"start {start} is after end {end}", "swap or fix the offsets")
            continue
        if end > len(text):
            problems.add(file, line, f"{ptr}/end", f"end {end} is past the end of the text ({len(text)} characters)",
                         SPAN_HINT)
            continue
        if start == end and span.get("category", OMISSION) != OMISSION:
            problems.add(file, line, f"{ptr}/end", f"zero-length span with category {span.get('category')!r}",
                         "only accuracy/omission may be an insertion point; widen the span or change the category")
        if "text" in span and span["text"] != text[start:end]:
            problems.add(file, line, f"{ptr}/text",
                         f"span text {span['text']!r} does not match the article at [{start}:{end}], "
                         f"which is {text[start:end]!r}", SPAN_HINT)


def check_runs(runs: list[dict[str, Any]], length: int, where: tuple[str, int | None], base: str,
               problems: Problems) -> None:
    """Sorted, non-overlapping, non-empty runs inside the text (soft labels, gold spans, segments)."""
    file, line = where
    previous_end = 0
    for i, run in enumerate(runs):
        start, end = run["start"], run["end"]
        if (type(start) is not int or type(end) is not int or "source_start" in run) and \
                not check_whole_offsets(run, where, f"{base}/{i}", problems):
            continue
        empty = start >= end and not base.endswith("segments")
        if start < previous_end or end > length or empty:
            problems.add(file, line, f"{base}/{i}",
                         f"run [{start}:{end}] is unsorted, overlapping, empty or out of range (text length {length})",
                         "runs must be sorted and disjoint within the text")
        previous_end = max(previous_end, end)


class Level(Enum):
    """How much of a record to check: each reader checks what it relies on and nothing it can trust."""

    GOLD = "gold"
    """The scorer's reading of a published release: schema, gold spans and soft labels as sorted runs."""
    BUILT = "built"
    """A record `aggregate` derived a moment ago: schema, and every span's offsets and text."""
    FULL = "full"
    """A record from outside: all of the above, and its derived fields against a recomputation."""


SCHEMA_HINTS = {Level.GOLD: "score against a release built by `newserrata build`"}


def check_record(record: dict[str, Any], where: tuple[str, int | None], problems: Problems,
                 level: Level = Level.FULL, seen: dict[str, str] | None = None) -> bool:
    """The one check of a published-shape record; True when it added no problem. With `seen` (id to
    file:line of the records checked so far) a repeated id is a problem too."""
    file, line = where
    if not schemas.is_valid("record", record):
        for ptr, message in schemas.schema_errors("record", record):
            problems.add(file, line, ptr, message, SCHEMA_HINTS.get(level, "see schema/record.schema.json"))
        return False
    found = len(problems)
    if seen is not None:
        if record["id"] in seen:
            problems.add(file, line, "/id", f"duplicate id {record['id']!r}, first at {seen[record['id']]}",
                         "record ids are unique within a split")
        else:
            seen[record["id"]] = f"{file}:{line}"
    text = record["text"]
    if level is Level.GOLD:
        check_runs(record["spans"], len(text), where, "/spans", problems)
        check_runs(record["soft_labels"], len(text), where, "/soft_labels", problems)
    elif level is Level.BUILT:
        _check_label_spans(record, where, problems)
    else:
        _check_published(record, where, problems)
    return len(problems) == found


def _check_label_spans(record: dict[str, Any], where: tuple[str, int | None], problems: Problems) -> None:
    text = record["text"]
    check_spans(record["spans"], text, where, "/spans", problems)
    for i, annotation in enumerate(record["annotations"]):
        check_spans(annotation["spans"], text, where, f"/annotations/{i}/spans", problems)
        if annotation["source_spans"] and record["source_text"] is not None:
            check_spans(annotation["source_spans"], record["source_text"], where, f"/annotations/{i}/source_spans",
                        problems)


def _check_published(record: dict[str, Any], where: tuple[str, int | None], problems: Problems) -> None:
    """Semantic checks of one schema-valid record, including that derived fields match a recomputation."""
    file, line = where
    text = record["text"]
    found_before = len(problems)
    check_spans(record["spans"], text, where, "/spans", problems)
    check_runs(record["spans"], len(text), where, "/spans", problems)
    check_runs(record["soft_labels"], len(text), where, "/soft_labels", problems)
    check_runs(record["segments"], len(text), where, "/segments", problems)
    for i, annotation in enumerate(record["annotations"]):
        check_spans(annotation["spans"], text, where, f"/annotations/{i}/spans", problems)
        if annotation["source_spans"]:
            if record["source_text"] is None:
                problems.add(file, line, f"/annotations/{i}/source_spans", "source spans but no source_text",
                             "add the source text or drop the source spans")
            else:
                check_spans(annotation["source_spans"], record["source_text"], where,
                            f"/annotations/{i}/source_spans", problems)
    if record["source_text"] is not None and record["source_sha256"] is not None \
            and text_digest(record["source_text"]) != record["source_sha256"]:
        problems.add(file, line, "/source_text", "its sha256 differs from source_sha256: not the source text the "
                     "labels were made against", "hydrate from the pinned copy of the source texts")
    if not record["localised"] and record["spans"]:
        problems.add(file, line, "/localised", "false, yet the record has gold spans",
                     "a record whose spans locate its errors is localised")
    if record["num_annotators"] != len(record["annotations"]):
        problems.add(file, line, "/num_annotators",
                     f"{record['num_annotators']} but {len(record['annotations'])} annotations",
                     "num_annotators is len(annotations)")
    if len(problems) > found_before:
        return
    # The stored derived fields play no part in their recomputation, which reads the annotators' marks
    # straight from the dicts (the build's own `derive`, without building the record's objects).
    annotations = record["annotations"]
    derived = derive(text, [[(s["start"], s["end"], s["category"], s["severity"]) for s in a["spans"]]
                            for a in annotations],
                     [[(s["start"], s["end"], s["category"], s["severity"]) for s in a.get("source_spans") or ()]
                      for a in annotations], record.get("source_issue_weight", 0.0),
                     localised=record.get("localised", True),
                     votes=[v["has_error"] for v in record.get("verdicts") or ()])
    expected = {
        "spans": [s.to_gold_dict() for s in derived.spans],
        "soft_labels": [s.to_dict() for s in derived.soft_labels],
        "agreement": derived.agreement,
        "mqm_score": derived.mqm_score,
        "has_error": derived.has_error,
    }
    for key, value in expected.items():
        if not _same(value, record[key]):
            problems.add(file, line, f"/{key}", f"does not match its recomputation from the annotations "
                         f"(expected {str(value)[:120]})", "rebuild the record with `newserrata build`")
    for i, (want, got) in enumerate(zip(derived.annotation_scores, annotations, strict=True)):
        if not _same(want, got["mqm_score"]):
            problems.add(file, line, f"/annotations/{i}/mqm_score", f"{got['mqm_score']} does not match its "
                         f"recomputation from the spans ({want})",
                         "rebuild the record with `newserrata build`")


def _same(a: Any, b: Any) -> bool:
    """Equal, with floats within 1e-9; exact equality (the usual case) is settled at C speed first."""
    if a == b and type(a) is type(b):
        return True
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(a - b) < 1e-9
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b
