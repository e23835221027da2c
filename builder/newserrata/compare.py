"""`newserrata compare`: several systems on one split, a leaderboard and a paired bootstrap test per pair.

The gold is read once and every predictions file is scored on it in the same pass, so the systems'
per-record rows line up and one resample of source documents serves them all: the differences of a
resample compare the systems on identical data. Definitions (the p-value exactly): docs/scoring.md,
"Comparing systems".
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from newserrata.metrics import REGISTRY, headline
from newserrata.scoring import Columns, Report, Scored, Session, bootstrap_rows
from newserrata.scoring.format import describe
from newserrata.scoring_stats import percentile_interval


@dataclass
class Comparison:
    gold: str
    records: int
    groups: int
    bootstrap: int
    seed: int
    resample: str
    mqm_per: int | None
    subset: dict[str, Any]
    sort: str
    systems: list[dict[str, Any]]
    leaderboard: list[str]
    pairs: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def table(self) -> str:
        unit = "source documents (group_id)" if self.resample == "groups" else "records"
        lines = [f"{self.gold}: {self.records} record(s) of {self.groups} source document(s); paired bootstrap, "
                 f"{self.bootstrap} resamples of {unit}, seed {self.seed}", "", "leaderboard (by " + self.sort + ")"]
        width = max([len(s["name"]) for s in self.systems] + [6]) + 2
        names = headline()
        if self.subset:
            lines.insert(1, f"subset: {describe(self.subset)}")
        lines.append(f"{'system':<{width}}" + "".join(f"{n[:14]:>15}" for n in names))
        by_name = {s["name"]: s for s in self.systems}
        for name in self.leaderboard:
            lines.append(f"{name:<{width}}" + "".join(f"{_fmt(by_name[name]['metrics'][n]):>15}" for n in names))
        for pair in self.pairs:
            lines += ["", f"{pair['a']} - {pair['b']}",
                      f"{'metric':<20}{'difference':>11}   {'95% interval':<22}{'p':>8}"]
            for name, d in pair["metrics"].items():
                ci = "n/a" if d["interval"] is None else f"[{_fmt(d['interval'][0])}, {_fmt(d['interval'][1])}]"
                lines.append(f"{name:<20}{_fmt(d['difference']):>11}   {ci:<22}{_fmt(d['p']):>8}")
        return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def p_value(differences: Any) -> float | None:
    """Two-sided bootstrap sign test with the +1 correction over the resamples defining the difference."""
    d = np.asarray(differences, dtype=float)
    d = d[~np.isnan(d)]
    if not len(d):
        return None
    tail = min(int((d <= 0).sum()), int((d >= 0).sum())) + 1
    return min(1.0, 2 * tail / (len(d) + 1))


def difference(a: float | None, b: float | None, samples_a: Any, samples_b: Any) -> dict[str, Any]:
    d = samples_a - samples_b
    defined = int((~(d != d)).sum())  # NaN != NaN
    return {"a": a, "b": b, "difference": None if a is None or b is None else a - b,
            "interval": percentile_interval(d), "p": p_value(d), "resamples": defined}


def ranked(reports: list[tuple[str, Report]], sort: str) -> list[str]:
    """Names best first by `sort` (its direction from the registry); undefined values last, ties in given order."""
    sign = -1 if REGISTRY[sort].higher_is_better else 1
    order = sorted(range(len(reports)), key=lambda i: (reports[i][1].metrics[sort] is None,
                                                        sign * (reports[i][1].metrics[sort] or 0.0), i))
    return [reports[i][0] for i in order]


def compare(scored: list[tuple[str, str, Scored]], *, gold_name: str, session: Session, sort: str = "char_f1",
            vs_first: bool = False) -> Comparison:
    """Every system's report and the paired differences of the headline metrics; `scored` is (name, file,
    rows) in the gold's order."""
    options = session.options
    names = headline()
    reports = [(name, session.report(s, gold_name, bootstrap=False)) for name, _, s in scored]
    columns = [Columns(s.rows, options.resample) for _, _, s in scored]
    samples = bootstrap_rows(columns, options.bootstrap, options.seed) if options.bootstrap else []

    systems = []
    for i, ((name, file, s), (_, report)) in enumerate(zip(scored, reports, strict=True)):
        intervals = {m: percentile_interval(samples[i].get(m, ())) for m in names} if samples else {}
        systems.append({"name": name, "file": file, "missing": s.missing, "ignored": s.ignored,
                        "metrics": report.metrics, "macro": report.macro, "intervals": intervals,
                        "undefined": report.undefined})
    pairs = []
    chosen = [(0, j) for j in range(1, len(scored))] if vs_first else itertools.combinations(range(len(scored)), 2)
    empty = np.zeros(0)
    for i, j in chosen:
        a, b = reports[i][1].metrics, reports[j][1].metrics
        metrics = {m: difference(a[m], b[m], samples[i].get(m, empty), samples[j].get(m, empty)) if samples else
                   {"a": a[m], "b": b[m], "difference": None if a[m] is None or b[m] is None else a[m] - b[m],
                    "interval": None, "p": None, "resamples": 0} for m in names}
        pairs.append({"a": reports[i][0], "b": reports[j][0], "metrics": metrics})
    first = reports[0][1] if reports else None
    return Comparison(gold_name, first.records if first else 0, first.groups if first else 0, options.bootstrap,
                      options.seed, options.resample, options.mqm_per, options.subset, sort, systems,
                      ranked(reports, sort), pairs)


def names(files: list[str]) -> list[str]:
    """Each file's stem, or its whole path where two stems clash."""
    stems = [Path(f).stem for f in files]
    return [stem if stems.count(stem) == 1 else f for stem, f in zip(stems, files, strict=True)]
