"""Mu-SHROOM interop: `convert` in three directions and `score --compat mushroom`, whose numbers follow the
official scorer's definitions, its degenerate cases included. Expected numbers are derived by hand."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest
from scipy.stats import spearmanr
from scoring_fixtures import record, write_build, write_jsonl

import newserrata
from newserrata import mushroom
from newserrata.cli import main

TEXT = "abcdefghij"


@pytest.fixture
def gold() -> list[dict]:
    return [
        record("clean", TEXT, [[], []]),
        record("clean-2", TEXT, [[], []]),
        # soft: [0:2) 1.0, [2:4) 0.5; gold spans (prob > 0.5): [0:2)
        record("partial", TEXT, [[(0, 4, "other", "major")], [(0, 2, "other", "major")]]),
        record("everything", TEXT, [[(0, 10, "other", "major")], [(0, 10, "other", "minor")]]),
    ]


PREDICTIONS = [
    {"id": "clean", "spans": [{"start": 0, "end": 10, "prob": 0.8}]},   # constant non-zero vs constant zero
    {"id": "clean-2", "spans": [{"start": 0, "end": 3, "prob": 0.9}]},  # not constant vs constant
    # overlapping: the official scorer lets the later span overwrite [2:3), so it reads 0.2 there
    {"id": "partial", "spans": [{"start": 0, "end": 3, "prob": 0.9}, {"start": 2, "end": 6, "prob": 0.2}]},
    {"id": "everything", "spans": []},                                   # constant zero vs constant non-zero
]


def test_degenerate_cases_follow_the_official_scorer(gold: list[dict]) -> None:
    ref = {r["id"]: mushroom.reference(r) for r in gold}
    sub = {p["id"]: mushroom.submission(newserrata.predictions.from_dicts([p], newserrata.errors.Problems())[p["id"]])
           for p in PREDICTIONS}
    cor = {k: mushroom.score_cor(10, ref[k]["soft_labels"], sub[k]["soft_labels"]) for k in ref}
    iou = {k: mushroom.score_iou(ref[k]["hard_labels"], sub[k]["hard_labels"]) for k in ref}
    assert cor["clean"] == 1.0, "a constant prediction against an empty reference: the free point"
    assert cor["everything"] == 1.0, "nothing predicted against everything marked: also 1.0"
    assert cor["clean-2"] == 0.0
    # ranks: ref (9.5,9.5,7.5,7.5,3.5 x6), pred (9.5,9.5,6.5 x4,2.5 x4): 56 / sqrt(64 * 72)
    assert cor["partial"] == pytest.approx(7 / math.sqrt(72), abs=1e-12)
    assert iou == {"clean": 0.0, "clean-2": 0.0, "partial": pytest.approx(2 / 3), "everything": 0.0}
    ours = newserrata.score(gold, PREDICTIONS).metrics
    assert ours["shroom_cor"] != pytest.approx((2 + 7 / math.sqrt(72)) / 4), "ours departs from the free point"


def test_cli_compat_prints_the_official_means(tmp_path: Path, gold: list[dict],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    gold_file = write_jsonl(tmp_path / "gold.jsonl", gold)
    predictions = write_jsonl(tmp_path / "pred.jsonl", PREDICTIONS)
    assert main(["score", "--gold", str(gold_file), "--predictions", str(predictions), "--compat", "mushroom",
                 "--json", "-"]) == 0
    out = capsys.readouterr()
    report = json.loads(out.out)
    assert report["compat"] == "mushroom" and report["records"] == 4
    assert report["metrics"]["shroom_iou"] == pytest.approx((2 / 3) / 4)
    assert report["metrics"]["shroom_cor"] == pytest.approx((1 + 0 + 7 / math.sqrt(72) + 1) / 4)
    assert f"Cor: {(2 + 7 / math.sqrt(72)) / 4:.8f}" in out.err


def test_out_of_range_soft_span_is_the_official_crash(tmp_path: Path, gold: list[dict],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    lines = [dict(p) for p in PREDICTIONS]
    lines[2] = {"id": "partial", "spans": [{"start": 8, "end": 11, "prob": 0.3}]}
    gold_file = write_jsonl(tmp_path / "gold.jsonl", gold)
    predictions = write_jsonl(tmp_path / "pred.jsonl", lines)
    assert main(["score", "--gold", str(gold_file), "--predictions", str(predictions), "--compat", "mushroom"]) == 2
    err = capsys.readouterr().err
    assert f"{predictions}:3: /spans/0/end: the official Mu-SHROOM scorer stops with an IndexError" in err


def test_empty_text_and_spearman_against_scipy() -> None:
    assert math.isnan(mushroom.score_cor(0, [], []))
    rng = random.Random(3)
    for _ in range(50):
        n = rng.randint(2, 40)
        spans = [[{"start": a, "end": min(n, a + rng.randint(1, 6)), "prob": rng.choice([0.2, 1 / 3, 0.5, 1.0])}
                  for a in sorted(rng.sample(range(n), rng.randint(1, min(4, n))))] for _ in range(2)]
        vectors = [mushroom._vector(n, s) for s in spans]
        if min(len({round(float(v), 8) for v in vec}) for vec in vectors) > 1:
            expected = spearmanr(vectors[0], vectors[1]).statistic
            assert mushroom.score_cor(n, spans[0], spans[1]) == pytest.approx(expected, abs=1e-12)


def test_hard_labels_recomputed_as_the_task_does() -> None:
    soft = [{"start": 5, "end": 8, "prob": 0.6}, {"start": 0, "end": 3, "prob": 0.9}, {"start": 3, "end": 4, "prob": 1},
            {"start": 9, "end": 10, "prob": 0.5}, {"start": 4, "end": 6, "prob": 0.2}]
    assert mushroom.recompute_hard(soft) == [[0, 4], [5, 8]], "touching spans join; prob 0.5 is not above 0.5"
    soft.append({"start": 2, "end": 6, "prob": 0.7})
    assert mushroom.recompute_hard(soft) == [[0, 3], [2, 6], [3, 4], [5, 8]], "overlaps stay separate entries"


def test_convert_round_trip_and_reference(tmp_path: Path, gold: list[dict], capsys: pytest.CaptureFixture[str]
                                          ) -> None:
    predictions = write_jsonl(tmp_path / "pred.jsonl", [
        *PREDICTIONS, {"id": "x", "spans": [{"start": 1, "end": 4, "severity": "neutral"}, {"start": 2, "end": 2},
                                            {"start": 3, "end": 5, "prob": 0.4, "category": "other"}]}])
    sub = tmp_path / "sub.jsonl"
    assert main(["convert", "predictions-to-mushroom", str(predictions), "--out", str(sub)]) == 0
    lines = [json.loads(line) for line in sub.read_text().splitlines()]
    assert lines[2] == {"id": "partial", "soft_labels": [{"start": 0, "end": 3, "prob": 0.9},
                                                         {"start": 2, "end": 6, "prob": 0.2}],
                        "hard_labels": [[0, 3]]}
    assert lines[4] == {"id": "x", "soft_labels": [{"start": 3, "end": 5, "prob": 0.4}], "hard_labels": []}
    back = tmp_path / "back.jsonl"
    assert main(["convert", "mushroom-to-predictions", str(sub), "--out", str(back)]) == 0
    assert [json.loads(line) for line in back.read_text().splitlines()][2] == {
        "id": "partial", "spans": [{"start": 0, "end": 3, "prob": 0.9}, {"start": 2, "end": 6, "prob": 0.2}]}
    build = write_build(tmp_path / "dist", {"test": gold[:2], "validation": gold[2:]})
    ref = tmp_path / "ref.jsonl"
    assert main(["convert", "records-to-mushroom", str(build), "--split", "validation", "--out", str(ref)]) == 0
    partial = json.loads(ref.read_text().splitlines()[0])
    assert partial == {"id": "partial", "lang": "en", "model_output_text": TEXT,
                       "soft_labels": [{"start": 0, "end": 2, "prob": 1.0}, {"start": 2, "end": 4, "prob": 0.5}],
                       "hard_labels": [[0, 2]]}


def test_submission_with_only_hard_labels_and_bad_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sub = write_jsonl(tmp_path / "sub.jsonl", [
        {"id": "a", "hard_labels": [[1, 3]]},
        {"id": "b", "soft_labels": [{"start": 0, "end": 2, "prob": 0.9}], "hard_labels": [[0, 5]]},
        {"id": "c", "soft_labels": [{"start": 4, "end": 2, "prob": 0.9}]},
        {"id": "d"},
    ])
    out = tmp_path / "pred.jsonl"
    out.write_text("earlier\n")
    assert main(["convert", "mushroom-to-predictions", str(sub), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{sub}:2: /hard_labels: the hard labels are not the soft labels with prob > 0.5" in err
    assert f"{sub}:3: /soft_labels/0:" in err and f"{sub}:4: /: neither soft_labels nor hard_labels" in err
    assert out.read_text() == "earlier\n"
    only_hard = write_jsonl(tmp_path / "hard.jsonl", [{"id": "a", "hard_labels": [[1, 3]]}])
    assert main(["convert", "mushroom-to-predictions", str(only_hard), "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == {"id": "a", "spans": [{"start": 1, "end": 3, "prob": 1.0}]}


def test_a_neighbour_file_gets_one_line_naming_the_converter(tmp_path: Path, gold: list[dict],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    gold_file = write_jsonl(tmp_path / "gold.jsonl", gold)
    sub = write_jsonl(tmp_path / "sub.jsonl", [mushroom.reference(r) for r in gold])
    for args in (["score", "--gold", str(gold_file), "--predictions", str(sub)], ["validate", str(sub)]):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert f"{sub}:1: /: a Mu-SHROOM file (hard_labels, soft_labels, model_output_text)" in err
        assert "newserrata convert mushroom-to-predictions" in err
        assert err.count(str(sub)) == 1
