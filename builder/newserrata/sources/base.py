"""What a source kind is: the one interface every importer implements, and the registry that finds them.

A kind names itself, declares the release-file keys it takes (with types and defaults, so the
release file is checked per kind), says whether its input is a pinned remote file or a local
folder, and reads its inputs into un-aggregated records. Everything else (release checking,
downloading and caching, the build, the card, `newserrata import`) asks the registry, so adding a
kind is one new module in this package that calls `register`.
"""

from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from newserrata.records import Record

MAIN = ""


@dataclass(frozen=True, slots=True)
class Option:
    """One release-file key of one kind. `default` None with `required` False means "may be left out"."""

    name: str
    type: type
    help: str
    default: Any = None
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Pin:
    """A remote file a source is built from, pinned by digest and size. `role` is MAIN for the file the
    source's own url names; a kind that needs more files names them (`--source-file NAME:ROLE=PATH`)."""

    role: str
    url: str
    sha256: str
    size: int

    @property
    def file_name(self) -> str:
        return self.url.rsplit("/", 1)[-1]

    def key(self, source: str) -> str:
        """How the build names this file of `source`: in --source-file, in messages and in the lock's inputs."""
        return source if self.role == MAIN else f"{source}:{self.role}"


@dataclass(frozen=True, slots=True)
class Source:
    """One [[sources]] entry of the release file: the keys every kind has, and the kind's own keys (defaults
    filled in). It lives beside the kinds, which read it, so that release.py (which checks and builds these
    from the file) depends on the sources package and not the other way round."""

    name: str
    kind: str
    license: str
    citation: str
    enabled: bool
    path: Path | None = None
    url: str | None = None
    sha256: str | None = None
    size: int | None = None
    domain: str | None = "news"
    homepage: str | None = None
    description: str | None = None
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def importer(self) -> SourceKind:
        return kinds()[self.kind]


@dataclass(frozen=True, slots=True)
class Provenance:
    """What the datasheet and the card say of a source, declared by its kind so that a new kind cannot
    enter the benchmark undescribed. Counts (records, languages, annotator kinds, drops by rule) are not
    declared here: they are read off the records and the SourceLog, so they cannot drift."""

    labelled_by: str
    """Who made the labels, in words: "crowd workers (Amazon Mechanical Turk)", "professional translators"."""
    people: str
    """How many distinct people, where known, and why not where unknown (per-row slots are not people)."""
    self_contained: str
    """"yes", or "no: ..." saying what a record lacks and how a user completes it."""
    inputs: tuple[tuple[str, str], ...]
    """(input, license or terms) for every input the records come from: labels, texts, source texts."""
    mapping: tuple[tuple[str, str], ...] = ()
    """(the corpus' own label, what NewsErrata makes of it), in the corpus' terms."""
    notes: tuple[str, ...] = ()
    """Other things a user must know to use the source right (controls, dropped parts and why)."""
    ids_are_people: bool = True
    """False when annotation ids are not people: slots (wid_0..wid_2 restarting per item), or one annotation
    joining several raters' shares of a document; such ids are never counted as annotators."""


@dataclass
class SourceLog:
    """What a reader met on its way: counted quirks and drops, and a few facts worth showing (a file's
    layout, its language pair). The build summary and the datasheet print it per source."""

    counts: Counter[str] = field(default_factory=Counter)
    facts: dict[str, str] = field(default_factory=dict)
    strict: bool = False
    """Refuse upstream artifacts a reader would otherwise realign or drop and count (`--strict`)."""

    def as_dict(self) -> dict[str, Any]:
        return {**self.facts, **dict(sorted(self.counts.items()))}


def artifacts(counts: Mapping[str, Any]) -> str:
    """The upstream artifacts a reader realigned or dropped, as one line of a summary ("" if none): the
    counts named `spans_realigned_<rule>` and `spans_dropped_<reason>` of its SourceLog."""
    def said(prefix: str, what: str) -> str:
        found = {k.removeprefix(prefix): v for k, v in sorted(counts.items()) if k.startswith(prefix) and v}
        reasons = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in found.items())
        return f"{sum(found.values())} spans {what}" + (f" ({reasons})" if found else "")

    if not any(k.startswith(("spans_realigned_", "spans_dropped_")) and v for k, v in counts.items()):
        return ""
    return f"{said('spans_realigned_', 'realigned')}, {said('spans_dropped_', 'dropped')}"


class SourceKind(ABC):
    """One input format. Subclasses set the class attributes and implement `read`."""

    name: ClassVar[str]
    description: ClassVar[str]
    options: ClassVar[tuple[Option, ...]] = ()
    # "file": the source is one or more remote files pinned by url, sha256 and size (downloaded and
    # cached); "folder": a local folder given by path, pinned by the digest of its files.
    input: ClassVar[str] = "file"
    # Further pinned files a "file" source needs besides its main one: each ROLE takes the release keys
    # ROLE_url, ROLE_sha256 and ROLE_size, and `--source-file NAME:ROLE=PATH`.
    extra_files: ClassVar[tuple[str, ...]] = ()
    # True when the records are the dataset's own (the card's `source_datasets` says "original").
    original: ClassVar[bool] = False
    # `newserrata import KIND`: other names for the sub-command, and the license its output says by default.
    aliases: ClassVar[tuple[str, ...]] = ()
    default_license: ClassVar[str] = "other"

    def pins(self, source: Source) -> list[Pin]:
        """Every remote file of a "file" source: the main one from the source's url, then the extra ones."""
        assert source.url is not None and source.sha256 is not None and source.size is not None
        extra = [Pin(role, source.options[f"{role}_url"], source.options[f"{role}_sha256"],
                     source.options[f"{role}_size"]) for role in self.extra_files]
        return [Pin(MAIN, source.url, source.sha256, source.size), *extra]

    def default_name(self, path: Path) -> str:
        """The source name `newserrata import` gives records of a file when none is given."""
        stem = path.name.split(".", 1)[0].lower()
        return "".join(c if c.isalnum() or c in "-_" else "-" for c in stem).strip("-_") or self.name

    def files(self, folder: Path) -> list[tuple[str, Path]]:
        """The files of a "folder" source that its records are read from, by relative path: their digest
        pins the source's input in the lock."""
        return []

    @abstractmethod
    def provenance(self, source: Source) -> Provenance:
        """Who labelled this source's records and under what terms: the datasheet's section on it."""

    @abstractmethod
    def read(self, source: Source, inputs: Mapping[str, Path], log: SourceLog) -> Iterator[Record]:
        """Un-aggregated records of one source. `inputs` maps each pin's role to a local file (or MAIN to
        the folder of a "folder" source). Raise InputError for bad input before yielding anything bad."""


_REGISTRY: dict[str, SourceKind] = {}
_discovered = False


def register(cls: type[SourceKind]) -> type[SourceKind]:
    """Class decorator: make a kind known by its name (a second kind of the same name is a bug)."""
    existing = _REGISTRY.get(cls.name)
    if existing is not None and type(existing) is not cls:
        raise ValueError(f"source kind {cls.name!r} is registered twice ({type(existing).__name__}, {cls.__name__})")
    _REGISTRY[cls.name] = cls()
    return cls


def _discover() -> None:
    """Import every module of this package once, so that each kind registers itself."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    package = importlib.import_module("newserrata.sources")
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"newserrata.sources.{module.name}")


def kinds() -> Mapping[str, SourceKind]:
    _discover()
    return dict(sorted(_REGISTRY.items()))
