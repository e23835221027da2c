"""How fast `newserrata validate` checks built records, against the floor of merely parsing them.

Synthetic records (about 5 KB of text, 3 annotators with 5 spans each, derived fields filled by
`aggregate`) are made once in memory and written as JSONL. The timed run is the command's own
record path (`validate.validate([file], "record")`: read, schema, semantic checks with the
recomputation of every derived field). The floor is `json.loads` of the same lines, timed in
the same run; the ratio says how many times slower than parsing validation is. Times are CPU
seconds of this process, best of interleaved repeats.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from newserrata import schemas
from newserrata.aggregate import aggregate
from newserrata.checks import check_record
from newserrata.errors import Problems
from newserrata.records import Annotation, Record, Span
from newserrata.taxonomy import CATEGORIES, OMISSION
from newserrata.validate import validate

WORDS = ("the minister said talks would resume on Monday after a week of strikes in the capital where "
         "thousands marched against new taxes while officials in Brussels warned that growth had slowed "
         "to 1.2 percent and the central bank kept rates at 4.5 percent — Zürich, Kyiv, São Paulo").split()
T = TypeVar("T")
SEVERITIES = ("major", "major", "minor", "minor", "neutral")


def synthetic_lines(n: int, seed: int = 1, text_chars: int = 5000) -> list[str]:
    rng = random.Random(seed)
    stream = " ".join(rng.choice(WORDS) for _ in range(400_000))
    categories = [c for c in CATEGORIES if c != OMISSION]
    lines = []
    for i in range(n):
        start = rng.randrange(len(stream) - text_chars - 1)
        text = stream[start:start + text_chars] + "\n"
        annotations = []
        for a in range(3):
            spans = []
            for _ in range(5):
                s = rng.randrange(len(text) - 60)
                e = s + rng.randint(1, 60)
                spans.append(Span(s, e, text[s:e], rng.choice(categories), rng.choice(SEVERITIES)))
            spans.sort(key=lambda sp: (sp.start, sp.end))
            annotations.append(Annotation(f"rater-{a}", "professional-translator", spans))
        record = aggregate(Record(id=f"synthetic-{i:06d}", group_id=f"doc-{i // 4:06d}", source="synthetic",
                                  language="en", text=text, annotations=annotations, license="CC0-1.0",
                                  process="machine-translation", system="bench-mt"))
        lines.append(json.dumps(record.to_dict(), ensure_ascii=False))
    return lines


def timed(func: Callable[..., T], *args: Any) -> tuple[float, T]:
    """CPU seconds of this process: other work on a shared machine does not distort the ratio."""
    gc.collect()
    started = time.process_time()
    result = func(*args)
    return time.process_time() - started, result


def parse_only(lines: list[str]) -> None:
    """The floor: parse each line and drop it, streaming like the command does."""
    for line in lines:
        json.loads(line)


def parse_and_schema(lines: list[str]) -> int:
    return sum(1 for line in lines for _ in schemas.schema_errors("record", json.loads(line)))


def parse_schema_and_checks(lines: list[str]) -> int:
    problems = Problems()
    for number, line in enumerate(lines, 1):
        value = json.loads(line)
        if schemas.is_valid("record", value):
            check_record(value, ("bench", number), problems)
    return len(problems)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--records", type=int, default=100_000, help="number of records (default 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="take the best of this many timed runs (default 3)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    print(f"making {args.records} synthetic records ...", file=sys.stderr)
    lines = synthetic_lines(args.records)
    mean_bytes = sum(len(line.encode("utf-8")) for line in lines) / len(lines)
    best = {"floor": math.inf, "validate": math.inf, "schema": math.inf, "checks": math.inf}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        # Interleaved repeats, best of each: on a shared machine the minimum is the least disturbed run.
        for _ in range(args.repeat):
            best["floor"] = min(best["floor"], timed(parse_only, lines)[0])
            seconds, (problems, summary) = timed(validate, [path], "record")
            assert not problems and summary.items == args.records, problems[:3]
            best["validate"] = min(best["validate"], seconds)
            seconds, found = timed(parse_and_schema, lines)
            best["schema"] = min(best["schema"], seconds)
            seconds, found_checks = timed(parse_schema_and_checks, lines)
            best["checks"] = min(best["checks"], seconds)
            assert found == found_checks == 0
    floor, full = best["floor"], best["validate"]
    schema_seconds, checks_seconds = best["schema"] - floor, best["checks"] - best["schema"]

    n = args.records
    figures = {
        "records": n,
        "mean_record_bytes": round(mean_bytes),
        "validate_seconds": round(full, 3),
        "validate_records_per_s": round(n / full),
        "floor_json_loads_seconds": round(floor, 3),
        "floor_records_per_s": round(n / floor),
        "ratio_validate_to_floor": round(full / floor, 2),
        "stage_schema_seconds": round(schema_seconds, 3),
        "stage_checks_seconds": round(checks_seconds, 3),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"records:            {n} (mean {figures['mean_record_bytes']} bytes per JSON line)")
        print(f"newserrata validate: {full:8.2f} s  {figures['validate_records_per_s']:>9,} records/s")
        print(f"floor (json.loads): {floor:8.2f} s  {figures['floor_records_per_s']:>9,} records/s")
        print(f"ratio:              {figures['ratio_validate_to_floor']:8.2f} x the floor")
        print(f"  beyond parsing: schema (jsonschema-rs) {schema_seconds:.2f} s, semantic checks and "
              f"recomputation {checks_seconds:.2f} s, reading the file and the rest {full - best['checks']:.2f} s")
        print(f"(best of {args.repeat} interleaved runs; load average {figures['load_average_1min']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
