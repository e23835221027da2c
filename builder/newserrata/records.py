"""Records in motion: the dataclasses every stage passes along, and their JSON shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Span:
    """An annotator's span; gold spans leave original_category and note as None."""

    start: int
    end: int
    text: str
    category: str
    severity: str
    original_category: str | None = None
    note: str | None = None

    def to_label_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "category": self.category,
            "severity": self.severity,
            "original_category": self.original_category,
            "note": self.note,
        }

    def to_gold_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "category": self.category,
            "severity": self.severity,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Span:
        return cls(
            d["start"],
            d["end"],
            d["text"],
            d["category"],
            d["severity"],
            d.get("original_category"),
            d.get("note"),
        )


@dataclass(frozen=True, slots=True)
class SoftLabel:
    start: int
    end: int
    prob: float

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "prob": self.prob}


@dataclass(frozen=True, slots=True)
class Segment:
    """A rated segment of a segment-level corpus; source offsets point into source_text."""

    start: int
    end: int
    source_start: int | None = None
    source_end: int | None = None
    mqm_score: float | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """A judge's yes/no on the whole text, kept beside the spans when a corpus asked for one: it checks
    the span labels from the outside, so judges keep their own ids and are not merged with annotators."""

    annotator_id: str
    has_error: bool
    original_label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"annotator_id": self.annotator_id, "has_error": self.has_error, "original_label": self.original_label}


@dataclass(frozen=True, slots=True)
class Metadata:
    """Facts of the text's making that a corpus recorded (what an LLM was told or said to do), kept apart
    from the labels because no person gave them."""

    edit_types: tuple[str, ...] | None = None
    topic: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"edit_types": None if self.edit_types is None else list(self.edit_types), "topic": self.topic}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Metadata:
        d = d or {}
        edit_types = d.get("edit_types")
        return cls(None if edit_types is None else tuple(edit_types), d.get("topic"))


@dataclass(slots=True)
class Annotation:
    annotator_id: str
    annotator_kind: str
    spans: list[Span]
    source_spans: list[Span] = field(default_factory=list)
    no_errors: bool = False
    mqm_score: float = 0.0


@dataclass(slots=True)
class Record:
    """One article with its labels. Sources fill the raw fields; `aggregate` fills the derived ones."""

    id: str
    group_id: str
    source: str
    language: str
    text: str
    annotations: list[Annotation]
    license: str
    source_text: str | None = None
    source_id: str | None = None
    source_sha256: str | None = None
    source_language: str | None = None
    system: str | None = None
    process: str = "unknown"
    domain: str | None = "news"
    title: str | None = None
    url: str | None = None
    date: str | None = None
    segments: list[Segment] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    soft_labels: list[SoftLabel] = field(default_factory=list)
    agreement: float | None = None
    mqm_score: float = 0.0
    source_issue_weight: float = 0.0
    has_error: bool = False
    localised: bool = True
    metadata: Metadata = field(default_factory=Metadata)

    @property
    def num_annotators(self) -> int:
        return len(self.annotations)

    def to_dict(self) -> dict[str, Any]:
        """The published shape; key order is fixed so serialised bytes are reproducible."""
        return {
            "id": self.id,
            "group_id": self.group_id,
            "source": self.source,
            "domain": self.domain,
            "language": self.language,
            "source_language": self.source_language,
            "process": self.process,
            "system": self.system,
            "title": self.title,
            "url": self.url,
            "date": self.date,
            "text": self.text,
            "source_text": self.source_text,
            "source_id": self.source_id,
            "source_sha256": self.source_sha256,
            "segments": [
                {
                    "start": s.start,
                    "end": s.end,
                    "source_start": s.source_start,
                    "source_end": s.source_end,
                    "mqm_score": s.mqm_score,
                }
                for s in self.segments
            ],
            "spans": [s.to_gold_dict() for s in self.spans],
            "soft_labels": [s.to_dict() for s in self.soft_labels],
            "annotations": [
                {
                    "annotator_id": a.annotator_id,
                    "annotator_kind": a.annotator_kind,
                    "no_errors": a.no_errors,
                    "mqm_score": a.mqm_score,
                    "spans": [s.to_label_dict() for s in a.spans],
                    "source_spans": [s.to_label_dict() for s in a.source_spans],
                }
                for a in self.annotations
            ],
            "verdicts": [v.to_dict() for v in self.verdicts],
            "num_annotators": self.num_annotators,
            "agreement": self.agreement,
            "mqm_score": self.mqm_score,
            "source_issue_weight": self.source_issue_weight,
            "has_error": self.has_error,
            "localised": self.localised,
            "license": self.license,
            "metadata": self.metadata.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Record:
        return cls(
            id=d["id"],
            group_id=d["group_id"],
            source=d["source"],
            language=d["language"],
            text=d["text"],
            license=d["license"],
            annotations=[
                Annotation(
                    a["annotator_id"],
                    a["annotator_kind"],
                    [Span.from_dict(s) for s in a["spans"]],
                    [Span.from_dict(s) for s in a.get("source_spans") or []],
                    bool(a.get("no_errors")),
                    a.get("mqm_score", 0.0),
                )
                for a in d["annotations"]
            ],
            source_text=d.get("source_text"),
            source_id=d.get("source_id"),
            source_sha256=d.get("source_sha256"),
            source_language=d.get("source_language"),
            system=d.get("system"),
            process=d.get("process", "unknown"),
            domain=d.get("domain"),
            title=d.get("title"),
            url=d.get("url"),
            date=d.get("date"),
            segments=[Segment(**s) for s in d.get("segments") or []],
            verdicts=[Verdict(v["annotator_id"], v["has_error"], v.get("original_label"))
                      for v in d.get("verdicts") or []],
            spans=[Span.from_dict(s) for s in d.get("spans") or []],
            soft_labels=[SoftLabel(**s) for s in d.get("soft_labels") or []],
            agreement=d.get("agreement"),
            mqm_score=d.get("mqm_score", 0.0),
            source_issue_weight=d.get("source_issue_weight", 0.0),
            has_error=bool(d.get("has_error")),
            localised=d.get("localised", True),
            metadata=Metadata.from_dict(d.get("metadata")),
        )
