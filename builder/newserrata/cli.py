"""The `newserrata` command: one sub-command per stage, each defined beside its stage."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from newserrata import annotate, baselines, build, compare, imports, publish, report, scoring, validate
from newserrata.errors import InputError

COMMANDS = [validate, build, imports, annotate, publish, scoring, compare, baselines, report]


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="newserrata",
        description="Build, check, publish and score the NewsErrata error-detection benchmark.",
    )
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.add_parser(sub)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{args.command}: {len(exc.problems)} problem(s); nothing was written", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
