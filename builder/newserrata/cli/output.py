"""What every command reads and writes: its file arguments declared as inputs or outputs (so that no output is
ever one of its inputs, checked in one place before the command runs), one meaning of --json, and the result
written whole."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from newserrata.atomic import write_bytes

Declared = tuple[str, str, Callable[[str], str]]
"""(the flag as the user typed it, the argument's dest, how a value gives its path)."""


def _declare(parser: argparse.ArgumentParser, role: str, action: argparse.Action,
             path: Callable[[str], str]) -> argparse.Action:
    label = action.option_strings[0] if action.option_strings else str(action.metavar or action.dest)
    parser.set_defaults(**{role: (*(parser.get_default(role) or ()), (label, action.dest, path))})
    return action


def declare_files(parser: argparse.ArgumentParser) -> None:
    """A command that reads and writes no file of its own still says so, so that every command declares."""
    for role in ("inputs", "outputs"):
        parser.set_defaults(**{role: parser.get_default(role) or ()})


def input_arg(parser: argparse.ArgumentParser, *flags: str, path: Callable[[str], str] = str,
              **kwargs: Any) -> argparse.Action:
    """An argument naming a file or folder the command reads; `path` takes the path out of a value like NAME=PATH."""
    declare_files(parser)
    return _declare(parser, "inputs", parser.add_argument(*flags, **kwargs), path)


def output_arg(parser: argparse.ArgumentParser, *flags: str, **kwargs: Any) -> argparse.Action:
    """An argument naming a file or folder the command writes."""
    declare_files(parser)
    return _declare(parser, "outputs", parser.add_argument(*flags, **kwargs), str)


def declared(args: argparse.Namespace, role: str) -> Iterator[tuple[str, Path]]:
    """(flag, path) of every input or output given on this command line; '-' (stdout) is no file."""
    entries: tuple[Declared, ...] = getattr(args, role)
    for label, dest, path in entries:
        value = getattr(args, dest, None)
        for item in value if isinstance(value, list) else [] if value is None else [value]:
            if (found := path(str(item))) and found != "-":
                yield label, Path(found)


def closing(command: str, count: int) -> str:
    """The last line of every refusal, whichever command and whatever refused."""
    return f"{command}: {count} problem(s); nothing was written"


def json_option(parser: argparse.ArgumentParser, what: str) -> None:
    """The one meaning of --json on every command: a path to write the result to, '-' for stdout."""
    output_arg(parser, "--json", metavar="OUT", help=f"also write {what} as JSON to OUT ('-' for stdout; the "
               "human-readable lines then go to stderr)")


def strict_option(parser: argparse.ArgumentParser) -> None:
    """The one meaning of --strict (build, import): upstream artifacts stop the command, as bad input does."""
    parser.add_argument("--strict", action="store_true", help="refuse upstream artifacts (an MQM row whose copy of "
                        "its segment no exact rule reconciles, rows lacking the seg_id and rater cells their header "
                        "names) instead of realigning them or dropping their spans, and counting them")


def emit(target: str | None, value: Any, human: str) -> None:
    """A command's result: the JSON to --json's target (a file written whole, or stdout for '-'), and the
    human-readable lines to stdout, or to stderr when stdout carries the JSON."""
    if target is not None:
        text = json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        if target == "-":
            sys.stdout.write(text)
        else:
            write_bytes(Path(target), text.encode("utf-8"))
    print(human, file=sys.stderr if target == "-" else sys.stdout)


def harness_options(parser: argparse.ArgumentParser) -> None:
    """--gold, --split and --config of a harness command (lm-eval, inspect): which records the task runs on."""
    input_arg(parser, "--gold", help="dist/<version>, a records .jsonl or .parquet (e.g. hydrated), or "
                                     "ORG/NAME@REVISION (default: the task's pinned Hub version)")
    parser.add_argument("--split", default="test", help="split to evaluate (default: test; tune on validation)")
    parser.add_argument("--config", default="default", help="dataset config (default: default)")
