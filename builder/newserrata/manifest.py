"""MANIFEST.json and the release lock: what a version is made of, pinned byte for byte.

The lock pins outputs, not tool versions: a rebuild that produces other bytes, for whatever
reason, is a different dataset and needs a different version number.
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from newserrata.atomic import write_bytes
from newserrata.errors import InputError, Problem, Problems
from newserrata.jsonl import Each, read_json
from newserrata.paths import open_input

MANIFEST = "MANIFEST.json"
TOOLS = ("newserrata", "pyarrow", "datasets", "huggingface-hub", "jsonschema-rs")


@dataclass(frozen=True, slots=True)
class Digest:
    sha256: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "size": self.size}


def file_digest(path: Path) -> Digest:
    h = hashlib.sha256()
    size = 0
    with open_input(path) as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return Digest(h.hexdigest(), size)


def tree_digest(files: list[tuple[str, Path]]) -> Digest:
    """One digest for a folder input: sha256 over sorted 'sha256 size name' lines of its files."""
    lines, size = [], 0
    for name, path in sorted(files):
        d = file_digest(path)
        lines.append(f"{d.sha256} {d.size} {name}\n")
        size += d.size
    return Digest(hashlib.sha256("".join(lines).encode()).hexdigest(), size)


def output_files(folder: Path) -> dict[str, Digest]:
    return {p.relative_to(folder).as_posix(): file_digest(p)
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST}


def tools() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in TOOLS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def dump(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_manifest(folder: Path, name: str, version: str, missing: list[str], inputs: dict[str, Digest],
                   duplicates: list[dict[str, str]] | None = None,
                   sources: dict[str, dict[str, Any]] | None = None) -> None:
    """`sources` is what each source's reader met (SourceLog.as_dict): its counts, among them the spans
    realigned or dropped by each rule, so that a version says what it left out and why."""
    manifest = {
        "name": name,
        "version": version,
        "partial": bool(missing),
        "missing_sources": missing,
        "duplicates_left_out": duplicates or [],
        "sources": sources or {},
        "files": {k: v.to_dict() for k, v in output_files(folder).items()},
        "inputs": {k: v.to_dict() for k, v in sorted(inputs.items())},
        "tools": tools(),
    }
    write_bytes(folder / MANIFEST, dump(manifest))


def lock_data(version: str, inputs: dict[str, Digest], folder: Path) -> dict[str, Any]:
    return {
        "version": version,
        "inputs": {k: v.to_dict() for k, v in sorted(inputs.items())},
        "outputs": {k: v.sha256 for k, v in output_files(folder).items()},
    }


def write_lock(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(exist_ok=True)
    write_bytes(path, dump(data))


LOCK_RESTORE_HINT = "restore it from version control"
DIGEST_SHAPE = {"sha256": str, "size": int}
LOCK_SHAPE = {"version": str, "inputs": Each(DIGEST_SHAPE), "outputs": Each(str)}
MANIFEST_SHAPE = {"version": str, "partial": bool, "missing_sources": Each(str, list), "files": Each(DIGEST_SHAPE)}


def read_lock(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    problems = Problems()
    data = read_json(path, problems, shape=LOCK_SHAPE, fix=LOCK_RESTORE_HINT)
    problems.raise_if_any()
    return data


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    out = [f"{k} changed" for k in sorted(old.keys() & new.keys()) if old[k] != new[k]]
    out += [f"{k} added" for k in sorted(new.keys() - old.keys())]
    out += [f"{k} removed" for k in sorted(old.keys() - new.keys())]
    return out


def check_lock(path: Path, lock: dict[str, Any], built: dict[str, Any]) -> list[str]:
    """Notes on inputs that changed without changing any output; InputError when an output changed."""
    outputs = _changes(lock["outputs"], built["outputs"])
    inputs = _changes(lock.get("inputs", {}), built["inputs"])
    if outputs:
        problems = [Problem(str(path), None, "/outputs", f"version {built['version']} is locked and this build "
                            f"differs: {change}", "bump the version in the release file (data/release.toml)")
                    for change in outputs]
        problems += [Problem(str(path), None, "/inputs", f"input {change}", "bump the version") for change in inputs]
        raise InputError(problems)
    return [f"input {c}, outputs unchanged" for c in inputs]
