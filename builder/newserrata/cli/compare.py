"""`newserrata compare`: several systems on one split, with a paired bootstrap."""

from __future__ import annotations

import argparse
import sys

from newserrata.cli.options import add_options, options
from newserrata.cli.output import emit, json_option
from newserrata.compare import compare, names
from newserrata.metrics import headline
from newserrata.scoring import Session


def run(args: argparse.Namespace) -> int:
    session = Session(options(args, "compare"), progress=sys.stderr.isatty())
    if len(set(args.predictions)) < 2:
        session.problems.add("compare", None, "", "fewer than two distinct predictions files",
                             "give two files or more")
        session.problems.raise_if_any()
    name, scored = session.score_files(args.gold, args.predictions)
    result = compare([(n, f, s) for n, f, s in zip(names(args.predictions), args.predictions, scored, strict=True)],
                     gold_name=name, session=session, sort=args.sort, vs_first=args.vs_first)
    emit(args.json, result.to_dict(), result.table())
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="compare several predictions files: leaderboard and paired bootstrap test",
                       description="Score every predictions file on the same split in one pass over the gold, print "
                                   "a leaderboard and, per pair of files, each headline metric's difference with its "
                                   "95%% interval and p-value from a paired bootstrap over source documents. "
                                   "Definitions: docs/scoring.md. Exit 2 on bad input.")
    p.add_argument("predictions", nargs="+", metavar="PRED.jsonl", help="two or more predictions files")
    p.add_argument("--gold", required=True, help="dist/<version>, a records .jsonl or .parquet, or ORG/NAME@REVISION")
    json_option(p, "the comparison")
    p.add_argument("--vs-first", action="store_true", help="compare each file with the first, not every pair")
    p.add_argument("--sort", choices=headline(), default="char_f1", help="leaderboard order (default: char_f1)")
    add_options(p, "compare", bootstrap=1000)
    p.set_defaults(func=run)
