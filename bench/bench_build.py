"""Build throughput and memory against the floor: the same rows written to parquet by pyarrow alone.

Both are timed in wall-clock and CPU seconds; CPU time is the steadier figure on a busy machine.

Synthetic records (5 KB of text, 3 annotators with 5 spans each) stream through the same
`build.pipeline` the CLI runs, every step included (records, baselines table, card and datasheet,
report, manifest): the headline ratio is the whole build's. Each measurement runs in a fresh process
so its peak RSS is its own; the build is also measured at a quarter of the records to show that
memory does not grow with them.

    python bench/bench_build.py [--records 100000] [--shuffled] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from newserrata.records import Annotation, Record, SoftLabel, Span

TARGET_RATIO = 3.0
HOOKS = ("baselines table", "report")  # steps after the records step, working on its bounded sample
WORDS = ("minister council summit budget election price energy border talks report agency court ceasefire "
         "parliament coalition inflation harbour market strike vaccine").split()
CATEGORIES = ("accuracy/entity", "accuracy/number-date", "fluency/grammar", "accuracy/mistranslation",
              "fluency/repetition")


def base_text(size: int = 5000) -> str:
    rng = random.Random(7)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < size:
        words.append(rng.choice(WORDS))
    return " ".join(words)[:size]


def records(count: int, shuffled: bool) -> Iterator[Record]:
    """Already-aggregated records (3 annotators agreeing on 5 spans), so the floor writes the same rows."""
    body = base_text()
    order = list(range(count))
    if shuffled:
        random.Random(11).shuffle(order)
    for n in order:
        text = f"Report {n:07d}. {body}"
        offsets = [(100 + 900 * k + n % 50, 100 + 900 * k + n % 50 + 12) for k in range(5)]
        spans = [Span(s, e, text[s:e], CATEGORIES[k], "major" if k % 2 else "minor") for k, (s, e) in
                 enumerate(offsets)]
        annotations = [Annotation(f"rater-{a}", "professional-translator", list(spans), [], False,
                                  -float(sum(5 if k % 2 else 1 for k in range(5)))) for a in range(3)]
        yield Record(id=f"syn-{n:07d}", group_id=f"doc-{n // 2:07d}", source="synthetic", language="en",
                     text=text, annotations=annotations, license="CC0-1.0", process="machine-translation",
                     system="bench-mt", spans=list(spans), soft_labels=[SoftLabel(s, e, 1.0) for s, e in offsets],
                     agreement=1.0, mqm_score=-17.0, has_error=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process: unlike wall time, barely moved by other work on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_build(count: int, shuffled: bool, out: Path) -> dict[str, float]:
    from newserrata.build import Stream, pipeline
    from newserrata.release import Release
    from newserrata.sources import Source
    from newserrata.write import schema

    schema()

    source = Source(name="synthetic", kind="native", license="CC0-1.0", citation="", enabled=True)
    release = Release(out / "release.toml", "newserrata", "0.0.0", "bench-salt-0123456789", "bench", "bench/bench",
                      {"validation": 0.3, "test": 0.7}, [source])
    start, cpu = time.perf_counter(), cpu_seconds()
    result = pipeline(release, out / "dist", [Stream(source, "synthetic", records(count, shuffled))], progress=False)
    return {"seconds": time.perf_counter() - start, "cpu_seconds": cpu_seconds() - cpu, "peak_rss_mb": peak_rss_mb(),
            "steps": result.seconds, "cpu_steps": result.cpu_seconds, "rss_steps": result.peak_rss_mb}


def run_floor(count: int, shuffled: bool, out: Path) -> dict[str, float]:
    """pyarrow alone: rows to Arrow batches to one parquet file, same schema and writer options."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from newserrata.write import PARQUET_OPTIONS, ROW_GROUP, schema

    schema()
    start, cpu = time.perf_counter(), cpu_seconds()
    with pq.ParquetWriter(out / "floor.parquet", schema(), **PARQUET_OPTIONS) as writer:
        rows = []
        for record in records(count, shuffled):
            rows.append(record.to_dict())
            if len(rows) == ROW_GROUP:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema()), row_group_size=ROW_GROUP)
                rows = []
        if rows:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema()), row_group_size=ROW_GROUP)
    return {"seconds": time.perf_counter() - start, "cpu_seconds": cpu_seconds() - cpu, "peak_rss_mb": peak_rss_mb()}


