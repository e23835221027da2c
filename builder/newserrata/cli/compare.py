"""`newserrata compare`: several systems on one split, with a paired bootstrap."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newserrata import predictions as preds
from newserrata import scoring
from newserrata.cli.output import emit, input_arg, json_option
from newserrata.cli.score import add_options, count
from newserrata.compare import compare, names
from newserrata.errors import Problems
from newserrata.metrics import HEADLINE
from newserrata.paths import same_file
from newserrata.scoring import Options


def run(args: argparse.Namespace) -> int:
    problems = Problems()
    for n, f in enumerate(args.predictions):
        if (first := next((g for g in args.predictions[:n] if same_file(Path(f), Path(g))), None)) is not None:
            problems.add(f, None, "", f"the same file as {first}: a system would be compared with itself",
                         "give each predictions file once")
    if len(args.predictions) < 2:
        problems.add("compare", None, "", "fewer than two distinct predictions files", "give two files or more")
    problems.raise_if_any()
    indexed = [(f, preds.read(Path(f), problems)) for f in args.predictions]
    if problems and not all(found for _, found in indexed):
        problems.raise_if_any()  # an unreadable file: listing every gold id as missing would bury the cause
    gold, gold_name = scoring.load_gold(args.gold, split=args.split, config=args.config, problems=problems)
    if Path(args.gold).is_dir():
        for _, found in indexed:
            scoring.elsewhere(Path(args.gold), args.config or "default", args.split or "test", found, problems)
    options = Options(args.allow_missing, args.bootstrap, args.seed, args.resample, args.mqm_per)
    scored = scoring.score_many(gold, indexed, problems, gold_name=gold_name, options=options,
                                progress=sys.stderr.isatty())
    result = compare([(n, f, s) for n, f, s in zip(names(args.predictions), args.predictions, scored, strict=True)],
                     gold_name=gold_name, options=options, sort=args.sort, vs_first=args.vs_first)
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
    p.add_argument("--split", help="split of a build folder or Hub dataset (default: test)")
    p.add_argument("--config", help="config of a build folder or Hub dataset (default: default)")
    json_option(p, "the comparison")
    p.add_argument("--bootstrap", type=count, default=1000, metavar="N",
                   help="N paired resamples (default 1000; 0 for the leaderboard alone)")
    p.add_argument("--vs-first", action="store_true", help="compare each file with the first, not every pair")
    p.add_argument("--sort", choices=HEADLINE, default="char_f1", help="leaderboard order (default: char_f1)")
    add_options(p)
    p.set_defaults(func=run)
