"""`newserrata annotate`: the round trip through Label Studio, from articles to tasks and from its export to labels.

Every task carries the sha256 of the exact text the annotators saw. Offsets are only meaningful against
that text, so an import refuses any task whose article has changed since the export instead of
attaching its spans to different characters.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newserrata.atomic import atomic_write
from newserrata.errors import InputError, Problem, Problems
from newserrata.jsonl import JSONError, decoder_for, read_lines, write_lines
from newserrata.paths import hint, read_input
from newserrata.sources import native
from newserrata.taxonomy import CATEGORIES, SEVERITIES
from newserrata.text import SURROGATE_HINT, SURROGATE_MESSAGE, TextDecodeError, decode_utf8, lone_surrogate

OBJECT = "text"
CATEGORY = "category"
SEVERITY = "severity"
NOTE = "note"
ANNOTATOR_PREFIX = "ls-"
KIND_PATTERN = re.compile(r"[a-z][a-z0-9-]*")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}")
CONFIG_HINT = "label with the config written by `newserrata annotate export --config-out`"
REPLACE_HINT = "choose a new --out for the batch, or delete the file first if it really is to be replaced"
REEXPORT_HINT = ("restore the article text the labels were made on, or run `newserrata annotate export` again, "
                 "import the new tasks into Label Studio and label them again")


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def tasks(articles: dict[str, native.Article]) -> list[dict[str, Any]]:
    """One task per article; Label Studio keeps `data` verbatim, so the hash travels with the labels. The source
    text is shown beside the article to judge accuracy against; Label Studio refuses tasks that lack a key the
    config names, so an article without one carries an empty string."""
    return [
        {"data": {"text": article.text, "article_id": article.id, "text_sha256": text_sha256(article.text),
                  "source_text": article.source_text or ""}}
        for article in sorted(articles.values(), key=lambda a: a.id)
    ]


def labeling_config() -> str:
    """Categories and severities come from the taxonomy schema, so the interface follows the taxonomy."""
    view = ET.Element("View")
    # Without pre-wrap Label Studio collapses whitespace on screen; offsets would still count it.
    ET.SubElement(view, "Style").text = ".htx-text { white-space: pre-wrap; }"
    ET.SubElement(view, "Header", value="$article_id")
    labels = ET.SubElement(view, "Labels", name=CATEGORY, toName=OBJECT)
    for category in CATEGORIES:
        ET.SubElement(labels, "Label", value=category)
    pair = ET.SubElement(view, "View", style="display: flex; gap: 1em; align-items: flex-start")
    ET.SubElement(ET.SubElement(pair, "View", style="flex: 3"), "Text", name=OBJECT, value=f"${OBJECT}")
    source = ET.SubElement(pair, "View", style="flex: 2")
    ET.SubElement(source, "Header", value="Source (what the machine worked from; empty when unknown)", size="5")
    ET.SubElement(source, "Text", name="source", value="$source_text")
    region = ET.SubElement(view, "View", visibleWhen="region-selected")
    ET.SubElement(region, "Header", value="Severity of the selected error")
    choices = ET.SubElement(region, "Choices", name=SEVERITY, toName=OBJECT, perRegion="true", required="true",
                            choice="single")
    for severity in SEVERITIES:
        ET.SubElement(choices, "Choice", value=severity)
    ET.SubElement(region, "Header", value="Note (optional): the correction or why it is wrong")
    ET.SubElement(region, "TextArea", name=NOTE, toName=OBJECT, perRegion="true", rows="2", editable="true")
    ET.indent(view)
    return ET.tostring(view, encoding="unicode") + "\n"


def _articles(folder: Path) -> dict[str, native.Article]:
    problems = Problems()
    if not Path(folder).is_dir():
        problems.add(str(folder), None, "", "no such folder", "pass --articles (default data/articles)")
    articles = native.read_articles(folder, problems)
    problems.raise_if_any()
    return articles


def export(articles_dir: Path, out: Path, config_out: Path) -> int:
    articles = _articles(articles_dir)
    found = tasks(articles)
    with atomic_write(out) as tasks_file, atomic_write(config_out) as config_file:  # both or neither
        tasks_file.write((json.dumps(found, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        config_file.write(labeling_config().encode("utf-8"))
    return len(found)


@dataclass
class Summary:
    tasks: int = 0
    annotations: int = 0
    spans: int = 0
    cancelled: int = 0
    drafts: int = 0
    predictions: int = 0
    unannotated: int = 0


@dataclass
class _Line:
    """A label line and where it came from, so that later checks can point back into the export."""

    value: dict[str, Any]
    where: str
    pointer: str
    span_pointers: list[str] = field(default_factory=list)


def _pointer(*parts: object) -> str:
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in parts)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def annotator_id(completed_by: Any) -> str | None:
    """Label Studio's user id, pseudonymous; an email would identify the person, so it is never used."""
    if isinstance(completed_by, dict):
        completed_by = completed_by.get("id")
    return f"{ANNOTATOR_PREFIX}{completed_by}" if _is_int(completed_by) and completed_by >= 0 else None


