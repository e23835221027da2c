"""`newserrata score`: predictions against the gold of one split."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newserrata import mushroom
from newserrata import predictions as preds
from newserrata.cli.output import emit, input_arg, json_option
from newserrata.errors import Problems
from newserrata.scoring import Report, elsewhere, evaluate, load_gold, score


def run(args: argparse.Namespace) -> int:
    problems = Problems()
    if args.compat and args.bootstrap:
        problems.add("--bootstrap", None, "", "does not apply with --compat mushroom",
                     "the official scorer reports means only: drop --bootstrap")
    if Path(args.predictions).is_file() and mushroom.refuse_neighbour(Path(args.predictions), problems):
        problems.raise_if_any()
    indexed = preds.read(Path(args.predictions), problems)
    if problems and not indexed:
        problems.raise_if_any()  # an unreadable file: listing every gold id as missing would bury the cause
    gold, name = load_gold(args.gold, split=args.split, config=args.config, problems=problems)
    if Path(args.gold).is_dir():
        elsewhere(Path(args.gold), args.config or "default", args.split or "test", indexed, problems)
    if args.compat == "mushroom":
        report: Report | mushroom.MushroomReport = mushroom.evaluate(gold, indexed, problems, file=args.predictions,
                                                             gold_name=name, allow_missing=args.allow_missing)
    else:
        report = evaluate(gold, indexed, problems, file=args.predictions, gold_name=name,
                          allow_missing=args.allow_missing, bootstrap=args.bootstrap, seed=args.seed,
                          progress=sys.stderr.isatty(), resample=args.resample, mqm_per=args.mqm_per)

    emit(args.json, report.to_dict(), report.table())
    return 0


def count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="score predictions against the gold",
                       description="Character P/R/F1, severity-aware F1 (WMT23 QE), Mu-SHROOM IoU and correlation, "
                                   "record IoU, document-level AUROC / balanced accuracy / Kendall / Pearson, per "
                                   "category and per source. Definitions: docs/scoring.md. Exit 2 on bad input.")
    input_arg(p, "--gold", required=True, help="dist/<version>, a records .jsonl or .parquet, or ORG/NAME@REVISION")
    input_arg(p, "--predictions", required=True, help="predictions .jsonl (schema/prediction.schema.json)")
    p.add_argument("--split", help="split of a build folder or Hub dataset (default: test)")
    p.add_argument("--config", help="config of a build folder or Hub dataset (default: default)")

    json_option(p, "the full report")
    p.add_argument("--compat", choices=("mushroom",),
                   help="mushroom: only IoU and Cor, exactly as the official SemEval-2025 Mu-SHROOM scorer computes "
                        "them, its degenerate cases included (docs/scoring.md)")
    p.add_argument("--bootstrap", type=count, default=0, metavar="N",
                   help="N resamples for 95%% intervals (default 0: off; 1000 is usual)")
    add_options(p)
    p.set_defaults(func=run)


def add_options(p: argparse.ArgumentParser) -> None:
    """The options `score` shares with `compare`."""
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--resample", choices=("groups", "records"), default="groups",
                   help="bootstrap unit: source documents (group_id, default) or records")
    p.add_argument("--mqm-per", type=_positive, metavar="CHARS",
                   help="scale MQM badness (gold, and scores derived from spans) to this many characters")
    p.add_argument("--allow-missing", action="store_true",
                   help="score gold records without a prediction line as empty predictions")


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number

__all__ = ["Report", "evaluate", "score"]
