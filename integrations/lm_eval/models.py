"""`newserrata-heuristic`: a deterministic lm-eval model that answers each request with the heuristic
baseline's spans of its record, quoted as JSON the way the prompt asks a model to quote them. It needs no
weights and no torch, so the task can be run end to end anywhere, and its numbers equal those of
`newserrata baseline heuristic` exactly when the quotes land where the spans were (the test of quote
placement); import this module before running lm_eval.
"""

from __future__ import annotations

import json
from typing import Any

import lm_eval.models  # noqa: F401  (the built-in models: the harness loads them only into an empty registry)
from lm_eval.api.model import LM
from lm_eval.api.registry import register_model

from newserrata.baselines import heuristic
from newserrata.baselines.llm import occurrences

CONTEXT = 8
"""Characters of `before` given first when a quote is not unique; doubled until quote and context are."""


def quote(text: str, start: int, end: int) -> dict[str, str]:
    """A span as a careful model quotes it: the words, and the words before them when the words recur."""
    words = text[start:end]
    if len(occurrences(text, words)) == 1:
        return {"quote": words}
    size = CONTEXT
    while size < start and len(occurrences(text, text[start - size:end])) > 1:
        size *= 2
    return {"quote": words, "before": text[max(0, start - size):start]}


def answer(record: dict[str, Any]) -> str:
    """The reply for one record; insertion points (omissions) have no words to quote and are left out."""
    text = record["text"]
    return json.dumps({"errors": [quote(text, s["start"], s["end"]) | {"category": s["category"],
                                                                     "severity": s["severity"]}
                                  for s in heuristic.predict(record) if s["end"] > s["start"]]},
                      ensure_ascii=False)


@register_model("newserrata-heuristic")
class HeuristicLM(LM):
    def __init__(self, **harness_options: Any) -> None:
        """The harness passes batch size, device and the like; a rule set has no use for them."""
        super().__init__()

    def generate_until(self, requests: list[Any], disable_tqdm: bool = False) -> list[str]:
        return [answer(request.doc) for request in requests]

    def loglikelihood(self, requests: list[Any], disable_tqdm: bool = False) -> list[tuple[float, bool]]:
        raise NotImplementedError("NewsErrata is a generation task")

    def loglikelihood_rolling(self, requests: list[Any], disable_tqdm: bool = False) -> list[float]:
        raise NotImplementedError("NewsErrata is a generation task")
