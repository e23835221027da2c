"""`newserrata score`: predictions against the gold of one split."""

from __future__ import annotations

import argparse
import sys

from newserrata import mushroom
from newserrata.cli.options import add_options, options
from newserrata.cli.output import emit, input_arg, json_option
from newserrata.scoring import Report, Session


def run(args: argparse.Namespace) -> int:
    session = Session(options(args, "score"), progress=sys.stderr.isatty())
    given = session.options
    if given.compat and (given.bootstrap or given.subset):
        session.problems.add("--bootstrap" if given.bootstrap else "--" + next(iter(given.subset)).replace("_", "-"),
                             None, "", "does not apply with --compat mushroom",
                             "the official scorer reports means over every record: drop it")
        session.problems.raise_if_any()
    if given.compat == "mushroom":
        predictions = session.read([args.predictions])
        gold, name = session.gold(args.gold, predictions)
        report: Report | mushroom.MushroomReport = mushroom.evaluate(
            gold, predictions[0][1], session.problems, file=args.predictions, gold_name=name,
            allow_missing=given.allow_missing)
    else:
        name, scored = session.score_files(args.gold, [args.predictions])
        report = session.report(scored[0], name)
    emit(args.json, report.to_dict(), report.table())
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="score predictions against the gold",
                       description="Character P/R/F1, severity-aware F1 (WMT23 QE), Mu-SHROOM IoU and correlation, "
                                   "record IoU, document-level AUROC / balanced accuracy / Kendall / Pearson (pooled "
                                   "and within source), per category and per source, on the whole split or a subset. "
                                   "Definitions: docs/scoring.md. Exit 2 on bad input.")
    input_arg(p, "--gold", required=True, help="dist/<version>, a records .jsonl or .parquet, or ORG/NAME@REVISION")
    input_arg(p, "--predictions", required=True, help="predictions .jsonl (schema/prediction.schema.json)")
    json_option(p, "the full report")
    add_options(p, "score")
    p.set_defaults(func=run)
