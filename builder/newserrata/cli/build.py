"""`newserrata build`: a release recipe and its sources to one version folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newserrata.build import DEFAULT_OUT, DEFAULT_RELEASE, BuildResult, build
from newserrata.cli.output import emit, input_arg, json_option, output_arg, strict_option
from newserrata.errors import InputError, Problem
from newserrata.sources import artifacts


def _source_files(values: list[str]) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not name or not path:
            raise InputError([Problem("--source-file", None, "", f"{value!r} is not NAME=PATH or NAME:ROLE=PATH",
                                      "e.g. --source-file wmt23-zhen=downloads/file.tsv.tar.gz")])
        out[name] = Path(path)
    return out


def _shown(value: float | None) -> str:
    """Agreement needs two annotators; a single-annotator source has none to show."""
    return "n/a (one annotator)" if value is None else f"{value:.4f}"


def summary(result: BuildResult) -> str:
    splits = list(result.counts)
    names = sorted({n for per in result.counts.values() for n in per})
    width = max([len(n) for n in names] + [len("source")])
    lines = [f"built {result.folder}" + (" (unchanged: identical to the existing folder)" if result.unchanged else ""),
             "  " + "source".ljust(width) + "".join(f"{s:>12}" for s in splits) + f"{'total':>12}"]
    for n in names:
        per = [result.counts[s].get(n, 0) for s in splits]
        lines.append("  " + n.ljust(width) + "".join(f"{v:>12}" for v in per) + f"{sum(per):>12}")
    lines.append("  " + "all".ljust(width) + "".join(f"{sum(result.counts[s].values()):>12}" for s in splits)
                 + f"{result.records:>12}")
    total = result.statistics["total"]
    lines.append(f"  gold spans {result.spans}, annotator spans {total['annotator_spans']}, "
                 f"annotators {result.annotators}, mean pairwise IoU {_shown(total['mean_pairwise_iou'])}")
    if result.ids_not_people:
        lines.append(f"  annotator ids not counted as people (per-item slots or shared ratings): "
                     f"{', '.join(result.ids_not_people)}")
    for n, per in result.statistics["sources"].items():
        dropped = sum(d["source"] == n for d in result.duplicates)
        lines.append(f"  {n}: Krippendorff alpha {_shown(per['total']['krippendorff_alpha'])}, "
                     f"mean pairwise IoU {_shown(per['total']['mean_pairwise_iou'])}, "
                     f"duplicate texts left out {dropped}")
        met = {k: v for k, v in result.importers.get(n, {}).items() if k != "records"}
        if met:
            lines.append("    " + ", ".join(f"{k} {v}" for k, v in met.items()))
        if found := artifacts(met):
            lines.append(f"    upstream artifacts: {found}")
    lines.append("  seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in result.seconds.items()))
    if result.locked:
        lines.append(f"  locked version {result.version}")
    lines += [f"  note: {n}" for n in result.notes]
    return "\n".join(lines)


def warning(result: BuildResult) -> str:
    reasons = "\n".join(f"  {name}: {why}" for name, why in sorted(result.missing_sources.items()))
    return (f"warning: PARTIAL build, {len(result.missing_sources)} enabled source(s) missing:\n{reasons}\n"
            "  a partial build can be neither locked nor published")


def run(args: argparse.Namespace) -> int:
    names = [n.strip() for n in args.sources.split(",") if n.strip()] if args.sources is not None else None
    result = build(args.release, args.out, sources=names, source_files=_source_files(args.source_file),
                   sources_dir=args.sources_dir, offline=args.offline, lock=args.lock, progress=not args.json,
                   strict=args.strict)
    emit(args.json, result.to_dict(), summary(result))
    if result.partial:
        print(warning(result), file=sys.stderr)
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help="build a dataset version into dist/<version>/",
                       description="Read every source of the release, aggregate annotators, validate, split by "
                                   "group hash and write dist/<version>/ (parquet per config and split, README.md "
                                   "card, DATASHEET.md, report.html, MANIFEST.json). Missing sources give "
                                   "dist/<version>-partial/. Exit 2 on bad input, with nothing written.")
    input_arg(p, "--release", type=Path, default=DEFAULT_RELEASE, help="release file (default: %(default)s)")
    output_arg(p, "--out", type=Path, default=DEFAULT_OUT, help="output folder (default: %(default)s)")
    p.add_argument("--sources", metavar="A,B", help="build only these sources (the build is then partial)")
    input_arg(p, "--source-file", path=lambda value: value.partition("=")[2], action="append", default=[],
              metavar="NAME=PATH", help="read source NAME from a local file or folder instead of its url or path; a "
              "source pinned to several files takes NAME:ROLE=PATH for the others (repeatable)")
    input_arg(p, "--sources-dir", type=Path, metavar="FOLDER",
              help="a folder of pinned source files under their download names (e.g. a copy for offline builds)")
    p.add_argument("--offline", action="store_true", help="never download; uncached remote sources are missing")
    p.add_argument("--lock", action="store_true", help=f"write the release lock ({DEFAULT_RELEASE.parent}/releases/"
                   "<version>.lock.json) after a complete build")
    strict_option(p)
    json_option(p, "the result (progress is then silent)")
    p.set_defaults(func=run)

