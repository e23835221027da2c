"""The lm-evaluation-harness task, run offline by `newserrata lm-eval` (the real `lm-eval run`) on a local build,
reports exactly what `newserrata score` prints for the same predictions, in a readable table and small sample logs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from scoring_fixtures import harness_records, record, write_build, write_jsonl

from newserrata.baselines import heuristic
from newserrata.cli import main
from newserrata.harness import heuristic_reply

INTEGRATION = Path(__file__).resolve().parents[1] / "integrations" / "lm_eval"
METRICS = ("char_f1", "char_f1_sev", "shroom_iou", "shroom_cor", "record_iou")


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
    assert [m["metric"] for m in config["metric_list"]] == list(METRICS)


def lm_eval(tmp_path: Path, build: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """`newserrata lm-eval` on a build with the heuristic model, offline, in a fresh process."""
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"),
           "TOKENIZERS_PARALLELISM": "false"}
    done = subprocess.run([sys.executable, "-m", "newserrata", "lm-eval", "--gold", str(build), *options],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_lm_eval_offline_equals_newserrata_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = harness_records(tmp_path)
    build = write_build(tmp_path / "dist" / "1.0.0", {"test": records})
    out = tmp_path / "results"
    done = lm_eval(tmp_path, build, "--", "--model", "newserrata-heuristic", "--output_path", str(out),
                   "--log_samples")
    assert "No module named 'torch'" not in done.stderr
    header = next(line for line in done.stdout.splitlines() if "Metric" in line)
    assert [c.strip() for c in header.strip("|").split("|")][:5] == ["Tasks", "Version", "Filter", "n-shot", "Metric"]
    [result_file] = list(out.rglob("results_*.json"))
    reported = json.loads(result_file.read_text())["results"]["newserrata"]

    utils, _ = load_utils()
    predictions = [utils.prediction(r, heuristic_reply(r)) for r in records]
    assert any(p["spans"] for p in predictions)
    predictions_file = write_jsonl(tmp_path / "pred.jsonl", predictions)
    assert main(["score", "--gold", str(build), "--predictions", str(predictions_file), "--json", "-"]) == 0
    scored = json.loads(capsys.readouterr().out)["metrics"]
    for metric in METRICS:
        assert reported[f"{metric},none"] == pytest.approx(scored[metric], abs=1e-12), metric
    assert 0 < scored["char_f1"] < 1

    [samples_file] = list(out.rglob("samples_newserrata_*.jsonl"))
    samples = [json.loads(line) for line in samples_file.read_text(encoding="utf-8").splitlines()]
    by_id = {p["id"]: p for p in predictions}
    assert sorted(s["doc"]["id"] for s in samples) == sorted(by_id)
    for sample in samples:
        for metric in METRICS:  # each metric logs the prediction, not another copy of the record
            assert json.loads(sample[metric]) == by_id[sample["doc"]["id"]]
        text = sample["doc"]["text"]
        assert json.dumps(sample, ensure_ascii=False).count(json.dumps(text, ensure_ascii=False)[1:-1]) == 2


def repeated_words() -> list[dict[str, Any]]:
    """Records whose heuristic errors are short words that occur earlier in the text too (the first occurrence
    of " the", "Trump" or "5" is not the error), found with the source where the source has the numbers."""
    loop = "The mayor said the budget and the plan were fine, but the the council voted no, no, no."
    party = "Trump met with Trump in Paris. Trump spoke."
    commas = "Yes,, he said. No,, she said,, twice."
    numbers = "On 5 May prices rose by 5 percent, and 12 shops closed."
    return [
        record("v-loop", loop, [[(loop.index("the the") + 3, loop.index(" council"), "fluency/repetition", "minor")],
                                [(loop.index(", no"), len(loop) - 1, "fluency/repetition", "major")]]),
        record("v-party", party, [[(15, 20, "accuracy/entity", "major")]]),
        record("v-commas", commas, [[(3, 5, "fluency/punctuation", "minor"),
                                     (28, 30, "fluency/punctuation", "minor")]]),
        record("v-numbers", numbers, [[(24, 25, "accuracy/number-date", "major")], []],
               source_text="Am 5. Mai stiegen die Preise um 7 Prozent, und 12 Läden schlossen.", source_language="de"),
        record("v-clean", "The council met on Tuesday and agreed the budget.", [[]]),
    ]


@pytest.mark.parametrize("gold", ["build", "records"])
def test_heuristic_through_lm_eval_equals_the_heuristic_baseline(tmp_path: Path, gold: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """The heuristic model quotes the baseline's spans; placed back by the harness they score exactly what
    `newserrata baseline heuristic` scores, although the first occurrence of several quotes is elsewhere. On
    a build's validation split, and on a records file such as `newserrata hydrate` writes."""
    records = repeated_words()
    if gold == "build":
        data = write_build(tmp_path / "dist" / "1.0.0", {"validation": records, "test": [record("t", "Text.", [[]])]})
    else:
        data = write_jsonl(tmp_path / "hydrated.jsonl", records)
    quotes = [(r["text"], e["quote"], r["text"].find(e["quote"])) for r in records
              for e in json.loads(heuristic_reply(r))["errors"]]
    starts = {(r["text"], s["start"]) for r in records for s in heuristic.predict(r)}
    assert sum((text, first) not in starts for text, _, first in quotes) >= 3, "first occurrences would be right"

    out = tmp_path / "results"
    lm_eval(tmp_path, data, "--split", "validation", "--", "--model", "newserrata-heuristic", "--output_path",
            str(out))
    [result_file] = list(out.rglob("results_*.json"))
    reported = json.loads(result_file.read_text())["results"]["newserrata"]
    baseline = tmp_path / "heuristic.jsonl"
    split = ["--split", "validation"] if gold == "build" else []
    assert main(["baseline", "heuristic", "--gold", str(data), *split, "--out", str(baseline)]) == 0
    capsys.readouterr()
    assert main(["score", "--gold", str(data), *split, "--predictions", str(baseline), "--json", "-"]) == 0
    scored = json.loads(capsys.readouterr().out)["metrics"]
    assert 0 < scored["char_f1"] < 1
    for metric in METRICS:
        assert reported[f"{metric},none"] == scored[metric], metric


