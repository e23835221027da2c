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
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from newserrata.errors import InputError, Problem
from newserrata.paths import hint, open_input

STANDARD_COLUMNS = ("system", "doc", "docSegId", "globalSegId", "rater", "source", "target", "category",
                    "severity", "metadata")
MAX_DECOMPRESSED = 1 << 30  # bytes; the published files decompress to about 40 MB
MAX_LINE = 16 << 20  # bytes; a row holds two segments and their metadata, a few kB
LINE_HINT = "one row per line; pass the file as published by google/wmt-mqm-human-evaluation"
ESCAPE_HINT = "use the archive as published; members must be plain files inside its folder"


def _problem(path: Path, line: int | None, pointer: str, message: str, hint: str) -> InputError:
    return InputError([Problem(str(path), line, pointer, message, hint)])


def safe_member(member: tarfile.TarInfo) -> bool:
    """Plain files and folders that stay inside the archive's folder: no absolute paths, no `..`, no links."""
    path = PurePosixPath(member.name.replace("\\", "/"))
    return (member.isfile() or member.isdir()) and not path.is_absolute() and ".." not in path.parts


class _Forward(io.RawIOBase):
    """A decompressed stream read forward only (TextIOWrapper must not try to seek it), and at most
    `limit` bytes of it: a small archive must not unpack into gigabytes before it is found to be junk."""

    def __init__(self, stream: IO[bytes], path: Path, limit: int | None = None) -> None:
        self.stream, self.path, self.limit, self.total = stream, path, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.stream.read(len(buffer))
        self.total += len(data)
        if self.limit is not None and self.total > self.limit:
            raise _problem(self.path, None, "", f"decompresses to more than {self.limit} bytes (MQM files are a "
                           "few dozen MB): not a ratings file, or a decompression bomb",
                           "pass the file as published by google/wmt-mqm-human-evaluation")
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
            return name, io.BufferedReader(_Forward(stream, path), 1 << 20)
    what = f"member {wanted!r}" if wanted else ".tsv member"
    raise _problem(path, None, "", f"the archive has no {what}", "name the member (release.toml: member = \"...\")")


@contextmanager
def open_tsv(path: Path, member: str | None = None) -> Iterator[tuple[str, IO[bytes]]]:
    """(name of the TSV, its bytes) for a .tsv, .tsv.gz or an archive member, streamed, never extracted.

    Decompression is ours, not tarfile's, so that a damaged gzip (a wrong CRC) is refused and the
    decompressed size is bounded. The archive is read to its end, so that an unsafe member after the
    TSV is refused too and the gzip's checksum is verified.
    """
    lower = path.name.lower()
    with ExitStack() as stack:
        try:
            source: IO[bytes] = stack.enter_context(open_input(path))
            if lower.endswith((".gz", ".tgz")):
                source = stack.enter_context(gzip.GzipFile(fileobj=source, mode="rb"))
            data = stack.enter_context(io.BufferedReader(_Forward(source, path, MAX_DECOMPRESSED), 1 << 20))
            archive = None
            if lower.endswith((".tar.gz", ".tgz", ".tar")):
                archive = stack.enter_context(tarfile.open(fileobj=data, mode="r|"))
                name, raw = _member(archive, path, member)
            else:
                name, raw = path.name, data
        except (gzip.BadGzipFile, zlib.error) as exc:
            raise _problem(path, None, "", f"cannot read: {exc}", "the file is damaged; fetch it again") from None
        except OSError as exc:
            raise _problem(path, None, "", f"cannot read: {exc.strerror or exc}", hint(exc, "check the path")) from None
        except (EOFError, tarfile.TarError) as exc:
            raise _problem(path, None, "", f"not a readable tar archive: {exc}",
                           "pass the .tsv.tar.gz as published, or the extracted .tsv") from None
        try:
            yield name, raw
            if archive is not None:
                for rest in archive:
                    if not safe_member(rest):
                        raise _problem(path, None, rest.name, "archive member escapes its folder (absolute path, "
                                       "'..' or a link); refusing the archive", ESCAPE_HINT)
                while data.read(1 << 20):
                    pass
        except (OSError, EOFError, tarfile.TarError, zlib.error) as exc:
            raise _problem(path, None, "", f"cannot read: {exc}", "the file is damaged; fetch it again") from None


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
    """The header (given or assumed), the quoting style, and the rows as (line number, cells).

    With `lazy_last`, the last cell of every row (the bulky JSON metadata) stays undecoded bytes:
    most rows never need it, and decoding it would cost more than everything else in a row.
    """

    header: list[str]
    has_header: bool
    quoting: str
    lazy_last: bool
    rows: Iterator[tuple[int, list[Any]]]


