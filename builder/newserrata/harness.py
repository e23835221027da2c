"""The evaluation harnesses: `newserrata lm-eval` and `newserrata inspect`.

The tasks live in the repository (integrations/), not in the package, because lm-eval finds tasks by
directory and Inspect by file. `lm-eval` writes a one-file task that includes ours and points it at the
chosen data, registers the `newserrata-heuristic` model, and hands every other option to `lm-eval run`
in-process. `inspect` builds our Inspect task on the chosen data and runs it with `inspect_ai.eval`, so
that its exit status says whether the run succeeded (`inspect eval` exits 0 either way).
"""

from __future__ import annotations

import importlib.util
import inspect
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from newserrata.baselines import heuristic, llm
from newserrata.errors import Problems

INTEGRATIONS = Path(__file__).resolve().parents[2] / "integrations"
TASK_DIR = INTEGRATIONS / "lm_eval"
TASK = "newserrata"
OWN_OPTIONS = ("--tasks", "-t", "--include_path")
INSPECT_TASK = INTEGRATIONS / "inspect" / "newserrata_task.py"
INSPECT_OWN = ("-T", "--task-config", "--tasks")
CONTEXT = 8
"""Characters of `before` a heuristic reply gives first for a recurring quote; doubled until the two are unique."""


def task_config(gold: str | None, split: str, config: str, problems: Problems) -> dict[str, Any]:
    """Our task with its data replaced: a build folder's parquet files, a records file (all of it is the split),
    another Hub pin, or the task's own pin."""
    task: dict[str, Any] = {"include": str(TASK_DIR / f"{TASK}.yaml"), "task": TASK, "test_split": split,
                            "dataset_name": config}
    if gold is None:
        return task
    folder = Path(gold)
    if folder.is_file() and folder.suffix in (".jsonl", ".parquet"):  # e.g. what `newserrata hydrate` wrote
        return task | {"dataset_path": "json" if folder.suffix == ".jsonl" else "parquet", "dataset_name": None,
                       "dataset_kwargs": {"data_files": {split: [str(folder.resolve())]}}}
    if folder.is_dir():
        files = sorted((folder / "data" / config).glob(f"{split}-*.parquet"))
        if not files:
            problems.add(gold, None, f"data/{config}/{split}-*.parquet", "no parquet file for this config and split",
                         "pass a folder written by `newserrata build` (dist/<version>) and an existing --split")
        return task | {"dataset_path": "parquet", "dataset_name": None,
                       "dataset_kwargs": {"data_files": {split: [str(f.resolve()) for f in files]}}}
    repo, at, revision = gold.partition("@")
    if not at or not revision or repo.count("/") != 1:
        problems.add(gold, None, "--gold", "neither a build folder, a records file nor ORG/NAME@REVISION",
                     "pass dist/<version>, a records .jsonl or .parquet, or a pinned Hub dataset such as "
                     "newserrata/newserrata@v1.0.0")
    return task | {"dataset_path": repo, "dataset_kwargs": {"revision": revision}}


def _load(name: str) -> None:
    """Import one file of the task folder by path, so no other `models` module on sys.path can shadow it."""
    spec = importlib.util.spec_from_file_location(f"newserrata_lm_eval_{name}", TASK_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))


def quote(text: str, start: int, end: int) -> dict[str, str]:
    """A span as the prompt asks a model to quote it: the words, and the words before them when the words recur."""
    words = text[start:end]
    if len(llm.occurrences(text, words)) == 1:
        return {"quote": words}
    size = CONTEXT
    while size < start and len(llm.occurrences(text, text[start - size:end])) > 1:
        size *= 2
    return {"quote": words, "before": text[max(0, start - size):start]}


def heuristic_reply(record: dict[str, Any]) -> str:
    """The heuristic baseline's spans of a record as a model's reply: what the offline harness models answer.
    Insertion points (omissions) have no words to quote and are left out."""
    text = record["text"]
    return json.dumps({"errors": [quote(text, s["start"], s["end"]) | {"category": s["category"],
                                                                     "severity": s["severity"]}
                                  for s in heuristic.predict(record) if s["end"] > s["start"]]},
                      ensure_ascii=False)


def load_inspect_task() -> ModuleType:
    spec = importlib.util.spec_from_file_location("newserrata_inspect_task", INSPECT_TASK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def inspect_options(argv: list[str], problems: Problems) -> tuple[dict[str, Any], dict[str, Any]]:
    """`inspect eval` options (`--model openai/x`, `-M key=value`, `--limit 20`, `--log-dir logs`) as the
    keyword arguments and model arguments of `inspect_ai.eval`; an option it does not take is a problem."""
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import GenerateConfig

    known = set(inspect.signature(inspect_eval).parameters) | set(GenerateConfig.model_fields)
    options: dict[str, Any] = {}
    model_args: dict[str, Any] = {}
    at = 0
    while at < len(argv):
        flag = argv[at]
        value = argv[at + 1] if at + 1 < len(argv) and not argv[at + 1].startswith("-") else None
        at += 1 if value is None else 2
        if flag in INSPECT_OWN:
            problems.add("command line", None, flag, f"{flag} is set by `newserrata inspect`",
                         "leave it out; choose the data with --gold, --split and --config")
        elif flag in ("-M", "--model-args") and value is not None and "=" in value:
            key, _, raw = value.partition("=")
            model_args[key] = yaml.safe_load(raw)
        elif flag.startswith("--") and flag[2:].replace("-", "_") in known - {"tasks", "task_args"}:
            options[flag[2:].replace("-", "_")] = True if value is None else yaml.safe_load(value)
        else:
            problems.add("command line", None, flag, "not an option of inspect_ai.eval",
                         "use the spelling of `inspect eval --help` (e.g. --model, -M key=value, --limit, "
                         "--log-dir, --max-connections)")
    if "model" not in options:
        problems.add("command line", None, "--model", "no model given to Inspect",
                     "add `-- --model NAME` (mockllm/model answers offline with the heuristic baseline)")
    return options, model_args


def mock_replies(records: list[dict[str, Any]]) -> Callable[..., Any]:
    """Outputs for Inspect's mock model: each prompt answered with its record's heuristic reply, and a usage
    of zero tokens, so that Inspect does not count tokens with a tokenizer it would download."""
    from inspect_ai.model import ModelOutput, ModelUsage

    by_prompt = {llm.messages(r)[-1]["content"]: r for r in records}

    def reply(messages: list[Any], *_: Any) -> ModelOutput:
        output = ModelOutput.from_content(model="mockllm/model", content=heuristic_reply(by_prompt[messages[-1].text]))
        output.usage = ModelUsage(input_tokens=0, output_tokens=0, total_tokens=0)
        return output

    return reply
