"""Every option of a scoring run, declared once: the Python API takes them as keywords, and `score`,
`compare` and `report` build their flags from the same fields (`Flag` metadata), so an option cannot be
spelled, defaulted or documented differently in two places.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any

HUMAN = ("human-translation", "human-summary")
"""Processes of the human-written controls that `exclude_human` drops."""
COMMANDS = ("score", "compare", "report")


@dataclass(frozen=True, slots=True)
class Flag:
    """How an option appears on the command line: its help, and the commands that offer it."""

    help: str
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    commands: tuple[str, ...] = COMMANDS
    repeat: bool = False
    minimum: int | None = None


def _flag(help: str, **how: Any) -> dict[str, Flag]:
    """A field's metadata: how the option appears on the command line."""
    return {"flag": Flag(help, **how)}


@dataclass
class Options:
    """How records are chosen, scored and resampled."""

    split: str | None = field(default=None, metadata=_flag(
        "split of a build folder or Hub dataset (default: test)"))
    config: str | None = field(default=None, metadata=_flag(
        "config of a build folder or Hub dataset (default: default)"))
    allow_missing: bool = field(default=False, metadata=_flag(
        "score gold records without a prediction line as empty predictions", commands=("score", "compare")))
    bootstrap: int = field(default=0, metadata=_flag(
        "N resamples for 95%% intervals (score: default 0, off; compare: default 1000; 1000 is usual)",
        metavar="N", commands=("score", "compare"), minimum=0))
    seed: int = field(default=0, metadata=_flag("bootstrap seed (default 0)", commands=("score", "compare")))
    resample: str = field(default="groups", metadata=_flag(
        "bootstrap unit: source documents (group_id, default) or records", choices=("groups", "records"),
        commands=("score", "compare")))
    mqm_per: int | None = field(default=None, metadata=_flag(
        "scale MQM badness (gold, and scores derived from spans) to this many characters", metavar="CHARS",
        commands=("score", "compare"), minimum=1))
    compat: str | None = field(default=None, metadata=_flag(
        "mushroom: only IoU and Cor, exactly as the official SemEval-2025 Mu-SHROOM scorer computes them, its "
        "degenerate cases included", choices=("mushroom",), commands=("score",)))
    source: list[str] = field(default_factory=list, metadata=_flag(
        "score only records of this source (repeat for several)", metavar="NAME", repeat=True))
    process: list[str] = field(default_factory=list, metadata=_flag(
        "score only records of this process, e.g. machine-translation (repeat for several)", metavar="PROCESS",
        repeat=True))
    language_pair: list[str] = field(default_factory=list, metadata=_flag(
        "score only records of this language pair, e.g. zh-en, or of this language for texts without a source "
        "(repeat for several)", metavar="PAIR", repeat=True))
    exclude_human: bool = field(default=False, metadata=_flag(
        "leave out the human-written controls (processes " + " and ".join(HUMAN) + ")"))

    def __post_init__(self) -> None:
        for name in ("source", "process", "language_pair"):
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, [value])

    @property
    def subset(self) -> dict[str, Any]:
        """The record filters that are set (empty: every record)."""
        return {k: v for k in SUBSET if (v := getattr(self, k))}

    def admits(self, record: dict[str, Any], pair: str) -> bool:
        process = record.get("process") or "unknown"
        return ((not self.source or record["source"] in self.source)
                and (not self.process or process in self.process)
                and (not self.language_pair or pair in self.language_pair)
                and not (self.exclude_human and process in HUMAN))


SUBSET = ("source", "process", "language_pair", "exclude_human")


def flags(command: str) -> list[tuple[str, Any, Flag]]:
    """(field name, default, flag) of every option `command` offers, in declaration order."""
    return [(f.name, f.default_factory() if f.default_factory is not MISSING else f.default, f.metadata["flag"])
            for f in fields(Options) if command in f.metadata["flag"].commands]
