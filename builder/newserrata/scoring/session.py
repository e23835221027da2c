"""One scoring session: the gold found and checked, the predictions read and matched to it record by record,
the subset chosen, and a report per predictions file. `score`, `compare`, `report`, the harness tasks and
`newserrata.score()` all go through here, so they refuse the same inputs and print the same numbers.

Problems are collected and raised before any number exists: a predictions file is never half-scored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tqdm import tqdm

from newserrata import predictions as preds
from newserrata.checks import Level, check_record
from newserrata.collector import fewer_collections
from newserrata.errors import Problems
from newserrata.mushroom import refuse_neighbour
from newserrata.predictions import Located, Prediction
from newserrata.records import Record
from newserrata.scoring.format import Report
from newserrata.scoring.gold import Gold, elsewhere, language_pair, load_gold
from newserrata.scoring.match import RecordScore, category_counts, score_record
from newserrata.scoring.options import SUBSET, Options
from newserrata.scoring.summary import summarize


@dataclass
class Scored:
    """One predictions file's per-record scores on the gold, before any metric is computed."""

    rows: list[RecordScore] = field(default_factory=list)
    categories: dict[str, Any] = field(default_factory=category_counts)
    missing: int = 0
    ignored: int = 0


class Subset:
    """Which records a session scores, and what the gold offered, to name a filter value that matched nothing."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.active = bool(options.subset)
        self.seen: dict[str, set[str]] = {"source": set(), "process": set(), "language_pair": set()}

    def admits(self, record: dict[str, Any]) -> bool:
        if not self.active:
            return True
        pair = language_pair(record)
        self.seen["source"].add(record["source"])
        self.seen["process"].add(record.get("process") or "unknown")
        self.seen["language_pair"].add(pair)
        return self.options.admits(record, pair)

    def finish(self, gold_name: str, problems: Problems) -> None:
        """A filter value no record carries is a typo or the wrong gold: one problem naming the values there are."""
        for key, seen in self.seen.items():
            for value in getattr(self.options, key):
                if value not in seen:
                    problems.add(f"--{key.replace('_', '-')}", None, "", f"no record of {gold_name} has "
                                 f"{key.replace('_', ' ')} {value!r}; there are: {', '.join(sorted(seen)) or 'none'}",
                                 "pass one of those")


class Run:
    """The gold streaming past one or more predictions files, a record at a time: `Session.score` drives it
    over a whole gold, and the report page record by record while it picks the articles to embed."""

    def __init__(self, options: Options, predictions: list[tuple[str, dict[str, Prediction]]], problems: Problems,
                 *, gold_name: str, allow_missing: bool | None = None) -> None:
        missing_ok = options.allow_missing if allow_missing is None else allow_missing
        self.options, self.problems, self.gold_name = options, problems, gold_name
        self.matchers = [preds.Matcher(indexed, problems, file=file, allow_missing=missing_ok, gold=gold_name)
                         for file, indexed in predictions]
        self.scored = [Scored() for _ in predictions]
        self.subset = Subset(options)

    def add(self, record: dict[str, Any]) -> list[RecordScore] | None:
        """Each file's row for a checked gold record; None when the record is outside the subset (its
        predictions are then ignored and counted)."""
        if not self.subset.admits(record):
            for matcher in self.matchers:
                matcher.skip(record["id"])
            return None
        if not self.matchers:
            return []
        gold = Gold.from_dict(record, self.options.mqm_per)
        rows = []
        for matcher, out in zip(self.matchers, self.scored, strict=True):
            prediction = matcher.take(record["id"], record["text"], len(gold.segments))
            rows.append(score_record(gold, prediction, out.categories, self.options.mqm_per))
            out.rows.append(rows[-1])
        return rows

    def finish(self) -> list[Scored]:
        """Unknown, missing and unmatched-filter problems, then every file's rows (or InputError)."""
        self.subset.finish(self.gold_name, self.problems)
        for matcher, out in zip(self.matchers, self.scored, strict=True):
            matcher.finish()
            out.missing, out.ignored = len(matcher.missing), matcher.skipped
        self.problems.raise_if_any()
        return self.scored