def _text(raw: bytes, path: Path, line: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _problem(path, line, "", f"not valid UTF-8 at byte {exc.start} of the line: {exc.reason}",
                       "re-save the file as UTF-8") from None


def _line(stream: IO[bytes], path: Path, number: int) -> bytes:
    line = stream.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise _problem(path, number, "", f"line longer than {MAX_LINE} bytes", LINE_HINT)
    return line


def read_table(stream: IO[bytes], path: Path) -> Table:
    first = _text(_line(stream, path, 1).removeprefix(b"\xef\xbb\xbf"), path, 1)
    head = first.rstrip("\r\n").split("\t")
    pending: list[str] = []
    if is_header(head):
        quoted = all(len(c) > 1 and c.startswith('"') and c.endswith('"') for c in head if c)
        header, base = [c.strip().strip('"') for c in head], 1
    else:
        quoted, base = False, 0
        header = list(STANDARD_COLUMNS[: len(head)]) if len(head) in (9, 10) else list(STANDARD_COLUMNS)
        pending = [first] if first else []
    columns = [c for c in header if c and not c.startswith("#")]
    width = len(columns)
    lazy = bool(columns) and columns[-1].strip().lower() == "metadata"
    style = "csv" if quoted else next((v for line in pending if (v := vote(line.rstrip("\r\n").split("\t"), width))),
                                      None)
    while style is None:
        raw = _line(stream, path, base + len(pending) + 1)
        if not raw:
            break
        pending.append(_text(raw, path, base + len(pending) + 1))
        style = vote(pending[-1].rstrip("\r\n").split("\t"), width)
    if style == "csv":
        lines = itertools.chain(pending, io.TextIOWrapper(stream, encoding="utf-8", newline=""))
        return Table(header, bool(base), "csv", lazy, _csv_rows(lines, path, base, width, lazy))
    encoded = [line.encode("utf-8") for line in pending]
    return Table(header, bool(base), "plain", lazy, _plain_rows(encoded, stream, path, base, width, lazy))


def _chunks(stream: IO[bytes], path: Path, first: int) -> Iterator[bytes]:
    """Lines without their \\n, cut from large reads: per-line reads cost more than the parsing."""
    rest, number = b"", first
    while chunk := stream.read(1 << 22):
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        if len(rest) > MAX_LINE:
            raise _problem(path, number + len(lines), "", f"line longer than {MAX_LINE} bytes", LINE_HINT)
        number += len(lines)
        yield from lines
    if rest:
        yield rest


def _plain_rows(pending: list[bytes], stream: IO[bytes], path: Path, base: int, width: int, lazy: bool
                ) -> Iterator[tuple[int, list[Any]]]:
    """Raw rows, split at most width - 1 times (a plain TSV cell cannot hold a tab, and the last cell
    is never scanned), decoded cell by cell."""
    splits = max(width - 1, 1)
    chunks = _chunks(stream, path, base + len(pending) + 1)
    for number, line in enumerate(itertools.chain((p.rstrip(b"\n") for p in pending), chunks), base + 1):
        if not line:
            continue
        if line[-1:] == b"\r":
            line = line[:-1]
        try:
            if lazy:
                head, _, last = line.rpartition(b"\t")
                row: list[Any] = head.decode("utf-8").split("\t")
                if len(row) == width - 1:
                    row.append(last)
                else:
                    row = line.decode("utf-8").split("\t", splits)
            else:
                row = line.decode("utf-8").split("\t", splits)
        except UnicodeDecodeError as exc:
            raise _problem(path, number, "", f"not valid UTF-8: {exc.reason}", "re-save the file as UTF-8") from None
        yield number, row


def _csv_rows(lines: Iterator[str], path: Path, base: int, width: int, lazy: bool
              ) -> Iterator[tuple[int, list[Any]]]:
    reader = csv.reader(lines, delimiter="\t", quotechar='"', doublequote=True, strict=True)
    try:
        for cells in reader:
            if cells and cells != [""]:
                if lazy and len(cells) == width:
                    cells[-1] = cells[-1].encode("utf-8")  # type: ignore[call-overload]
                yield base + reader.line_num, cells
    except csv.Error as exc:
        raise _problem(path, base + reader.line_num, "", f"malformed CSV quoting: {exc}",
                       "quote whole cells and double the quotes inside them") from None
    except UnicodeDecodeError as exc:
        raise _problem(path, base + reader.line_num + 1, "", f"not valid UTF-8: {exc.reason}",
                       "re-save the file as UTF-8") from None
