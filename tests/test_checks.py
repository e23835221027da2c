"""One check of a record, at the level each reader needs, and one reading of a predictions file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scoring_fixtures import record

from newserrata import predictions as preds
from newserrata.checks import Level, check_record
from newserrata.errors import Problems
from newserrata.validate import validate


def good() -> dict[str, Any]:
    return record("r1", "Putin met Putin today.", [[(10, 15, "accuracy/entity", "major")],
                                                   [(10, 15, "accuracy/entity", "minor")]])


def messages(value: dict[str, Any], level: Level, seen: dict[str, str] | None = None) -> list[str]:
    problems = Problems()
    ok = check_record(value, ("f.jsonl", 3), problems, level, seen)
    assert ok is (not problems)
    return [f"{p.pointer}: {p.message}" for p in problems]


def test_a_good_record_passes_every_level() -> None:
    for level in Level:
        assert messages(good(), level) == []


def test_each_level_checks_what_its_reader_relies_on() -> None:
    wrong_text = good()
    wrong_text["spans"][0]["text"] = "Vladimir"
    assert messages(wrong_text, Level.GOLD) == []
    assert messages(wrong_text, Level.BUILT)[0].startswith("/spans/0/text: span text 'Vladimir' does not match")
    unsorted = good()
    unsorted["soft_labels"] = [{"start": 12, "end": 15, "prob": 1.0}, {"start": 10, "end": 12, "prob": 1.0}]
    assert messages(unsorted, Level.GOLD)[0].startswith("/soft_labels/1: run [10:12] is unsorted")
    assert messages(unsorted, Level.BUILT) == []
    stale = good()
    stale["mqm_score"] = -1.0
    assert messages(stale, Level.BUILT) == []
    assert messages(stale, Level.FULL)[0].startswith("/mqm_score: does not match its recomputation")


def test_schema_problems_stop_the_check_with_the_readers_hint() -> None:
    broken = good()
    del broken["text"]
    for level, hint in ((Level.GOLD, "score against a release built by `newserrata build`"),
                        (Level.FULL, "see schema/record.schema.json")):
        problems = Problems()
        assert not check_record(broken, ("f.jsonl", 3), problems, level)
        assert [p.hint for p in problems] == [hint]


def test_a_repeated_id_is_named_with_the_first_place() -> None:
    seen: dict[str, str] = {}
    assert messages(good(), Level.GOLD, seen) == []
    assert messages(good(), Level.GOLD, seen) == ["/id: duplicate id 'r1', first at f.jsonl:3"]


def test_validate_reads_predictions_exactly_as_the_scorer_does(tmp_path: Path) -> None:
    lines = [{"id": "a", "spans": [{"start": 4.0, "end": 6}]}, {"id": "b", "spans": [{"start": 6, "end": 4}]},
             {"id": "b", "spans": []}, {"id": "c", "spans": [{"start": "x", "end": 4}]}]
    path = tmp_path / "pred.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    scorer = Problems()
    preds.read(path, scorer)
    problems, counted = validate([path], "prediction")
    assert [str(p) for p in problems] == [str(p) for p in scorer] and len(problems) == 4
    assert (counted.files, counted.items) == (1, 4)
