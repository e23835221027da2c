"""What every command prints: one meaning of --json, and the result written whole."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from newserrata.atomic import write_bytes


def json_option(parser: argparse.ArgumentParser, what: str) -> None:
    """The one meaning of --json on every command: a path to write the result to, '-' for stdout."""
    parser.add_argument("--json", metavar="OUT", help=f"also write {what} as JSON to OUT ('-' for stdout; the "
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
