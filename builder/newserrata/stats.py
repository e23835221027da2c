"""Counts and a bounded sample gathered while records stream past: the one statistics path behind the
build's terminal summary, the card, the datasheet and the report page, whether the records come from a
build being written or from a release read back by `newserrata report`."""

from __future__ import annotations

import hashlib
import heapq
import pickle
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from newserrata.aggregate import Alpha
from newserrata.records import Record


@dataclass(frozen=True, slots=True)
class Facts:
    """What one record adds to a tally, computed once for the four tallies it enters."""

    characters: int
    has_error: bool
    spans: list[tuple[str, str]]
    mqm_score: float
    annotator_spans: int
    annotators: list[tuple[str, str]]
    agreement: float | None
    alpha: Alpha
    language: str
    source_language: str | None
    system: str | None
    process: str
    localised: bool

    @classmethod
    def of(cls, record: Record) -> Facts:
        return cls(len(record.text), record.has_error, [(s.category, s.severity) for s in record.spans],
                   record.mqm_score, sum(len(a.spans) for a in record.annotations),
                   [(f"{record.source}/{a.annotator_id}", a.annotator_kind) for a in record.annotations],
                   record.agreement,
                   alpha_of(record), record.language, record.source_language, record.system, record.process,
                   record.localised)


@dataclass
class Tally:
    """Everything the card and datasheet say about one slice of the data (a split, a source, or both)."""

    records: int = 0
    characters: int = 0
    with_error: int = 0
    spans: Counter[tuple[str, str]] = field(default_factory=Counter)
    annotator_spans: int = 0
    annotations: int = 0
    annotators: dict[str, str] = field(default_factory=dict)  # "<source>/<annotator_id>": kind; ids are per source
    agreement_sum: float = 0.0
    agreement_count: int = 0
    mqm_sum: float = 0.0
    alpha: Alpha = field(default_factory=Alpha)
    text_languages: set[str] = field(default_factory=set)
    source_languages: set[str] = field(default_factory=set)
    systems: set[str] = field(default_factory=set)
    processes: Counter[str] = field(default_factory=Counter)
    not_localised: int = 0

    def add(self, facts: Facts) -> None:
        self.records += 1
        self.characters += facts.characters
        self.with_error += facts.has_error
        self.spans.update(facts.spans)
        self.mqm_sum += facts.mqm_score
        self.annotator_spans += facts.annotator_spans
        self.annotations += len(facts.annotators)
        self.annotators.update(facts.annotators)
        if facts.agreement is not None:
            self.agreement_sum += facts.agreement
            self.agreement_count += 1
        self.alpha.pairable += facts.alpha.pairable
        self.alpha.ones += facts.alpha.ones
        self.alpha.disagreement += facts.alpha.disagreement
        if facts.language:
            self.text_languages.add(facts.language)
        if facts.source_language:
            self.source_languages.add(facts.source_language)
        if facts.system:
            self.systems.add(facts.system)
        self.processes[facts.process] += 1
        self.not_localised += not facts.localised

    def combine(self, other: Tally) -> None:
        self.records += other.records
        self.characters += other.characters
        self.with_error += other.with_error
        self.spans.update(other.spans)
        self.annotator_spans += other.annotator_spans
        self.annotations += other.annotations
        self.annotators.update(other.annotators)
        self.agreement_sum += other.agreement_sum
        self.agreement_count += other.agreement_count
        self.mqm_sum += other.mqm_sum
        self.alpha.pairable += other.alpha.pairable
        self.alpha.ones += other.alpha.ones
        self.alpha.disagreement += other.alpha.disagreement
        self.text_languages.update(other.text_languages)
        self.source_languages.update(other.source_languages)
        self.systems.update(other.systems)
        self.processes.update(other.processes)
        self.not_localised += other.not_localised

    @property
    def languages(self) -> set[str]:
        """Languages of the texts and of what they were written from."""
        return self.text_languages | self.source_languages

    @property
    def annotator_kinds(self) -> Counter[str]:
        return Counter(self.annotators.values())

    @property
    def agreement(self) -> float | None:
        return self.agreement_sum / self.agreement_count if self.agreement_count else None

    def summary(self) -> dict[str, Any]:
        alpha = self.alpha.value()
        return {
            "records": self.records,
            "characters": self.characters,
            "records_with_error": self.with_error,
            "spans": sum(self.spans.values()),
            "annotator_spans": self.annotator_spans,
            "annotators": len(self.annotators),
            "mean_pairwise_iou": None if self.agreement is None else round(self.agreement, 4),
            "krippendorff_alpha": None if alpha is None else round(alpha, 4),
            "mean_mqm_score": round(self.mqm_sum / self.records, 4) if self.records else None,
        }