class _Reader:
    """Turns one export into label lines, collecting every problem before anything is written."""

    def __init__(self, path: Path, task_lines: list[int], articles: dict[str, native.Article], kind: str) -> None:
        self.file = str(path)
        self.task_lines = task_lines
        self.articles = articles
        self.kind = kind
        self.problems = Problems()
        self.summary = Summary()
        self.lines: list[_Line] = []
        self.seen: dict[tuple[str, str], str] = {}

    def add(self, pointer: str, message: str, hint: str = "") -> None:
        """Located at the line where the pointer's task starts in the export."""
        index = pointer.split("/")[1] if pointer.count("/") else ""
        line = self.task_lines[int(index)] if index.isdigit() and int(index) < len(self.task_lines) else None
        self.problems.add(self.file, line, pointer, message, hint)

    def read(self, export: Any) -> None:
        if not isinstance(export, list):
            self.add("", f"expected a JSON list of tasks, got {type(export).__name__}",
                     "export the project from Label Studio in the JSON format (not JSON-MIN or CSV)")
            return
        if (pointer := lone_surrogate(export)) is not None:
            self.add(pointer, SURROGATE_MESSAGE, SURROGATE_HINT)
            return
        for index, task in enumerate(export):
            self.task(index, task)

    def task(self, index: int, task: Any) -> None:
        ptr = _pointer(index)
        if not isinstance(task, dict):
            self.add(ptr, f"expected a task object, got {type(task).__name__}", "export in the JSON format")
            return
        self.summary.tasks += 1
        where = f"task {task.get('id', '?')} (#{index})"
        self.summary.drafts += len(task.get("drafts") or [])
        self.summary.predictions += len(task.get("predictions") or [])
        if "annotations" not in task:
            self.add(_pointer(index, "annotations"), f"{where} has no annotations list",
                     "export in the JSON format (JSON-MIN drops the annotations)")
            return
        annotations = task["annotations"]
        if not isinstance(annotations, list):
            self.add(_pointer(index, "annotations"), f"{where}: annotations is not a list", "export in the JSON format")
            return
        submitted = [(n, a) for n, a in enumerate(annotations) if not (isinstance(a, dict) and a.get("was_cancelled"))]
        self.summary.cancelled += len(annotations) - len(submitted)
        if not submitted:
            self.summary.unannotated += 1
            return  # nothing will be attached to this task's text, so its article need not match
        article = self.article(task.get("data"), ptr, where)
        if article is None:
            return
        for number, annotation in submitted:
            self.annotation(article, annotation, _pointer(index, "annotations", number), where)

    def article(self, data: Any, ptr: str, where: str) -> native.Article | None:
        fields = ("text", "article_id", "text_sha256")
        if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in fields):
            self.add(f"{ptr}/data", f"{where}: data needs the strings {', '.join(fields)}",
                     "label tasks made by `newserrata annotate export`")
            return None
        article = self.articles.get(data["article_id"])
        if article is None:
            self.add(f"{ptr}/data/article_id", f"{where}: no article {data['article_id']!r}",
                     "add data/articles/<id>.txt and <id>.json, or pass --articles")
            return None
        current = text_sha256(article.text)
        if data["text_sha256"] != current:
            self.add(f"{ptr}/data/text_sha256",
                     f"{where}: article {article.id!r} changed since the export: the task's text_sha256 is "
                     f"{data['text_sha256'][:12]}..., the current text's is {current[:12]}...; "
                     "the labels' offsets would point at different characters", REEXPORT_HINT)
            return None
        if text_sha256(data["text"]) != current:
            self.add(f"{ptr}/data/text", f"{where}: the task's text differs from article {article.id!r} "
                     "although its text_sha256 matches (was the task data edited in Label Studio?)", REEXPORT_HINT)
            return None
        return article

    def annotation(self, article: native.Article, annotation: Any, ptr: str, where: str) -> None:
        if not isinstance(annotation, dict):
            self.add(ptr, f"{where}: expected an annotation object", "export in the JSON format")
            return
        annotator = annotator_id(annotation.get("completed_by"))
        if annotator is None:
            self.add(f"{ptr}/completed_by", f"{where}: completed_by {annotation.get('completed_by')!r} is not a "
                     "user id", "completed_by is the Label Studio user id (an integer or an object with id)")
            return
        task_where, where = where, f"{where}, annotator {annotator}"
        key = (article.id, annotator)
        if key in self.seen:
            self.add(ptr, f"{where}: {annotator} already labelled article {article.id!r} in {self.seen[key]}",
                     "keep one annotation per (article, annotator): delete the other in Label Studio and export "
                     "again")
            return
        self.seen[key] = f"{task_where} at {ptr}"
        created = annotation.get("created_at")
        if not isinstance(created, str) or not DATE_PATTERN.match(created):
            self.add(f"{ptr}/created_at", f"{where}: created_at {created!r} is not an ISO 8601 timestamp",
                     "export from Label Studio unchanged")
            return
        found = len(self.problems)
        spans = self.regions(article.text, annotation.get("result"), ptr, where)
        if len(self.problems) > found:
            return
        spans.sort(key=lambda s: (s[1]["start"], s[1]["end"], s[1]["category"]))
        value: dict[str, Any] = {"article_id": article.id, "annotator_id": annotator, "annotator_kind": self.kind,
                                 "created": created, "spans": [span for _, span in spans]}
        if not spans:
            value["no_errors"] = True
        self.lines.append(_Line(value, where, ptr, [p for p, _ in spans]))
        self.summary.annotations += 1
        self.summary.spans += len(spans)

    def regions(self, text: str, result: Any, ptr: str, where: str) -> list[tuple[str, dict[str, Any]]]:
        """Label Studio stores one result per control and region; results of one region share an id."""
        if not isinstance(result, list):
            self.add(f"{ptr}/result", f"{where}: result is not a list", "export in the JSON format")
            return []
        parts: dict[str, dict[str, tuple[str, dict[str, Any]]]] = {}
        found = len(self.problems)
        for number, item in enumerate(result):
            item_ptr = f"{ptr}/result/{number}"
            control = (item.get("type"), item.get("from_name")) if isinstance(item, dict) else None
            if control and control[0] == "relation":
                continue  # an arrow between two regions says nothing about either error
            if control not in (("labels", CATEGORY), ("choices", SEVERITY), ("textarea", NOTE)):
                self.add(item_ptr, f"{where}: unexpected result {control!r}; expected labels from {CATEGORY!r}, "
                         f"per-region choices from {SEVERITY!r} or textarea from {NOTE!r}", CONFIG_HINT)
                continue
            if not isinstance(item.get("id"), str) or not isinstance(item.get("value"), dict):
                self.add(item_ptr, f"{where}: result needs a string id and a value object", CONFIG_HINT)
                continue
            region = parts.setdefault(item["id"], {})
            if control[0] in region:
                self.add(item_ptr, f"{where}: region {item['id']!r} has two {control[0]} results", CONFIG_HINT)
                continue
            region[control[0]] = (item_ptr, item["value"])
        if len(self.problems) > found:
            return []  # regions assembled from a broken result list would only repeat the same problem
        spans = []
        for region_id, region in parts.items():
            if "labels" not in region:
                item_ptr = next(iter(region.values()))[0]
                self.add(item_ptr, f"{where}: {'/'.join(region)} result {region_id!r} belongs to no labelled "
                         "region", f"{CONFIG_HINT} (severity and note must be per region)")
                continue
            span = self.span(text, region_id, region, where)
            if span is not None:
                spans.append((region["labels"][0], span))
        return spans

    def span(self, text: str, region_id: str, region: dict[str, tuple[str, dict[str, Any]]],
             where: str) -> dict[str, Any] | None:
        ptr, value = region["labels"]
        start, end, labels = value.get("start"), value.get("end"), value.get("labels")
        if not (_is_int(start) and _is_int(end) and 0 <= start <= end <= len(text)):
            self.add(f"{ptr}/value", f"{where}: region {region_id!r} offsets [{start!r}:{end!r}] are not inside "
                     f"the text ({len(text)} characters)", "offsets are code points into data.text")
            return None
        if not (isinstance(labels, list) and len(labels) == 1 and labels[0] in CATEGORIES):
            self.add(f"{ptr}/value/labels", f"{where}: region {region_id!r} has labels {labels!r}; expected exactly "
                     "one taxonomy category", CONFIG_HINT)
            return None
        described = f"region {region_id!r} ({labels[0]} at [{start}:{end}] {text[start:end]!r})"
        severity = self.severity(region.get("choices"), described, ptr, where)
        if severity is None:
            return None
        span_text = value.get("text", text[start:end])
        return {"start": start, "end": end, "text": span_text, "category": labels[0], "severity": severity,
                "note": self.note(region.get("textarea"), where)}

    def severity(self, part: tuple[str, dict[str, Any]] | None, described: str, ptr: str, where: str) -> str | None:
        if part is None:
            self.add(ptr, f"{where}: {described} has no severity",
                     f"choose one of {', '.join(SEVERITIES)} for every region in Label Studio and export again")
            return None
        choices = part[1].get("choices")
        if not (isinstance(choices, list) and len(choices) == 1 and choices[0] in SEVERITIES):
            self.add(f"{part[0]}/value/choices", f"{where}: {described} has severity {choices!r}; expected exactly "
                     f"one of {', '.join(SEVERITIES)}", CONFIG_HINT)
            return None
        return choices[0]

    def note(self, part: tuple[str, dict[str, Any]] | None, where: str) -> str | None:
        if part is None:
            return None
        texts = part[1].get("text")
        texts = [texts] if isinstance(texts, str) else texts
        if not (isinstance(texts, list) and all(isinstance(t, str) for t in texts)):
            self.add(f"{part[0]}/value/text", f"{where}: note {texts!r} is not text", CONFIG_HINT)
            return None
        return "\n".join(texts) or None


