"""Giving records back the source texts we may not publish, from the user's own copy, checked by digest.

A record whose source text is not ours to redistribute carries `source_id` (the document upstream) and
`source_sha256` (the digest of the exact text the build saw) instead. Hydrating attaches a text only when
its digest is that one: a copy that differs in a single character (another scrape, a repaired encoding)
is not the text the labels were made against, and a detector judged against it would be judged on
something else. Records without a digest (the build never saw the text) stay without text too.

The work is two passes: `plan` reads the few fields that matter and decides, per source, what can be
filled; `apply` then writes the verified texts into full rows. A `datasets.Dataset` goes through `map`,
so the two lines after `load_dataset` are enough.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newserrata.errors import Problems
from newserrata.sourcetexts import read_texts
from newserrata.text import text_digest

SHOWN = 10
"""Ids named per list in messages and the summary; the rest are counted."""
FIELDS = ("source", "source_id", "source_sha256", "source_text")
Verified = dict[tuple[str, str], str]


def named(ids: Iterable[str], shown: int = SHOWN) -> str:
    ordered = sorted(ids)
    more = len(ordered) - shown
    return ", ".join(ordered[:shown]) + (f" and {more} more" if more > 0 else "")


@dataclass
class SourceCoverage:
    """One source's documents to fill (records with a source_id and no source_text) and what became of them."""

    records: int = 0
    records_filled: int = 0
    documents: set[str] = field(default_factory=set)
    filled: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    """No text for the id in the copies given."""
    mismatched: set[str] = field(default_factory=set)
    """A text whose sha256 is not the record's: not attached."""
    undigested: set[str] = field(default_factory=set)
    """A text is there, but the record has no source_sha256 to check it against: not attached."""

    def to_dict(self) -> dict[str, Any]:
        return {"documents": len(self.documents), "documents_filled": len(self.filled), "records": self.records,
                "records_filled": self.records_filled, "missing": sorted(self.missing),
                "mismatched": sorted(self.mismatched), "no_source_sha256": sorted(self.undigested)}

    def line(self, source: str) -> str:
        text = (f"{source}: {len(self.filled)}/{len(self.documents)} source documents "
                f"({self.records_filled}/{self.records} records)")
        for ids, what in ((self.missing, "no text in the copies given"),
                          (self.mismatched, "sha256 differs, not attached"),
                          (self.undigested, "no source_sha256 to check against, not attached")):
            if ids:
                text += f"; {what}: {named(ids)}"
        return text


@dataclass
class Coverage:
    """What a hydration filled, per source, and how many texts each copy gave."""

    texts: dict[str, int] = field(default_factory=dict)
    sources: dict[str, SourceCoverage] = field(default_factory=dict)

    @property
    def records_filled(self) -> int:
        return sum(s.records_filled for s in self.sources.values())

    @property
    def records(self) -> int:
        return sum(s.records for s in self.sources.values())

    def to_dict(self) -> dict[str, Any]:
        return {"texts": self.texts, "records": self.records, "records_filled": self.records_filled,
                "sources": {name: s.to_dict() for name, s in sorted(self.sources.items())}}

    def lines(self) -> list[str]:
        return [s.line(name) for name, s in sorted(self.sources.items())]


def load_texts(copies: Mapping[str, str] | str | Path | Iterable[str | Path], coverage: Coverage, problems: Problems,
               format: str | None = None) -> dict[str, str]:
    """{source_id: text} from a mapping, or from one or more files of a registered format. Two copies that
    disagree on an id's text are refused: which one is the source cannot be told from here."""
    if isinstance(copies, Mapping):
        coverage.texts["<mapping>"] = len(copies)
        return dict(copies)
    paths = [copies] if isinstance(copies, str | Path) else list(copies)
    merged: dict[str, tuple[str, str]] = {}
    for path in map(Path, paths):
        texts = read_texts(path, problems, format)
        coverage.texts[str(path)] = len(texts)
        for key, text in texts.items():
            if key in merged and merged[key][0] != text:
                problems.add(str(path), None, key, f"the text of {key} differs from the one in {merged[key][1]}",
                             "give copies of the same dataset")
            merged.setdefault(key, (text, str(path)))
    return {key: text for key, (text, _) in merged.items()}


