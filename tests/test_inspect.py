"""The Inspect task, run offline on a local build with Inspect's mock model answering known replies, reports
exactly what `newserrata score` prints for the same predictions."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ModelOutput, ModelUsage, get_model
from scoring_fixtures import harness_records, record, write_build, write_jsonl

from newserrata.cli import main

TASK_FILE = Path(__file__).resolve().parents[1] / "integrations" / "inspect" / "newserrata_task.py"
METRICS = ("char_f1", "char_f1_sev", "shroom_iou", "shroom_cor", "record_iou")
ARTICLE = re.compile(r"Article \([^)]*\):\n<<<\n(.*)\n>>>\s*$", re.DOTALL)


def load_task() -> ModuleType:
    spec = importlib.util.spec_from_file_location("newserrata_task", TASK_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reply(text: str) -> str:
    """A known answer per article: two quotes, a reply without JSON, or the first word in a code fence."""
    if text.startswith("Prices"):
        return json.dumps({"errors": [{"quote": "gas and gas", "category": "fluency/repetition", "severity": "major"},
                                      {"quote": "Vladimir Putin", "category": "entity", "severity": "minor"}]})
    if text.startswith("The minister"):
        return "I could not find anything wrong."
    quote = {"quote": text.split()[0], "category": "accuracy/mistranslation", "severity": "major"}
    return f"```json\n{json.dumps({'errors': [quote]}, ensure_ascii=False)}\n```"


def mock_model(messages: list[Any], *_: Any) -> ModelOutput:
    found = ARTICLE.search(messages[-1].text)
    assert found is not None and messages[0].role == "system"
    output = ModelOutput.from_content(model="mockllm/model", content=reply(found.group(1)))
    output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)  # else counted with a downloaded BPE
    return output


def test_inspect_offline_equals_newserrata_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = harness_records(tmp_path)
    build = write_build(tmp_path / "dist" / "1.0.0", {"test": records})
    module = load_task()
    [log] = inspect_eval(module.newserrata_errors(gold=str(build)), model=get_model("mockllm/model",
                         custom_outputs=mock_model), log_dir=str(tmp_path / "logs"), display="none")
    assert log.status == "success", log.error
    assert log.results is not None
    [scores] = log.results.scores
    reported = {name: m.value for name, m in scores.metrics.items()}

    predictions = [module.prediction(r, reply(r["text"])) for r in records]
    assert {p["id"]: p for p in predictions} == {s.id: s.scores["newserrata_scorer"].metadata["prediction"]
                                                  for s in log.samples or []}
    predictions_file = write_jsonl(tmp_path / "pred.jsonl", predictions)
    assert main(["score", "--gold", str(build), "--predictions", str(predictions_file), "--json", "-"]) == 0
    scored = json.loads(capsys.readouterr().out)["metrics"]
    assert sorted(reported) == sorted(METRICS)
    for name in METRICS:
        assert reported[name] == pytest.approx(scored[name], abs=1e-12), name
    assert 0 < scored["char_f1"] < 1 and 0 < scored["char_f1_sev"] < scored["char_f1"]


def test_inspect_task_names_a_missing_split(tmp_path: Path) -> None:
    from newserrata.errors import InputError

    build = write_build(tmp_path / "dist" / "1.0.0", {"test": [record("a", "Some text.", [[]])]})
    with pytest.raises(InputError, match="validation"):
        load_task().newserrata_errors(gold=str(build), split="validation")