def test_lm_eval_command_rejects_what_it_cannot_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build = write_build(tmp_path / "dist" / "1.0.0", {"test": [record("a", "Some text.", [[]])]})
    assert main(["lm-eval", "--gold", str(build), "--split", "validation", "--", "--model", "x"]) == 2
    assert "data/default/validation-*.parquet: no parquet file" in capsys.readouterr().err
    assert main(["lm-eval", "--gold", "newserrata", "--", "--model", "x", "--tasks", "other"]) == 2
    err = capsys.readouterr().err
    assert "newserrata: --gold: neither a build folder, a records file nor ORG/NAME@REVISION" in err
    assert "--tasks: --tasks is set by `newserrata lm-eval`" in err
    assert main(["lm-eval", "--gold", str(build)]) == 2
    assert "--model: no model given to lm-eval" in capsys.readouterr().err


def test_replies_that_are_not_json_predict_nothing(tmp_path: Path) -> None:
    utils, _ = load_utils()
    doc = record("a", "Some text here.", [[]])
    assert utils.prediction(doc, "no errors, I think") == {"id": "a", "spans": []}
    items = [(doc, [])]
    assert utils.record_iou(items) != utils.record_iou(items)  # undefined (nan) when all records are empty-vs-empty
    assert utils.shroom_iou(items) == 1.0


def test_the_heuristic_model_leaves_the_harness_api_models_usable() -> None:
    """Registering our model must not hide lm-eval's own, and its API models' dependencies are installed."""
    from lm_eval.api.registry import get_model

    load_utils()
    assert get_model("newserrata-heuristic").__name__ == "HeuristicLM"
    chat = get_model("local-chat-completions")(model="m", base_url="http://127.0.0.1:9/v1/chat/completions")
    assert chat.model == "m"
