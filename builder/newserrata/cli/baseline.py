"""`newserrata baseline`: predictions of a reference detector."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newserrata.baselines import NAMES, predictions
from newserrata.baselines.llm import KEY_VARIABLES, EndpointError, Judge, api_key, key_flaw
from newserrata.checks import Level, check_record
from newserrata.cli.output import emit, input_arg, json_option, output_arg
from newserrata.errors import Problems
from newserrata.jsonl import write_lines
from newserrata.scoring import load_gold


def run(args: argparse.Namespace) -> int:
    problems = Problems()
    if args.name == "llm" and not (args.base_url and args.model):
        problems.add("--base-url/--model", None, "", "the llm baseline needs an endpoint and a model",
                     "pass --base-url http://host/v1 --model NAME")
    problems.raise_if_any()
    gold, _ = load_gold(args.gold, split=args.split, config=args.config, problems=problems)
    records = [r for file, line, r in gold if check_record(r, (file, line), problems, Level.GOLD)]
    problems.raise_if_any()
    if args.name == "llm":
        found = api_key()
        if found is None:
            problems.add("environment", None, "", f"no API key in {' or '.join(KEY_VARIABLES)}",
                         "export one of them (any value for an endpoint that needs no key)")
            problems.raise_if_any()
        variable, key = found
        if (flaw := key_flaw(key)) is not None:
            problems.add("environment", None, variable, f"the API key is not a key: {flaw}",
                         f"strip it (a key read from a file keeps its newline): export {variable}="
                         f"\"$(tr -d '[:space:]' < KEYFILE)\"")
            problems.raise_if_any()
        judge = Judge(args.base_url, args.model, key, workers=args.workers,
                      **({"cache": Path(args.cache)} if args.cache else {}))
        try:
            spans = judge.predict_all(records, progress=sys.stderr.isatty())
        except EndpointError as exc:
            print(f"baseline llm: {exc}; replies received so far are cached, so a rerun continues from there",
                  file=sys.stderr)
            return 1
        lines = [{"id": r["id"], "spans": s} for r, s in zip(records, spans, strict=True)]
        usage = judge.usage.to_dict()
        print(judge.usage, file=sys.stderr)
    else:
        lines = predictions(args.name, records)
        usage = None
    write_lines(Path(args.out), lines)
    emit(args.json, {"baseline": args.name, "out": args.out, "predictions": len(lines),
                     "spans": sum(len(line["spans"]) for line in lines), "usage": usage},
         f"baseline {args.name}: {len(lines)} prediction(s) -> {args.out}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("baseline", help="write baseline predictions",
                       description="Write predictions of a baseline for every record of the gold: empty (no "
                                   "error), all (the whole text as one major error), heuristic (rules for "
                                   "repetition loops, repeated parties, doubled punctuation, source-script "
                                   "fragments, source numbers), llm (an OpenAI-compatible chat endpoint; key from "
                                   "NEWSERRATA_LLM_KEY or OPENAI_API_KEY). Exit 2 on bad input.")
    p.add_argument("name", choices=NAMES, help="which baseline")
    input_arg(p, "--gold", required=True, help="dist/<version>, a records .jsonl or .parquet, or ORG/NAME@REVISION")
    p.add_argument("--split", help="split of a build folder or Hub dataset (default: test)")
    p.add_argument("--config", help="config of a build folder or Hub dataset (default: default)")
    output_arg(p, "--out", required=True, help="predictions .jsonl to write")
    p.add_argument("--base-url", help="llm: endpoint, e.g. https://api.openai.com/v1 or http://localhost:8000/v1")
    p.add_argument("--model", help="llm: model name")
    p.add_argument("--workers", type=int, default=4, help="llm: concurrent requests (default 4)")
    p.add_argument("--cache", help="llm: response cache folder (default ~/.cache/newserrata/llm)")

    json_option(p, "the summary (and the llm's token usage)")
    p.set_defaults(func=run)