_LABEL_FIELDS = {"annotator_id": "/completed_by", "created": "/created_at", "article_id": "", "spans": "/result"}
_SPAN_FIELDS = {"start": "/value/start", "end": "/value/end", "text": "/value/text", "category": "/value/labels"}


def _locate(line: _Line, pointer: str) -> str:
    """A label-line pointer (/spans/2/text) as the export pointer of the result it came from."""
    parts = pointer.strip("/").split("/")
    if parts[0] == "spans" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(line.span_pointers):
        rest = _SPAN_FIELDS.get(parts[2], "") if len(parts) > 2 else ""
        return line.span_pointers[int(parts[1])] + rest
    return line.pointer + _LABEL_FIELDS.get(parts[0], "")


def check_lines(reader: _Reader, out: Path, labels_dir: Path) -> None:
    """The checks `newserrata validate` runs, over the new lines and the data folder's other label files."""
    others = [f for f in native.label_files(labels_dir) if f.resolve() != out.resolve()]
    with tempfile.TemporaryDirectory() as tmp:
        candidate = Path(tmp) / out.name
        write_lines(candidate, (line.value for line in reader.lines))
        found = Problems()
        native.read_labels([*others, candidate], reader.articles, found)
    for problem in found:
        if problem.file != str(candidate) or problem.line is None:
            continue
        line = reader.lines[problem.line - 1]
        message = problem.message.replace(str(candidate), str(out))
        reader.add(_locate(line, problem.pointer), f"{line.where}: {message}", problem.hint)


