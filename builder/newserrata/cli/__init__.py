"""The `newserrata` command: one thin module per sub-command (argument parsing and printing), each calling
its stage.

Exit status: 0 done, 2 bad input or an output that cannot be written (nothing written), 130
interrupted by Ctrl-C, 143 terminated by SIGTERM. An interrupt runs the same cleanup as an error,
so no temporary file or folder is left behind.
"""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import NoReturn

from tqdm import tqdm

from newserrata.cli import (
    annotate,
    baseline,
    build,
    compare,
    convert,
    hydrate,
    imports,
    inspect_eval,
    lm_eval,
    publish,
    report,
    score,
    validate,
)
from newserrata.cli.output import closing, declared
from newserrata.errors import InputError, Problem, Problems, capped
from newserrata.paths import refuse_overwrite

COMMANDS = [validate, build, imports, hydrate, annotate, publish, score, compare, baseline, report, lm_eval,
            inspect_eval, convert]
INTERRUPTED = 130
TERMINATED = 143
OUTPUT_HINTS = {
    errno.ENOENT: "create the folder first, or choose another path",
    errno.ENOTDIR: "a file stands where a folder is expected: choose another path",
    errno.EISDIR: "give a file name, not a folder",
    errno.EEXIST: "a file stands where a folder is expected: remove it or choose another path",
    errno.EINVAL: "give the path of a regular file",
    errno.EACCES: "choose a folder you may write to",
    errno.EPERM: "choose a folder you may write to",
    errno.EROFS: "choose a folder on a writable disk",
    errno.ENOSPC: "free some disk space, or write elsewhere",
    errno.EDQUOT: "free some disk space, or write elsewhere",
    errno.EFBIG: "the file is larger than this system allows: write elsewhere",
}


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised wherever the program is, so that the cleanup Ctrl-C runs also runs for it."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def output_problem(exc: OSError, args: argparse.Namespace) -> Problem:
    """Readers report their own files; an OSError that reaches the CLI is about an output (one that
    carries no file name, as from the parquet writer, is about the command's --out)."""
    where = exc.filename if exc.filename is not None else getattr(args, "out", None) or f"{args.command} output"
    hint = OUTPUT_HINTS.get(exc.errno or 0, "choose another output path")
    return Problem(str(where), None, "", f"cannot write: {exc.strerror or exc}", hint)


class Parser(argparse.ArgumentParser):
    """A usage error is a refusal like any other: the usage, the message, then the closing line."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        command = self.prog.removeprefix("newserrata").strip().split(" ")[0] or "newserrata"
        print(closing(command, 1), file=sys.stderr)
        sys.exit(2)


def parser() -> argparse.ArgumentParser:
    root = Parser(
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
        with _sigterm_raises():
            check_files(args)
            return args.func(args)
    except OSError as exc:
        return _report(args.command, InputError([output_problem(exc, args)]))
    except InputError as exc:
        return _report(args.command, exc)
    except KeyboardInterrupt as exc:
        _close_progress_bars()
        terminated = isinstance(exc, Terminated)
        print(f"{args.command}: {'terminated' if terminated else 'interrupted'}; unfinished outputs were removed",
              file=sys.stderr)
        return TERMINATED if terminated else INTERRUPTED


def check_files(args: argparse.Namespace) -> None:
    """The one rule for every command, from the inputs and outputs its arguments declare: no output may be
    one of its inputs (or inside an input folder, or another of its outputs)."""
    problems = Problems()
    refuse_overwrite(declared(args, "inputs"), declared(args, "outputs"), problems)
    problems.raise_if_any()


def _close_progress_bars() -> None:
    """End every progress bar the signal left open before saying so: a bar being made or drawn when the
    signal came is still referenced by the traceback, and would otherwise end its line (or draw itself
    again) after the message, on the message's line."""
    for bar in list(getattr(tqdm, "_instances", ())):
        bar.close()


def _report(command: str, exc: InputError) -> int:
    for line in capped(exc.problems):
        print(line, file=sys.stderr)
    print(closing(command, len(exc.problems)), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
