"""`newserrata lm-eval`: the lm-evaluation-harness task on a build or a Hub pin."""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path

import yaml

from newserrata.cli.output import closing, harness_options
from newserrata.errors import Problems
from newserrata.harness import OWN_OPTIONS, TASK, TASK_DIR, _load, task_config


def run(args: argparse.Namespace) -> int:
    problems = Problems()
    if not (TASK_DIR / f"{TASK}.yaml").is_file():
        problems.add(str(TASK_DIR), None, "", "the lm-eval task folder is missing",
                     "run from a clone of the repository installed with `pip install -e .`")
    if importlib.util.find_spec("lm_eval") is None:
        problems.add("lm-eval", None, "", "lm-evaluation-harness is not installed",
                     'pip install "lm-eval[api]==0.4.13" (or `make test`, which installs requirements-dev.lock)')
    rest = [a for a in args.lm_eval_args if a != "--"]
    for option in OWN_OPTIONS:
        if option in rest:
            problems.add("command line", None, option, f"{option} is set by `newserrata lm-eval`",
                         "leave it out; choose the data with --gold, --split and --config")
    if "--model" not in rest and "-M" not in rest:
        problems.add("command line", None, "--model", "no model given to lm-eval",
                     "add `-- --model NAME [--model_args ...]` (newserrata-heuristic needs no weights)")
    task = task_config(args.gold, args.split, args.config, problems)
    problems.raise_if_any()

    from lm_eval.__main__ import cli_evaluate

    _load("models")
    with tempfile.TemporaryDirectory(prefix="newserrata-lm-eval-") as tmp:
        (Path(tmp) / f"{TASK}.yaml").write_text(yaml.safe_dump(task, sort_keys=False), encoding="utf-8")
        argv, sys.argv = sys.argv, ["lm-eval", "run", "--include_path", tmp, "--tasks", TASK, *rest]
        try:
            cli_evaluate()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
            if code == 2:  # lm-eval refused its options, after printing why
                print(closing("lm-eval", 1), file=sys.stderr)
            return code
        finally:
            sys.argv = argv
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lm-eval", help="run the lm-evaluation-harness task",
                       description="Run integrations/lm_eval (docs/harnesses.md) through `lm-eval run`. Options "
                                   "after `--` go to lm-eval: --model, --model_args, --output_path, --log_samples, "
                                   "--limit, ... The reported numbers are those of `newserrata score`.")
    harness_options(p)
    p.add_argument("lm_eval_args", nargs=argparse.REMAINDER, metavar="-- LM_EVAL_OPTIONS",
                   help="options for `lm-eval run`, after `--`")
    p.set_defaults(func=run)
