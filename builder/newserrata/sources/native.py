"""Our own format: data/articles/<id>.txt + <id>.json, and data/labels/*.jsonl."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newserrata import schemas
from newserrata.checks import check_spans
from newserrata.errors import Problems
from newserrata.jsonl import line_of_key, read_json, read_lines
from newserrata.records import Annotation, Record, Span
from newserrata.text import TextDecodeError, read_text

NO_ERRORS_HINT = 'an empty "spans" list needs "no_errors": true, and "no_errors" goes only with empty spans'


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    meta: dict[str, Any]
    text: str
    source_text: str | None


@dataclass(frozen=True, slots=True)
class Label:
    file: str
    line: int
    value: dict[str, Any]


def _read_text_file(path: Path, problems: Problems, meta_path: Path, ptr: str) -> str | None:
    """A missing or unreadable text is reported at the metadata line that names it, so it has a line."""
    try:
        return read_text(path.read_bytes())
    except OSError as exc:
        problems.add(str(meta_path), line_of_key(meta_path, ptr), ptr, f"cannot read {path.name}: {exc.strerror}",
                     "every <id>.json needs its <id>.txt, and source_text_file must name a file beside it")
    except TextDecodeError as exc:
        problems.add(str(path), exc.line, "", str(exc), "re-save the text as UTF-8")
    return None


def read_article(meta_path: Path, problems: Problems) -> Article | None:
    meta = read_json(meta_path, problems)
    if meta is None:
        return None
    found = len(problems)
    for ptr, message in schemas.schema_errors("article", meta):
        problems.add(str(meta_path), line_of_key(meta_path, ptr), ptr, message,
                     "see schema/article.schema.json")
    if len(problems) > found:
        return None
    if meta["id"] != meta_path.stem:
        problems.add(str(meta_path), line_of_key(meta_path, "/id"), "/id",
                     f"id {meta['id']!r} differs from the file name {meta_path.stem!r}",
                     "name the files <id>.json and <id>.txt")
        return None
    text = _read_text_file(meta_path.with_suffix(".txt"), problems, meta_path, "/id")
    source_text = None
    if meta["source_text_file"] is not None:
        source_text = _read_text_file(meta_path.parent / meta["source_text_file"], problems, meta_path,
                                      "/source_text_file")
    if text is None:
        return None
    return Article(meta["id"], meta, text, source_text)


def read_articles(folder: Path, problems: Problems) -> dict[str, Article]:
    articles: dict[str, Article] = {}
    for meta_path in sorted(Path(folder).glob("*.json")):
        article = read_article(meta_path, problems)
        if article is not None:
            articles[article.id] = article
    return articles


def read_labels(files: list[Path], articles: dict[str, Article], problems: Problems) -> list[Label]:
    """Schema-valid label lines whose spans match their article; duplicates are problems."""
    seen: dict[tuple[str, str], str] = {}
    labels: list[Label] = []
    for path in files:
        for number, value in read_lines(path, problems):
            found = len(problems)
            for ptr, message in schemas.schema_errors("labels", value):
                problems.add(str(path), number, ptr, message, NO_ERRORS_HINT if "no_errors" in message
                             else "see schema/labels.schema.json")
            if len(problems) > found:
                continue
            article = articles.get(value["article_id"])
            if article is None:
                # An article that exists but failed its own checks is already reported; "no article" would mislead.
                if not (path.parent.parent / "articles" / f"{value['article_id']}.json").exists():
                    problems.add(str(path), number, "/article_id", f"no article {value['article_id']!r}",
                                 "add data/articles/<id>.txt and <id>.json, or fix the id")
                continue
            key = (value["article_id"], value["annotator_id"])
            if key in seen:
                problems.add(str(path), number, "/annotator_id",
                             f"annotator {key[1]!r} already labelled {key[0]!r} at {seen[key]}",
                             "one line per (article, annotator): merge the two lines")
                continue
            seen[key] = f"{path}:{number}"
            check_spans(value["spans"], article.text, (str(path), number), "/spans", problems)
            if len(problems) == found:
                labels.append(Label(str(path), number, value))
    return labels


def label_files(folder: Path) -> list[Path]:
    return sorted(Path(folder).glob("*.jsonl"))


def read_folder(folder: Path, problems: Problems) -> tuple[dict[str, Article], list[Label]]:
    """A native data folder: <folder>/articles and <folder>/labels."""
    folder = Path(folder)
    articles = read_articles(folder / "articles", problems)
    labels = read_labels(label_files(folder / "labels"), articles, problems)
    return articles, labels


def to_records(articles: dict[str, Article], labels: list[Label], source: str) -> list[Record]:
    """One record per labelled article, annotations in annotator order; unlabelled articles are left out."""
    by_article: dict[str, list[Label]] = defaultdict(list)
    for label in labels:
        by_article[label.value["article_id"]].append(label)
    records = []
    for article_id in sorted(by_article):
        article = articles[article_id]
        meta = article.meta
        annotations = [
            Annotation(
                annotator_id=v["annotator_id"],
                annotator_kind=v["annotator_kind"],
                spans=sorted((Span.from_dict(s) for s in v["spans"]), key=lambda s: (s.start, s.end)),
                no_errors=bool(v.get("no_errors")),
            )
            for v in sorted((label.value for label in by_article[article_id]), key=lambda v: v["annotator_id"])
        ]
        records.append(
            Record(
                id=article_id,
                group_id=meta["group_id"],
                source=source,
                language=meta["language"],
                text=article.text,
                annotations=annotations,
                license=meta["license"],
                source_text=article.source_text,
                source_language=meta["source_language"],
                system=meta["system"],
                process=meta["process"],
                domain=meta.get("domain", "news"),
                title=meta["title"],
                url=meta["url"],
                date=meta["date"],
            )
        )
    return records


def load(folder: Path, source: str) -> list[Record]:
    """All records of a native folder, or InputError with every problem found."""
    problems = Problems()
    articles, labels = read_folder(folder, problems)
    problems.raise_if_any()
    return to_records(articles, labels, source)


def read_records(path: Path, *, source: str, license: str, domain: str | None = "news") -> Iterator[Record]:
    """The importer interface the build uses. Native articles carry their own license and domain in their
    metadata, which win over the release's per-source defaults (kept for a uniform signature)."""
    yield from load(path, source)
