"""Rows of a published CSV file with the line each starts on, for the kinds whose corpora ship CSV.

Upstream files quote CSV-style (doubled `""`, cells spanning lines); every malformed line, bad byte or
missing column is collected as a problem with its line, and reading goes on so one pass finds them all.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from newserrata.errors import Problems
from newserrata.paths import hint, open_input


def _lines(path: Path, stream: IO[bytes], problems: Problems) -> Iterator[str]:
    """Decoded lines for the csv module. A line that is not UTF-8 is reported with its number and read
    on with replacement characters, so one pass finds every bad line."""
    for number, raw in enumerate(stream, 1):
        if number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.add(str(path), number, "", f"not valid UTF-8 at byte {exc.start} of the line: {exc.reason}",
                         "re-save the file as UTF-8")
            yield raw.decode("utf-8", "replace")


def rows(path: Path, columns: tuple[str, ...], problems: Problems) -> Iterator[tuple[int, dict[str, str]]]:
    """(first line, cells by column) of every row, streamed; the files quote CSV-style (doubled `""`)."""
    file, count, malformed = str(path), 0, 0
    try:
        stream = open_input(path)
    except OSError as exc:
        problems.add(file, None, "", f"cannot read: {exc.strerror or exc}", hint(exc, "check the path"))
        return
    with stream:
        reader = csv.reader(_lines(path, stream, problems), strict=True)
        try:
            header = next(reader, None)
            if header is None:
                problems.add(file, None, "", "the file is empty", f"the first line is the header: {','.join(columns)}")
                return
            names = [name.strip() for name in header]
            missing = [c for c in columns if c not in names]
            twice = sorted({c for c in names if names.count(c) > 1})
            if missing or twice:
                problems.add(file, 1, "header", "; ".join(
                    ([f"missing column(s) {', '.join(missing)}"] if missing else [])
                    + [f"column {c} is named {names.count(c)} times" for c in twice])
                    + f"; the header is {','.join(names)}", f"the header names each of {','.join(columns)} once")
                return
            index = [names.index(c) for c in columns]
            start = reader.line_num + 1
            for cells in reader:
                if len(cells) == len(names):
                    count += 1
                    yield start, {c: cells[i] for c, i in zip(columns, index, strict=True)}
                elif cells:
                    malformed += 1
                    problems.add(file, start, "", f"{len(cells)} cells, expected {len(names)}",
                                 'quote a cell that holds a comma or a quote: "a, ""b"""')
                start = reader.line_num + 1
        except csv.Error as exc:
            if "new-line character seen in unquoted field" in str(exc):  # the csv module's advice is for programmers
                problems.add(file, reader.line_num, "", "a carriage return (CR) ends a line or sits inside an "
                             "unquoted cell: the file's lines end in CR alone (old Mac style), not LF or CRLF",
                             "the published file ends its lines with LF or CRLF: download it again (a converted "
                             "copy is not the pinned file either)")
            else:
                problems.add(file, reader.line_num, "", f"malformed CSV: {exc}",
                             'quote whole cells and double the quotes inside them ("")')
            return
    if not count and not malformed:
        problems.add(file, None, "", "no rows after the header", "use the file as published")
