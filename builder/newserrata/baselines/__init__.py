"""`newserrata baseline NAME`: reference predictions to put a model's scores in context.

`empty` and `all` bound the metrics from below and show what a degenerate system earns;
`heuristic` shows what plain rules find; `llm` runs an LLM judge on any OpenAI-compatible
endpoint. `results_table` scores the offline ones; `sample_table` does so for the dataset card.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newserrata.metrics import BASELINE_METRICS

NAMES = ("empty", "all", "heuristic", "llm")


def rule(name: str) -> Callable[[dict[str, Any]], list[dict[str, Any]]]:
    """The per-record predictor of an offline baseline."""
    from newserrata.baselines import heuristic, simple

    return {"empty": simple.empty, "all": simple.everything, "heuristic": heuristic.predict}[name]


def predictions(name: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    predict = rule(name)
    return [{"id": r["id"], "spans": predict(r)} for r in records]


def results_table(records: list[dict[str, Any]]) -> str:
    """Markdown table of the offline baselines on each split. Records may carry a `split` key
    (the build knows where each went); without it they are scored together as `all`."""
    from newserrata.scoring import score

    by_split: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        clean = {k: v for k, v in record.items() if k != "split"}
        by_split.setdefault(str(record.get("split", "all")), []).append(clean)
    header = "| split | baseline | records | " + " | ".join(BASELINE_METRICS) + " |"
    lines = [header, "|" + "---|" * (3 + len(BASELINE_METRICS))]
    for split in sorted(by_split):
        gold = by_split[split]
        for name in ("empty", "all", "heuristic"):
            metrics = score(gold, predictions(name, gold)).metrics
            cells = ["n/a" if metrics[m] is None else f"{metrics[m]:.3f}" for m in BASELINE_METRICS]
            lines.append(f"| {split} | {name} | {len(gold)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def sample_table(sample: list[tuple[dict[str, Any], str]], totals: dict[str, int]) -> str:
    """results_table on a build's bounded sample of (record, split), and a sentence saying per split what
    the numbers cover: every record of the split, or how many of how many. `totals` counts every
    record of each split."""
    table = results_table([dict(record, split=split) for record, split in sample])
    taken = {split: 0 for split in totals}
    for _, split in sample:
        taken[split] += 1
    parts = []
    for split, total in sorted(totals.items()):
        if not total:
            continue
        if taken[split] == total:
            parts.append(f"all {total} records of the {split} split")
        elif taken[split]:
            parts.append(f"a deterministic sample of {taken[split]} of {total} records of the {split} split")
        else:
            parts.append(f"none of the {total} records of the {split} split (none is in the sample)")
    how = (" The sample is the records with the smallest SHA-256 of their id, so it is the same in every build "
           "and keeps its records when others are added." if any(taken[s] < totals[s] for s in totals) else "")
    return f"{table}\n\nComputed on {_join(parts)}.{how}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def run(args: argparse.Namespace) -> int:
    from newserrata.checks import Level, check_record
    from newserrata.errors import Problems
    from newserrata.jsonl import write_lines
    from newserrata.scoring import load_gold

    problems = Problems()
    if args.name == "llm" and not (args.base_url and args.model):
        problems.add("--base-url/--model", None, "", "the llm baseline needs an endpoint and a model",
                     "pass --base-url http://host/v1 --model NAME")
    problems.raise_if_any()
    gold, _ = load_gold(args.gold, split=args.split, config=args.config, problems=problems)
    records = [r for file, line, r in gold if check_record(r, (file, line), problems, Level.GOLD)]
    problems.raise_if_any()
    if args.name == "llm":
        from newserrata.baselines.llm import KEY_VARIABLES, Judge, api_key

        key = api_key()
        if key is None:
            problems.add("environment", None, "", f"no API key in {' or '.join(KEY_VARIABLES)}",
                         "export one of them (any value for an endpoint that needs no key)")
            problems.raise_if_any()
        judge = Judge(args.base_url, args.model, key, workers=args.workers,
                      **({"cache": Path(args.cache)} if args.cache else {}))
        from newserrata.baselines.llm import EndpointError

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
    from newserrata.jsonl import emit

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
    p.add_argument("--gold", required=True, help="dist/<version>, a records .jsonl or .parquet, or ORG/NAME@REVISION")
    p.add_argument("--split", help="split of a build folder or Hub dataset (default: test)")
    p.add_argument("--config", help="config of a build folder or Hub dataset (default: default)")
    p.add_argument("--out", required=True, help="predictions .jsonl to write")
    p.add_argument("--base-url", help="llm: endpoint, e.g. https://api.openai.com/v1 or http://localhost:8000/v1")
    p.add_argument("--model", help="llm: model name")
    p.add_argument("--workers", type=int, default=4, help="llm: concurrent requests (default 4)")
    p.add_argument("--cache", help="llm: response cache folder (default ~/.cache/newserrata/llm)")
    from newserrata.jsonl import json_option

    json_option(p, "the summary (and the llm's token usage)")
    p.set_defaults(func=run)
