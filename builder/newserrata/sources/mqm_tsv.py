"""The MQM TSV container: plain, gzip'd or inside a .tar.gz, with or without CSV quoting.

Files of the family disagree on quoting. Some write cells raw, so a cell may hold a bare `"`
(every JSON metadata cell does); others quote whole cells CSV-style with doubled `""` inside.
Parsing one as the other silently corrupts texts, so the style is decided per file, from the
first line that proves it, and the whole file is then read in that style.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from newserrata.errors import InputError, Problem

STANDARD_COLUMNS = ("system", "doc", "docSegId", "globalSegId", "rater", "source", "target", "category",
                    "severity", "metadata")
ESCAPE_HINT = "use the archive as published; members must be plain files inside its folder"


def _problem(path: Path, line: int | None, pointer: str, message: str, hint: str) -> InputError:
    return InputError([Problem(str(path), line, pointer, message, hint)])


def safe_member(member: tarfile.TarInfo) -> bool:
    """Plain files and folders that stay inside the archive's folder: no absolute paths, no `..`, no links."""
    path = PurePosixPath(member.name.replace("\\", "/"))
    return (member.isfile() or member.isdir()) and not path.is_absolute() and ".." not in path.parts


class _Forward(io.RawIOBase):
    """A streamed tar member reads forward only; TextIOWrapper must not try to seek it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _member(archive: tarfile.TarFile, path: Path, wanted: str | None) -> tuple[str, IO[bytes]]:
    for member in archive:
        if not safe_member(member):
            raise _problem(path, None, member.name, "archive member escapes its folder (absolute path, '..' or "
                           "a link); refusing the archive", ESCAPE_HINT)
        name = PurePosixPath(member.name).name
        chosen = member.name == wanted or name == wanted if wanted else name.lower().endswith(".tsv")
        stream = archive.extractfile(member) if chosen and member.isfile() else None
        if stream is not None:
            return name, io.BufferedReader(_Forward(stream), 1 << 20)
    what = f"member {wanted!r}" if wanted else "a .tsv member"
    raise _problem(path, None, "", f"the archive has no {what}", "name the member (release.toml: member = \"...\")")


@contextmanager
def open_tsv(path: Path, member: str | None = None) -> Iterator[tuple[str, IO[str]]]:
    """(name of the TSV, its text) for a .tsv, .tsv.gz or an archive member, streamed, never extracted.

    The archive is read to its end so that an unsafe member after the TSV is refused too.
    """
    lower = path.name.lower()
    archive: tarfile.TarFile | None = None
    try:
        if lower.endswith((".tar.gz", ".tgz", ".tar")):
            archive = tarfile.open(path, "r|*")
            name, raw = _member(archive, path, member)
        else:
            name, raw = path.name, gzip.open(path, "rb") if lower.endswith(".gz") else open(path, "rb")
    except OSError as exc:
        raise _problem(path, None, "", f"cannot read: {exc.strerror or exc}", "check the path") from None
    except tarfile.TarError as exc:
        raise _problem(path, None, "", f"not a readable tar archive: {exc}",
                       "pass the .tsv.tar.gz as published, or the extracted .tsv") from None
    try:
        yield name, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="\n")
        if archive is not None:
            for rest in archive:
                if not safe_member(rest):
                    raise _problem(path, None, rest.name, "archive member escapes its folder (absolute path, "
                                   "'..' or a link); refusing the archive", ESCAPE_HINT)
    except (OSError, EOFError, tarfile.TarError, gzip.BadGzipFile) as exc:
        raise _problem(path, None, "", f"cannot read: {exc}", "the file is damaged; fetch it again") from None
    finally:
        raw.close()
        if archive is not None:
            archive.close()


def vote(cells: list[str], width: int) -> str | None:
    """Which quoting a line proves, if any. A CSV writer quotes every cell that holds a quote, so a
    quote in a cell that does not start with one proves plain TSV; a doubled quote inside a quoted
    cell, or a quoted cell that swallowed a tab, proves CSV."""
    for cell in cells:
        if '"' not in cell:
            continue
        if not cell.startswith('"'):
            return "plain"
        closed = len(cell) >= 2 and cell.endswith('"') and '"' not in cell[1:-1].replace('""', "")
        if closed and '""' in cell[1:-1]:
            return "csv"
        return "plain" if len(cells) == width else "csv"
    return None


def is_header(cells: list[str]) -> bool:
    names = {c.strip().strip('"').lower() for c in cells}
    return "system" in names and "doc" in names


@dataclass
class Table:
    """The header (given or assumed), the quoting style, and the rows as (line number, cells)."""

    header: list[str]
    has_header: bool
    quoting: str
    rows: Iterator[tuple[int, list[str]]]


def read_table(stream: IO[str], path: Path) -> Table:
    first = _decode(lambda: stream.readline(), path, 1)
    head = first.rstrip("\r\n").split("\t")
    pending: list[str] = []
    if is_header(head):
        quoted = all(len(c) > 1 and c.startswith('"') and c.endswith('"') for c in head if c)
        header, base = [c.strip().strip('"') for c in head], 1
    else:
        quoted, base = False, 0
        header = list(STANDARD_COLUMNS[: len(head)]) if len(head) in (9, 10) else list(STANDARD_COLUMNS)
        pending = [first] if first else []
    width = len([c for c in header if c and not c.startswith("#")])
    style = "csv" if quoted else next((v for line in pending if (v := vote(line.rstrip("\r\n").split("\t"), width))),
                                      None)
    while style is None:
        line = _decode(lambda: stream.readline(), path, base + len(pending) + 1)
        if not line:
            break
        pending.append(line)
        style = vote(line.rstrip("\r\n").split("\t"), width)
    if style == "csv":
        return Table(header, bool(base), "csv", _csv_rows(itertools.chain(pending, stream), path, base))
    return Table(header, bool(base), "plain", _plain_rows(pending, stream, path, base))


def _decode(read: Any, path: Path, line: int) -> str:
    try:
        return read()
    except UnicodeDecodeError as exc:
        raise _problem(path, line, "", f"not valid UTF-8: {exc.reason}", "re-save the file as UTF-8") from None


def _chunks(stream: IO[str]) -> Iterator[str]:
    """Lines without their \n, cut from large reads: per-line reads cost more than the parsing."""
    rest = ""
    while chunk := stream.read(1 << 22):
        lines = (rest + chunk).split("\n")
        rest = lines.pop()
        yield from lines
    if rest:
        yield rest


def _plain_rows(pending: list[str], stream: IO[str], path: Path, base: int) -> Iterator[tuple[int, list[str]]]:
    number = base
    try:
        for number, line in enumerate(itertools.chain((p.rstrip("\n") for p in pending), _chunks(stream)),
                                      base + 1):
            if line:
                yield number, (line[:-1] if line[-1] == "\r" else line).split("\t")
    except UnicodeDecodeError as exc:
        raise _problem(path, number + 1, "", f"not valid UTF-8: {exc.reason}", "re-save the file as UTF-8") from None


def _csv_rows(lines: Iterator[str], path: Path, base: int) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(lines, delimiter="\t", quotechar='"', doublequote=True, strict=True)
    try:
        for cells in reader:
            if cells and cells != [""]:
                yield base + reader.line_num, cells
    except csv.Error as exc:
        raise _problem(path, base + reader.line_num, "", f"malformed CSV quoting: {exc}",
                       "quote whole cells and double the quotes inside them") from None
    except UnicodeDecodeError as exc:
        raise _problem(path, base + reader.line_num + 1, "", f"not valid UTF-8: {exc.reason}",
                       "re-save the file as UTF-8") from None