def import_export(export_path: Path, *, annotator_kind: str, out: Path, articles_dir: Path) -> Summary:
    """Label lines for one Label Studio JSON export, written to `out` only when every check passes."""
    problems = Problems()
    if not KIND_PATTERN.fullmatch(annotator_kind):
        problems.add("--annotator-kind", None, "", f"{annotator_kind!r} is not a kind id",
                     "lower-case letters, digits and hyphens, e.g. professional-translator")
    export, task_lines = _read_export(Path(export_path), problems)
    problems.raise_if_any()
    reader = _Reader(Path(export_path), task_lines, _articles(articles_dir), annotator_kind)
    reader.read(export)
    reader.problems.raise_if_any()
    check_lines(reader, Path(out), Path(articles_dir).parent / "labels")
    reader.problems.raise_if_any()
    reader.lines.sort(key=lambda line: (line.value["article_id"], line.value["annotator_id"]))
    _check_replaceable(Path(out), reader.lines, annotator_kind)
    write_lines(Path(out), (line.value for line in reader.lines))
    return reader.summary


def _check_replaceable(out: Path, lines: list[_Line], kind: str) -> None:
    """An existing --out is replaced only when an import of this export wrote it: every line is one this
    batch has again (same article, same Label Studio annotator, same kind). Anything else, such as a
    hand-written batch or another project's, would be lost."""
    if not out.exists():
        return
    batch = {(line.value["article_id"], line.value["annotator_id"]) for line in lines}
    unreadable = Problems()
    for number, value in read_lines(out, unreadable):
        key = (value.get("article_id"), value.get("annotator_id"))
        if key not in batch or value.get("annotator_kind") != kind:
            raise InputError([Problem(str(out), number, "", f"already exists, and its line for {key[0]!r} by "
                                      f"{key[1]!r} ({value.get('annotator_kind')!r}) is not in the batch being "
                                      "imported: the file was not written by an import of this export",
                                      REPLACE_HINT)])
    if unreadable:
        raise InputError([Problem(str(out), unreadable[0].line, "", "already exists and is not a label batch "
                                  f"written by an import of this export ({unreadable[0].message})", REPLACE_HINT)])