def plan(rows: Iterable[Mapping[str, Any]], texts: Mapping[str, str], coverage: Coverage) -> Verified:
    """The texts that may be attached, keyed by (source_id, source_sha256), with the coverage counted."""
    digests: dict[str, str] = {}
    verified: Verified = {}
    for row in rows:
        key, digest = row.get("source_id"), row.get("source_sha256")
        if key is None or row.get("source_text") is not None:
            continue
        source = coverage.sources.setdefault(row.get("source") or "", SourceCoverage())
        source.records += 1
        source.documents.add(key)
        if key not in texts:
            source.missing.add(key)
        elif digest is None:
            source.undigested.add(key)
        elif digests.setdefault(key, text_digest(texts[key])) != digest:
            source.mismatched.add(key)
        else:
            source.filled.add(key)
            source.records_filled += 1
            verified[(key, digest)] = texts[key]
    return verified


def check(coverage: Coverage, where: str, problems: Problems, *, skip_mismatched: bool) -> None:
    """A copy whose texts differ from the digests is not the source: stop, unless told to write the rest."""
    for name, source in sorted(coverage.sources.items()):
        if source.mismatched and not skip_mismatched:
            problems.add(where, None, "/source_text", f"{len(source.mismatched)} source text(s) of {name} differ "
                         f"from the records' source_sha256: {named(source.mismatched)}",
                         "use an unmodified copy of the pinned input (docs/sources.md), or pass --skip-mismatched "
                         "(skip_mismatched=True) to leave these without text")


def apply(row: Mapping[str, Any], verified: Verified) -> dict[str, Any]:
    """The row with its verified source text; any other row unchanged."""
    out = dict(row)
    if out.get("source_text") is None:
        text = verified.get((out.get("source_id"), out.get("source_sha256")))  # type: ignore[arg-type]
        if text is not None:
            out["source_text"] = text
    return out


def hydrate(data: Any, texts: Mapping[str, str] | str | Path | Iterable[str | Path], *, skip_mismatched: bool = False,
            format: str | None = None, coverage: Coverage | None = None) -> Any:
    """`data` with `source_text` attached where the user's copy holds the exact text.

    data: a `datasets.Dataset` or `DatasetDict` (as `load_dataset` returns), or an iterable of record dicts
    (returned as a list). texts: {source_id: text}, or the path(s) of copies in a registered format (the
    AggreFact-Unified xlsx, the Hugging Face XSum split as parquet/jsonl/csv, ...). Raises InputError when a
    text differs from its record's digest (unless skip_mismatched) or a copy cannot be read; pass a
    `Coverage()` as `coverage` to learn what was filled.
    """
    import datasets

    coverage = coverage if coverage is not None else Coverage()
    problems = Problems()
    by_id = load_texts(texts, coverage, problems, format)
    problems.raise_if_any()
    if isinstance(data, datasets.DatasetDict):
        parts = list(data.values())
    elif isinstance(data, datasets.Dataset):
        parts = [data]
    else:
        data = list(data)
        parts = []
    rows: Iterable[Mapping[str, Any]] = (_slim(parts) if parts else data)
    verified = plan(rows, by_id, coverage)
    check(coverage, "<records>", problems, skip_mismatched=skip_mismatched)
    problems.raise_if_any()

    def fill(row: dict[str, Any]) -> dict[str, Any]:
        return {"source_text": apply(row, verified)["source_text"]}

    if isinstance(data, datasets.DatasetDict):
        return datasets.DatasetDict({name: split.map(fill, desc=f"hydrate {name}") for name, split in data.items()})
    if isinstance(data, datasets.Dataset):
        return data.map(fill, desc="hydrate")
    return [apply(row, verified) for row in data]


def _slim(parts: list[Any]) -> Iterator[Mapping[str, Any]]:
    """Only the fields `plan` reads, so a pass over a large split does not decode every text."""
    for part in parts:
        yield from part.select_columns([c for c in FIELDS if c in part.column_names])
