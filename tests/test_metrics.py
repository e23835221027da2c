"""The metric registry is the one declaration of every metric: the scorer, the baselines table, the card,
the lm-evaluation-harness task and the scoring docs all follow it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml
from scoring_fixtures import record

from newserrata import metrics
from newserrata.metrics import REGISTRY, Metric, register_metric, registered
from newserrata.scoring import score

ROOT = Path(__file__).resolve().parents[1]
INTEGRATION = ROOT / "integrations" / "lm_eval"
DOCS = ROOT / "docs" / "scoring.md"


def docs_sections() -> dict[str, str]:
    """docs/scoring.md's level-2 sections by heading."""
    parts = re.split(r"^## (.+)$", DOCS.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_registered_metric_is_defined_in_its_docs_section() -> None:
    sections = docs_sections()
    for metric in registered():
        assert metric.section.heading in sections, metric.name
        assert re.search(rf"\b{metric.name}\b", metric.section.heading + sections[metric.section.heading]), metric.name


def test_lm_eval_yaml_lists_exactly_the_registry_harness_metrics() -> None:
    config = yaml.safe_load((INTEGRATION / "newserrata.yaml").read_text(encoding="utf-8").replace("!function", ""))
    harness = [m for m in registered() if m.in_harness]
    assert [m["metric"] for m in config["metric_list"]] == [m.name for m in harness]
    for entry, metric in zip(config["metric_list"], harness, strict=True):
        assert entry["aggregation"] == f"utils.{metric.name}"
        assert entry["higher_is_better"] is metric.higher_is_better


def test_lm_eval_utils_has_an_aggregation_per_harness_metric() -> None:
    sys.path.insert(0, str(INTEGRATION))
    try:
        import utils
    finally:
        sys.path.remove(str(INTEGRATION))
    items = [(record("r", "abcdef", [[(0, 3, "other", "major")]]), [{"start": 0, "end": 3, "severity": "major"}])]
    assert utils.METRICS == tuple(m.name for m in registered() if m.in_harness)
    for name in utils.METRICS:
        assert getattr(utils, name).__name__ == name
        assert getattr(utils, name)(items) == 1.0


def test_the_scorer_reports_every_registered_metric_in_registry_order() -> None:
    report = score([], [])
    assert list(report.metrics) == [m.name for m in registered()]


def test_only_a_few_metrics_are_headline_and_they_lead_the_table() -> None:
    names = metrics.headline()
    assert names == ("char_f1", "char_f1_sev", "record_iou", "auroc_within", "kendall_within")
    table = score([record("r", "abcdef", [[(0, 3, "other", "major")]])], [{"id": "r", "spans": []}]).table()
    lines = table.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("metric")) + 1
    assert tuple(line.split()[0] for line in lines[first:first + len(names)]) == names


def test_a_metric_registered_later_is_computed_everywhere() -> None:
    late = Metric("matched_chars_late", "Matched", "matched characters", metrics.CHARACTER,
                  lambda c: c.matched, "never", headline=True)
    register_metric(late)
    try:
        report = score([record("r", "abcdef", [[(0, 3, "other", "major")]])],
                       [{"id": "r", "spans": [{"start": 0, "end": 2}]}], bootstrap=20)
        assert report.metrics["matched_chars_late"] == 2.0
        assert report.intervals["matched_chars_late"] is not None
        assert "matched_chars_late" in metrics.headline() and "matched_chars_late" in report.table()
    finally:
        del REGISTRY["matched_chars_late"]


def test_the_card_has_one_row_per_section_naming_its_card_metrics() -> None:
    rows = dict(metrics.card_rows())
    for section in metrics.SECTIONS:
        names = ", ".join(m.name for m in registered() if m.section is section and m.in_card)
        assert rows[section.card_name or names] == section.card
    assert len(rows) == len(metrics.SECTIONS)


def test_a_metric_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="char_f1"):
        register_metric(Metric("char_f1", "x", "x", metrics.CHARACTER, lambda c: None, "never"))