def alpha_of(record: Record) -> Alpha:
    """A record's contribution to Krippendorff's alpha, read off its soft labels (prob = k / m) instead of
    recomputing every annotator's coverage: the same sums as `Alpha.add`, at a fraction of the cost."""
    alpha = Alpha()
    m = record.num_annotators
    if m < 2:
        return alpha
    alpha.pairable = float(len(record.text) * m)
    for label in record.soft_labels:
        k = round(label.prob * m)
        length = label.end - label.start
        alpha.ones += length * k
        alpha.disagreement += length * k * (m - k) / (m - 1)
    return alpha


@dataclass
class Stats:
    """Tallies per (split, source); '*' stands for all splits or all sources, summed when asked for."""

    tallies: dict[tuple[str, str], Tally] = field(default_factory=dict)

    def add(self, record: Record, split: str) -> None:
        key = (split, record.source)
        tally = self.tallies.get(key)
        if tally is None:
            tally = self.tallies[key] = Tally()
        tally.add(Facts.of(record))

    def get(self, split: str = "*", source: str = "*") -> Tally:
        if split != "*" and source != "*":
            return self.tallies.get((split, source)) or Tally()
        total = Tally()
        for (s, src), tally in self.tallies.items():
            if split in ("*", s) and source in ("*", src):
                total.combine(tally)
        return total

    def to_dict(self, splits: list[str], sources: list[str]) -> dict[str, Any]:
        return {
            "total": self.get().summary(),
            "splits": {s: self.get(s).summary() for s in splits},
            "sources": {
                src: {"total": self.get("*", src).summary()} | {s: self.get(s, src).summary() for s in splits}
                for src in sources
            },
        }

    def page_summary(self) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """The report page's summary and facets (sources, systems, splits) over every record added."""
        sources = {source: self.get("*", source) for source in sorted({source for _, source in self.tallies})}
        splits = sorted({split for split, _ in self.tallies})
        total = self.get()
        counts = sorted((source, split, category, severity, n) for (split, source), tally in self.tallies.items()
                        for (category, severity), n in tally.spans.items() if n)
        summary = {
            "records": total.records,
            "spans": sum(total.spans.values()),
            "with_errors": total.with_error,
            "annotators": len(total.annotators),
            "multi": total.agreement_count,
            "agreement": rounded(total.agreement),
            "characters": total.characters,
            "sources": [{
                "name": name,
                "records": t.records,
                "annotators": len(t.annotators),
                "per_record": rounded(t.annotations / t.records, 2),
                "spans": sum(t.spans.values()),
                "with_errors": t.with_error,
                "agreement": rounded(t.agreement),
                "alpha": rounded(t.alpha.value()),
                "mqm": rounded(t.mqm_sum / t.records, 2),
                "languages": sorted(t.text_languages),
            } for name, t in sources.items()],
            "splits": [{"name": split, "records": self.get(split).records} for split in splits],
            "counts": [list(row) for row in counts],
        }
        return summary, {"source": list(sources), "system": sorted(total.systems), "split": [s for s in splits if s]}


def rounded(value: float | None, digits: int = 4) -> float | None:
    """Rounded for the page, with -0.0 made 0.0."""
    return None if value is None else round(value, digits) + 0.0


def id_key(record_id: str) -> bytes:
    """The sample key of a record without a score: its place is fixed by its id alone."""
    return hashlib.sha256(record_id.encode("utf-8")).digest()


class _Largest:
    """A sample key ordered backwards, so the heap's top is the largest key, the first to drop out."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key

    def __lt__(self, other: _Largest) -> bool:
        return other.key < self.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Largest) and self.key == other.key

    __hash__ = None  # type: ignore[assignment]


class Sample:
    """The `limit` items with the smallest keys (ties: the earlier item), returned in arrival order: the same
    items whatever else arrives around them, an item once in stays in when items with larger keys are
    added, and memory is bounded by `limit`. Items are kept pickled: one flat bytes object each, which the
    garbage collector never walks and which leaves no scattered small blocks behind when an item is pushed
    out; otherwise holding them slows the whole build's records step down."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.heap: list[tuple[_Largest, int, bytes]] = []
        self.seen = 0

    def add(self, key: Any, item: Any) -> None:
        self.seen += 1
        if len(self.heap) < self.limit:
            heapq.heappush(self.heap, (_Largest(key), -self.seen, pickle.dumps(item, protocol=5)))
        elif key < self.heap[0][0].key:
            heapq.heapreplace(self.heap, (_Largest(key), -self.seen, pickle.dumps(item, protocol=5)))

    def items(self) -> list[Any]:
        return [pickle.loads(blob) for _, _, blob in sorted(self.heap, key=lambda entry: -entry[1])]