def _read_export(path: Path, problems: Problems) -> tuple[Any, list[int]]:
    try:
        text = decode_utf8(read_input(path)).removeprefix("\ufeff")
        return _parse_export(decoder_for(text), text)
    except OSError as exc:
        problems.add(str(path), None, "", f"cannot read: {exc.strerror}", hint(exc, "check the path of the export"))
    except TextDecodeError as exc:
        problems.add(str(path), exc.line, "", str(exc), "export from Label Studio again")
    except json.JSONDecodeError as exc:
        problems.add(str(path), exc.lineno, "", f"malformed JSON: {exc.msg} at column {exc.colno}",
                     "export from Label Studio again in the JSON format")
    except JSONError as exc:
        problems.add(str(path), exc.line, "", exc.message, exc.hint or "")
    return None, []


_SPACE = re.compile(r"[ \t\n\r]*")


def _skip(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


def _parse_export(decoder: json.JSONDecoder, text: str) -> tuple[Any, list[int]]:
    """The export and the line each task starts on: json.loads alone would lose where a task is."""
    pos = _skip(text, 0)
    if not text.startswith("[", pos):
        return decoder.decode(text), []
    found: list[Any] = []
    lines: list[int] = []
    line, counted = 1, 0
    pos = _skip(text, pos + 1)
    while not text.startswith("]", pos):
        value, end = decoder.raw_decode(text, pos)
        line, counted = line + text.count("\n", counted, pos), pos
        found.append(value)
        lines.append(line)
        pos = _skip(text, end)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
            if text.startswith("]", pos):
                raise json.JSONDecodeError("Expecting value", text, pos)
        elif not text.startswith("]", pos):
            raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)
    if _skip(text, pos + 1) != len(text):
        raise json.JSONDecodeError("Extra data", text, _skip(text, pos + 1))
    return found, lines
