"""The cluster bootstrap, the paired comparison of systems and the score levels added for papers: document
verdicts, segment-level correlations, per-source macro averages and MQM per length."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

import pytest
from scoring_fixtures import gold_predictions, record, write_jsonl

import newserrata
from newserrata.cli import main
from newserrata.compare import p_value
from newserrata.records import Segment

TEXT = "The minister said the talks would resume next week in Geneva."


def grouped(groups: int = 20, per_group: int = 10) -> list[dict[str, Any]]:
    """`per_group` records (one per system) of each source document, each with one gold error."""
    out = []
    for g in range(groups):
        for k in range(per_group):
            r = record(f"g{g}-s{k}", TEXT, [[(4, 12 + k % 3, "accuracy/entity", "major")]])
            out.append(r | {"group_id": f"doc-{g}"})
    return out


def half_found(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Perfect on the even source documents, nothing on the odd ones: success clusters by document."""
    return [{"id": r["id"], "spans": [{"start": s["start"], "end": s["end"]} for s in r["spans"]]
             if int(r["group_id"].split("-")[1]) % 2 == 0 else []} for r in records]


def test_cluster_bootstrap_is_wider_than_the_record_bootstrap_and_says_which() -> None:
    records = grouped()
    predictions = half_found(records)
    groups = newserrata.score(records, predictions, bootstrap=300, seed=1)
    rows = newserrata.score(records, predictions, bootstrap=300, seed=1, resample="records")
    assert groups.resample == "groups" and rows.resample == "records" and groups.groups == 20
    width = {name: r.intervals["char_r"][1] - r.intervals["char_r"][0] for name, r in (("g", groups), ("r", rows))}
    assert width["g"] > 2 * width["r"], "ten records of one document are not ten independent draws"
    assert "resamples of source documents (group_id)" in groups.table()
    assert "resamples of records" in rows.table()
    assert groups.to_dict()["resample"] == "groups"