def child(what: str, count: int, shuffled: bool) -> dict[str, float]:
    result = subprocess.run([sys.executable, __file__, "--child", what, "--records", str(count)]
                            + (["--shuffled"] if shuffled else []), check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--shuffled", action="store_true", help="feed ids in random order (external sort path)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=("build", "floor"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        with tempfile.TemporaryDirectory() as tmp:
            run = run_build if args.child == "build" else run_floor
            print(json.dumps(run(args.records, args.shuffled, Path(tmp))))
        return 0
    small = max(1, args.records // 4)
    build_small = child("build", small, args.shuffled)
    build = child("build", args.records, args.shuffled)
    floor = child("floor", args.records, args.shuffled)
    ratio = build["seconds"] / floor["seconds"]
    cpu_ratio = build["cpu_seconds"] / floor["cpu_seconds"]
    hooks_cpu = sum(build["cpu_steps"].get(step, 0.0) for step in HOOKS)
    without_hooks = (build["cpu_seconds"] - hooks_cpu) / floor["cpu_seconds"]
    result = {
        "records": args.records,
        "shuffled_ids": args.shuffled,
        "build_seconds": round(build["seconds"], 2),
        "build_records_per_second": round(args.records / build["seconds"]),
        "floor_seconds": round(floor["seconds"], 2),
        "build_cpu_seconds": round(build["cpu_seconds"], 2),
        "floor_cpu_seconds": round(floor["cpu_seconds"], 2),
        "ratio_to_floor": round(ratio, 2),
        "cpu_ratio_to_floor": round(cpu_ratio, 2),
        "cpu_ratio_to_floor_without_baselines_and_report": round(without_hooks, 2),
        "target_ratio": TARGET_RATIO,
        f"build_peak_rss_mb_at_{small}": round(build_small["peak_rss_mb"]),
        f"records_step_peak_rss_mb_at_{small}": build_small["rss_steps"]["records"],
        f"records_step_peak_rss_mb_at_{args.records}": build["rss_steps"]["records"],
        f"build_peak_rss_mb_at_{args.records}": round(build["peak_rss_mb"]),
        "floor_peak_rss_mb": round(floor["peak_rss_mb"]),
        "build_steps_seconds": build["steps"],
        "build_steps_cpu_seconds": build["cpu_steps"],
        "build_steps_peak_rss_mb": build["rss_steps"],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"full build: {args.records} records in {build['seconds']:.1f} s = "
              f"{result['build_records_per_second']} records/s ({'shuffled' if args.shuffled else 'sorted'} ids)")
        print(f"floor (pyarrow alone, same rows and writer options): {floor['seconds']:.1f} s")
        print(f"ratio full build/floor: {ratio:.2f} wall, {cpu_ratio:.2f} CPU "
              f"({build['cpu_seconds']:.1f} / {floor['cpu_seconds']:.1f} CPU s; target <= {TARGET_RATIO})")
        print(f"peak RSS of the full build: {build_small['peak_rss_mb']:.0f} MB at {small} records, "
              f"{build['peak_rss_mb']:.0f} MB at {args.records}; floor {floor['peak_rss_mb']:.0f} MB")
        print("breakdown, build steps (wall / CPU s): " + ", ".join(
            f"{k} {v:.1f} / {build['cpu_steps'][k]:.1f}" for k, v in build["steps"].items()))
        print(f"CPU ratio without the {' and '.join(HOOKS)} steps: {without_hooks:.2f}")
        print(f"peak RSS through the records step: {build_small['rss_steps']['records']:.0f} MB at {small}, "
              f"{build['rss_steps']['records']:.0f} MB at {args.records}")
        print("peak RSS after each step at " + str(args.records) + ": "
              + ", ".join(f"{k} {v:.0f} MB" for k, v in build["rss_steps"].items()))
    return 0 if min(ratio, cpu_ratio) <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
