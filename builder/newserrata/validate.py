"""`newserrata validate`: every input and output file kind, checked against its schema and its text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from newserrata import predictions as preds
from newserrata.checks import Level, check_record
from newserrata.errors import Problems
from newserrata.jsonl import read_lines
from newserrata.mushroom import refuse_neighbour
from newserrata.paths import refused
from newserrata.records_io import iter_records
from newserrata.scoring import elsewhere, load_gold
from newserrata.sources import native

KINDS = ("data", "article", "labels", "record", "prediction")


@dataclass
class Checked:
    """How many files and items `newserrata validate` looked at."""

    files: int = 0
    items: int = 0


def validate_data(folder: Path, problems: Problems, summary: Checked) -> None:
    articles, labels = native.read_folder(folder, problems)
    summary.files += len(list((folder / "articles").glob("*.json"))) + len(native.label_files(folder / "labels"))
    summary.items += len(articles) + len(labels)


def validate_article(path: Path, problems: Problems, summary: Checked) -> None:
    summary.files += 1
    summary.items += native.read_article(path, problems) is not None


def validate_labels(path: Path, problems: Problems, summary: Checked) -> None:
    """Label lines need their articles: they are looked up in ../articles beside the labels folder."""
    articles = native.read_articles(path.resolve().parent.parent / "articles", problems)
    summary.files += 1
    summary.items += len(native.read_labels([path], articles, problems))


def validate_records(path: Path, problems: Problems, summary: Checked) -> None:
    seen: dict[str, str] = {}
    files: set[str] = set()
    for file, line, record in iter_records(path, problems):
        files.add(file)
        summary.items += 1
        check_record(record, (file, line), problems, Level.FULL, seen)
    summary.files += len(files)


def validate_predictions(path: Path, problems: Problems, summary: Checked) -> None:
    """The scorer's own reading of a predictions file, without the gold to check offsets against."""
    if refuse_neighbour(path, problems):
        summary.files += 1
        return
    lines = [(str(path), number, value) for number, value in read_lines(path, problems)]
    summary.files += 1
    summary.items += len(lines)
    preds.index(lines, problems)


@dataclass(frozen=True, slots=True)
class Gold:
    """The records that predictions are checked against: `newserrata score`'s --gold, --split, --config."""

    spec: str
    split: str | None = None
    config: str | None = None


def validate_against_gold(path: Path, gold: Gold, problems: Problems, summary: Checked) -> None:
    """What `score` would refuse, without scoring, in one pass: every line's own problems, every usable
    prediction's offsets (and segment indexes) inside its record's text, and every id a record of the chosen
    split. Predictions made for another split are one line per split instead of one per id."""
    if refuse_neighbour(path, problems):
        summary.files += 1
        return
    indexed = preds.read(path, problems)
    summary.files += 1
    summary.items += len(indexed)
    records, _ = load_gold(gold.spec, split=gold.split, config=gold.config, problems=problems)
    found = len(problems)
    if Path(gold.spec).is_dir():
        elsewhere(Path(gold.spec), gold.config or "default", gold.split or "test", indexed, problems)
    if len(problems) > found:
        return
    seen: set[str] = set()
    for _, _, record in records:
        prediction = indexed.get(record["id"])
        seen.add(record["id"])
        if prediction is not None:
            preds.check_offsets(prediction, record["text"], problems, len(record.get("segments") or ()))
    unknown = sorted(set(indexed) - seen)
    if unknown:
        first = indexed[unknown[0]]
        problems.add(first.file, first.line, "/id", f"{len(unknown)} prediction id(s) are not records of the gold "
                     f"(first: {unknown[0]!r})", "predict for the same build, config and split")


CHECKS = {
    "data": validate_data,
    "article": validate_article,
    "labels": validate_labels,
    "record": validate_records,
    "prediction": validate_predictions,
}


def infer_kind(path: Path) -> str | None:
    """From the path first, then from the first object of a JSONL file."""
    if path.is_dir():
        if (path / "articles").is_dir():
            return "data"
        if (path / "MANIFEST.json").exists() or (path / "data").is_dir():
            return "record"
        return None
    if path.suffix == ".parquet":
        return "record"
    if path.suffix == ".json":
        return "article"
    if path.suffix != ".jsonl":
        return None
    if path.parent.name == "labels":
        return "labels"
    keys: set[str] = set()
    for _, first in read_lines(path, Problems()):
        keys = set(first)
        break
    if "article_id" in keys:
        return "labels"
    if "group_id" in keys:
        return "record"
    return "prediction" if keys else None


def validate(paths: list[Path], kind: str | None = None, gold: Gold | None = None) -> tuple[Problems, Checked]:
    """Every path checked by its kind; with `gold`, predictions files are also checked against its records."""
    problems, summary = Problems(), Checked()
    for path in paths:
        if not path.exists():
            problems.add(str(path), None, "", "no such file or folder", "check the path")
            continue
        if refused(path, problems):
            continue
        if path.is_dir() and kind not in (None, "data", "record"):
            for file in sorted(path.glob("*.json" if kind == "article" else "*.jsonl")):
                CHECKS[kind](file, problems, summary)
            continue
        found = kind or infer_kind(path)
        if found is None:
            problems.add(str(path), None, "", "cannot tell what kind of file this is",
                         f"pass --kind ({', '.join(KINDS)})")
            continue
        if gold is not None and found != "prediction":
            problems.add(str(path), None, "", f"--gold checks predictions, and this is {found}",
                         "pass predictions files with --gold, or drop --gold")
        elif gold is not None:
            validate_against_gold(path, gold, problems, summary)
        else:
            CHECKS[found](path, problems, summary)
    return problems, summary
