"""Hostile numbers in predictions: huge scores are scored correctly, non-finite ones are refused, and the
JSON the scorer and the report write is always valid (null plus a reason where a metric is undefined)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from scoring_fixtures import record, write_jsonl

import newserrata
from newserrata.cli import main
from newserrata.errors import InputError


def gold() -> list[dict[str, Any]]:
    """Three records with gold badness 0, 1 and 5 (clean, one minor error, one major error)."""
    return [record("a", "All fine here.", [[]]),
            record("b", "A smal slip.", [[(2, 6, "fluency/spelling", "minor")]]),
            record("c", "Putin met Putin.", [[(10, 15, "accuracy/entity", "major")]])]


def scored(scores: list[float]) -> dict[str, float | None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning is a wrong number in disguise
        return newserrata.score(gold(), [{"id": r["id"], "spans": [], "score": s}
                                         for r, s in zip(gold(), scores, strict=True)]).metrics


def strict_json(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_scores_at_the_edge_of_the_float_range_correlate_correctly() -> None:
    metrics = scored([-1e308, 0.0, 1e308])
    assert metrics["pearson"] == pytest.approx(scored([-1.0, 0.0, 1.0])["pearson"])
    assert metrics["kendall"] == 1.0 and metrics["auroc"] == 1.0


def test_large_scores_give_the_same_correlation_as_small_ones() -> None:
    assert scored([1e200, 2e200, 3e200])["pearson"] == pytest.approx(scored([1.0, 2.0, 3.0])["pearson"])
    assert scored([1e-200, 2e-200, 3e-200])["pearson"] == pytest.approx(scored([1.0, 2.0, 3.0])["pearson"])


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_a_non_finite_score_is_refused_with_its_line(tmp_path: Path, literal: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    gold_file = write_jsonl(tmp_path / "gold.jsonl", gold())
    predictions = tmp_path / "pred.jsonl"
    predictions.write_text('{"id": "a", "spans": []}\n'
                           f'{{"id": "b", "spans": [], "score": {literal}}}\n'
                           '{"id": "c", "spans": []}\n', encoding="utf-8")
    assert main(["score", "--gold", str(gold_file), "--predictions", str(predictions), "--json", "-"]) == 2
    err = capsys.readouterr().err
    assert f"{predictions}:2: /score: {literal.replace('1e999', 'Infinity')} is not a finite number" in err


def test_json_output_is_valid_with_null_and_a_reason_for_undefined_metrics(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold_file = write_jsonl(tmp_path / "gold.jsonl", gold())
    predictions = write_jsonl(tmp_path / "pred.jsonl", [{"id": r["id"], "spans": [], "score": s}
                                                        for r, s in zip(gold(), [1e308, -1e308, 1e308],
                                                                        strict=True)])
    assert main(["score", "--gold", str(gold_file), "--predictions", str(predictions), "--json", "-"]) == 0
    report = strict_json(capsys.readouterr().out)
    assert isinstance(report["metrics"]["pearson"], float)
    assert report["metrics"]["char_p"] is None
    assert report["undefined"]["char_p"] == "nothing predicted"
    assert set(report["undefined"]) == {k for k, v in report["metrics"].items() if v is None}


def test_the_report_page_embeds_extreme_scores(tmp_path: Path) -> None:
    gold_file = write_jsonl(tmp_path / "gold.jsonl", gold())
    predictions = write_jsonl(tmp_path / "pred.jsonl", [{"id": r["id"], "spans": [], "score": s}
                                                        for r, s in zip(gold(), [1e308, -1e308, 1e308],
                                                                        strict=True)])
    out = tmp_path / "report.html"
    assert main(["report", str(gold_file), "--predictions", str(predictions), "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    data = page.split('<script type="application/json" id="data">', 1)[1].split("</script>", 1)[0]
    assert strict_json(data)["model"]["metrics"]["pearson"] is not None


def test_the_python_api_refuses_a_non_finite_score() -> None:
    with pytest.raises(InputError, match="/score: Infinity is not a finite number"):
        newserrata.score(gold(), [{"id": "a", "spans": [], "score": float("inf")}], allow_missing=True)
