"""`newserrata report`: the self-contained HTML report of a build or a model."""

from __future__ import annotations

import argparse
from pathlib import Path

from newserrata.cli.options import add_options, options
from newserrata.cli.output import emit, input_arg, json_option, output_arg
from newserrata.records_io import check_layout
from newserrata.report import LIMIT, System, _write, checked_records, default_title, read_predictions, report_data
from newserrata.scoring import Session


def run(args: argparse.Namespace) -> int:
    path = Path(args.records)
    session = Session(options(args, "report"))
    problems = session.problems
    files = args.predictions or []
    for given, what in ((path, "records"), *((Path(f), "predictions") for f in files)):
        if not given.exists():
            problems.add(str(given), None, "", f"no such {what} file or folder", "check the path")
    if args.limit < 1:
        problems.add("--limit", None, "", f"{args.limit} articles", "embed at least 1 article")
    if path.is_file() and (args.split or args.config):
        problems.add("--split" if args.split else "--config", None, "", f"does not apply to a single records file "
                     f"({path})", "drop it: the whole file is shown; pass a build folder to choose a split")
    problems.raise_if_any()
    config = args.config or "default"
    split = args.split or ("test" if files else None)  # a model is scored on one split, as `score` does
    if path.is_dir():
        check_layout(path, config, split, problems)
    read = [(Path(f), *read_predictions(Path(f), problems)) for f in files]
    if split:
        session.options.split = split
        session.check_split(path, [values for _, values, _ in read])
    title = (args.title or default_title(path)) + (f" · {split}" if split else "")
    names = [p.stem for p, _, _ in read]
    others = [System(name, values, lines, str(p)) for name, (p, values, lines) in zip(names[1:], read[1:], strict=True)]
    data = report_data(checked_records(path, problems, config, split), title=title,
                       predictions=read[0][1] if read else None, limit=args.limit, problems=problems,
                       model=names[0] if read else "predictions",
                       prediction_file=str(read[0][0]) if read else "<predictions>",
                       prediction_lines=read[0][2] if read else {}, others=others, options=session.options)
    info = _write(data, Path(args.out))

    shown = "" if info.embedded == info.records else f" ({info.embedded} embedded)"
    emit(args.json, {"out": str(info.path), "records": info.records, "embedded": info.embedded, "bytes": info.bytes},
         f"report: {info.records} record(s){shown}, {info.bytes / 1e6:.2f} MB -> {info.path}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="write a self-contained HTML report of a build or of a scored model",
        description="Write one HTML file (no external resources) with the release summary, charts of span "
                    "categories and severities, and an article browser with the error spans highlighted. "
                    "With --predictions, gold and predicted spans side by side and per-record scores, "
                    "worst first; each further file gets its own detail view. Without --predictions and "
                    "--split, every split is shown. Exit 2 on bad input, with nothing written.")
    input_arg(p, "records", metavar="BUILD_OR_RECORDS",
              help="a build folder (dist/<version>) or a records .jsonl / .parquet file")
    input_arg(p, "--predictions", metavar="PRED.jsonl", nargs="+",
              help="a model's predictions to compare with the gold spans; more files add a leaderboard")
    output_arg(p, "--out", required=True, help="the HTML file to write")
    p.add_argument("--title", help="page title (default: name and version from MANIFEST.json)")
    p.add_argument("--limit", type=int, default=LIMIT,
                   help="embed at most this many articles; statistics still cover all (default: %(default)s)")

    json_option(p, "the result")
    add_options(p, "report")
    p.set_defaults(func=run)
