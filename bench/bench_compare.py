"""Comparison speed: `compare` of 4 predictions files with 1,000 paired resamples against scoring one file once.

Synthetic gold as in bench_score.py (5 KB texts, ~10 records per source document), plus three more
predictions files. Both timings read their inputs from disk, as the commands do; each is the best of
--repeat runs, as the machine may be busy. Target: compare takes at most 5x scoring one file.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from bench_score import score, write_inputs

from newserrata.scoring import Options, Session

FILES = 4
RESAMPLES = 1000


def more_predictions(pred_path: Path, folder: Path, count: int) -> list[Path]:
    """`count` files: the first predictions, and copies with each span shifted and kept at random."""
    lines = [json.loads(line) for line in pred_path.read_text(encoding="utf-8").splitlines()]
    paths = [pred_path]
    for k in range(1, count):
        rng = random.Random(k)
        path = folder / f"pred{k}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for value in lines:
                spans = [s | {"start": max(0, s["start"] + d), "end": max(0, s["end"] + d)}
                         for s in value["spans"] if rng.random() < 0.8 for d in (rng.randint(-3, 3),)]
                out.write(json.dumps({"id": value["id"], "spans": spans}) + "\n")
        paths.append(path)
    return paths


def compare(gold_path: Path, paths: list[Path], resamples: int) -> float:
    from newserrata.compare import compare as compare_scored

    start = time.perf_counter()
    session = Session(Options(bootstrap=resamples))
    name, scored = session.score_files(str(gold_path), [str(p) for p in paths])
    compare_scored([(p.stem, str(p), s) for p, s in zip(paths, scored, strict=True)], gold_name=name,
                   session=session)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=RESAMPLES)
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs (default 1)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"writing {args.records} synthetic records and {FILES} predictions files ...", file=sys.stderr)
        gold_path, pred_path = write_inputs(Path(tmp), args.records)
        paths = more_predictions(pred_path, Path(tmp), FILES)
        score_s = compare_s = float("inf")
        for _ in range(max(1, args.repeat)):
            score_s = min(score_s, score(gold_path, pred_path)[0])
            compare_s = min(compare_s, compare(gold_path, paths, args.resamples))
    figures = {"records": args.records, "files": FILES, "resamples": args.resamples,
               "score_seconds": round(score_s, 3), "compare_seconds": round(compare_s, 3),
               "ratio": round(compare_s / score_s, 2), "target_ratio": 5.0}
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"score one file: {score_s:.2f} s")
        print(f"compare {FILES} files, {args.resamples} paired resamples: {compare_s:.2f} s")
        print(f"ratio: {compare_s / score_s:.2f} (target <= 5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
