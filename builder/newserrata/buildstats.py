"""Counts and a bounded sample gathered while records stream past, for the terminal summary, the card,
the datasheet and the report: nothing after the records step reads the written release back."""

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

    @classmethod
    def of(cls, record: Record) -> Facts:
        return cls(len(record.text), record.has_error, [(s.category, s.severity) for s in record.spans],
                   record.mqm_score, sum(len(a.spans) for a in record.annotations),
                   [(f"{record.source}/{a.annotator_id}", a.annotator_kind) for a in record.annotations],
                   record.agreement,
                   alpha_of(record), record.language, record.source_language, record.system)


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

    def merge(self, other: Tally) -> None:
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
                total.merge(tally)
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


class Sample:
    """The `limit` published rows with the smallest sha256 of their id, with their split: the same
    records whatever order they arrive in, a record once in stays in when others are added, and
    memory is bounded by `limit`. The report embeds it and the card's baselines are scored on it.
    Rows are kept pickled: one flat bytes object each, which the garbage collector never walks and
    which leaves no scattered small blocks behind when a row is pushed out; otherwise holding them
    slows the whole records step down."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.heap: list[tuple[int, int, bytes, str]] = []  # largest hash on top, as its negation
        self.seen = 0

    def add(self, row: dict[str, Any], split: str) -> None:
        key = -int.from_bytes(hashlib.sha256(row["id"].encode("utf-8")).digest())
        self.seen += 1
        if len(self.heap) < self.limit:
            heapq.heappush(self.heap, (key, self.seen, pickle.dumps(row, protocol=5), split))
        elif key > self.heap[0][0]:
            heapq.heapreplace(self.heap, (key, self.seen, pickle.dumps(row, protocol=5), split))

    def rows(self) -> list[tuple[dict[str, Any], str]]:
        """In the order of the written default config: by split, then by id."""
        return sorted(((pickle.loads(row), split) for _, _, row, split in self.heap), key=lambda p: (p[1], p[0]["id"]))
