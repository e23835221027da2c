"""The report of one scored predictions file, and how it reads in a terminal."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from newserrata.metrics import MIN_SUPPORT, headline, registered

DOCUMENT_COLUMNS = ("auroc", "balanced_accuracy", "kendall", "pearson")
"""Per-source document metrics shown with their class counts."""

MACRO_MIN_RECORDS = 50
"""A source enters the macro averages with at least this many records: a one-article source must not weigh as
much as a corpus of thousands."""


@dataclass
class Report:
    """Everything `newserrata score` prints; None marks a value that is undefined for this data."""

    gold: str
    records: int
    missing: int
    metrics: dict[str, float | None]
    counts: dict[str, int | float]
    per_category: dict[str, dict[str, float | None]]
    per_source: dict[str, dict[str, float | None]]
    intervals: dict[str, list[float] | None] = field(default_factory=dict)
    bootstrap: int = 0
    seed: int = 0
    undefined: dict[str, str] = field(default_factory=dict)
    macro: dict[str, float | None] = field(default_factory=dict)
    resample: str = "groups"
    groups: int = 0
    document_from: dict[str, dict[str, int]] = field(default_factory=dict)
    mqm_per: int | None = None
    macro_sources: list[str] = field(default_factory=list)
    source_intervals: dict[str, dict[str, list[float] | None]] = field(default_factory=dict)
    subset: dict[str, Any] = field(default_factory=dict)
    ignored: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def table(self) -> str:
        lines = [f"{self.gold}: {self.records} record(s) of {self.groups} source document(s), {self.missing} "
                 "scored as empty (no prediction)", self.notes(), ""]
        lines.append(f"{'metric':<20}{'micro':>9}{'macro':>9}" + ("   95% interval" if self.intervals else ""))
        names = headline()
        others = [m.name for m in registered() if m.name not in names]
        for group in (names, others):
            for name in group:
                interval = self.intervals.get(name)
                ci = f"   [{_fmt(interval[0])}, {_fmt(interval[1])}]" if interval else ""
                lines.append(f"{name:<20}{_fmt(self.metrics.get(name)):>9}{_fmt(self.macro.get(name)):>9}{ci}")
            lines.append("")
        lines.append(f"{'empty-vs-empty':<20}{int(self.counts['empty_both']):>9}   records left out of record_iou")
        lines += ["", f"{'source':<24}{'records':>8}{'char_f1':>9}{'sev_f1':>9}{'shr_iou':>9}{'rec_iou':>9}"]
        for name, m in self.per_source.items():
            lines.append(f"{name:<24}{int(m['records'] or 0):>8}{_fmt(m['char_f1']):>9}{_fmt(m['char_f1_sev']):>9}"
                         f"{_fmt(m['shroom_iou']):>9}{_fmt(m['record_iou']):>9}")
        lines += ["", f"document level per source (n/a: fewer than {MIN_SUPPORT} records of a class for AUROC and "
                  f"balanced accuracy, fewer than {MIN_SUPPORT} records for the correlations)",
                  f"{'source':<24}{'errors':>7}{'clean':>7}"
                  + "".join(f"{SHORT.get(n, n):>24}" for n in DOCUMENT_COLUMNS)]
        for name, m in self.per_source.items():
            cells = "".join(f"{self._cell(name, metric):>24}" for metric in DOCUMENT_COLUMNS)
            lines.append(f"{name:<24}{int(m['with_error'] or 0):>7}{int(m['without_error'] or 0):>7}{cells}")
        lines += ["", f"{'gold category':<26}{'chars':>8}{'recall':>9}{'pred chars':>12}{'precision':>10}"]
        for name, c in self.per_category.items():
            lines.append(f"{name:<26}{int(c['gold_chars'] or 0):>8}{_fmt(c['recall']):>9}"
                         f"{int(c['predicted_chars'] or 0):>12}{_fmt(c['precision']):>10}")
        return "\n".join(lines)

    def _cell(self, source: str, metric: str) -> str:
        value = _fmt(self.per_source[source].get(metric))
        interval = self.source_intervals.get(source, {}).get(metric)
        return f"{value} [{interval[0]:.2f}, {interval[1]:.2f}]" if interval else value

    def notes(self) -> str:
        """The subset, where the document-level inputs came from, how MQM is scaled, what the macro averages
        cover and what the bootstrap resampled."""
        n, doc = self.records, self.document_from
        verdicts, scores = doc.get("has_error", {}).get("verdict", 0), doc.get("score", {}).get("prediction", 0)
        notes = []
        if self.subset:
            notes.append(f"subset: {describe(self.subset)}; {self.ignored} prediction(s) for records outside it "
                         "ignored")
        notes.append(f"document has_error: {verdicts} from predicted verdicts, {n - verdicts} from spans; "
                     f"document score: {scores} predicted, {n - scores} from spans")
        skipped = int(self.counts.get("not_localised", 0))
        if skipped:
            notes.append(f"{skipped} record(s) with a whole-text verdict but no span location: left out of the "
                         "character and span metrics, kept in the document metrics")
        notes.append(f"macro: mean over the {len(self.macro_sources)} source(s) with at least {MACRO_MIN_RECORDS} "
                     "records of the per-source values" + (f" ({', '.join(self.macro_sources)})"
                                                           if self.macro_sources else ""))
        if self.mqm_per:
            notes.append(f"MQM badness per {self.mqm_per} characters")
        if self.bootstrap:
            unit = "source documents (group_id)" if self.resample == "groups" else "records"
            notes.append(f"95% intervals: {self.bootstrap} resamples of {unit}, seed {self.seed}")
        return "\n".join(notes)


def describe(subset: dict[str, Any]) -> str:
    """`source wmt23-zhen; exclude-human`: the filters as their flags read."""
    return "; ".join(k.replace("_", "-") + ("" if v is True else " " + ", ".join(v)) for k, v in subset.items())


SHORT = {"balanced_accuracy": "bal_acc"}
"""Column headings narrower than the metric's name."""


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"
