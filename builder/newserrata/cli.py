"""The `newserrata` command: one sub-command per stage, each defined beside its stage."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from newserrata import annotate, baselines, build, convert, imports, publish, report, scoring, validate
from newserrata.errors import InputError, capped

COMMANDS = [validate, build, imports, annotate, publish, scoring, baselines, report, convert]


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="newserrata",
        description="Build, check, publish and score the NewsErrata error-detection benchmark.",
    )
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.add_parser(sub)
    return root


def _innermost(root: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.ArgumentParser:
    """The (sub-)sub-command's own parser, following the chosen name at each level of sub-commands."""
    found = root
    while True:
        subs = [a for a in found._actions if isinstance(a, argparse._SubParsersAction)]
        chosen = getattr(args, subs[0].dest, None) if subs else None
        if chosen is None:
            return found
        found = subs[0].choices[chosen]


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Like parse_args, except that an unknown flag is reported with the usage of the sub-command it was
    given to, not the root's usage, which lists only the sub-commands."""
    root = parser()
    args, extra = root.parse_known_args(argv)
    if extra:
        _innermost(root, args).error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    try:
        return args.func(args)
    except InputError as exc:
        for line in capped(exc.problems):
            print(line, file=sys.stderr)
        print(f"{args.command}: {len(exc.problems)} problem(s); nothing was written", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
