"""`newserrata convert`: predictions and records to and from the Mu-SHROOM format."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newserrata import mushroom
from newserrata.cli.output import input_arg, output_arg
from newserrata.convert import mushroom_to_predictions, predictions_to_mushroom, records_to_mushroom
from newserrata.errors import Problems
from newserrata.jsonl import write_lines


def run(args: argparse.Namespace) -> int:
    problems = Problems()
    convert: Callable[[], list[dict[str, Any]]] = {
        "predictions-to-mushroom": lambda: predictions_to_mushroom(Path(args.input), problems),
        "mushroom-to-predictions": lambda: mushroom_to_predictions(Path(args.input), problems),
        "records-to-mushroom": lambda: records_to_mushroom(args.input, problems, split=args.split,
                                                           config=args.config),
    }[args.direction]
    if args.direction != "records-to-mushroom" and (args.split or args.config):
        problems.add("--split" if args.split else "--config", None, "", f"does not apply to {args.direction}",
                     "use --split and --config only with records-to-mushroom")
    if args.direction == "predictions-to-mushroom" and not problems:
        mushroom.refuse_neighbour(Path(args.input), problems)
    problems.raise_if_any()
    lines = convert()
    problems.raise_if_any()
    write_lines(Path(args.out), lines)
    print(f"convert {args.direction}: {len(lines)} line(s) -> {args.out}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("convert", help="convert predictions and records to and from Mu-SHROOM files",
                       description="predictions-to-mushroom: our predictions as a Mu-SHROOM submission "
                                   "(soft_labels, hard_labels). mushroom-to-predictions: a Mu-SHROOM submission as "
                                   "our predictions (spans with prob). records-to-mushroom: records as a Mu-SHROOM "
                                   "reference (model_output_text, soft_labels, hard_labels). Definitions: "
                                   "docs/scoring.md. Exit 2 on bad input, with nothing written.")
    p.add_argument("direction", choices=("predictions-to-mushroom", "mushroom-to-predictions", "records-to-mushroom"))
    input_arg(p, "input", metavar="IN", help="predictions or Mu-SHROOM .jsonl; for records-to-mushroom, "
              "dist/<version>, a records .jsonl/.parquet, or ORG/NAME@REVISION")
    output_arg(p, "--out", required=True, help="the JSON Lines file to write")
    p.add_argument("--split", help="records-to-mushroom: split of a build folder or Hub dataset (default: test)")
    p.add_argument("--config", help="records-to-mushroom: config of a build folder or Hub dataset (default: default)")
    p.set_defaults(func=run)
