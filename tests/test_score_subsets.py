"""Scoring a subset of a split from a full predictions file, per-source document metrics that show their
class counts, within-source correlations, macro averages over large enough sources, and records that have a
verdict but no span location."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scoring_fixtures import gold_predictions, record, write_build, write_jsonl

import newserrata
from newserrata.cli import main
from newserrata.errors import InputError
from newserrata.predictions import PredictedSpan, Prediction
from newserrata.scoring import Gold, Options, Scored, score_record, summarize

TEXT = "The minister met Putin and Vladimir Putin in Moscow on Monday."


def make(rid: str, source: str, error: bool, *, process: str = "machine-translation", pair: str | None = "zh",
         length: int = 0) -> dict[str, Any]:
    text = TEXT + " x" * length
    marks = [[(17, 22, "accuracy/entity", "major")]] if error else [[]]
    found = record(rid, text, marks, source=source, source_language=pair)
    found["process"] = process
    return found


def corpus() -> list[dict[str, Any]]:
    """wmt-zhen: 30 machine translations (zh-en), 20 with an error; xsum: 12 summaries (en), 2 clean;
    wmt-refs: 5 human translations."""
    zhen = [make(f"zh{i}", "wmt-zhen", i % 3 != 0, length=i) for i in range(30)]
    xsum = [make(f"xs{i}", "xsum", i >= 2, process="summary", pair=None, length=i) for i in range(12)]
    refs = [make(f"ref{i}", "wmt-refs", i == 0, process="human-translation") for i in range(5)]
    return zhen + xsum + refs


def test_a_source_of_a_full_predictions_file_scores_with_one_counted_line(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    gold = corpus()
    build = write_build(tmp_path / "dist", {"test": gold})
    predictions = write_jsonl(tmp_path / "pred.jsonl", gold_predictions(gold))
    assert main(["score", "--gold", str(build), "--predictions", str(predictions), "--source", "wmt-zhen",
                 "--json", str(tmp_path / "r.json")]) == 0
    table = capsys.readouterr().out
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["records"] == 30 and list(report["per_source"]) == ["wmt-zhen"]
    assert report["subset"] == {"source": ["wmt-zhen"]} and report["ignored"] == 17
    assert "subset: source wmt-zhen; 17 prediction(s) for records outside it ignored" in table
    assert report["metrics"] == newserrata.score(gold[:30], gold_predictions(gold[:30])).metrics


@pytest.mark.parametrize(("options", "records"), [
    ({"exclude_human": True}, 42),
    ({"process": ["summary"]}, 12),
    ({"language_pair": ["zh-en"]}, 35),
    ({"language_pair": ["en"], "exclude_human": True}, 12),
    ({"source": ["wmt-zhen", "wmt-refs"], "exclude_human": True}, 30),
])
def test_filters_combine(options: dict[str, Any], records: int) -> None:
    gold = corpus()
    report = newserrata.score(gold, gold_predictions(gold), **options)
    assert report.records == records and report.ignored == len(gold) - records


def test_a_filter_value_no_record_has_names_the_values_there_are() -> None:
    gold = corpus()
    with pytest.raises(InputError) as caught:
        newserrata.score(gold, gold_predictions(gold), source=["wmt23-zhen"])
    assert [str(p) for p in caught.value.problems] == [
        "--source: /: no record of <gold> has source 'wmt23-zhen'; there are: wmt-refs, wmt-zhen, xsum "
        "(fix: pass one of those)"]


def test_compare_and_report_take_the_same_subset_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = corpus()
    build = write_build(tmp_path / "dist", {"test": gold})
    a = write_jsonl(tmp_path / "a.jsonl", gold_predictions(gold))
    b = write_jsonl(tmp_path / "b.jsonl", [{"id": r["id"], "spans": []} for r in gold])
    assert main(["compare", "--gold", str(build), str(a), str(b), "--exclude-human", "--bootstrap", "20",
                 "--json", str(tmp_path / "c.json")]) == 0
    compared = json.loads((tmp_path / "c.json").read_text())
    assert compared["records"] == 42 and compared["subset"] == {"exclude_human": True}
    assert [s["ignored"] for s in compared["systems"]] == [5, 5]
    out = tmp_path / "page.html"
    assert main(["report", str(build), "--predictions", str(a), str(b), "--source", "xsum", "--out", str(out)]) == 0
    assert "report: 12 record(s)" in capsys.readouterr().out


def test_a_per_source_document_metric_on_too_few_records_of_a_class_is_na_with_the_counts() -> None:
    gold = corpus()
    lines = [{"id": r["id"], "spans": [], "score": len(r["text"])} for r in gold]
    report = newserrata.score(gold, lines, bootstrap=50)
    zhen, xsum = report.per_source["wmt-zhen"], report.per_source["xsum"]
    assert (zhen["with_error"], zhen["without_error"]) == (20, 10) and zhen["auroc"] is not None
    assert (xsum["with_error"], xsum["without_error"]) == (10, 2)
    assert xsum["auroc"] is None and xsum["balanced_accuracy"] is None, "2 clean records: no AUROC"
    assert xsum["kendall"] is not None, "12 records are enough to rank"
    assert report.per_source["wmt-refs"]["kendall"] is None, "5 records are not"
    assert report.source_intervals["wmt-zhen"]["auroc"] is not None
    assert report.source_intervals["xsum"]["auroc"] is None
    row = next(line for line in report.table().splitlines() if line.startswith("xsum") and "n/a" in line)
    assert row.split()[:4] == ["xsum", "10", "2", "n/a"]


def test_within_source_correlations_are_the_mean_of_the_per_source_values() -> None:
    gold = corpus()
    lines = [{"id": r["id"], "spans": [], "score": len(r["text"])} for r in gold]
    report = newserrata.score(gold, lines)
    kendalls = [report.per_source[s]["kendall"] for s in ("wmt-zhen", "xsum")]
    assert report.metrics["kendall_within"] == pytest.approx(sum(kendalls) / 2)
    assert report.metrics["auroc_within"] == pytest.approx(report.per_source["wmt-zhen"]["auroc"])
    assert report.per_source["xsum"]["auroc_within"] is None


def test_a_record_without_a_span_location_counts_only_in_document_metrics() -> None:
    located = make("a", "s", True)
    verdict_only = make("b", "s", True) | {"localised": False}
    clean = make("c", "s", False)
    scored = Scored()
    for r, spans in ((located, [(17, 22)]), (verdict_only, [(0, 5)]), (clean, [])):
        prediction = Prediction(r["id"], [PredictedSpan(s, e) for s, e in spans], score=float(len(spans)))
        scored.rows.append(score_record(Gold.from_dict(r), prediction, scored.categories))
    report = summarize(scored.rows, scored.categories, gold="g", missing=0, options=Options())
    assert report.metrics["char_f1"] == 1.0 and report.metrics["shroom_iou"] == 1.0
    assert report.counts["gold_chars"] == 5 and report.counts["not_localised"] == 1
    assert report.metrics["auroc"] == 1.0 and report.counts["gold_with_error"] == 2
    assert "1 record(s) with a whole-text verdict but no span location" in report.table()


def test_the_python_api_takes_what_the_command_takes_and_checks_the_split(tmp_path: Path) -> None:
    gold = corpus()
    build = write_build(tmp_path / "dist", {"test": gold[:30], "validation": gold[30:]})
    predictions = write_jsonl(tmp_path / "pred.jsonl", gold_predictions(gold[30:]))
    report = newserrata.score(build, predictions, split="validation")
    assert report.records == len(gold) - 30
    with pytest.raises(InputError) as caught:
        newserrata.score(str(build), str(predictions))
    assert "17 prediction id(s) are records of split 'validation', not 'test'" in str(caught.value)


def test_macro_averages_leave_out_small_sources() -> None:
    gold = corpus()
    report = newserrata.score(gold, gold_predictions(gold))
    assert report.macro_sources == [] and report.macro["char_f1"] is None
    assert "macro: mean over the 0 source(s) with at least 50 records" in report.table()


def test_validate_reports_every_problem_of_a_predictions_file_in_one_pass(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A schema error on one line does not hide an offset past the text on another, nor an unknown id."""
    gold = corpus()[:3]
    gold_file = write_jsonl(tmp_path / "gold.jsonl", gold)
    lines = [{"id": gold[0]["id"], "spans": [{"start": "zero", "end": 3}]},
             {"id": gold[1]["id"], "spans": [{"start": 0, "end": 10_000}]},
             {"id": "nowhere", "spans": []}]
    predictions = write_jsonl(tmp_path / "pred.jsonl", lines)
    assert main(["validate", str(predictions), "--gold", str(gold_file)]) == 2
    err = capsys.readouterr().err
    assert f"{predictions}:1: /spans/0/start:" in err
    assert f"{predictions}:2: /spans/0/end: end 10000 is past the end of the text" in err
    assert f"{predictions}:3: /id: 1 prediction id(s) are not records of the gold (first: 'nowhere')" in err


def test_a_source_config_with_a_full_predictions_file_points_at_the_source_flag(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = corpus()
    build = tmp_path / "dist"
    write_build(build, {"test": gold})
    write_build(build, {"test": gold[:30]}, config="wmt-zhen")
    predictions = write_jsonl(tmp_path / "pred.jsonl", gold_predictions(gold))
    assert main(["score", "--gold", str(build), "--config", "wmt-zhen", "--predictions", str(predictions)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0] == (f"{build}: /id: 17 prediction id(s) are records of other sources, not of config 'wmt-zhen' "
                      "(fix: score the default config with --source wmt-zhen (the other predictions are then ignored "
                      "and counted), or predict only this config's records)")
    assert len(err) == 2


def test_split_and_config_do_not_apply_to_records_in_memory() -> None:
    gold = corpus()[:2]
    with pytest.raises(ValueError, match="split and config choose records of a build folder"):
        newserrata.score(gold, gold_predictions(gold), split="validation")
