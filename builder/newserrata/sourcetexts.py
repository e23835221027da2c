"""Readers of the user's own copies of source texts we may not publish: a file in, {source_id: text} out.

A format is one reader function and a test of a file's name and first bytes that says whether the
reader is meant for it, so `newserrata hydrate` needs no format flag for the files people have. The
built-in ones read the AggreFact-Unified workbooks (XSum articles as the build saw them) and the
Hugging Face XSum split as `datasets` exports it (`id`, `document`: parquet, JSON Lines or CSV). A source
kind whose inputs come with texts of their own registers its format from its module:

    register_text_format(TextFormat("summedits", "SummEdits ...", claims=..., read=...))

Texts are returned exactly as the file holds them: no normalisation, since each is checked against a
digest of the exact text the build saw.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from newserrata.errors import Problems
from newserrata.jsonl import read_lines
from newserrata.paths import hint, open_input
from newserrata.sources import kinds
from newserrata.sources.aggrefact import read_articles

HEAD = 1 << 16
ID, DOCUMENT = "id", "document"
HF_HINT = ("export the split with datasets, e.g. load_dataset(\"EdinburghNLP/xsum\", split=\"test\").to_parquet(PATH): "
           f"columns {ID!r} and {DOCUMENT!r}")


@dataclass(frozen=True, slots=True)
class TextFormat:
    """One kind of file holding source texts."""

    name: str
    description: str
    claims: Callable[[Path, bytes], bool]
    """Whether this reader is meant for the file, from its path and first bytes (up to 64 KiB)."""
    read: Callable[[Path, Problems], dict[str, str]]
    """{source_id: text}; problems are collected with file, line and field, not raised."""


_FORMATS: dict[str, TextFormat] = {}


def register_text_format(fmt: TextFormat) -> TextFormat:
    existing = _FORMATS.get(fmt.name)
    if existing is not None and existing != fmt:
        raise ValueError(f"source-text format {fmt.name!r} is registered twice")
    _FORMATS[fmt.name] = fmt
    return fmt


def formats() -> dict[str, TextFormat]:
    """Every format: the built-in ones and those the source kinds' modules register (imported here)."""
    kinds()
    return dict(_FORMATS)


def _pairs(file: str, rows: Iterable[tuple[int | None, object, object]], problems: Problems) -> dict[str, str]:
    """(line, id, text) rows to {id: text}: ids and texts must be strings, one text per id."""
    found: dict[str, tuple[str, int | None]] = {}
    for line, key, text in rows:
        if isinstance(key, int) and not isinstance(key, bool):
            key = str(key)
        if not isinstance(key, str) or not key:
            problems.add(file, line, ID, f"id {key!r} is not a non-empty string", HF_HINT)
        elif not isinstance(text, str):
            problems.add(file, line, DOCUMENT, f"the text of {key} is {type(text).__name__}, not a string", HF_HINT)
        elif key in found and found[key][0] != text:
            problems.add(file, line, DOCUMENT, f"a second, different text for id {key} (first at line "
                         f"{found[key][1]})", "one text per id: use the file as exported")
        else:
            found.setdefault(key, (text, line))
    return {key: text for key, (text, _) in found.items()}


def _parquet(path: Path, problems: Problems) -> dict[str, str]:
    try:
        names = pq.ParquetFile(path).schema_arrow.names
        missing = [c for c in (ID, DOCUMENT) if c not in names]
        if missing:
            problems.add(str(path), None, missing[0], f"no column(s) {', '.join(missing)}; columns: {', '.join(names)}",
                         HF_HINT)
            return {}
        table = pq.read_table(path, columns=[ID, DOCUMENT])
    except (OSError, pa.ArrowException) as exc:
        problems.add(str(path), None, "", f"not a readable parquet file: {exc}", HF_HINT)
        return {}
    rows = zip(table.column(ID).to_pylist(), table.column(DOCUMENT).to_pylist(), strict=True)
    return _pairs(str(path), ((n, k, t) for n, (k, t) in enumerate(rows, 1)), problems)


def _jsonl(path: Path, problems: Problems) -> dict[str, str]:
    def rows() -> Iterator[tuple[int | None, object, object]]:
        for number, value in read_lines(path, problems):
            yield number, value.get(ID), value.get(DOCUMENT)
    return _pairs(str(path), rows(), problems)


def _csv(path: Path, problems: Problems) -> dict[str, str]:
    def rows() -> Iterator[tuple[int | None, object, object]]:
        limit = csv.field_size_limit()
        csv.field_size_limit(sys.maxsize)  # an article is one cell, often past the default 128 KiB
        try:
            with path.open(encoding="utf-8", newline="") as stream:
                reader = csv.DictReader(stream, strict=True)
                missing = [c for c in (ID, DOCUMENT) if c not in (reader.fieldnames or ())]
                if missing:
                    problems.add(str(path), 1, missing[0], f"no column(s) {', '.join(missing)}; header: "
                                 f"{', '.join(reader.fieldnames or ()) or 'empty'}", HF_HINT)
                    return
                line = reader.line_num + 1
                for row in reader:
                    yield line, row[ID], row[DOCUMENT]
                    line = reader.line_num + 1
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            problems.add(str(path), None, "", f"not a readable CSV file: {exc}", HF_HINT)
        finally:
            csv.field_size_limit(limit)
    return _pairs(str(path), rows(), problems)


def _aggrefact(path: Path, problems: Problems) -> dict[str, str]:
    return read_articles([path], problems)


register_text_format(TextFormat(
    "aggrefact-xlsx", "AggreFact-Unified workbook (Liyan06/AggreFact data/AggreFact-Unified-*.xlsx): XSum articles "
    "by BBC id", lambda path, head: head.startswith(b"PK\x03\x04") and path.suffix.lower() == ".xlsx", _aggrefact))
register_text_format(TextFormat(
    "parquet", "parquet with columns id and document (a Hugging Face split such as XSum test, saved by datasets)",
    lambda path, head: head.startswith(b"PAR1"), _parquet))
register_text_format(TextFormat(
    "jsonl", "JSON Lines with keys id and document (Dataset.to_json)",
    lambda path, head: path.suffix.lower() in (".jsonl", ".json") and head.lstrip().startswith(b"{")
    and b'"document"' in head, _jsonl))
register_text_format(TextFormat(
    "csv", "CSV with a header naming id and document (Dataset.to_csv)",
    lambda path, head: path.suffix.lower() == ".csv", _csv))


def read_texts(path: Path, problems: Problems, format: str | None = None) -> dict[str, str]:
    """{source_id: text} of one file, read by the named format or the first that claims the file."""
    path = Path(path)
    known = formats()
    try:
        with open_input(path) as stream:
            head = stream.read(HEAD)
    except OSError as exc:
        problems.add(str(path), None, "", f"cannot read: {exc.strerror or exc}", hint(exc, "check the path"))
        return {}
    if format is not None:
        chosen = known.get(format)
        if chosen is None:
            problems.add(str(path), None, "", f"unknown format {format!r}", f"one of {', '.join(known)}")
            return {}
    else:
        chosen = next((f for f in known.values() if f.claims(path, head)), None)
        if chosen is None:
            problems.add(str(path), None, "", "not a file of any known source-text format",
                         "; ".join(f"{f.name}: {f.description}" for f in known.values()))
            return {}
    return chosen.read(path, problems)
