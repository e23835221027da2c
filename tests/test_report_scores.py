"""`newserrata report --predictions` scores one split exactly as `newserrata score` does, refuses predictions
of another split, shows a leaderboard for several files and names its metrics from the registry."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from scoring_fixtures import built_release, gold_predictions, split_records, write_jsonl

from newserrata import metrics
from newserrata.cli import main
from newserrata.stats import rounded


def page_data(path: Path) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="data">(.*?)</script>', path.read_text(encoding="utf-8"),
                      re.DOTALL)
    assert found, "the page embeds its data"
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_release(tmp_path_factory.mktemp("release"))


def noisy(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every other gold span, plus a false alarm at the start of each article."""
    return [{"id": r["id"], "spans": [{"start": 0, "end": 3, "severity": "minor"}]
             + [{"start": s["start"], "end": s["end"]} for s in r["spans"][::2]]} for r in records]


def test_report_numbers_equal_score_numbers(release: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                            ) -> None:
    test = split_records(release, "test")
    a = write_jsonl(tmp_path / "noisy.jsonl", noisy(test))
    b = write_jsonl(tmp_path / "perfect.jsonl", gold_predictions(test))
    out = tmp_path / "model.html"
    assert main(["report", str(release), "--predictions", str(a), str(b), "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["score", "--gold", str(release), "--predictions", str(a), "--json", "-"]) == 0
    scored = json.loads(capsys.readouterr().out)
    data = page_data(out)
    model = data["model"]
    assert model["name"] == "noisy" and model["records"] == scored["records"] == len(test)
    assert model["metrics"] == {k: rounded(v) for k, v in scored["metrics"].items()}
    assert model["macro"] == {k: rounded(v) for k, v in scored["macro"].items()}
    assert {s["name"]: s["char_f1"] for s in model["sources"]} == {
        k: rounded(v["char_f1"]) for k, v in scored["per_source"].items()}
    assert [row["name"] for row in data["leaderboard"]] == ["noisy", "perfect"]
    assert data["leaderboard"][1]["metrics"]["char_f1"] == 1.0
    assert data["labels"] == metrics.labels()
    assert data["title"].endswith("· test"), "the scored split is named"


def test_report_refuses_predictions_of_another_split(release: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    validation = split_records(release, "validation")
    assert validation, "the fixture release has a validation split"
    wrong = write_jsonl(tmp_path / "wrong.jsonl", gold_predictions(validation)[:1])
    out = tmp_path / "model.html"
    assert main(["report", str(release), "--predictions", str(wrong), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "1 prediction id(s) are records of split 'validation', not 'test'" in err and "--split validation" in err
    assert not out.exists()
    assert main(["report", str(release), "--split", "validation", "--predictions", str(wrong), "--out", str(out),
                 "--json", "-"]) == 0