def test_compare_json_leaderboard_and_a_clear_winner(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = grouped(groups=12, per_group=3)
    gold = write_jsonl(tmp_path / "gold.jsonl", records)
    good = write_jsonl(tmp_path / "good.jsonl", gold_predictions(records))
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"id": r["id"], "spans": [{"start": 30, "end": 40}]} for r in records])
    assert main(["compare", "--gold", str(gold), str(bad), str(good), "--bootstrap", "200", "--json", "-"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert {"gold", "records", "groups", "bootstrap", "seed", "resample", "mqm_per", "sort", "systems",
            "leaderboard", "pairs"} <= set(result)
    assert result["resample"] == "groups" and result["groups"] == 12 and result["bootstrap"] == 200
    assert result["leaderboard"] == ["good", "bad"]
    assert [s["name"] for s in result["systems"]] == ["bad", "good"]
    assert result["systems"][1]["metrics"]["char_f1"] == 1.0 and result["systems"][1]["intervals"]["char_f1"]
    (pair,) = result["pairs"]
    assert (pair["a"], pair["b"]) == ("bad", "good")
    f1 = pair["metrics"]["char_f1"]
    assert set(f1) == {"a", "b", "difference", "interval", "p", "resamples"}
    assert f1["difference"] == -1.0 and f1["interval"] == [-1.0, -1.0]
    assert f1["p"] == pytest.approx(2 / 201) and f1["resamples"] == 200
    assert "leaderboard (by char_f1)" in captured.err and "paired bootstrap" in captured.err


def test_identical_systems_differ_by_zero_with_p_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = grouped(groups=8, per_group=3)
    gold = write_jsonl(tmp_path / "gold.jsonl", records)
    values = half_found(records)
    a, b = write_jsonl(tmp_path / "a.jsonl", values), write_jsonl(tmp_path / "b.jsonl", values)
    out = tmp_path / "compare.json"
    assert main(["compare", "--gold", str(gold), str(a), str(b), "--bootstrap", "100", "--json", str(out)]) == 0
    assert "a - b" in capsys.readouterr().out
    pair = json.loads(out.read_text())["pairs"][0]["metrics"]
    for name in ("char_f1", "char_f1_sev", "record_iou"):
        assert pair[name]["difference"] == 0.0 and pair[name]["p"] == 1.0 and pair[name]["interval"] == [0.0, 0.0]


def test_p_value_definition() -> None:
    assert p_value([0.1] * 99) == pytest.approx(2 / 100)
    assert p_value([0.0] * 50) == 1.0
    assert p_value([1.0, -1.0, 1.0, 1.0]) == pytest.approx(2 * 2 / 5)
    assert p_value([float("nan")]) is None


def test_vs_first_and_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = grouped(groups=4, per_group=2)
    gold = write_jsonl(tmp_path / "gold.jsonl", records)
    files = [str(write_jsonl(tmp_path / f"{n}.jsonl", gold_predictions(records))) for n in "abc"]
    out = tmp_path / "c.json"
    assert main(["compare", "--gold", str(gold), *files, "--vs-first", "--bootstrap", "10", "--json", str(out)]) == 0
    assert [(p["a"], p["b"]) for p in json.loads(out.read_text())["pairs"]] == [("a", "b"), ("a", "c")]
    broken = write_jsonl(tmp_path / "broken.jsonl", [{"id": records[0]["id"], "spans": [{"start": 0, "end": 999}]}])
    capsys.readouterr()
    assert main(["compare", "--gold", str(gold), files[0], str(broken), "--json", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{broken}:1: /spans/0/end" in err and "have no prediction" in err


# -- levels -----------------------------------------------------------------------------------------------------

def test_document_metrics_from_verdicts_and_from_spans() -> None:
    records = [record("clean", TEXT, [[]]), record("bad", TEXT, [[(4, 12, "accuracy/entity", "major")]])]
    spans = [{"id": "clean", "spans": [{"start": 0, "end": 3}]}, {"id": "bad", "spans": []}]
    from_spans = newserrata.score(records, spans)
    assert from_spans.metrics["balanced_accuracy"] == 0.0
    assert from_spans.document_from == {"has_error": {"verdict": 0, "spans": 2}, "score": {"prediction": 0, "spans": 2}}
    verdicts = [s | {"has_error": s["id"] == "bad", "score": 1.0 if s["id"] == "bad" else 0.0} for s in spans]
    from_verdicts = newserrata.score(records, verdicts)
    assert from_verdicts.metrics["balanced_accuracy"] == 1.0 and from_verdicts.metrics["auroc"] == 1.0
    assert from_verdicts.metrics["char_f1"] == from_spans.metrics["char_f1"], "spans still give the character metrics"
    assert from_verdicts.document_from["has_error"] == {"verdict": 2, "spans": 0}
    assert "has_error: 2 from predicted verdicts, 0 from spans" in from_verdicts.table()


SEGMENT_TEXT = "One. Two two. Three three three. Four four four four."


def segmented(rid: str, scores: list[float | None]) -> dict[str, Any]:
    bounds = [(0, 4), (5, 13), (14, 32), (33, len(SEGMENT_TEXT))]
    segments = [Segment(s, e, mqm_score=m) for (s, e), m in zip(bounds, scores, strict=True)]
    return record(rid, SEGMENT_TEXT, [[]], segments=segments)


def test_segment_level_correlations_by_hand() -> None:
    records = [segmented("a", [0.0, -1.0, -5.0, None]), segmented("b", [-2.0, None, None, None])]
    predictions = [{"id": "a", "spans": [], "segments": [{"index": 0, "score": 0.1}, {"index": 1, "score": 0.5},
                                                         {"index": 2, "score": 3}, {"index": 3, "score": 9}]},
                   {"id": "b", "spans": [], "segments": [{"index": 0, "score": 4}]}]
    report = newserrata.score(records, predictions)
    # Scored pairs (predicted, gold badness): (0.1, 0) (0.5, 1) (3, 5) (4, 2); the unrated segment is left out.
    # Of the 6 pairs only (3, 5)-(4, 2) is discordant: tau = (5 - 1) / 6.
    assert report.metrics["segment_kendall"] == pytest.approx(4 / 6)
    assert report.metrics["segment_pearson"] == pytest.approx(statistics.correlation([0.1, 0.5, 3, 4], [0, 1, 5, 2]))
    assert report.counts["segments_scored"] == 4
    assert newserrata.score(records, [{"id": r["id"], "spans": []} for r in records]).undefined["segment_kendall"]


def test_segment_index_outside_the_record_is_an_error() -> None:
    from newserrata.errors import InputError

    with pytest.raises(InputError) as caught:
        newserrata.score([segmented("a", [0.0, -1.0, -5.0, None])],
                         [{"id": "a", "spans": [], "segments": [{"index": 4, "score": 1}, {"index": 0, "score": 1},
                                                                {"index": 0, "score": 2}]}])
    messages = [str(p) for p in caught.value.problems]
    assert any("/segments: segment 4 is not in the record, which has 4 segment(s)" in m for m in messages)
    assert any("/segments/2/index: segment 0 is scored twice" in m for m in messages)


def test_macro_average_weighs_each_source_with_enough_records_equally() -> None:
    big = [record(f"big{i}", TEXT, [[(4, 12, "other", "major")]], source="big") for i in range(150)]
    small = [record(f"small{i}", TEXT, [[(4, 12, "other", "major")]], source="small") for i in range(50)]
    seed = [record("seed", TEXT, [[(4, 12, "other", "major")]], source="seed")]
    predictions = [*gold_predictions(big), *({"id": r["id"], "spans": []} for r in small + seed)]
    report = newserrata.score(big + small + seed, predictions)
    assert report.per_source["big"]["char_r"] == 1.0 and report.per_source["small"]["char_r"] == 0.0
    assert report.metrics["char_r"] == 150 / 201
    assert report.macro["char_r"] == 0.5, "the one-record source does not weigh a third"
    assert report.macro_sources == ["big", "small"]
    assert report.macro["auroc"] is None, "undefined in every source"


def test_mqm_per_length_rescales_gold_badness() -> None:
    long_text = "x" * 190 + " Putin met Putin."
    records = [record("long", long_text, [[(200, 205, "accuracy/entity", "major")]]),
               record("short", "A smal slip.", [[(2, 6, "fluency/spelling", "minor")]])]
    predictions = [{"id": "long", "spans": [], "score": 1.0}, {"id": "short", "spans": [], "score": 2.0}]
    # Raw badness: long 5 > short 1; per 100 characters: long 5 * 100 / 207 < short 1 * 100 / 12.
    assert newserrata.score(records, predictions).metrics["kendall"] == -1.0
    scaled = newserrata.score(records, predictions, mqm_per=100)
    assert scaled.metrics["kendall"] == 1.0 and scaled.mqm_per == 100
    assert "MQM badness per 100 characters" in scaled.table()
