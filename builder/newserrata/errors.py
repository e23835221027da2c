"""Input problems, reported so that a maintainer can fix the file without reading code."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one input, located as precisely as the input allows."""

    file: str
    line: int | None
    pointer: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        text = f"{where}: {self.pointer or '/'}: {self.message}"
        return f"{text} (fix: {self.hint})" if self.hint else text


@dataclass
class InputError(Exception):
    """Raised with every problem found; the CLI prints them and exits with status 2."""

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
