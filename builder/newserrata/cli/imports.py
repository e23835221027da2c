"""`newserrata import KIND FILE`: one file of a registered source kind to records."""

from __future__ import annotations

import argparse
from pathlib import Path
from types import MappingProxyType

from newserrata.cli.output import emit, input_arg, json_option, output_arg, strict_option
from newserrata.imports import import_file
from newserrata.sources import MAIN, Source, SourceKind, SourceLog, artifacts, kinds


def run(args: argparse.Namespace) -> int:
    importer: SourceKind = args.importer
    path = Path(args.file)
    name = args.source or importer.default_name(path)
    options = {o.name: getattr(args, o.name) for o in importer.options}
    source = Source(name, importer.name, args.license, "", True, domain=args.domain or None,
                    options=MappingProxyType(options))
    inputs = {MAIN: path, **{role: Path(getattr(args, role)) for role in importer.extra_files
                             if getattr(args, role) is not None}}
    log = SourceLog(strict=args.strict)
    counts = import_file(source, inputs, Path(args.out), log)
    summary = {"file": str(path), "out": str(args.out), "source": name, **counts.to_dict(), **log.as_dict()}
    emit(args.json, summary, f"import {importer.name}: {counts.records} records, {counts.annotations} "
         f"annotations, {counts.gold_spans} gold spans -> {args.out}\n  "
         + ", ".join(f"{key}: {value}" for key, value in log.as_dict().items() if key != "records")
         + (f"\n  upstream artifacts: {found}" if (found := artifacts(log.counts)) else ""))
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="turn foreign label files into records for inspection",
                       description="Convert a foreign label format into NewsErrata records (JSON Lines, valid "
                                   "against schema/record.schema.json), the way `newserrata build` would. Writes "
                                   "nothing unless the whole file is valid.")
    formats = p.add_subparsers(dest="kind", required=True, metavar="FORMAT")
    for importer in kinds().values():
        if importer.input != "file":
            continue
        k = formats.add_parser(importer.name, aliases=list(importer.aliases), help=importer.description.split(":")[0],
                               description=importer.description + ".")
        input_arg(k, "file", help="the source's main file")
        for role in importer.extra_files:
            input_arg(k, f"--{role.replace('_', '-')}", dest=role, metavar="PATH", help=f"the source's {role} file")
        output_arg(k, "--out", required=True, help="records file to write (JSON Lines)")
        k.add_argument("--source", help="release source name, the prefix of every id (default: from the file name)")
        k.add_argument("--domain", default="news", help="domain of the records; pass '' for none (default: news)")
        k.add_argument("--license", default=importer.default_license,
                       help="license of the labels (default: %(default)s)")
        for option in importer.options:
            k.add_argument(f"--{option.name.replace('_', '-')}", dest=option.name, default=option.default,
                           type=option.type, choices=option.choices or None, help=option.help)
        strict_option(k)
        json_option(k, "the summary")
        k.set_defaults(func=run, importer=importer)
