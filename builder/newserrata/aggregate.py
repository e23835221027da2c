"""Many annotators to one record: soft labels, gold spans, agreement and the MQM score.

Everything works on sorted interval runs rather than per-character arrays, so the cost
grows with the number of spans, not with the length of the article.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass

from newserrata.records import Annotation, Record, SoftLabel, Span
from newserrata.taxonomy import CATEGORY_ORDER, counts_as_error, weight

Interval = tuple[int, int]


def merge(intervals: list[Interval]) -> list[Interval]:
    """Union of half-open intervals as sorted, disjoint, non-touching runs; empty ones vanish."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def covered(annotation: Annotation) -> list[Interval]:
    """Characters this annotator marks as an error (major/minor, not source issues)."""
    return merge([(s.start, s.end) for s in annotation.spans if counts_as_error(s.category, s.severity)])


def coverage_runs(per_annotator: list[list[Interval]], length: int) -> list[tuple[int, int, int]]:
    """(start, end, k): consecutive runs over [0, length) where exactly k annotators cover each character."""
    events: dict[int, int] = {}
    for runs in per_annotator:
        for start, end in runs:
            events[start] = events.get(start, 0) + 1
            events[end] = events.get(end, 0) - 1
    out: list[tuple[int, int, int]] = []
    position, depth = 0, 0
    for point in sorted(events):
        if point > position:
            out.append((position, point, depth))
        position, depth = point, depth + events[point]
    if length > position:
        out.append((position, length, depth))
    return [r for r in out if r[1] > r[0]]


def soft_labels(per_annotator: list[list[Interval]], length: int) -> list[SoftLabel]:
    n = len(per_annotator)
    runs: list[list[float]] = []
    for start, end, k in coverage_runs(per_annotator, length):
        if not k:
            continue
        prob = k / n
        if runs and runs[-1][1] == start and runs[-1][2] == prob:
            runs[-1][1] = end
        else:
            runs.append([start, end, prob])
    return [SoftLabel(start, end, prob) for start, end, prob in runs]


def _majority(spans: list[Span]) -> tuple[str, str]:
    severities: dict[str, int] = {}
    categories: dict[str, int] = {}
    for span in spans:
        severities[span.severity] = severities.get(span.severity, 0) + 1
        categories[span.category] = categories.get(span.category, 0) + 1
    severity = max(severities, key=lambda s: (severities[s], s == "major"))
    category = min(categories, key=lambda c: (-categories[c], CATEGORY_ORDER[c]))
    return category, severity


def gold_spans(text: str, annotations: list[Annotation], labels: list[SoftLabel]) -> list[Span]:
    """Runs of prob > 0.5, labelled by the majority of the annotator spans they overlap."""
    runs = merge([(s.start, s.end) for s in labels if s.prob > 0.5])
    voters = [s for a in annotations for s in a.spans if s.end > s.start and counts_as_error(s.category, s.severity)]
    out = []
    for start, end in runs:
        overlapping = [s for s in voters if s.start < end and s.end > start]
        category, severity = _majority(overlapping)
        out.append(Span(start, end, text[start:end], category, severity))
    return out


def _overlap(a: list[Interval], b: list[Interval]) -> int:
    """Shared characters of two merged run lists, in one merge-like pass (every record pays for it)."""
    total, i, j, na, nb = 0, 0, 0, len(a), len(b)
    while i < na and j < nb:
        a_start, a_end = a[i]
        b_start, b_end = b[j]
        low = a_start if a_start > b_start else b_start
        high = a_end if a_end < b_end else b_end
        if high > low:
            total += high - low
        if a_end < b_end:
            i += 1
        else:
            j += 1
    return total


def iou(a: list[Interval], b: list[Interval]) -> float:
    """Character IoU of two merged run lists; two empty sets agree perfectly."""
    inter = _overlap(a, b)
    union = sum(e - s for s, e in a) + sum(e - s for s, e in b) - inter
    return inter / union if union else 1.0


def pairwise_agreement(per_annotator: list[list[Interval]]) -> float | None:
    """Mean of `iou` over all pairs (same value, same summation order); run lengths are summed once."""
    sizes = [sum(e - s for s, e in runs) for runs in per_annotator]
    total, pairs = 0.0, 0
    for i, j in itertools.combinations(range(len(per_annotator)), 2):
        inter = _overlap(per_annotator[i], per_annotator[j])
        union = sizes[i] + sizes[j] - inter
        total += inter / union if union else 1.0
        pairs += 1
    return total / pairs if pairs else None


def annotation_score(annotation: Annotation, source_issue_weight: float = 0.0) -> float:
    total = sum(weight(s.category, s.severity, source_issue_weight) for s in annotation.spans + annotation.source_spans)
    return -round(total, 6) + 0.0


def aggregate(record: Record) -> Record:
    """Fill the derived fields of a record from its annotations."""
    annotations = [Annotation(annotator_id=a.annotator_id, annotator_kind=a.annotator_kind, spans=a.spans,
                              source_spans=a.source_spans, no_errors=a.no_errors,
                              mqm_score=annotation_score(a, record.source_issue_weight))
                   for a in record.annotations]
    per_annotator = [covered(a) for a in annotations]
    labels = soft_labels(per_annotator, len(record.text))
    spans = gold_spans(record.text, annotations, labels)
    mean = sum(a.mqm_score for a in annotations) / len(annotations) if annotations else 0.0
    return dataclasses.replace(
        record,
        annotations=annotations,
        soft_labels=labels,
        spans=spans,
        agreement=pairwise_agreement(per_annotator),
        mqm_score=round(mean, 6) + 0.0,
        has_error=bool(spans) if record.localised else _verdict_says_wrong(record),
    )


def _verdict_says_wrong(record: Record) -> bool:
    """Without localised spans, the people who judged the whole text decide: most of them said it is wrong."""
    return sum(v.has_error for v in record.verdicts) * 2 > len(record.verdicts)


@dataclass
class Alpha:
    """Krippendorff's alpha, nominal, at character level (covered / not covered), accumulated
    record by record so a whole source streams through in constant memory."""

    pairable: float = 0.0
    ones: float = 0.0
    disagreement: float = 0.0

    def add(self, record: Record) -> None:
        m = record.num_annotators
        if m < 2:
            return
        for start, end, k in coverage_runs([covered(a) for a in record.annotations], len(record.text)):
            length = end - start
            self.pairable += length * m
            self.ones += length * k
            self.disagreement += length * k * (m - k) / (m - 1)

    def value(self) -> float | None:
        zeros = self.pairable - self.ones
        if self.pairable < 2 or not zeros or not self.ones:
            return None
        return 1.0 - (self.pairable - 1) * self.disagreement / (zeros * self.ones)
