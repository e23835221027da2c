"""Input problems, reported so that a maintainer can fix the file without reading code."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

QUOTED = 200
"""Characters of one quoted value a message shows: a 30 MB line must not become a 30 MB message."""
LONGEST = 2000
"""Characters of a whole message, whatever it quotes."""
_QUOTED = re.compile(f"'[^'\n]{{{QUOTED + 1},}}'|\"[^\"\n]{{{QUOTED + 1},}}\"")


def shorten(message: str) -> str:
    """Every quoted value past QUOTED characters cut to its start and its length, then the whole to LONGEST."""
    if len(message) <= QUOTED:
        return message
    message = _QUOTED.sub(lambda m: f"{m[0][:QUOTED + 1]}...{m[0][0]} ({len(m[0]) - 2} characters)", message)
    return message if len(message) <= LONGEST else f"{message[:LONGEST]}... ({len(message)} characters)"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one input, located as precisely as the input allows."""

    file: str
    line: int | None
    pointer: str
    message: str
    hint: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", shorten(self.message))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        text = f"{where}: {self.pointer or '/'}: {self.message}"
        return f"{text} (fix: {self.hint})" if self.hint else text


@dataclass(eq=False)
class InputError(Exception):
    """Raised with every problem found; the CLI prints them and exits with status 2. Compared and hashed by
    identity like any exception, since async runners collect exceptions in sets."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class Problems(list[Problem]):
    """A collector: readers append everything they find, callers raise once at the end."""

    def add(self, file: str, line: int | None, pointer: str, message: str, hint: str = "") -> None:
        self.append(Problem(str(file), line, pointer, message, hint))

    def raise_if_any(self) -> None:
        if self:
            raise InputError(list(self))


def scrub(text: str, *secrets: str | None) -> str:
    """A secret never reaches a log, a terminal or an exception message, whatever a server echoed back."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


SHOWN = 3
"""How many problems of one shape are printed before the rest are counted."""
_VARYING = re.compile(r"'[^']*'|\"[^\"]*\"|-?\d+(?:\.\d+)?")


def _shape(problem: Problem) -> tuple[str, str, str, str]:
    """Problems that differ only in quoted values, numbers and array indices are alike."""
    return (problem.file, _VARYING.sub("#", problem.pointer), _VARYING.sub("#", problem.message), problem.hint)


def capped(problems: list[Problem], shown: int = SHOWN) -> list[str]:
    """The problems as lines, at most `shown` of each shape, the rest counted in one line after them:
    a wrong split must not bury its cause under a line per record."""
    totals = Counter(_shape(p) for p in problems)
    printed: Counter[tuple[str, str, str, str]] = Counter()
    lines = []
    for problem in problems:
        shape = _shape(problem)
        printed[shape] += 1
        if printed[shape] <= shown:
            lines.append(str(problem))
        if printed[shape] == shown and totals[shape] > shown:
            lines.append(f"  ... and {totals[shape] - shown} more like this")
    return lines