class Session:
    """A scoring run under one set of options. `problems` collects everything found on the way."""

    def __init__(self, options: Options | None = None, *, progress: bool = False) -> None:
        self.options = options or Options()
        self.problems = Problems()
        self.progress = progress

    # ------------------------------------------------------------ inputs

    def read(self, files: Iterable[str | Path]) -> list[tuple[str, dict[str, Prediction]]]:
        """Predictions files by name, each checked on its own; an unreadable file stops here, since listing
        every gold record as missing would bury the cause."""
        out, refused = [], False
        for file in files:
            path = Path(file)
            if path.is_file() and refuse_neighbour(path, self.problems):
                refused = True
                continue
            out.append((str(file), preds.read(path, self.problems)))
        if self.problems and (refused or not all(found for _, found in out)):
            self.problems.raise_if_any()
        return out

    def gold(self, spec: str, predictions: Iterable[tuple[str, dict[str, Prediction]]] = ()
             ) -> tuple[Iterable[Located], str]:
        """The gold of `spec` under the session's split and config; predictions made for another split of the
        same build folder stop here, one line per split."""
        gold, name = load_gold(spec, split=self.options.split, config=self.options.config, problems=self.problems)
        self.check_split(spec, [indexed for _, indexed in predictions])
        return gold, name

    def check_split(self, spec: str | Path, ids: Iterable[Iterable[str]]) -> None:
        if Path(spec).is_dir():
            for found in ids:
                elsewhere(Path(spec), self.options.config or "default", self.options.split or "test", found,
                          self.problems)
            self.problems.raise_if_any()

    # ------------------------------------------------------------ scoring

    def score(self, gold: Iterable[Located], predictions: list[tuple[str, dict[str, Prediction]]], *,
              gold_name: str) -> list[Scored]:
        """Stream the gold once past every (file, indexed predictions); any problem anywhere raises before a
        score exists. Every file's rows come in the gold's order, which the paired bootstrap relies on."""
        run = Run(self.options, predictions, self.problems, gold_name=gold_name)
        seen: dict[str, str] = {}
        with fewer_collections():
            for where, line, record in tqdm(gold, desc="score", unit=" records", disable=not self.progress,
                                            leave=False):
                if check_record(record, (where, line), self.problems, Level.GOLD, seen):
                    run.add(record)
        return run.finish()

    def report(self, scored: Scored, gold_name: str, *, bootstrap: bool = True) -> Report:
        options = self.options if bootstrap else replace(self.options, bootstrap=0)
        return summarize(scored.rows, scored.categories, gold=gold_name, missing=scored.missing, options=options,
                         ignored=scored.ignored)

    def score_files(self, gold_spec: str, files: list[str]) -> tuple[str, list[Scored]]:
        """The command line's path: read the files, find the gold, check the split, score every file."""
        predictions = self.read(files)
        gold, name = self.gold(gold_spec, predictions)
        return name, self.score(gold, predictions, gold_name=name)


def records_of(gold_records: Iterable[dict[str, Any] | Record]) -> Iterable[Located]:
    return (("<gold>", n, r.to_dict() if isinstance(r, Record) else r) for n, r in enumerate(gold_records, 1))


def score(gold_records: Iterable[dict[str, Any] | Record] | str | Path,
          predictions: Iterable[dict[str, Any]] | str | Path, **options: Any) -> Report:
    """Score predictions against gold records; raises InputError like the command line. The gold is record
    dicts (or Records), or what `--gold` takes (a build folder, a records file, ORG/NAME@REVISION: then
    `split`, `config` and the wrong-split check apply); predictions are dicts or a predictions file.
    Keywords are `Options`' fields, e.g. `allow_missing=True, bootstrap=1000, source=["wmt23-zhen"],
    exclude_human=True`."""
    session = Session(Options(**options))
    if isinstance(predictions, str | Path):
        indexed = session.read([predictions])
    else:
        indexed = [("<predictions>", preds.from_dicts(predictions, session.problems))]
    if isinstance(gold_records, str | Path):
        gold, name = session.gold(str(gold_records), indexed)
    elif session.options.split or session.options.config:
        raise ValueError("split and config choose records of a build folder or Hub dataset: pass its path or "
                         "ORG/NAME@REVISION as the gold, or drop them")
    else:
        gold, name = records_of(gold_records), "<gold>"
    return session.report(session.score(gold, indexed, gold_name=name)[0], name)


__all__ = ["SUBSET", "Run", "Scored", "Session", "Subset", "score"]
