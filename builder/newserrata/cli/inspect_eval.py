"""`newserrata inspect`: the Inspect task on a build or a Hub pin, exiting 1 when the run failed."""

from __future__ import annotations

import argparse
import importlib.util
import sys

from newserrata.cli.output import harness_options
from newserrata.errors import Problems
from newserrata.harness import INSPECT_TASK, inspect_options, load_inspect_task, mock_replies


def run(args: argparse.Namespace) -> int:
    problems = Problems()
    if not INSPECT_TASK.is_file():
        problems.add(str(INSPECT_TASK), None, "", "the Inspect task file is missing",
                     "run from a clone of the repository installed with `pip install -e .`")
    if importlib.util.find_spec("inspect_ai") is None:
        problems.add("inspect-ai", None, "", "Inspect is not installed",
                     'pip install "inspect-ai==0.3.285" (or `make test`, which installs requirements-dev.lock)')
    problems.raise_if_any()
    options, model_args = inspect_options([a for a in args.inspect_args if a != "--"], problems)
    problems.raise_if_any()

    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import get_model

    module = load_inspect_task()
    task = module.newserrata_errors(gold=args.gold or module.GOLD, split=args.split, config=args.config)
    model = options.pop("model")
    if str(model).startswith("mockllm/") and "custom_outputs" not in model_args:
        records = [sample.metadata["record"] for sample in task.dataset if sample.metadata]
        model, model_args = get_model(model, custom_outputs=mock_replies(records), **model_args), {}
    logs = inspect_eval(task, model=model, model_args=model_args, **options)
    failed = [log for log in logs if log.status != "success"]
    for log in failed:
        why = f": {log.error.message}" if log.error else ""
        print(f"inspect: the run ended with status {log.status}{why} (log: {log.location})", file=sys.stderr)
    return 1 if failed else 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("inspect", help="run the Inspect task",
                       description="Run integrations/inspect/newserrata_task.py (docs/harnesses.md) with "
                                   "inspect_ai.eval. Options after `--` are those of `inspect eval`: --model, -M "
                                   "key=value, --log-dir, --limit, --max-connections, ... mockllm/model answers "
                                   "with the heuristic baseline, offline. Exit 1 when the run did not succeed, 2 "
                                   "on bad input. The reported numbers are those of `newserrata score`.")
    harness_options(p)
    p.add_argument("inspect_args", nargs=argparse.REMAINDER, metavar="-- INSPECT_OPTIONS",
                   help="options of `inspect eval`, after `--`")
    p.set_defaults(func=run)
