"""`newserrata compare`: several systems on one split, with a paired bootstrap."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newserrata.cli.options import add_options, options
from newserrata.cli.output import emit, input_arg, json_option
from newserrata.compare import compare, names
from newserrata.metrics import headline
from newserrata.paths import same_file
from newserrata.scoring import Session


def run(args: argparse.Namespace) -> int:
    session = Session(options(args, "compare"), progress=sys.stderr.isatty())
    problems = session.problems
    for n, f in enumerate(args.predictions):
        if (first := next((g for g in args.predictions[:n] if same_file(Path(f), Path(g))), None)) is not None:
            problems.add(f, None, "", f"the same file as {first}: a system would be compared with itself",
                         "give each predictions file once")
    if len(args.predictions) < 2:
        problems.add("compare", None, "", "fewer than two distinct predictions files", "give two files or more")
    problems.raise_if_any()
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
    input_arg(p, "predictions", nargs="+", metavar="PRED.jsonl", help="two or more predictions files")
    input_arg(p, "--gold", required=True, help="dist/<version>, a records .jsonl or .parquet, or ORG/NAME@REVISION")
    json_option(p, "the comparison")
    p.add_argument("--vs-first", action="store_true", help="compare each file with the first, not every pair")
    p.add_argument("--sort", choices=headline(), default="char_f1", help="leaderboard order (default: char_f1)")
    add_options(p, "compare", bootstrap=1000)
    p.set_defaults(func=run)
