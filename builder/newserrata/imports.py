"""`newserrata import`: foreign label formats to published records, for inspection before a build.

The records are exactly what `newserrata build` makes of the same file (same importer, same
aggregation, same checks), so a maintainer can look at them, and validate them, before adding the
file to data/release.toml.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from newserrata import schemas
from newserrata.aggregate import aggregate
from newserrata.atomic import atomic_write
from newserrata.checks import check_record
from newserrata.errors import Problems
from newserrata.jsonl import dumps

LANGUAGE_PAIR_HELP = "source-target language tags, e.g. zh-en (default: from the file name or its documents)"


def _pair(value: str) -> tuple[str, str]:
    parts = value.split("-", 1) if value.count("-") == 1 else value.split(":", 1)
    if len(parts) != 2 or not all(parts):
        raise argparse.ArgumentTypeError(f"{value!r} is not SOURCE-TARGET, e.g. zh-en (or zh-Hans:en)")
    return parts[0], parts[1]


def run_mqm(args: argparse.Namespace) -> int:
    from newserrata.sources import mqm

    path = Path(args.file)
    stats = mqm.Stats()
    source = args.source or mqm.default_source_name(path)
    languages = args.languages or (None, None)
    problems = Problems()
    counts = {"records": 0, "annotations": 0, "gold_spans": 0, "records_with_errors": 0}
    if Path(args.out).exists() and path.exists() and os.path.samefile(args.out, path):
        problems.add("--out", None, "", f"{args.out} is the file being imported", "write the records elsewhere")
        problems.raise_if_any()
    with atomic_write(Path(args.out)) as out:
        for raw in mqm.read_records(path, source=source, license=args.license, domain=args.domain or None,
                                    member=args.member, source_language=languages[0],
                                    target_language=languages[1], stats=stats):
            record = aggregate(raw).to_dict()
            found = len(problems)
            for pointer, message in schemas.schema_errors("record", record):
                problems.add(str(path), None, f"{record['id']}{pointer}", message, "see schema/record.schema.json")
            if len(problems) == found:
                check_record(record, (f"{path} ({record['id']})", None), problems)
            counts["records"] += 1
            counts["annotations"] += record["num_annotators"]
            counts["gold_spans"] += len(record["spans"])
            counts["records_with_errors"] += record["has_error"]
            out.write((dumps(record) + "\n").encode("utf-8"))
        problems.raise_if_any()
    summary = {"file": str(path), "out": str(args.out), "source": source, **counts, **stats.as_dict()}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"import mqm: {counts['records']} records ({stats.counts['documents']} documents x "
              f"{stats.counts['systems']} systems, {stats.languages}), {counts['annotations']} annotations, "
              f"{counts['gold_spans']} gold spans -> {args.out}")
        skipped = ("records", "documents", "systems")
        print("  " + ", ".join(f"{key}: {value}" for key, value in stats.as_dict().items() if key not in skipped))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="turn foreign label files into records for inspection",
                       description="Convert a foreign label format into NewsErrata records (JSON Lines, valid "
                                   "against schema/record.schema.json), the way `newserrata build` would.")
    kinds = p.add_subparsers(dest="kind", required=True, metavar="FORMAT")
    m = kinds.add_parser("mqm", help="WMT MQM ratings (google/wmt-mqm-human-evaluation TSV)",
                         description="One record per (system, source document) of a WMT MQM ratings file: .tsv, "
                                     ".tsv.gz or .tsv.tar.gz, with or without the JSON metadata column, raw or "
                                     "CSV-quoted. Attention checks are dropped and counted; every quirk met is "
                                     "counted in the summary. Writes nothing unless the whole file is valid.")
    m.add_argument("file", help="ratings file, e.g. sxs_mqm_generalMT2023_zhen.3ratingsPerSegment.tsv.tar.gz")
    m.add_argument("--out", required=True, help="records file to write (JSON Lines)")
    m.add_argument("--source", help="release source name, the prefix of every id "
                   "(default: from the file name, e.g. wmt23-zhen)")
    m.add_argument("--domain", default="news", help="domain of the records; documents whose WMT name says another "
                   "domain (social_..., speech_...) are left out; pass '' to keep all (default: news)")
    m.add_argument("--license", default="Apache-2.0",
                   help="license of the ratings (default: Apache-2.0, that of google/wmt-mqm-human-evaluation)")
    m.add_argument("--languages", type=_pair, help=LANGUAGE_PAIR_HELP)
    m.add_argument("--member", help="file inside a .tar.gz (default: its .tsv member)")
    m.add_argument("--json", action="store_true", help="print the summary as JSON")
    m.set_defaults(func=run_mqm)

