"""`newserrata-heuristic`: a deterministic lm-eval model that answers the task prompt with the heuristic
baseline's spans, quoted as JSON. It needs no weights and no torch, so the task can be run end to end
anywhere (and its numbers checked against `newserrata score`); import this module before running lm_eval.
"""

from __future__ import annotations

import json
import re
from typing import Any

import lm_eval.models  # noqa: F401  (the built-in models: the harness loads them only into an empty registry)
from lm_eval.api.model import LM
from lm_eval.api.registry import register_model

from newserrata.baselines import heuristic

ARTICLE = re.compile(r"Article \(([^)]*)\):\n<<<\n(.*)\n>>>\s*$", re.DOTALL)


def answer(prompt: str) -> str:
    found = ARTICLE.search(prompt)
    if found is None:
        return json.dumps({"errors": []})
    language, text = found.groups()
    spans = heuristic.predict({"text": text, "language": language})
    return json.dumps({"errors": [{"quote": text[s["start"]:s["end"]], "category": s["category"],
                                   "severity": s["severity"]} for s in spans if s["end"] > s["start"]]},
                      ensure_ascii=False)


@register_model("newserrata-heuristic")
class HeuristicLM(LM):
    def __init__(self, **harness_options: Any) -> None:
        """The harness passes batch size, device and the like; a rule set has no use for them."""
        super().__init__()

    def generate_until(self, requests: list[Any], disable_tqdm: bool = False) -> list[str]:
        return [answer(request.arguments[0]) for request in requests]

    def loglikelihood(self, requests: list[Any], disable_tqdm: bool = False) -> list[tuple[float, bool]]:
        raise NotImplementedError("NewsErrata is a generation task")

    def loglikelihood_rolling(self, requests: list[Any], disable_tqdm: bool = False) -> list[float]:
        raise NotImplementedError("NewsErrata is a generation task")
