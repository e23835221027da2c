"""NewsErrata as an Inspect task: the model reads an article and quotes its errors as JSON.

Inspect averages per-sample values, but the benchmark's metrics are corpus metrics (character F1 is
micro over every character of the split), so each metric below hands all (record, predicted spans)
pairs to `newserrata.score`: the numbers Inspect reports are the numbers `newserrata score` prints for
the same predictions. Prompt and quote placement are the `llm` baseline's, as in the lm-eval task.

    newserrata inspect --gold dist/1.0.0 --split validation -- --model mockllm/model
    inspect eval integrations/inspect/newserrata_task.py -T gold=dist/1.0.0 -T split=validation --model ...
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig
from inspect_ai.scorer import Metric, SampleScore, Score, Scorer, Target, metric, scorer
from inspect_ai.solver import Generate, Solver, TaskState, generate, solver

import newserrata
from newserrata.baselines import llm
from newserrata.errors import Problems
from newserrata.scoring import load_gold

GOLD = "newserrata/newserrata@v1.1.0"
HERE = Path(__file__).resolve().parent


def located(gold: str) -> str:
    """A relative path as the user meant it. `inspect eval` imports this file and builds the task from the
    file's own folder, so there a relative path is read from the folder the command was started in (the
    shell's PWD); elsewhere (`newserrata inspect`, Python) the current folder is that folder already."""
    path = Path(gold)
    started = Path(os.environ.get("PWD") or ".")
    if path.is_absolute() or Path.cwd().resolve() != HERE or not (started / path).exists():
        return gold
    return str(started / path)


def samples(gold: str, split: str, config: str) -> list[Sample]:
    """One sample per record of a build folder, records file or pinned Hub version; the record rides along."""
    problems = Problems()
    rows, _ = load_gold(located(gold), split=split, config=config, problems=problems)
    found = [Sample(id=r["id"], input=r["text"], metadata={"record": r}) for _, _, r in rows]
    problems.raise_if_any()
    return found


@solver
def mqm_prompt() -> Solver:
    """The `llm` baseline's GEMBA-MQM-style system and user messages for the sample's record."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        system, user = llm.messages(state.metadata["record"])
        state.messages = [ChatMessageSystem(content=system["content"]), ChatMessageUser(content=user["content"])]
        return state

    return solve


def prediction(record: dict[str, Any], reply: str) -> dict[str, Any]:
    """One predictions-file line from a reply; a reply holding no error JSON predicts no error."""
    spans, _ = llm.to_spans(record["text"], llm.parse_errors(reply) or [])
    return {"id": record["id"], "spans": spans}


def corpus(name: str) -> Metric:
    """Inspect hands a metric every sample's score (with its record, by the annotation below) at once."""

    def compute(scores: list[SampleScore]) -> float:
        records = [s.sample_metadata["record"] for s in scores if s.sample_metadata]
        report = newserrata.score(records, [s.score.metadata["prediction"] for s in scores if s.score.metadata])
        value = report.metrics[name]
        return float("nan") if value is None else value

    return compute


@metric
def char_f1() -> Metric:
    return corpus("char_f1")


@metric
def char_f1_sev() -> Metric:
    return corpus("char_f1_sev")


@metric
def shroom_iou() -> Metric:
    return corpus("shroom_iou")


@metric
def shroom_cor() -> Metric:
    return corpus("shroom_cor")


@metric
def record_iou() -> Metric:
    return corpus("record_iou")


@scorer(metrics=[char_f1(), char_f1_sev(), shroom_iou(), shroom_cor(), record_iou()])
def newserrata_scorer() -> Scorer:
    """Per sample: the aligned prediction, and the record's Mu-SHROOM IoU as the value shown beside it ("n/a"
    for a record judged wrong without a place for its error, which no span metric scores)."""

    async def score(state: TaskState, target: Target) -> Score:
        record = state.metadata["record"]
        found = prediction(record, state.output.completion)
        iou = newserrata.score([record], [found]).metrics["shroom_iou"]
        return Score(value="n/a" if iou is None else iou, answer=state.output.completion,
                     metadata={"prediction": found})

    return score


@task
def newserrata_errors(gold: str = GOLD, split: str = "test", config: str = "default") -> Task:
    """`gold`: dist/<version>, a records .jsonl or .parquet, or ORG/NAME@REVISION (default: the pinned release)."""
    return Task(dataset=MemoryDataset(samples(gold, split, config), name=f"newserrata-{split}"),
                solver=[mqm_prompt(), generate()], scorer=newserrata_scorer(),
                config=GenerateConfig(temperature=0.0, max_tokens=2048))
