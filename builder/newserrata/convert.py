"""`newserrata convert`: our predictions and records to and from the Mu-SHROOM (SemEval-2025 Task 3) format.

Every input is read and checked as the command that would use it reads it (predictions by the scorer's
parser, records by the scorer's record check, submissions line by line), so a converted file is one that
the other side accepts; any problem stops the conversion before anything is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newserrata import mushroom
from newserrata import predictions as preds
from newserrata.checks import Level, check_record
from newserrata.errors import Problems
from newserrata.scoring import load_gold


def predictions_to_mushroom(path: Path, problems: Problems) -> list[dict[str, Any]]:
    indexed = preds.read(path, problems)
    return [mushroom.submission(p) for p in indexed.values()]


def mushroom_to_predictions(path: Path, problems: Problems) -> list[dict[str, Any]]:
    lines = mushroom.mushroom_lines(path, problems)
    preds.from_dicts(lines, problems, name=str(path))  # the scorer's own checks: schema, duplicate ids
    return lines


def records_to_mushroom(spec: str, problems: Problems, *, split: str | None, config: str | None
                        ) -> list[dict[str, Any]]:
    gold, _ = load_gold(spec, split=split, config=config, problems=problems)
    seen: dict[str, str] = {}
    return [mushroom.reference(r) for file, line, r in gold
            if check_record(r, (file, line), problems, Level.GOLD, seen)]
