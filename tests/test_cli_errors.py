"""Errors that stop at the cause: one line for a wrong split, a count for another split's predictions, alike
problems capped, a sub-command's own usage for a mistyped flag, one meaning of --json, whole-number counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scoring_fixtures import gold_predictions, native_records, write_build, write_jsonl

from newserrata.cli import main
from newserrata.errors import Problem, capped


@pytest.fixture
def gold(tmp_path: Path) -> list[dict]:
    return native_records(tmp_path)


def test_alike_problems_are_capped_with_a_count() -> None:
    problems = [Problem("p.jsonl", n, "/id", f"no record 'r{n}' in the gold", "predict only") for n in range(1, 11)]
    problems.insert(2, Problem("p.jsonl", 99, "/spans/0/end", "end 7 is past the end", "fix"))
    lines = capped(problems)
    assert lines[:2] == [str(problems[0]), str(problems[1])]
    assert lines[2] == str(problems[2]) and lines[3] == str(problems[3])
    assert lines[4] == "  ... and 7 more like this"
    assert len(lines) == 5


def test_predictions_of_another_split_are_one_counted_line(tmp_path: Path, gold: list[dict],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    build = write_build(tmp_path / "dist", {"test": gold[:3], "validation": gold[3:]})
    predictions = write_jsonl(tmp_path / "pred.jsonl", gold_predictions(gold[3:]))
    assert main(["score", "--gold", str(build), "--predictions", str(predictions)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"{build}: /id: {len(gold) - 3} prediction id(s) are records of split 'validation', not 'test' "
                   "(fix: pass --split validation, or predict the records of test)",
                   "score: 1 problem(s); nothing was written"]
    out = tmp_path / "r.html"
    assert main(["report", str(build), "--split", "test", "--predictions", str(predictions), "--out", str(out)]) == 2
    assert "are records of split 'validation'" in capsys.readouterr().err and not out.exists()


def test_wrong_config_and_split_name_the_existing_ones(tmp_path: Path, gold: list[dict],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    build = write_build(tmp_path / "dist" / "1.0.0", {"test": gold[:3], "validation": gold[3:]})
    predictions = write_jsonl(tmp_path / "pred.jsonl", gold_predictions(gold))
    assert main(["score", "--gold", str(build), "--config", "wmt", "--predictions", str(predictions)]) == 2
    assert "no config 'wmt'; configs: default" in capsys.readouterr().err
    assert main(["report", str(build), "--split", "dev", "--out", str(tmp_path / "r.html")]) == 2
    assert "no split 'dev' in config 'default'; splits: test, validation" in capsys.readouterr().err
    assert main(["score", "--gold", str(tmp_path / "dist" / "1.0.1"), "--predictions", str(predictions)]) == 2
    assert "versions beside it: 1.0.0" in capsys.readouterr().err


def test_split_with_a_records_file_is_refused(tmp_path: Path, gold: list[dict],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    gold_file = write_jsonl(tmp_path / "gold.jsonl", gold)
    predictions = write_jsonl(tmp_path / "pred.jsonl", gold_predictions(gold))
    assert main(["score", "--gold", str(gold_file), "--split", "test", "--predictions", str(predictions)]) == 2
    assert "--split: /: does not apply to a single records file" in capsys.readouterr().err
    assert main(["report", str(gold_file), "--split", "test", "--out", str(tmp_path / "r.html")]) == 2
    assert "does not apply to a single records file" in capsys.readouterr().err


def test_output_folders_are_refused(tmp_path: Path, gold: list[dict], capsys: pytest.CaptureFixture[str]) -> None:
    gold_file = write_jsonl(tmp_path / "gold.jsonl", gold)
    predictions = write_jsonl(tmp_path / "pred.jsonl", gold_predictions(gold))
    for args in (["score", "--gold", str(gold_file), "--predictions", str(predictions), "--json"],
                 ["convert", "predictions-to-mushroom", str(predictions), "--out"],
                 ["report", str(gold_file), "--out"]):
        assert main([*args, str(tmp_path)]) == 2
        assert "cannot write: Is a directory" in capsys.readouterr().err
        assert main([*args, str(tmp_path / "missing" / "out")]) == 2
        assert f"{tmp_path / 'missing'}: /: cannot write: No such file or directory" in capsys.readouterr().err
    assert not (tmp_path / "missing").exists()


def test_a_mistyped_flag_shows_the_sub_commands_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["score", "--gold", "g", "--predictions", "p", "--splt", "test"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: newserrata score ") and "unrecognized arguments: --splt test" in err
    with pytest.raises(SystemExit):
        main(["annotate", "export", "--articles", "a", "--out", "o", "--config-out", "c", "--bogus"])
    assert capsys.readouterr().err.startswith("usage: newserrata annotate export ")


def test_json_is_a_path_everywhere_and_counts_are_whole_numbers(tmp_path: Path, gold: list[dict],
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    gold_file = write_jsonl(tmp_path / "gold.jsonl", gold)
    predictions = write_jsonl(tmp_path / "pred.jsonl", gold_predictions(gold))
    out = tmp_path / "validate.json"
    assert main(["validate", str(predictions), "--json", str(out)]) == 0
    assert json.loads(out.read_text())["ok"] is True
    assert "validate: 1 file(s)" in capsys.readouterr().out
    assert main(["score", "--gold", str(gold_file), "--predictions", str(predictions), "--json", "-"]) == 0
    report = json.loads(capsys.readouterr().out)
    counts = {k: v for k, v in report["counts"].items() if k != "severity_credit"}
    assert all(type(v) is int for v in counts.values()), counts
    assert all(type(s["records"]) is int for s in report["per_source"].values())


def test_validate_gold_checks_prediction_offsets_and_ids_against_the_records(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from scoring_fixtures import record, write_jsonl

    text = "The minister said the the talks went well."
    gold = write_jsonl(tmp_path / "gold.jsonl", [record("r1", text, [[(18, 25, "fluency/repetition", "minor")]])])
    good = write_jsonl(tmp_path / "good.jsonl", [{"id": "r1", "spans": [{"start": 18, "end": 25}]}])
    assert main(["validate", str(good), "--gold", str(gold)]) == 0
    past = write_jsonl(tmp_path / "past.jsonl", [{"id": "r1", "spans": [{"start": 40, "end": 90}]}])
    assert main(["validate", str(past)]) == 0, "without the gold, offsets cannot be checked"
    assert main(["validate", str(past), "--gold", str(gold)]) == 2
    err = capsys.readouterr().err
    assert f"{past}:1: /spans/0/end: end 90 is past the end of the text" in err
    unknown = write_jsonl(tmp_path / "unknown.jsonl", [{"id": "r1", "spans": []}, {"id": "zz", "spans": []}])
    assert main(["validate", str(unknown), "--gold", str(gold)]) == 2
    assert "1 prediction id(s) are not records of the gold (first: 'zz')" in capsys.readouterr().err
    assert main(["validate", str(gold), "--gold", str(gold)]) == 2
    assert "--gold checks predictions" in capsys.readouterr().err
    assert main(["validate", str(good), "--split", "test"]) == 2
