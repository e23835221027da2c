"""The Inspect task, run offline on a local build with Inspect's mock model answering known replies, reports
exactly what `newserrata score` prints for the same predictions."""

from __future__ import annotations

import copy as copy_module
import json
import os
import pickle
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog, read_eval_log
from inspect_ai.model import ModelOutput, ModelUsage, get_model
from loopback import Loopback, QuietHandler
from scoring_fixtures import harness_records, record, write_build, write_jsonl

from newserrata.baselines import llm
from newserrata.cli import main
from newserrata.errors import InputError, Problem
from newserrata.harness import INSPECT_TASK, heuristic_reply, load_inspect_task

METRICS = ("char_f1", "char_f1_sev", "shroom_iou", "shroom_cor", "record_iou")
ARTICLE = re.compile(r"Article \([^)]*\):\n<<<\n(.*)\n>>>\s*$", re.DOTALL)


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
    module = load_inspect_task()
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
    build = write_build(tmp_path / "dist" / "1.0.0", {"test": [record("a", "Some text.", [[]])]})
    with pytest.raises(InputError, match="validation"):
        load_inspect_task().newserrata_errors(gold=str(build), split="validation")


def docs_command(start: str) -> str:
    """The command of docs/harnesses.md that starts with `start`, its line continuations joined."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "harnesses.md").read_text(encoding="utf-8")
    [command] = [line.strip() for line in text.replace("\\\n", " ").splitlines() if line.strip().startswith(start)]
    return " ".join(command.split())


def repository_root(tmp_path: Path) -> Path:
    """A folder laid out like the repository root: the integrations and a build in dist/1.1.0."""
    root = tmp_path / "checkout"
    root.mkdir()
    (root / "integrations").symlink_to(INSPECT_TASK.parents[1], target_is_directory=True)
    write_build(root / "dist" / "1.1.0", {"validation": harness_records(tmp_path),
                                          "test": [record("t", "Text.", [[]])]})
    return root


def offline_shell(command: str, cwd: Path, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """A command run by a shell started in `cwd`, as a user types it, with every download impossible."""
    bin_dir = str(Path(sys.executable).parent)
    environment = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HF_HUB_OFFLINE": "1",
                   "HF_DATASETS_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"), "HTTPS_PROXY": "http://127.0.0.1:9",
                   "TIKTOKEN_CACHE_DIR": str(tmp_path / "tiktoken"), "INSPECT_LOG_DIR": str(tmp_path / "logs"), **env}
    return subprocess.run(["bash", "-c", f"cd {shlex.quote(str(cwd))} && {command}"], env=environment,
                          capture_output=True, text=True, timeout=600)


def only_log(folder: Path) -> EvalLog:
    [path] = list(folder.rglob("*.eval"))
    return read_eval_log(str(path))


def test_the_documented_offline_command_runs_from_the_repository_root(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """`newserrata inspect ... --model mockllm/model`: the mock model answers with the heuristic baseline and
    reports its usage, so no tokenizer is downloaded; the numbers are those of `newserrata score`."""
    root = repository_root(tmp_path)
    command = docs_command("newserrata inspect --gold dist/1.1.0 --split validation")
    assert "mockllm/model" in command
    done = offline_shell(command, root, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    log = only_log(root / "logs")
    assert log.status == "success" and log.results is not None
    reported = {name: m.value for name, m in log.results.scores[0].metrics.items()}

    records = harness_records(tmp_path)
    module = load_inspect_task()
    predictions = write_jsonl(tmp_path / "pred.jsonl", [module.prediction(r, heuristic_reply(r)) for r in records])
    assert main(["score", "--gold", str(root / "dist" / "1.1.0"), "--split", "validation", "--predictions",
                 str(predictions), "--json", "-"]) == 0
    scored = json.loads(capsys.readouterr().out)["metrics"]
    assert 0 < scored["char_f1"] < 1
    assert reported == pytest.approx({name: scored[name] for name in METRICS}, abs=1e-12)


class JudgeServer:
    """A 127.0.0.1 chat-completions endpoint: answers each prompt with the heuristic reply of its article, or
    with one fixed HTTP error."""

    def __init__(self, records: list[dict[str, Any]], status: int = 200) -> None:
        by_prompt = {llm.messages(r)[-1]["content"]: r for r in records}

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if status != 200:
                    self.reply(status, json.dumps({"error": {"message": "bad request", "type": "invalid"}}).encode())
                    return
                content = heuristic_reply(by_prompt[body["messages"][-1]["content"]])
                self.reply(200, json.dumps({
                    "id": "c", "object": "chat.completion", "created": 0, "model": body["model"],
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": content}}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}).encode())

        self.loop = Loopback(Handler, "/v1")
        self.url = self.loop.url


@pytest.fixture
def judge() -> Iterator[Callable[..., JudgeServer]]:
    servers: list[JudgeServer] = []

    def start(records: list[dict[str, Any]], status: int = 200) -> JudgeServer:
        servers.append(JudgeServer(records, status))
        return servers[-1]

    yield start
    for server in servers:
        server.loop.close()


def test_inspect_eval_reads_a_relative_gold_from_the_folder_it_was_started_in(
        tmp_path: Path, judge: Callable[..., JudgeServer]) -> None:
    """The docs' `inspect eval` command, from the repository root, against an OpenAI-compatible endpoint:
    Inspect builds the task from the task file's folder, and dist/1.1.0 is still the root's."""
    root = repository_root(tmp_path)
    server = judge(harness_records(tmp_path))
    command = docs_command("inspect eval integrations/inspect/newserrata_task.py -T gold=dist/1.1.0")
    assert command.endswith("--model ...")
    command = command.removesuffix("...") + (f"openai/judge --model-base-url {server.url} -M responses_api=false "
                                             "--max-retries 0 --display plain")
    done = offline_shell(command, root, tmp_path, OPENAI_API_KEY="local", NO_PROXY="127.0.0.1")
    assert done.returncode == 0, done.stderr[-3000:]
    log = only_log(tmp_path / "logs")
    assert log.status == "success", log.error
    assert len(log.samples or []) == len(harness_records(tmp_path))


def test_a_failed_run_exits_1_and_says_why(tmp_path: Path, judge: Callable[..., JudgeServer],
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    build = write_build(tmp_path / "dist" / "1.0.0", {"validation": [record("a", "Some text.", [[]])]})
    server = judge([], status=400)
    monkeypatch.setenv("OPENAI_API_KEY", "local")
    assert main(["inspect", "--gold", str(build), "--split", "validation", "--", "--model", "openai/judge",
                 "--model-base-url", server.url, "-M", "responses_api=false", "--max-retries", "0",
                 "--log-dir", str(tmp_path / "logs"),
                 "--display", "none"]) == 1
    err = capsys.readouterr().err
    assert "inspect: the run ended with status error" in err and "bad request" in err
    assert only_log(tmp_path / "logs").status == "error"


def test_bad_input_to_newserrata_inspect_is_named_and_exits_2(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    build = write_build(tmp_path / "dist" / "1.0.0", {"test": [record("a", "Some text.", [[]])]})
    assert main(["inspect", "--gold", str(build), "--split", "validation", "--", "--model", "mockllm/model"]) == 2
    err = capsys.readouterr().err
    assert "no split 'validation'" in err and "Traceback" not in err
    assert main(["inspect", "--gold", str(build), "--", "--bogus", "1", "-T", "split=test"]) == 2
    err = capsys.readouterr().err
    assert "--bogus: not an option of inspect_ai.eval" in err
    assert "-T: -T is set by `newserrata inspect`" in err
    assert "--model: no model given to Inspect" in err


def test_an_input_error_survives_hashing_pickling_and_copying() -> None:
    """Async runners put exceptions in sets and process pools pickle them."""
    error = InputError([Problem("gold.jsonl", 3, "/spans/0", "out of range", "fix the offsets")])
    assert error in {error} and hash(error) == hash(error)
    for copy in (pickle.loads(pickle.dumps(error)), copy_module.deepcopy(error)):
        assert isinstance(copy, InputError) and copy.problems == error.problems and str(copy) == str(error)
