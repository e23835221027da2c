"""The scoring options as command-line flags, made from their one declaration (`scoring.options.Options`)."""

from __future__ import annotations

import argparse
from typing import Any

from newserrata.scoring.options import Options, flags


def add_options(parser: argparse.ArgumentParser, command: str, **defaults: Any) -> None:
    """Every option `command` offers; `defaults` overrides a field's default for this command."""
    for name, default, flag in flags(command):
        option = "--" + name.replace("_", "-")
        default = defaults.get(name, default)
        if isinstance(default, bool):
            parser.add_argument(option, action="store_true", help=flag.help)
        elif flag.repeat:
            parser.add_argument(option, action="append", default=[], metavar=flag.metavar, help=flag.help)
        else:
            kind = _at_least(flag.minimum) if flag.minimum is not None else (int if isinstance(default, int) else str)
            parser.add_argument(option, type=kind, default=default, choices=flag.choices, metavar=flag.metavar,
                                help=flag.help)


def options(args: argparse.Namespace, command: str) -> Options:
    return Options(**{name: getattr(args, name) for name, _, _ in flags(command)})


def _at_least(minimum: int) -> Any:
    def number(value: str) -> int:
        found = int(value)
        if found < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum} or more")
        return found

    number.__name__ = "number"
    return number
