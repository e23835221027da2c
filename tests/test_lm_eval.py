"""The lm-evaluation-harness task, run offline by the real `lm-eval run` on a local build, reports
exactly what `newserrata score` prints for the same predictions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from scoring_fixtures import native_records, record, write_build, write_jsonl

from newserrata.cli import main

INTEGRATION = Path(__file__).resolve().parents[1] / "integrations" / "lm_eval"
DRIVER = """
import sys
sys.path.insert(0, {integration!r})
import models  # registers newserrata-heuristic
from lm_eval.__main__ import cli_evaluate
sys.argv = ["lm-eval", *sys.argv[1:]]
cli_evaluate()
"""


def load_utils():
    sys.path.insert(0, str(INTEGRATION))
    try:
        import models
        import utils
    finally:
        sys.path.remove(str(INTEGRATION))
    return utils, models


def test_task_yaml_pins_the_hub_revision() -> None:
    text = (INTEGRATION / "newserrata.yaml").read_text()
    config = yaml.safe_load(text.replace("!function", ""))
    assert config["dataset_path"] == "newserrata/newserrata"
    assert config["dataset_kwargs"] == {"revision": "v1.0.0"}
    assert config["output_type"] == "generate_until" and config["test_split"] == "test"
    assert [m["metric"] for m in config["metric_list"]] == ["char_f1", "char_f1_sev", "shroom_iou", "shroom_cor",
                                                             "record_iou"]


def test_lm_eval_offline_equals_newserrata_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loop = "Prices of gas and gas and gas rose, and Putin met with Vladimir Putin."
    script = "The minister said 中国 would reply,, soon."
    records = [
        *native_records(tmp_path),
        record("loop-en", loop, [[(loop.index(" and gas"), loop.index(" rose"), "fluency/repetition", "major"),
                                  (loop.index("Vladimir"), len(loop) - 1, "accuracy/entity", "major")]]),
        record("script-en", script, [[(18, 20, "accuracy/untranslated", "major")]]),
    ]
    build = write_build(tmp_path / "dist" / "1.0.0", {"test": records})
    local = tmp_path / "tasks" / "newserrata_local.yaml"
    local.parent.mkdir()
    local.write_text(yaml.safe_dump({
        "include": str(INTEGRATION / "newserrata.yaml"),
        "task": "newserrata_local",
        "dataset_path": "parquet",
        "dataset_name": None,
        "dataset_kwargs": {"data_files": {"test": str(build / "data" / "default" / "test-*.parquet")}},
    }))
    out = tmp_path / "results"
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"),
           "TOKENIZERS_PARALLELISM": "false"}
    driver = DRIVER.format(integration=str(INTEGRATION))
    done = subprocess.run(
        [sys.executable, "-c", driver, "run", "--model", "newserrata-heuristic", "--tasks", "newserrata_local",
         "--include_path", str(local.parent), "--output_path", str(out)],
        env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "No module named 'torch'" not in done.stderr
    [result_file] = list(out.rglob("results_*.json"))
    reported = json.loads(result_file.read_text())["results"]["newserrata_local"]

    utils, models = load_utils()
    predictions = [utils.prediction(r, models.answer(utils.doc_to_text(r))) for r in records]
    assert any(p["spans"] for p in predictions)
    predictions_file = write_jsonl(tmp_path / "pred.jsonl", predictions)
    assert main(["score", "--gold", str(build), "--predictions", str(predictions_file), "--json", "-"]) == 0
    scored = json.loads(capsys.readouterr().out)["metrics"]
    for metric in ("char_f1", "char_f1_sev", "shroom_iou", "shroom_cor", "record_iou"):
        assert reported[f"{metric},none"] == pytest.approx(scored[metric], abs=1e-12), metric
    assert 0 < scored["char_f1"] < 1


def test_replies_that_are_not_json_predict_nothing(tmp_path: Path) -> None:
    utils, _ = load_utils()
    doc = record("a", "Some text here.", [[]])
    assert utils.prediction(doc, "no errors, I think") == {"id": "a", "spans": []}
    items = [(doc, [])]
    assert utils.record_iou(items) != utils.record_iou(items)  # undefined (nan) when all records are empty-vs-empty
    assert utils.shroom_iou(items) == 1.0
