"""Where the gold comes from (a build folder, a records file, a pinned Hub dataset), what the scorer keeps of
each record, and the checks that stop at a wrong `--gold`, `--split` or `--config` before any record is
scored: a wrong flag is one problem naming what exists, never one problem per prediction.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
from huggingface_hub import list_repo_refs

from newserrata.errors import InputError, Problem, Problems
from newserrata.paths import check_readable
from newserrata.predictions import Located
from newserrata.records_io import check_layout, iter_records, layout, split_files, versions_beside

HUB_ID = re.compile(r"[\w.-]+/[\w.-]+@[^\s@]+")


def per_length(badness: float, length: int, mqm_per: int | None) -> float:
    """MQM badness per `mqm_per` characters (unchanged when None); an empty text counts as one character."""
    return badness if mqm_per is None else badness * mqm_per / max(length, 1)


def language_pair(record: dict[str, Any]) -> str:
    """`zh-en` for a translation, the text's own language (`en`) for a text with no source language."""
    source = record.get("source_language")
    return f"{source}-{record['language']}" if source else record["language"]


@dataclass(slots=True)
class Gold:
    """What the scorer needs of a record; the text itself is dropped once predictions are checked.
    `segments` holds each segment's gold badness, None where the segment is unrated. A record that is not
    `localised` has a trusted whole-text verdict but no trusted span location: only document metrics use it."""

    id: str
    group_id: str
    source: str
    length: int
    spans: list[tuple[int, int, str, str]]
    soft: list[tuple[int, int, float]]
    badness: float
    has_error: bool
    segments: list[float | None] = field(default_factory=list)
    process: str = "unknown"
    localised: bool = True

    @classmethod
    def from_dict(cls, r: dict[str, Any], mqm_per: int | None = None) -> Gold:
        spans = sorted([(s["start"], s["end"], s["severity"], s["category"]) for s in r["spans"]])
        soft = sorted([(s["start"], s["end"], float(s["prob"])) for s in r["soft_labels"]])
        segments = [None if s.get("mqm_score") is None else
                    per_length(-float(s["mqm_score"]), s["end"] - s["start"], mqm_per) for s in r.get("segments") or ()]
        localised = r.get("localised")
        return cls(r["id"], r["group_id"], r["source"], len(r["text"]), spans, soft,
                   per_length(-float(r["mqm_score"]), len(r["text"]), mqm_per), bool(r["has_error"]), segments,
                   r.get("process") or "unknown", localised is None or bool(localised))


def load_gold(spec: str, *, split: str | None, config: str | None, problems: Problems
              ) -> tuple[Iterator[Located], str]:
    """A build folder, a records JSONL / parquet file, or a Hub dataset pinned as ORG/NAME@REVISION.
    A split, config or version that does not exist stops here, naming those that do."""
    path = Path(spec)
    if path.is_file() and (split or config):
        problems.add("--split" if split else "--config", None, "", f"does not apply to a single records file ({spec})",
                     "drop it: the whole file is read; pass a build folder to choose a split")
        problems.raise_if_any()
    split, config = split or "test", config or "default"
    if path.is_dir():
        check_layout(path, config, split, problems)
        return iter_records(path, problems, config, split), f"{spec} ({config}/{split})"
    if path.exists():
        return iter_records(path, problems), spec
    if HUB_ID.fullmatch(spec):
        return _hub_rows(spec, split, config), f"{spec} ({config}/{split})"

    others = versions_beside(path)
    problems.add(spec, None, "", "no such file or folder, and not a Hub id"
                 + (f"; versions beside it: {', '.join(others)}" if others else ""),
                 "pass dist/<version>, a records .jsonl/.parquet, or ORG/NAME@REVISION")
    problems.raise_if_any()
    return iter(()), spec


@contextmanager
def _quiet_retries() -> Iterator[None]:
    """The Hub client logs a warning per retried request; the one line that matters is the final problem."""
    hub = logging.getLogger("huggingface_hub")
    level = hub.level
    hub.setLevel(logging.ERROR)
    try:
        yield
    finally:
        hub.setLevel(level)


def _hub_rows(spec: str, split: str, config: str) -> Iterator[Located]:
    repo, revision = spec.split("@", 1)
    try:
        with _quiet_retries():
            rows = datasets.load_dataset(repo, config, split=split, revision=revision)
    except Exception as exc:  # the Hub client raises from several libraries (httpx, datasets) for one cause
        with _quiet_retries():
            found = _hub_choices(repo, revision, config) or _first_line(exc)
        raise InputError([Problem(spec, None, "", f"cannot load {config}/{split}: {found}",
                                  "check ORG/NAME, the revision tag, --config and --split, and the network")]) from None
    for number, row in enumerate(rows, 1):
        yield spec, number, row


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def _hub_choices(repo: str, revision: str, config: str) -> str:
    """What a Hub dataset does have, to name beside a revision, config or split it does not ("" if unknown,
    e.g. when the Hub cannot be reached: the caller then names the loading error itself)."""
    try:
        refs = list_repo_refs(repo, repo_type="dataset")
        tags = [t.name for t in refs.tags]
        if revision not in tags + [b.name for b in refs.branches]:
            return f"no revision {revision!r}; tags: {', '.join(sorted(tags)) or 'none'}"
        configs = datasets.get_dataset_config_names(repo, revision=revision)
        if config not in configs:
            return f"no config {config!r}; configs: {', '.join(sorted(configs))}"
        splits = sorted(datasets.get_dataset_split_names(repo, config, revision=revision))
        return f"splits of {config}: {', '.join(splits)}"
    except Exception:  # only a better message is lost
        return ""


def _ids_of(file: Path) -> list[str]:
    try:
        check_readable(file)
        return pq.read_table(file, columns=["id"]).column("id").to_pylist()
    except (OSError, pa.ArrowException):  # a damaged shard of another split is not this command's business
        return []


def elsewhere(folder: Path, config: str, split: str, ids: Iterable[str], problems: Problems) -> None:
    """Predictions made for another split of the same build, or (for a source's own config) for records of
    other sources: one line per cause with a count, added to `problems` (the caller decides whether to stop)."""
    wanted = set(ids)
    for other in layout(folder).get(config, []):
        if other == split:
            continue
        found = sum(len(wanted.intersection(_ids_of(f))) for f in split_files(folder, config, other))
        if found:
            problems.add(str(folder), None, "/id", f"{found} prediction id(s) are records of split {other!r}, not "
                         f"{split!r}", f"pass --split {other}, or predict the records of {split}")
    if config == "default" or "default" not in layout(folder):
        return
    outside = wanted.difference(*(_ids_of(f) for f in split_files(folder, config, split)))
    found = sum(len(outside.intersection(_ids_of(f))) for f in split_files(folder, "default", split))
    if found:
        problems.add(str(folder), None, "/id", f"{found} prediction id(s) are records of other sources, not of "
                     f"config {config!r}", f"score the default config with --source {config} (the other "
                     "predictions are then ignored and counted), or predict only this config's records")
