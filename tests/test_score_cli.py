"""`newserrata score` end to end: every kind of gold, the table, the JSON, and exit 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scoring_fixtures import gold_predictions, native_records, write_build, write_jsonl, write_parquet

import newserrata
from newserrata.cli import main


@pytest.fixture
def gold(tmp_path: Path) -> list[dict]:
    return native_records(tmp_path)


def test_scores_a_build_folder_split_and_writes_json(tmp_path: Path, gold: list[dict],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    build = write_build(tmp_path / "dist" / "1.0.0", {"test": gold[:3], "validation": gold[3:]})
    predictions = write_jsonl(tmp_path / "pred.jsonl", gold_predictions(gold[:3]))
    out = tmp_path / "report.json"
    status = main(["score", "--gold", str(build), "--predictions", str(predictions), "--json", str(out),
                   "--bootstrap", "20"])
    assert status == 0
    table = capsys.readouterr().out
    assert "char_f1" in table and "95% interval" in table and "(default/test)" in table
    report = json.loads(out.read_text())
    assert report["records"] == 3 and report["bootstrap"] == 20
    assert report["metrics"] == newserrata.score(gold[:3], gold_predictions(gold[:3])).metrics


def test_validation_split_and_records_files(tmp_path: Path, gold: list[dict],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    build = write_build(tmp_path / "dist", {"test": gold[:3], "validation": gold[3:]})
    predictions = write_jsonl(tmp_path / "pred.jsonl", gold_predictions(gold[3:]))
    assert main(["score", "--gold", str(build), "--split", "validation", "--predictions", str(predictions),
                 "--json", "-"]) == 0
    from_folder = json.loads(capsys.readouterr().out)
    assert from_folder["records"] == len(gold) - 3
    for gold_file in (write_jsonl(tmp_path / "gold.jsonl", gold[3:]), write_parquet(tmp_path / "g.parquet", gold[3:])):
        assert main(["score", "--gold", str(gold_file), "--predictions", str(predictions), "--json", "-"]) == 0
        assert json.loads(capsys.readouterr().out)["metrics"] == from_folder["metrics"]


def test_bad_predictions_exit_2_and_leave_earlier_output_alone(tmp_path: Path, gold: list[dict],
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    gold_file = write_jsonl(tmp_path / "gold.jsonl", gold)
    lines = gold_predictions(gold)
    lines[1]["spans"] = [{"start": 0, "end": 10_000}]
    predictions = write_jsonl(tmp_path / "pred.jsonl", lines)
    out = tmp_path / "report.json"
    out.write_text("earlier\n")
    status = main(["score", "--gold", str(gold_file), "--predictions", str(predictions), "--json", str(out)])
    assert status == 2
    err = capsys.readouterr().err
    assert f"{predictions}:2: /spans/0/end: end 10000 is past the end of the text" in err
    assert "nothing was written" in err
    assert out.read_text() == "earlier\n"


def test_missing_predictions_need_allow_missing(tmp_path: Path, gold: list[dict],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    gold_file = write_jsonl(tmp_path / "gold.jsonl", gold)
    predictions = write_jsonl(tmp_path / "pred.jsonl", gold_predictions(gold)[:1])
    assert main(["score", "--gold", str(gold_file), "--predictions", str(predictions)]) == 2
    assert "have no prediction" in capsys.readouterr().err
    assert main(["score", "--gold", str(gold_file), "--predictions", str(predictions), "--allow-missing",
                 "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["missing"] == len(gold) - 1


def test_unknown_gold_and_empty_split(tmp_path: Path, gold: list[dict], capsys: pytest.CaptureFixture[str]) -> None:
    predictions = write_jsonl(tmp_path / "pred.jsonl", gold_predictions(gold))
    assert main(["score", "--gold", str(tmp_path / "nowhere"), "--predictions", str(predictions)]) == 2
    assert "not a Hub id" in capsys.readouterr().err
    build = write_build(tmp_path / "dist", {"test": gold})
    assert main(["score", "--gold", str(build), "--split", "train", "--predictions", str(predictions)]) == 2
    assert "no parquet files for config 'default' split 'train'" in capsys.readouterr().err


def test_broken_gold_record_is_located(tmp_path: Path, gold: list[dict], capsys: pytest.CaptureFixture[str]) -> None:
    broken = [dict(r) for r in gold]
    broken[2]["soft_labels"] = [{"start": 5, "end": 999, "prob": 1.0}]
    gold_file = write_jsonl(tmp_path / "gold.jsonl", broken)
    predictions = write_jsonl(tmp_path / "pred.jsonl", gold_predictions(gold))
    assert main(["score", "--gold", str(gold_file), "--predictions", str(predictions)]) == 2
    assert f"{gold_file}:3: /soft_labels/0: run [5:999]" in capsys.readouterr().err


def test_help_is_complete(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["score", "--help"])
    text = capsys.readouterr().out
    for option in ("--gold", "--predictions", "--split", "--config", "--json", "--bootstrap", "--allow-missing"):
        assert option in text
