"""Outputs appear whole or not at all: a failed run never leaves a partial file behind.

An output that cannot be written (a missing folder, a folder or a device in the way, no permission,
a full disk) raises OSError naming the output path; the CLI reports it as bad input (exit 2). No
folder is ever created here: a mistyped path must not grow a tree of folders.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import BinaryIO


@cache
def _file_mode() -> int:
    """What open() would give a new file: mkstemp makes it 0600, which would leave outputs unreadable to others."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _check_target(path: Path) -> None:
    """Refuse before writing anything; renaming onto a device (/dev/full) or a folder must never be tried."""
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if path.exists() and not path.is_file():
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    if not path.parent.is_dir():
        blocker = next((p for p in path.parents if p.exists()), None)
        if blocker is not None and not blocker.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(blocker))
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path.parent))


@contextmanager
def _about(path: Path) -> Iterator[None]:
    """An OSError of the temporary file is reported as one of the output it stands for."""
    try:
        yield
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None


class _Output:
    """The temporary file, with its write errors (a full disk) naming the output rather than the temporary."""

    def __init__(self, file: BinaryIO, path: Path) -> None:
        self.file, self.path = file, path

    def write(self, data: bytes) -> int:
        with _about(self.path):
            return self.file.write(data)


@contextmanager
def atomic_write(path: Path) -> Iterator[_Output]:
    """Write to a temporary file beside `path`, rename it into place only on success."""
    path = Path(path)
    _check_target(path)
    with _about(path):
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            yield _Output(out, path)
            with _about(path):
                out.flush()
                os.fchmod(out.fileno(), _file_mode())
                os.fsync(out.fileno())
        with _about(path):
            os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes(path: Path, data: bytes) -> None:
    with atomic_write(path) as out:
        out.write(data)
