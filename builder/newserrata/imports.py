"""One file of a registered source kind to published records (`newserrata import`): the build's
aggregation and record check, so a maintainer can look at the records, and validate them, before
adding the file to data/release.toml."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from newserrata.aggregate import aggregate
from newserrata.atomic import atomic_write
from newserrata.checks import check_record
from newserrata.errors import Problems
from newserrata.jsonl import dumps
from newserrata.sources import MAIN, Source, SourceLog


@dataclass
class Imported:
    records: int = 0
    annotations: int = 0
    gold_spans: int = 0
    records_with_errors: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def import_file(source: Source, inputs: Mapping[str, Path], out: Path, log: SourceLog) -> Imported:
    """Every record of the source's files, aggregated and checked, written whole to `out` or not at all."""
    problems = Problems()
    main = inputs[MAIN]
    counts = Imported()
    with atomic_write(out) as stream:
        for raw in source.importer.read(source, inputs, log):
            record = aggregate(raw).to_dict()
            check_record(record, (f"{main} ({record['id']})", None), problems)
            counts.records += 1
            counts.annotations += record["num_annotators"]
            counts.gold_spans += len(record["spans"])
            counts.records_with_errors += record["has_error"]
            stream.write((dumps(record) + "\n").encode("utf-8"))
        problems.raise_if_any()
    return counts
