"""Our own format: data/articles/<id>.txt + <id>.json, and data/labels/*.jsonl.

Only regular files inside the folder are read: a symlink could pull a file from outside the
repository into the release, and a FIFO or device would hang or flood the build. A file the format
does not know (a `.JSONL`, a sub-folder) is an error rather than silently left out.
"""

from __future__ import annotations

import stat
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newserrata import schemas
from newserrata.checks import check_spans
from newserrata.errors import Problems
from newserrata.jsonl import line_of_key, read_json, read_lines
from newserrata.paths import NotRegularFile, read_input
from newserrata.records import Annotation, Record, Span
from newserrata.sources.base import MAIN, Provenance, Source, SourceKind, SourceLog, register
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


def _read_text_file(path: Path, problems: Problems, meta_path: Path, ptr: str, folder: Path) -> str | None:
    """A missing or unreadable text is reported at the metadata line that names it, so it has a line; one that is
    not a regular file inside the article folder, at its own name."""
    try:
        return read_text(read_input(path, folder))
    except NotRegularFile as exc:
        problems.add(str(path), None, "", str(exc.strerror), exc.hint)
    except OSError as exc:
        problems.add(str(meta_path), line_of_key(meta_path, ptr), ptr, f"cannot read {path.name}: {exc.strerror}",
                     "every <id>.json needs its <id>.txt, and source_text_file must name a file beside it")
    except TextDecodeError as exc:
        problems.add(str(path), exc.line, "", str(exc), "re-save the text as UTF-8")
    return None


def read_article(meta_path: Path, problems: Problems, folder: Path | None = None) -> Article | None:
    """An article's metadata, text and source text, read only from inside `folder` (default: the metadata's own
    folder), so a symlinked file cannot bring text from elsewhere into the data."""
    folder = folder or meta_path.parent
    meta = read_json(meta_path, problems, folder)
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
    text = _read_text_file(meta_path.with_suffix(".txt"), problems, meta_path, "/id", folder)
    source_text = None
    if meta["source_text_file"] is not None:
        source_text = _read_text_file(meta_path.parent / meta["source_text_file"], problems, meta_path,
                                      "/source_text_file", folder)
    if text is None:
        return None
    return Article(meta["id"], meta, text, source_text)


def read_articles(folder: Path, problems: Problems) -> dict[str, Article]:
    articles: dict[str, Article] = {}
    for meta_path in sorted(Path(folder).glob("*.json")):
        article = read_article(meta_path, problems, Path(folder))
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


KNOWN = {"articles": (".json", ".txt"), "labels": (".jsonl",)}


def folder_files(folder: Path, problems: Problems) -> list[tuple[str, Path]]:
    """Every file under articles/ and labels/ by relative path; anything that is not a regular file of a
    known kind directly in its sub-folder is a problem, as is a missing sub-folder."""
    out: list[tuple[str, Path]] = []
    for sub, suffixes in KNOWN.items():
        root = Path(folder) / sub
        if root.is_symlink() or not root.is_dir():
            problems.add(str(root), None, "", "missing (or not a folder)" if not root.is_symlink() else
                         "is a symlink", f"a native data folder holds articles/ and labels/ ({folder})")
            continue
        for path in sorted(root.rglob("*")):
            mode = path.lstat().st_mode
            if stat.S_ISDIR(mode) and not path.is_symlink():
                continue
            if not stat.S_ISREG(mode):
                what = "a symlink" if stat.S_ISLNK(mode) else "not a regular file"
                problems.add(str(path), None, "", f"{what}: only regular files inside the data folder are read",
                             "copy the file into the folder instead of linking it, or remove it")
            elif path.parent != root or path.suffix not in suffixes:
                problems.add(str(path), None, "", f"not a file of the native format (expected {sub}/*"
                             f"{' or *'.join(suffixes)}, no sub-folders, lower-case suffix)",
                             "rename or move it, or remove it from the data folder")
            else:
                out.append((path.relative_to(folder).as_posix(), path))
    return out


def read_folder(folder: Path, problems: Problems) -> tuple[dict[str, Article], list[Label]]:
    """A native data folder: <folder>/articles and <folder>/labels."""
    folder = Path(folder)
    found = len(problems)
    folder_files(folder, problems)
    if len(problems) > found:
        return {}, []
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


@register
class Native(SourceKind):
    name = "native"
    description = "NewsErrata's own format: a folder with articles/<id>.txt + <id>.json and labels/*.jsonl"
    input = "folder"
    original = True

    def files(self, folder: Path) -> list[tuple[str, Path]]:
        problems = Problems()
        out = folder_files(folder, problems)
        problems.raise_if_any()
        return out

    def provenance(self, source: Source) -> Provenance:
        return Provenance(
            labelled_by="the NewsErrata maintainers, with the annotation guide in docs/annotation.md",
            people="the annotator ids of the label files are pseudonyms of people",
            self_contained="yes where an article names its source text; an article whose source is unknown "
                           "(the seed article) has none",
            inputs=(("articles and labels", f"{source.license} (see the card's Licenses section)"),),
            mapping=(("NewsErrata categories", "used as they are"),),
        )

    def read(self, source: Source, inputs: Mapping[str, Path], log: SourceLog) -> Iterator[Record]:
        """Native articles carry their own license and domain in their metadata."""
        records = load(inputs[MAIN], source.name)
        log.counts["records"] = len(records)
        yield from records
