"""`newserrata hydrate`: records with their source texts attached from the user's own copy."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from newserrata.cli.output import emit, input_arg, json_option, output_arg
from newserrata.errors import Problems
from newserrata.hydration import Coverage, apply, check, load_texts, plan
from newserrata.jsonl import write_lines
from newserrata.scoring import load_gold
from newserrata.sourcetexts import formats


def run(args: argparse.Namespace) -> int:
    problems = Problems()
    coverage = Coverage()
    texts = load_texts(args.texts, coverage, problems, args.format)
    problems.raise_if_any()
    located, name = load_gold(args.records, split=args.split, config=args.config, problems=problems)
    progress = sys.stderr.isatty() and args.json != "-"
    rows = [row for _, _, row in tqdm(located, desc="hydrate: reading records", unit=" records", disable=not progress,
                                      file=sys.stderr, leave=False)]
    problems.raise_if_any()
    verified = plan(rows, texts, coverage)
    check(coverage, name, problems, skip_mismatched=args.skip_mismatched)
    problems.raise_if_any()
    write_lines(Path(args.out), (apply(row, verified) for row in rows))
    summary = {"records_in": name, "out": str(args.out), **coverage.to_dict()}
    emit(args.json, summary, "\n  ".join([f"hydrate: {coverage.records_filled} of {coverage.records} record(s) "
                                           f"without their source text given it -> {args.out}", *coverage.lines(),
                                           "texts read: " + ", ".join(f"{Path(f).name} {n}"
                                                                      for f, n in coverage.texts.items())]))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("hydrate", help="attach source texts we may not publish from your own copy",
                       description="Attach `source_text` to records that name their source (source_id, "
                                   "source_sha256) instead of carrying it, from your own copy of the source "
                                   "dataset; a text is attached only when its sha256 is the record's. Writes the "
                                   "records as JSON Lines, which `score`, `baseline` and the harnesses take as "
                                   "gold. Exit 2 when a text differs from its digest (nothing written) or on bad "
                                   "input.")
    input_arg(p, "records", help="dist/<version>, a records .jsonl or .parquet, or ORG/NAME@REVISION")
    input_arg(p, "--texts", action="append", required=True, metavar="PATH",
                   help="a copy of the source texts (repeatable): " + "; ".join(
                       f"{f.name}: {f.description}" for f in formats().values()))
    output_arg(p, "--out", required=True, help="records file to write (JSON Lines)")
    p.add_argument("--split", help="split of a build folder or Hub dataset (default: test)")
    p.add_argument("--config", help="config of a build folder or Hub dataset (default: default)")
    p.add_argument("--format", choices=sorted(formats()), help="read every --texts file as this format "
                   "(default: recognised from each file's name and first bytes)")
    p.add_argument("--skip-mismatched", action="store_true",
                   help="write the records even when some texts differ from their source_sha256; those stay null")
    json_option(p, "the coverage per source")
    p.set_defaults(func=run)
