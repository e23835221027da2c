"""`newserrata annotate export|import`: Label Studio tasks out, labels in."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

from newserrata.annotate import export, import_export
from newserrata.cli.output import emit, input_arg, json_option, output_arg
from newserrata.taxonomy import CATEGORIES


def run_export(args: argparse.Namespace) -> int:
    count = export(Path(args.articles), Path(args.out), Path(args.config_out))
    emit(args.json, {"ok": True, "tasks": count, "out": args.out, "config_out": args.config_out,
                     "categories": len(CATEGORIES)},
         f"annotate export: {count} task(s) -> {args.out}; labeling config ({len(CATEGORIES)} categories) "
         f"-> {args.config_out}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    s = import_export(Path(args.export), annotator_kind=args.annotator_kind, out=Path(args.out),
                      articles_dir=Path(args.articles))
    emit(args.json, {"ok": True, "out": args.out} | asdict(s),
         f"annotate import: {s.tasks} task(s), {s.annotations} annotation(s) imported with {s.spans} span(s), "
         f"{s.cancelled} cancelled skipped, {s.drafts} draft(s) and {s.predictions} prediction(s) ignored, "
         f"{s.unannotated} task(s) without annotations -> {args.out}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("annotate", help="Label Studio round trip: export tasks, import annotations",
                       description="Label new articles in Label Studio: `export` writes its tasks and labeling "
                                   "config, `import` turns its JSON export into a data/labels/*.jsonl batch.")
    steps = p.add_subparsers(dest="step", required=True, metavar="STEP")
    e = steps.add_parser("export", help="write Label Studio tasks and the labeling config",
                         description="One task per article (data.text is the normalised text, with its article_id "
                                     "and text_sha256) and a labeling config built from the taxonomy.")
    input_arg(e, "--articles", default="data/articles", help="article folder (default: data/articles)")
    output_arg(e, "--out", required=True, help="tasks file to import into Label Studio (JSON)")
    output_arg(e, "--config-out", required=True, help="labeling config to paste into the project (XML)")
    json_option(e, "the counts")
    e.set_defaults(func=run_export)
    i = steps.add_parser("import", help="turn a Label Studio JSON export into a label batch",
                         description="Read a Label Studio JSON export and write one label line per (task, "
                                     "annotator). Cancelled annotations are skipped, drafts and predictions ignored. "
                                     "A task whose article text changed since the export is refused. Exit 2 on any "
                                     "problem, with nothing written.")
    input_arg(i, "export", help="the JSON export of the Label Studio project")
    i.add_argument("--annotator-kind", required=True, help="who labelled, e.g. professional-translator, maintainer")
    output_arg(i, "--out", required=True, help="label batch to write, e.g. data/labels/BATCH.jsonl")
    input_arg(i, "--articles", default="data/articles", help="article folder (default: data/articles)")
    json_option(i, "the counts")
    i.set_defaults(func=run_import)
