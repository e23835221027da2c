"""Which files a command may read and write: only regular files are read, and no output is ever an input.

A FIFO never ends (or never opens) and a device like /dev/zero never stops giving bytes, so anything
that is not a regular file is refused by its type before it is opened. Inside a folder the command
walks (the articles), a symlink out of that folder would pull a file from elsewhere into the data,
so it is refused too. An output that is one of the command's inputs, under whatever spelling or
link, would destroy that input when written, so it is refused before anything runs.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from newserrata.errors import Problems

REGULAR_HINT = "give the path of a regular file (not a FIFO, device or socket)"
LINK_HINT = "copy the file into the folder instead of linking it, or remove it"
KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
         (stat.S_ISSOCK, "a socket"))


class NotRegularFile(OSError):
    """An input that must not be opened, with what the user can do about it."""

    def __init__(self, path: Path, why: str, hint: str) -> None:
        super().__init__(errno.EINVAL, why, str(path))
        self.hint = hint


def hint(exc: OSError, default: str) -> str:
    """The fix for a read error: the refusal's own, else the caller's."""
    return exc.hint if isinstance(exc, NotRegularFile) else default


def _kind(mode: int) -> str | None:
    return next((name for test, name in KINDS if test(mode)), None)


def check_readable(path: Path, within: Path | None = None) -> None:
    """Raise NotRegularFile for a FIFO, device or socket (symlinks followed), or for a path that leads out of
    `within`; a missing file or a folder is left to the caller, whose open reports it in its own words."""
    path = Path(path)
    if within is not None and not path.resolve().is_relative_to(Path(within).resolve()):
        raise NotRegularFile(path, f"leads out of {within} (to {path.resolve()}): only files inside the folder "
                             "are read", LINK_HINT)
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    kind = _kind(mode)
    if kind is not None:
        raise NotRegularFile(path, f"is {kind}, not a regular file", REGULAR_HINT)


def refused(path: Path, problems: Problems, within: Path | None = None) -> bool:
    """check_readable as a problem: True, with the problem added, when the path must not be read."""
    try:
        check_readable(path, within)
    except NotRegularFile as exc:
        problems.add(str(path), None, "", str(exc.strerror), exc.hint)
        return True
    return False


def open_input(path: Path, within: Path | None = None) -> BinaryIO:
    """Open an input for reading, refusing what check_readable refuses. The open itself does not block, and the
    opened file is checked again, so a FIFO put in place between the check and the open is refused too."""
    check_readable(path, within)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            raise NotRegularFile(Path(path), f"is {_kind(mode) or 'not a regular file'}, not a regular file",
                                 REGULAR_HINT)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_input(path: Path, within: Path | None = None) -> bytes:
    with open_input(path, within) as handle:
        return handle.read()


def same_file(a: Path, b: Path) -> bool:
    """One file under two spellings (`a.jsonl`, `./a.jsonl`, a symlink, a hard link)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


def _inside(path: Path, folder: Path) -> bool:
    return folder.is_dir() and path.resolve().is_relative_to(folder.resolve())


def refuse_overwrite(inputs: Iterable[tuple[str, Path]], outputs: Iterable[tuple[str, Path]],
                     problems: Problems) -> None:
    """No output may be one of the inputs, lie inside an input folder, or be another output of the same command:
    writing it would destroy the input (or the other output) that the command is reading."""
    sources = [(flag, Path(p)) for flag, p in inputs if Path(p).exists()]
    written: list[tuple[str, Path]] = []
    for flag, out in ((f, Path(p)) for f, p in outputs):
        clash = next(((f, p) for f, p in sources if same_file(out, p) or _inside(out, p)), None)
        if clash is not None:
            where = "is" if same_file(out, clash[1]) else "is inside"
            problems.add(flag, None, "", f"{out} {where} the input {clash[1]} ({clash[0]}): writing it would destroy "
                         "that input", "write the output elsewhere")
        elif (twin := next((f for f, p in written if same_file(out, p)), None)) is not None:
            problems.add(flag, None, "", f"{out} is also the output of {twin}: one would overwrite the other",
                         "give each output its own path")
        written.append((flag, out))
