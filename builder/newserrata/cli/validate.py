"""`newserrata validate`: check data folders, label, record and prediction files."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from newserrata.cli.output import emit, input_arg, json_option
from newserrata.errors import Problems
from newserrata.validate import KINDS, Gold, validate


def run(args: argparse.Namespace) -> int:
    gold = Gold(args.gold, args.split, args.config) if args.gold else None
    if gold is None and (args.split or args.config):
        problems = Problems()
        problems.add("--split" if args.split else "--config", None, "", "applies only with --gold",
                     "add --gold BUILD, or drop it")
        problems.raise_if_any()
    problems, summary = validate([Path(p) for p in args.paths], args.kind, gold)
    status = "ok" if not problems else f"{len(problems)} problem(s)"
    emit(args.json, {"ok": not problems, "files": summary.files, "items": summary.items,
                     "problems": [dataclasses.asdict(p) | {"text": str(p)} for p in problems]},
         f"validate: {summary.files} file(s), {summary.items} item(s): {status}")
    problems.raise_if_any()  # printed like every command's refusal, ending with the same closing line
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check data, labels, records or predictions",
                       description="Check files against the JSON Schemas in schema/ and against their texts "
                                   "(offsets, span text, duplicates, derived fields). Exit 2 on any problem.")
    input_arg(p, "paths", nargs="+", help="files or folders: data/, an articles/*.json, a labels/*.jsonl, "
              "records (.jsonl, .parquet, a build folder), predictions (.jsonl)")
    p.add_argument("--kind", choices=KINDS, help="what the paths are (default: inferred)")
    input_arg(p, "--gold", help="check predictions against these records, as `score` would: dist/<version>, a "
              "records .jsonl or .parquet, or ORG/NAME@REVISION")
    p.add_argument("--split", help="with --gold: split of a build folder or Hub dataset (default: test)")
    p.add_argument("--config", help="with --gold: config of a build folder or Hub dataset (default: default)")
    json_option(p, "the result, with every problem")
    p.set_defaults(func=run)
