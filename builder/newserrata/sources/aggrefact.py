"""The XSum articles of the AggreFact-Unified workbooks (Liyan06/AggreFact), read as stored.

The `xsum_*` sheets hold one row per (summary, error type) with the BBC id in `id` and the XSum
`document` in `doc`; rows of other corpora on those sheets (CLIFF, Goyal and Durrett) leave `doc`
empty and give no text. The same id repeats on many rows with the same text; two different texts for
one id cannot both be the article, so they are refused. The text is kept exactly as the cells hold it,
XSum's own cp1252 mojibake (`Â£` for `£`) included: a record's `source_sha256` names that text, the
one the summarizers and the annotators saw.

An xlsx file is a zip archive. A member that claims an absurd size is refused before the workbook is
opened (the zip reader never inflates past the size a member declares, so the check bounds the work).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from newserrata.errors import Problems
from newserrata.paths import check_readable, hint

SHEET_PREFIX = "xsum_"
ID, DOC = "id", "doc"
MAX_MEMBER = 256 << 20
"""No sheet of a text workbook comes near this; the published ones are under 2 MB each."""
MAX_TOTAL = 1 << 30
HINT = "use the AggreFact-Unified xlsx as published (Liyan06/AggreFact, data/AggreFact-Unified-*.xlsx)"


def _oversized(path: Path, problems: Problems) -> bool:
    try:
        check_readable(path)
    except OSError as exc:
        problems.add(str(path), None, "", f"cannot read: {exc.strerror or exc}", hint(exc, "check the path"))
        return True
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        problems.add(str(path), None, "", f"not an xlsx workbook (not a readable zip archive: {exc})", HINT)
        return True
    for member in members:
        if member.file_size > MAX_MEMBER:
            problems.add(str(path), None, member.filename, f"archive member of {member.file_size:,} bytes "
                         f"uncompressed (limit {MAX_MEMBER:,}): refused unread", HINT)
            return True
    total = sum(m.file_size for m in members)
    if total > MAX_TOTAL:
        problems.add(str(path), None, "", f"archive members total {total:,} bytes uncompressed (limit "
                     f"{MAX_TOTAL:,}): refused unread", HINT)
        return True
    return False


def _where(sheet: str, row: int, column: int) -> str:
    return f"{sheet}!{get_column_letter(column)}{row}"


def _sheet(path: Path, title: str, rows: Iterable[tuple[Any, ...]], found: dict[str, tuple[str, str]],
           problems: Problems) -> None:
    """Texts of one sheet into `found` (id -> (text, the cell it was first read from))."""
    file = str(path)
    rows = iter(rows)
    header = next(rows, None)
    names = [str(c).strip() if c is not None else "" for c in header or ()]
    missing = [c for c in (ID, DOC) if c not in names]
    if missing:
        problems.add(file, 1, f"{title}!1:1", f"sheet {title!r} has no column(s) {', '.join(missing)}; its header "
                     f"is {', '.join(n for n in names if n) or 'empty'}", HINT)
        return
    at_id, at_doc = names.index(ID) + 1, names.index(DOC) + 1
    for number, cells in enumerate(rows, 2):
        doc = cells[at_doc - 1] if len(cells) >= at_doc else None
        if doc is None or doc == "":
            continue
        key = cells[at_id - 1] if len(cells) >= at_id else None
        if isinstance(key, int) and not isinstance(key, bool):
            key = str(key)
        if not (isinstance(key, str) and key.isascii() and key.isdigit()):
            problems.add(file, number, _where(title, number, at_id), f"id {key!r} is not an XSum document id",
                         "the BBC article number, digits only")
            continue
        if not isinstance(doc, str):
            problems.add(file, number, _where(title, number, at_doc), f"the {DOC} cell holds a "
                         f"{type(doc).__name__}, not text", HINT)
            continue
        here = _where(title, number, at_doc)
        if key not in found:
            found[key] = (doc, here)
        elif found[key][0] != doc:
            problems.add(file, number, here, f"the article of {key} differs from the one at {found[key][1]}",
                         "every row of one id carries the same document: use the published workbook")


def read_articles(paths: Iterable[Path], problems: Problems) -> dict[str, str]:
    """BBC id -> XSum document, from every `xsum_*` sheet of the given workbooks together (the test and
    the validation workbook each hold part of the 500 articles). Problems are collected, not raised."""
    found: dict[str, tuple[str, str]] = {}
    for path in map(Path, paths):
        if _oversized(path, problems):
            continue
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, ParseError,
                OSError) as exc:
            problems.add(str(path), None, "", f"not a readable xlsx workbook: {exc}", HINT)
            continue
        try:
            sheets = [s for s in book.worksheets if s.title.startswith(SHEET_PREFIX)]
            if not sheets:
                problems.add(str(path), None, "", f"no sheet named {SHEET_PREFIX}*; sheets: "
                             f"{', '.join(book.sheetnames) or 'none'}", HINT)
            for sheet in sheets:
                before = len(problems)
                try:
                    _sheet(path, sheet.title, sheet.iter_rows(values_only=True), found, problems)
                except (zipfile.BadZipFile, KeyError, ValueError, TypeError, ParseError, OSError) as exc:
                    if len(problems) == before:
                        problems.add(str(path), None, sheet.title, f"sheet {sheet.title!r} cannot be read: {exc}",
                                     HINT)
        finally:
            book.close()
    return {key: text for key, (text, _) in sorted(found.items())}
