"""data/release.toml: the one recipe a version is built from, checked before any work starts.

Every problem names the file and the key, so a maintainer can fix the recipe without
reading code; all problems are reported at once.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from newserrata.errors import Problems

KINDS = ("native", "wmt-mqm")
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")

DATASET_KEYS = {"name": str, "version": str, "salt": str, "pretty_name": str, "hub_repo": str}
SOURCE_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str, "kind": str, "path": str, "url": str, "sha256": str, "size": int, "member": str,
    "domain": str, "source_language": str, "target_language": str, "license": str, "citation": str,
    "homepage": str, "description": str, "enabled": bool,
}
SOURCE_REQUIRED = ("name", "kind", "license", "citation", "enabled")


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    kind: str
    license: str
    citation: str
    enabled: bool
    path: Path | None = None
    url: str | None = None
    sha256: str | None = None
    size: int | None = None
    member: str | None = None
    domain: str | None = "news"
    source_language: str | None = None
    target_language: str | None = None
    homepage: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Release:
    file: Path
    name: str
    version: str
    salt: str
    pretty_name: str
    hub_repo: str
    splits: dict[str, float]
    sources: list[Source] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        """Relative source paths and data/releases/ live beside the release file."""
        return self.file.parent

    def lock_path(self) -> Path:
        return self.folder / "releases" / f"{self.version}.lock.json"

    def enabled(self) -> list[Source]:
        return [s for s in self.sources if s.enabled]


def _typed(table: dict[str, Any], keys: dict[str, Any], where: str, file: str, problems: Problems) -> None:
    for key, value in table.items():
        if key not in keys:
            problems.add(file, None, f"{where}.{key}", f"unknown key {key!r}",
                         f"allowed keys: {', '.join(keys)}")
        elif not isinstance(value, keys[key]) or (keys[key] is int and isinstance(value, bool)):
            problems.add(file, None, f"{where}.{key}", f"expected {keys[key].__name__}, got {type(value).__name__}",
                         "fix the value's type")


def _dataset(data: Any, file: str, problems: Problems) -> dict[str, Any]:
    if not isinstance(data, dict):
        problems.add(file, None, "dataset", "missing [dataset] table", "add [dataset] with " + ", ".join(DATASET_KEYS))
        return {}
    _typed(data, DATASET_KEYS, "dataset", file, problems)
    for key in DATASET_KEYS:
        if key not in data:
            problems.add(file, None, f"dataset.{key}", "missing", f"add {key} = \"...\" under [dataset]")
    version = data.get("version")
    if isinstance(version, str) and not SEMVER.match(version):
        problems.add(file, None, "dataset.version", f"{version!r} is not MAJOR.MINOR.PATCH", "e.g. version = \"1.0.0\"")
    if isinstance(data.get("salt"), str) and len(data["salt"]) < 16:
        problems.add(file, None, "dataset.salt", "too short to be a random salt", "use 16 or more random characters")
    return data


def _splits(data: Any, file: str, problems: Problems) -> dict[str, float]:
    if not isinstance(data, dict) or not data:
        problems.add(file, None, "splits", "missing [splits] table", "e.g. validation = 0.3 and test = 0.7")
        return {}
    out: dict[str, float] = {}
    for name, fraction in data.items():
        if not NAME.match(name):
            problems.add(file, None, f"splits.{name}", "split names are lower-case letters, digits, - and _",
                         "rename the split")
        if isinstance(fraction, bool) or not isinstance(fraction, int | float) or not 0 < fraction <= 1:
            problems.add(file, None, f"splits.{name}", f"fraction {fraction!r} is not a number in (0, 1]",
                         "give each split its share of the groups")
            continue
        out[name] = float(fraction)
    if out and abs(sum(out.values()) - 1) > 1e-9:
        problems.add(file, None, "splits", f"fractions sum to {sum(out.values())}, not 1", "make them add up to 1")
    return out


def _source(i: int, data: Any, folder: Path, file: str, problems: Problems) -> Source | None:
    where = f"sources[{i}]"
    if not isinstance(data, dict):
        problems.add(file, None, where, "each [[sources]] entry must be a table", "use [[sources]] blocks")
        return None
    found = len(problems)
    _typed(data, SOURCE_KEYS, where, file, problems)
    for key in SOURCE_REQUIRED:
        if key not in data:
            problems.add(file, None, f"{where}.{key}", "missing", f"add {key} to this [[sources]] entry")
    if len(problems) > found:
        return None
    if not NAME.match(data["name"]):
        problems.add(file, None, f"{where}.name", f"{data['name']!r} is not a valid config name",
                     "lower-case letters, digits, - and _")
    if data["kind"] not in KINDS:
        problems.add(file, None, f"{where}.kind", f"unknown kind {data['kind']!r}", f"one of {', '.join(KINDS)}")
    if ("path" in data) == ("url" in data):
        problems.add(file, None, where, "give exactly one of path (a local folder or file) and url",
                     "path = \"...\" relative to the release file, or url with sha256 and size")
    if "url" in data:
        if not SHA256.match(data.get("sha256", "")):
            problems.add(file, None, f"{where}.sha256", "a url needs the file's sha256 (64 lower-case hex digits)",
                         "pin the download: sha256sum FILE")
        if not isinstance(data.get("size"), int) or data["size"] <= 0:
            problems.add(file, None, f"{where}.size", "a url needs the file's size in bytes", "stat -c %s FILE")
    if len(problems) > found:
        return None
    values = dict(data)
    if "path" in values:
        values["path"] = (folder / values["path"]).resolve()
    return Source(**values)


def load(path: Path) -> Release:
    """The release recipe, or InputError listing every problem with its key."""
    path = Path(path)
    file = str(path)
    problems = Problems()
    try:
        text = path.read_bytes().decode("utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        problems.add(file, None, "", f"cannot read release file: {exc.strerror}", "pass --release PATH")
        problems.raise_if_any()
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        at = re.search(r"at line (\d+)", str(exc))
        problems.add(file, int(at[1]) if at else None, "", f"not valid TOML: {exc}", "fix the syntax")
        problems.raise_if_any()
    for key in data:
        if key not in ("dataset", "splits", "sources"):
            problems.add(file, None, key, f"unknown table {key!r}", "allowed: [dataset], [splits], [[sources]]")
    dataset = _dataset(data.get("dataset"), file, problems)
    splits = _splits(data.get("splits"), file, problems)
    raw_sources = data.get("sources")
    if not isinstance(raw_sources, list) or not raw_sources:
        problems.add(file, None, "sources", "no [[sources]] entries", "add at least one [[sources]] block")
        raw_sources = []
    numbered = [(i, s) for i, d in enumerate(raw_sources) if (s := _source(i, d, path.parent, file, problems))]
    sources = [source for _, source in numbered]
    seen: set[str] = set()
    for i, source in numbered:
        if source.name in seen or source.name == "default":
            problems.add(file, None, f"sources[{i}].name", f"name {source.name!r} is taken",
                         "source names are unique and not 'default' (they become config names)")
        seen.add(source.name)
    problems[:] = [p if p.line is not None else replace(p, line=key_line(text, p.pointer)) for p in problems]
    problems.raise_if_any()
    return Release(path.resolve(), dataset["name"], dataset["version"], dataset["salt"], dataset["pretty_name"],
                   dataset["hub_repo"], splits, sources)


def key_line(text: str, pointer: str) -> int | None:
    """The line of a key such as `sources[1].url` (or of its table when the key is missing), so that a
    problem reads file:line like every other input error. Plain `key = value` lines only: enough for
    a hand-written recipe; anything else falls back to the table's header."""
    found = re.fullmatch(r"([A-Za-z0-9_-]+)(?:\[(\d+)\])?(?:\.([A-Za-z0-9_-]+))?", pointer)
    if found is None:
        return None
    table, index, key = found.groups()
    lines = text.split("\n")
    header = re.compile(rf"\s*\[\[?\s*{re.escape(table)}\s*\]\]?\s*(#.*)?")
    starts = [n for n, line in enumerate(lines) if header.fullmatch(line)]
    if index is not None:
        starts = starts[int(index):int(index) + 1]
    if not starts:
        return None
    if key is not None:
        assignment = re.compile(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for n in range(starts[0] + 1, len(lines)):
            if lines[n].lstrip().startswith("["):
                break
            if assignment.match(lines[n]):
                return n + 1
    return starts[0] + 1
