"""How fast the WMT MQM importer reads Google's WMT23 zh-en ratings, against the floor of parsing them.

The ratings are the 40 MB TSV inside sxs_mqm_generalMT2023_zhen.3ratingsPerSegment.tsv.tar.gz. The
member is extracted once to a temporary file, so both sides read the same plain TSV:

- floor: Python's `csv` module alone, `csv.reader(..., delimiter="\\t", quoting=csv.QUOTE_NONE)`
  over the file (the quoting the file uses), every row consumed;
- importer: `newserrata.sources.mqm.read_records` over the file, every record built;
- importer + aggregate: what `newserrata build` and `newserrata import mqm` do with each record.

Times are CPU seconds of this process, best of interleaved repeats, so other work on a shared
machine does not distort the ratio. Peak memory is measured apart, with tracemalloc (Python
allocations). Also reported: the importer straight from the .tar.gz (decompression included).

Usage: python bench/bench_mqm_import.py [PATH.tsv.tar.gz] [--repeats N] [--json]
Default path: the release's pinned download (data/release.toml, source wmt23-zhen) from the user
cache, fetched if needed.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import sys
import tarfile
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from newserrata.aggregate import aggregate
from newserrata.sources import mqm
from newserrata.sources.mqm_tsv import safe_member

ROOT = Path(__file__).resolve().parent.parent
NAME = "sxs_mqm_generalMT2023_zhen.3ratingsPerSegment.tsv.tar.gz"
TARGET = 2.0


def default_path() -> Path:
    from newserrata import download, release

    source = next(s for s in release.load(ROOT / "data" / "release.toml").sources if s.name == "wmt23-zhen")
    assert source.url and source.sha256 and source.size
    return download.fetch(source.url, source.sha256, source.size, name=source.name)


def extract(archive: Path, folder: Path) -> Path:
    """The .tsv member, written out (no extraction of paths: the bytes go to a name we choose)."""
    with tarfile.open(archive, "r:gz") as tar:
        member = next(m for m in tar if m.isfile() and m.name.endswith(".tsv") and safe_member(m))
        out = folder / Path(member.name).name
        stream = tar.extractfile(member)
        assert stream is not None
        out.write_bytes(stream.read())
    return out


def floor(tsv: Path) -> int:
    rows = 0
    with open(tsv, encoding="utf-8", newline="") as f:
        for _ in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            rows += 1
    return rows


def importer(path: Path) -> int:
    return sum(1 for _ in mqm.read_records(path, source="wmt23-zhen", license="Apache-2.0"))


def importer_aggregate(path: Path) -> int:
    return sum(1 for record in mqm.read_records(path, source="wmt23-zhen", license="Apache-2.0")
               if aggregate(record).num_annotators)


def cpu(fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.process_time()
    fn()
    return time.process_time() - start


def peak(fn: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, help=f"the ratings archive (default: {NAME}, see above)")
    parser.add_argument("--repeats", type=int, default=7, help="interleaved repeats; the best counts (default: 7)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    archive = args.path or default_path()
    with tempfile.TemporaryDirectory() as folder:
        tsv = extract(archive, Path(folder))
        runs: dict[str, Callable[[], object]] = {
            "floor": lambda: floor(tsv),
            "importer": lambda: importer(tsv),
            "importer_aggregate": lambda: importer_aggregate(tsv),
            "importer_from_archive": lambda: importer(archive),
        }
        rows, records = floor(tsv), importer(tsv)
        best = dict.fromkeys(runs, float("inf"))
        for _ in range(args.repeats):
            for name, run in runs.items():
                best[name] = min(best[name], cpu(run))
        memory = {name: peak(runs[name]) for name in ("floor", "importer", "importer_aggregate")}
        size = tsv.stat().st_size
    figures = {
        "file": archive.name,
        "tsv_bytes": size,
        "rows": rows - 1,
        "records": records,
        "seconds": {name: round(value, 3) for name, value in best.items()},
        "peak_memory_mb": {name: round(value / 2**20, 1) for name, value in memory.items()},
        "ratio_importer_to_floor": round(best["importer"] / best["floor"], 2),
        "ratio_importer_aggregate_to_floor": round(best["importer_aggregate"] / best["floor"], 2),
        "target_ratio": TARGET,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        s, m = figures["seconds"], figures["peak_memory_mb"]
        print(f"{archive.name}: {size / 1e6:.1f} MB TSV, {figures['rows']} rows -> {records} records")
        print(f"floor (csv module):        {s['floor']:7.3f} s CPU, peak {m['floor']:7.1f} MB")
        print(f"importer (read_records):   {s['importer']:7.3f} s CPU, peak {m['importer']:7.1f} MB")
        print(f"importer + aggregate:      {s['importer_aggregate']:7.3f} s CPU, "
              f"peak {m['importer_aggregate']:7.1f} MB")
        print(f"importer from the .tar.gz: {s['importer_from_archive']:7.3f} s CPU")
        print(f"ratio importer / floor:             {figures['ratio_importer_to_floor']:5.2f} (target <= {TARGET})")
        print(f"ratio importer + aggregate / floor: {figures['ratio_importer_aggregate_to_floor']:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
