"""`newserrata-heuristic`: a deterministic lm-eval model that answers each request with the heuristic
baseline's spans of its record, quoted as the prompt asks a model to quote them. It needs no weights and
no torch, so the task can be run end to end anywhere, and its numbers equal those of
`newserrata baseline heuristic` exactly when the quotes land where the spans were (the test of quote
placement); import this module before running lm_eval.
"""

from __future__ import annotations

from typing import Any

import lm_eval.models  # noqa: F401  (the built-in models: the harness loads them only into an empty registry)
from lm_eval.api.model import LM
from lm_eval.api.registry import register_model

from newserrata.harness import heuristic_reply


@register_model("newserrata-heuristic")
class HeuristicLM(LM):
    def __init__(self, **harness_options: Any) -> None:
        """The harness passes batch size, device and the like; a rule set has no use for them."""
        super().__init__()

    def generate_until(self, requests: list[Any], disable_tqdm: bool = False) -> list[str]:
        return [heuristic_reply(request.doc) for request in requests]

    def loglikelihood(self, requests: list[Any], disable_tqdm: bool = False) -> list[tuple[float, bool]]:
        raise NotImplementedError("NewsErrata is a generation task")

    def loglikelihood_rolling(self, requests: list[Any], disable_tqdm: bool = False) -> list[float]:
        raise NotImplementedError("NewsErrata is a generation task")
