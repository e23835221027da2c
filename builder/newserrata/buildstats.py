"""Counts gathered while records stream past, for the terminal summary, the card and the datasheet."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from newserrata.aggregate import Alpha
from newserrata.records import Record


@dataclass
class Tally:
    """Everything the card and datasheet say about one slice of the data (a split, a source, or both)."""

    records: int = 0
    characters: int = 0
    with_error: int = 0
    spans: Counter[tuple[str, str]] = field(default_factory=Counter)
    annotator_spans: int = 0
    annotators: set[str] = field(default_factory=set)
    annotator_kinds: Counter[str] = field(default_factory=Counter)
    agreement_sum: float = 0.0
    agreement_count: int = 0
    mqm_sum: float = 0.0
    alpha: Alpha = field(default_factory=Alpha)
    languages: set[str] = field(default_factory=set)

    def add(self, record: Record, alpha: Alpha) -> None:
        """`alpha` is the record's own contribution, computed once for the four tallies it enters."""
        self.records += 1
        self.characters += len(record.text)
        self.with_error += record.has_error
        self.spans.update((s.category, s.severity) for s in record.spans)
        self.mqm_sum += record.mqm_score
        for annotation in record.annotations:
            self.annotator_spans += len(annotation.spans)
            if annotation.annotator_id not in self.annotators:
                self.annotators.add(annotation.annotator_id)
                self.annotator_kinds[annotation.annotator_kind] += 1
        if record.agreement is not None:
            self.agreement_sum += record.agreement
            self.agreement_count += 1
        self.alpha.pairable += alpha.pairable
        self.alpha.ones += alpha.ones
        self.alpha.disagreement += alpha.disagreement
        self.languages.add(record.language)
        if record.source_language:
            self.languages.add(record.source_language)

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


@dataclass
class Stats:
    """Tallies keyed by (split, source); '*' stands for all splits or all sources."""

    tallies: dict[tuple[str, str], Tally] = field(default_factory=dict)

    def add(self, record: Record, split: str) -> None:
        alpha = Alpha()
        alpha.add(record)
        for key in ((split, record.source), (split, "*"), ("*", record.source), ("*", "*")):
            tally = self.tallies.get(key)
            if tally is None:
                tally = self.tallies[key] = Tally()
            tally.add(record, alpha)

    def get(self, split: str = "*", source: str = "*") -> Tally:
        return self.tallies.get((split, source)) or Tally()

    def to_dict(self, splits: list[str], sources: list[str]) -> dict[str, Any]:
        return {
            "total": self.get().summary(),
            "splits": {s: self.get(s).summary() for s in splits},
            "sources": {
                src: {"total": self.get("*", src).summary()} | {s: self.get(s, src).summary() for s in splits}
                for src in sources
            },
        }
