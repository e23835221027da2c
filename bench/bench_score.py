"""Scoring speed: 100k synthetic records (5 KB text, 5 gold spans, 5 predicted spans), bootstrap off.

Floor: reading the same gold and predictions files into Python objects (json.loads of every
line), measured in the same run. The scorer streams, so the floor does too: each parsed line is
dropped before the next (keeping all of them costs more, through the garbage collector, and would
flatter the ratio; that figure is printed for information). Each timing is the best of --repeat
runs, as the machine may be busy. Target: scoring takes at most 3x the floor.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from newserrata.aggregate import aggregate
from newserrata.records import Annotation, Record, Span
from newserrata.scoring import Session

CATEGORIES = ("accuracy/mistranslation", "accuracy/entity", "fluency/grammar", "fluency/repetition", "other")
WORDS = "the minister said talks on gas prices and the war in Ukraine would resume next week".split()


def spans(rng: random.Random, length: int, count: int) -> list[tuple[int, int]]:
    starts = sorted(rng.sample(range(0, length - 60), count))
    return [(s, s + rng.randint(5, 50)) for s in starts]


def write_inputs(folder: Path, n: int, seed: int = 0) -> tuple[Path, Path]:
    rng = random.Random(seed)
    pool = " ".join(rng.choice(WORDS) for _ in range(200_000))
    gold_path, pred_path = folder / "gold.jsonl", folder / "pred.jsonl"
    with gold_path.open("w", encoding="utf-8") as gold, pred_path.open("w", encoding="utf-8") as pred:
        for i in range(n):
            offset = rng.randrange(len(pool) - 5000)
            text = pool[offset:offset + 5000]
            annotations = []
            for a in range(2):
                marks = [Span(s, e, text[s:e], rng.choice(CATEGORIES), rng.choice(("major", "minor")))
                         for s, e in spans(rng, len(text), 5)]
                annotations.append(Annotation(f"ann-{a}", "professional-translator", marks))
            record = aggregate(Record(id=f"r{i:06d}", group_id=f"g{i // 10}", source=f"src{i % 3}", language="en",
                                      text=text, annotations=annotations, license="CC-BY-4.0"))
            gold.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
            predicted = [{"start": s, "end": e, "severity": rng.choice(("major", "minor")),
                          "category": rng.choice(CATEGORIES), "prob": round(rng.random(), 2)}
                         for s, e in spans(rng, len(text), 5)]
            pred.write(json.dumps({"id": record.id, "spans": predicted}) + "\n")
    return gold_path, pred_path


def floor(gold_path: Path, pred_path: Path, keep: bool = False) -> float:
    start = time.perf_counter()
    for path in (gold_path, pred_path):
        kept = []
        for line in path.read_bytes().decode("utf-8").split("\n"):
            if line.strip():
                value = json.loads(line)
                if keep:
                    kept.append(value)
        del kept
    return time.perf_counter() - start


def score(gold_path: Path, pred_path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    session = Session()
    name, scored = session.score_files(str(gold_path), [str(pred_path)])
    report = session.report(scored[0], name)
    return time.perf_counter() - start, report.records


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2, help="best of this many runs (default 2)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"writing {args.records} synthetic records ...", file=sys.stderr)
        gold_path, pred_path = write_inputs(Path(tmp), args.records)
        floor_s = score_s = kept_s = float("inf")
        records = 0
        for _ in range(max(1, args.repeat)):
            floor_s = min(floor_s, floor(gold_path, pred_path))
            seconds, records = score(gold_path, pred_path)
            score_s = min(score_s, seconds)
        kept_s = floor(gold_path, pred_path, keep=True)
    figures = {"records": records, "score_seconds": round(score_s, 3), "records_per_second": round(records / score_s),
               "floor_seconds": round(floor_s, 3), "floor_keeping_objects_seconds": round(kept_s, 3),
               "ratio": round(score_s / floor_s, 2), "target_ratio": 3.0}
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"score: {records} records in {score_s:.2f} s = {records / score_s:,.0f} records/s")
        print(f"floor (json.loads of every gold and prediction line): {floor_s:.2f} s"
              f" ({kept_s:.2f} s when every object is kept)")
        print(f"ratio: {score_s / floor_s:.2f} (target <= 3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
