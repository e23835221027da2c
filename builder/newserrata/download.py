"""Pinned remote inputs: fetched once into a user cache, trusted only after their sha256 and size match.

A release must rebuild byte for byte, so a download is accepted only when it is exactly the file the
release recipe pins. Anything else (a truncated transfer, a changed upstream file, a corrupted cache)
is removed and reported; nothing unverified ever reaches the build.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlparse

from tqdm import tqdm

from newserrata.errors import InputError, Problem
from newserrata.manifest import file_digest
from newserrata.paths import NotRegularFile, check_readable

CHUNK = 1 << 16
TIMEOUT = 60.0


def default_cache_dir() -> Path:
    """$NEWSERRATA_CACHE, else $XDG_CACHE_HOME/newserrata, else ~/.cache/newserrata."""
    if os.environ.get("NEWSERRATA_CACHE"):
        return Path(os.environ["NEWSERRATA_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newserrata"


def _error(where: str, message: str, hint: str) -> InputError:
    return InputError([Problem(where, None, "", message, hint)])


def _mismatch(path: Path, sha256: str, size: int) -> str | None:
    """How the file differs from its pin, naming both values; None when it is the pinned file."""
    if path.stat().st_size != size:
        return f"its size is {path.stat().st_size} bytes, the pin says {size}"
    got = file_digest(path).sha256
    return None if got == sha256 else f"its sha256 is {got}, the pin says {sha256}"


def cached_path(url: str, sha256: str, cache_dir: Path) -> Path:
    """Where a pinned file lives in the cache: its hash names the folder, the URL's file name the file,
    so two pins never collide and importers still see the original name."""
    name = Path(unquote(urlparse(url).path)).name or "download"
    return cache_dir / sha256 / name


def fetch(url: str, sha256: str, size: int, *, cache_dir: Path | None = None, offline: bool = False,
          local_file: Path | None = None, progress: bool = True, name: str | None = None) -> Path:
    """The verified local path of a pinned file: `local_file` if given, else the cache, else a download.

    `name` is the release source name, used in messages that say how to supply the file by hand.
    """
    label = name or Path(urlparse(url).path).name
    supply = f"--source-file {name or 'NAME'}=PATH"
    if local_file is not None:
        local_file = Path(local_file)
        try:
            check_readable(local_file)
        except NotRegularFile as exc:
            raise _error(str(local_file), str(exc.strerror), f"{exc.hint}: the {label} file, for {supply}") from None
        if not local_file.is_file():
            what = "is a folder, not a file" if local_file.is_dir() else "no such file"
            raise _error(str(local_file), what, f"give the path of the {label} file to {supply}")
        wrong = _mismatch(local_file, sha256, size)
        if wrong:
            raise _error(str(local_file), f"not the pinned file for {label}: {wrong}",
                         f"either the pin of {label} in the release file or this file is wrong: check the pin, or "
                         f"download {url} again and pass it with {supply}")
        _keep(local_file, cached_path(url, sha256, Path(cache_dir) if cache_dir is not None else default_cache_dir()))
        return local_file
    target = cached_path(url, sha256, Path(cache_dir) if cache_dir is not None else default_cache_dir())
    if target.is_file():
        if _mismatch(target, sha256, size) is None:
            return target
        target.unlink()
    if offline:
        raise _error(label, f"not in the cache ({target}) and downloads are off",
                     f"download {url} yourself and pass it with {supply}, or run without --offline")
    _download(url, sha256, size, target, progress, label, supply)
    return target


def _keep(local_file: Path, target: Path) -> None:
    """A verified file supplied by hand goes into the cache too, so the next build finds it offline. A cache
    that cannot be written is no reason to fail the build: the file is used from where it is."""
    if target.is_file():
        return
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        with os.fdopen(fd, "wb") as out, open(local_file, "rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
        os.replace(tmp, target)
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _download(url: str, sha256: str, size: int, target: Path, progress: bool, label: str, supply: str) -> None:
    """Stream into a temporary file beside the target, hashing on the way; rename only when it matches."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    h, got = hashlib.sha256(), 0
    bar = None
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "newserrata"})
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            if progress:
                bar = tqdm(total=size, unit="B", unit_scale=True, desc=f"download {label}", file=sys.stderr,
                           leave=False)
            while block := response.read(CHUNK):
                out.write(block)
                h.update(block)
                got += len(block)
                if bar is not None:
                    bar.update(len(block))
                if got > size:
                    break
        if got < size:
            raise _error(url, f"download of {label} was cut short ({got} of {size} bytes); the file was removed",
                         f"try again, or download it yourself and pass {supply}")
        if got > size:
            raise _error(url, f"download of {label} is larger than pinned (more than {got - 1} bytes, expected "
                         f"{size}); the file was removed", "the upstream file changed: check the URL and the pin in "
                         f"data/release.toml, or pass a good copy with {supply}")
        if h.hexdigest() != sha256:
            raise _error(url, f"download of {label} has sha256 {h.hexdigest()}, expected {sha256}; the file was "
                         "removed", "the upstream file changed or the transfer was corrupted: check the URL "
                         f"and the pin in data/release.toml, or pass a good copy with {supply}")
        os.replace(tmp, target)
    except http.client.IncompleteRead as exc:
        raise _error(url, f"download of {label} was cut short ({got + len(exc.partial)} of {size} bytes); the file "
                     "was removed", f"try again, or download it yourself and pass {supply}") from None
    except urllib.error.HTTPError as exc:
        raise _error(url, f"download of {label} failed: HTTP {exc.code} {exc.reason}",
                     f"check the URL, or download it yourself and pass {supply}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise _error(url, f"download of {label} failed: {reason}",
                     f"check the network, or download it yourself and pass {supply}") from None
    finally:
        if bar is not None:
            bar.close()
        Path(tmp).unlink(missing_ok=True)
