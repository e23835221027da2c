"""WMT MQM rows to documents and segments: the middle step of the MQM importer.

`mqm_tsv` yields a file's cells; this module reads what they mean (columns, `<v>` markers,
category and severity, attention checks, metadata) and groups the rows into documents and
segments; `mqm` turns those into records. The module docstring of `mqm` lists the decisions.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from newserrata.errors import Problems
from newserrata.jsonl import loads
from newserrata.sources.base import SourceLog
from newserrata.sources.mqm_tsv import open_tsv, read_table
from newserrata.taxonomy import NON_TRANSLATION, OMISSION, SOURCE_ISSUE, weight
from newserrata.text import BOM, SURROGATE, SURROGATE_HINT, SURROGATE_MESSAGE, normalize

ALIASES = {
    "system": "system", "doc": "doc", "docsegid": "docSegId", "doc_seg_id": "docSegId", "doc_id": "docSegId",
    "globalsegid": "globalSegId", "global_seg_id": "globalSegId", "seg_id": "globalSegId", "rater": "rater",
    "source": "source", "target": "target", "category": "category", "severity": "severity",
    "metadata": "metadata", "note": "metadata", "comment": "metadata",
}
REQUIRED = ("system", "doc", "rater", "source", "target", "category", "severity")
CATEGORIES = {
    "accuracy/mistranslation": "accuracy/mistranslation",
    "accuracy/creative reinterpretation": "accuracy/mistranslation",
    "accuracy/addition": "accuracy/addition",
    "accuracy/source language fragment": "accuracy/untranslated",
    "accuracy/untranslated text": "accuracy/untranslated",
    "accuracy/untranslated": "accuracy/untranslated",
    "fluency/grammar": "fluency/grammar",
    "fluency/spelling": "fluency/spelling",
    "fluency/punctuation": "fluency/punctuation",
    "fluency/inconsistency": "fluency/inconsistency",
    "fluency/register": "fluency/register",
    "fluency/character encoding": "fluency/encoding",
    "fluency/text-breaking": "fluency/encoding",
    "fluency/display": "fluency/encoding",
    "non-translation!": NON_TRANSLATION,
    "non-translation": NON_TRANSLATION,
    "source issue": SOURCE_ISSUE,
    "source error": SOURCE_ISSUE,
    "other": "other",
}
# Kinds a file adds under a known area take the area's catch-all (the taxonomy's mapping: Style/*,
# Terminology/*, Locale convention/*, other Accuracy/*). Fluency has none, so they go to `other`.
AREAS = (
    ("accuracy/omission", OMISSION),
    ("accuracy/", "accuracy/other"),
    ("fluency/", "other"),
    ("style/", "style/awkward"),
    ("terminology", "terminology"),
    ("locale", "locale"),
)
SEVERITIES = {"major": "major", "minor": "minor", "neutral": "neutral", "critical": "major"}
ATTENTION_CATEGORIES = {"found", "missed"}
ATTENTION_SEVERITIES = {"hotw-test", "hotw"}
NO_ERROR = {"no-error", "no error"}
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
STARTS_PARAGRAPH = re.compile(rb'"starts_paragraph"\s*:\s*true')
OPEN, CLOSE = "<v>", "</v>"
MAX_PROBLEMS = 200
UNNAMED_RATER = "unnamed"
@dataclass(slots=True)
class Mark:
    """One error a rater marked on one segment; offsets into that row's copy of the segment."""

    line: int
    rater: str
    kind: RowKind
    note: str | None
    on_source: bool
    start: int | None
    end: int | None
    text: str


@dataclass(slots=True)
class Seg:
    """Everything the rows say about one (system, doc, segment)."""

    doc_seg: str
    global_seg: str
    line: int
    targets: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    metadata: bytes | None = None
    raters: dict[str, None] = field(default_factory=dict)
    marks: list[Mark] = field(default_factory=list)


@dataclass
class Doc:
    system: str
    doc: str
    line: int
    segments: dict[str, Seg] = field(default_factory=dict)


@dataclass
class ParsedFile:
    """The parsed file: documents in order of first appearance, and what its metadata said."""

    name: str
    docs: dict[tuple[str, str], Doc] = field(default_factory=dict)
    paragraphs: dict[str, set[str]] = field(default_factory=dict)
    languages: tuple[str, str] | None = None


def _unmark(cell: str) -> tuple[str, list[tuple[int, int]], bool] | str:
    """Text without `<v>` markers, the marked spans and whether a marker was left open; or what is
    wrong with the markers. A last `<v>` left open runs to the end of the cell (seen in Google's TED
    ratings)."""
    start = cell.find(OPEN)
    end = cell.find(CLOSE, start + 3)
    if 0 <= start < end and cell.count("<") == 2:
        return cell[:start] + cell[start + 3 : end] + cell[end + 4 :], [(start, end - 3)], False
    out, spans, position, length, unclosed = [], [], 0, 0, False
    while True:
        start = cell.find(OPEN, position)
        if start < 0:
            if CLOSE in cell[position:]:
                return "'</v>' without a matching '<v>'"
            out.append(cell[position:])
            return "".join(out), spans, unclosed
        end = cell.find(CLOSE, start + 3)
        if end < 0 and OPEN not in cell[start + 3 :]:
            end, unclosed = len(cell), True
        if end < 0 or OPEN in cell[start + 3 : end] or CLOSE in cell[position:start]:
            return "'<v>' and '</v>' do not pair up"
        before, inner = cell[position:start], cell[start + 3 : end]
        out += (before, inner)
        length += len(before)
        spans.append((length, length + len(inner)))
        length += len(inner)
        position = end + 4


def normal_spans(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """The offset contract (NFC, \\n, no BOM); offsets follow the text through normalisation."""
    if (text.isascii() and "\r" not in text) or ("\r" not in text and not text.startswith(BOM)
                                                 and unicodedata.is_normalized("NFC", text)):
        return text, spans
    return normalize(text), [(len(normalize(text[:s])), len(normalize(text[:e]))) for s, e in spans]


def _cell(cell: str, counts: Counter[str]) -> tuple[str, list[tuple[int, int]]] | str:
    """A source or target cell: its text under the offset contract and its marked spans."""
    if "<" in cell and (OPEN in cell or CLOSE in cell):
        parsed = _unmark(cell)
        if isinstance(parsed, str):
            return parsed
        if parsed[2]:
            counts["unclosed_span_markers"] += 1
        text, spans = parsed[0], parsed[1]
    else:
        text, spans = cell, []
    if text.isascii() and "\r" not in text:
        return text, spans
    return normal_spans(text, spans)


@dataclass(frozen=True, slots=True)
class RowKind:
    """What one (category, severity) pair of the file means here; worked out once per distinct pair.
    `what` is error, counted (a quirk worth counting), unlisted, creative, no-error or attention."""

    what: str
    category: str = ""
    severity: str = ""
    original: str = ""
    weight: float = 0.0


def row_kind(category: str, severity: str) -> RowKind | str:
    """The meaning of a row's category and severity, or what is wrong with them."""
    cat = " ".join(category.replace("_", " ").split()).lower().removesuffix("/-").removesuffix("/ -")
    sev = "-".join(severity.replace("_", " ").split()).lower()
    if cat in ATTENTION_CATEGORIES or sev in ATTENTION_SEVERITIES:
        return RowKind("attention")
    if cat in NO_ERROR or sev in NO_ERROR:
        return RowKind("no-error")
    ours = CATEGORIES.get(cat) or next((c for prefix, c in AREAS if (cat + "/").startswith(prefix)), None)
    if ours is None:
        return f"unknown MQM category {category!r}"
    if sev not in SEVERITIES:
        return f"unknown MQM severity {severity!r}"
    our_severity = "neutral" if cat == "accuracy/creative reinterpretation" else SEVERITIES[sev]
    if cat == "accuracy/creative reinterpretation":
        what = "creative"
    elif ours == "other" and cat != "other":
        what = "unlisted"
    elif sev == "critical" or ours in (NON_TRANSLATION, SOURCE_ISSUE):
        what = "counted"
    else:
        what = "error"
    # A source issue's weight is the file's (see mqm.source_issue_weight): carried here as if it counted.
    return RowKind(what, ours, our_severity, category.strip(), weight(ours, our_severity, source_issue_weight=1.0))


def parse_json(cell: bytes) -> dict[str, Any]:
    try:
        value = loads(cell.decode("utf-8"))
    except ValueError:  # not UTF-8, not JSON, or past jsonl's bounds: no note to read
        return {}
    return value if isinstance(value, dict) else {}


def _columns(header: list[str]) -> dict[str, int] | None:
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        key = ALIASES.get(name.strip().lower())
        if key and key not in index:
            index[key] = i
    return index if all(c in index for c in REQUIRED) else None


def read_rows(path: Path, member: str | None, log: SourceLog, problems: Problems) -> ParsedFile:
    """Parse every row into documents and segments; problems are collected, not raised."""
    with open_tsv(path, member) as (name, stream):
        data = ParsedFile(name)
        table = read_table(stream, path)
        log.facts["quoting"] = table.quoting
        index = _columns(table.header)
        if index is None:
            problems.add(str(path), 1, "header", f"needs the columns {', '.join(REQUIRED)}; has "
                         f"{', '.join(table.header)}", "the header is system, doc, docSegId, globalSegId, rater, "
                         "source, target, category, severity[, metadata]")
            return data
        last = table.header[index["metadata"]].strip().lower() if "metadata" in index else "none"
        log.facts["layout"] = f"{len(index)} columns, {last} column" + ("" if table.has_header else ", no header")
        reader = _Rows(path, index, data, log, problems)
        rows = reader.consume(table.rows)
        if not rows:
            problems.add(str(path), 1, "", "no ratings: the file is empty or holds only a header",
                         "pass the ratings file as published, with one row per marked error")
        reader.finish(rows)
    return data


class _Rows:
    """Row by row into `ParsedFile`. This is the importer's hot loop: rows of one segment come together
    and repeat its texts, so the current segment and its parsed cells are kept at hand."""

    def __init__(self, path: Path, index: dict[str, int], data: ParsedFile, log: SourceLog, problems: Problems) -> None:
        self.path, self.data, self.log, self.problems = str(path), data, log, problems
        self.width = max(index.values()) + 1
        self.optional_last = index.get("metadata") == self.width - 1
        # Columns a row may lack when the header names them (Google's newstest2020 zh-en source errors).
        self.absent = sorted([(index["globalSegId"], ""), (index["rater"], UNNAMED_RATER)]) \
            if "globalSegId" in index else []
        # Absent optional columns read the empty cell appended to every row.
        self.pick = itemgetter(*(index.get(c, -1) for c in ("system", "doc", "docSegId", "globalSegId", "rater",
                                                             "source", "target", "category", "severity",
                                                             "metadata")))
        self.kinds: dict[tuple[str, str], RowKind | str] = {}
        self.key: tuple[str, str, str, str] | None = None
        self.seg = Seg("", "", 0)
        self.cells: dict[str, tuple[str, list[tuple[int, int]]] | str] = {}
        self.counts: Counter[str] = Counter()
        self.evaluation_rows = 100
        self.no_error_rows = self.error_rows = 0

    def consume(self, rows: Iterable[tuple[int, list[Any]]]) -> int:
        """Every row into its segment; returns the number of rows. One loop with its lookups bound
        once: it runs for every row of files with hundreds of thousands of them."""
        width, pick, kinds, cache, counts = self.width, self.pick, self.kinds, self.cells, self.counts
        problems = self.problems
        count = 0
        for line, cells in rows:
            count += 1
            if len(problems) >= MAX_PROBLEMS:
                problems.add(self.path, line, "", "too many problems; stopped reading", "fix the ones above first")
                break
            if len(cells) < width and not self._pad(line, cells):
                continue
            cells.append("")
            system, doc, doc_seg, global_seg, rater, source, target, category, severity, metadata = pick(cells)
            rater = rater.strip()
            if not rater:  # Marot: a row that only carries segment metadata
                counts["rows_without_rater"] += 1
                continue
            kind = kinds.get((category, severity))
            if kind is None:
                kind = kinds[(category, severity)] = row_kind(category, severity)
            if type(kind) is str or kind.what == "attention":
                self._skip(line, kind)
                continue
            key = (system, doc, doc_seg, global_seg)
            seg = self.seg if key == self.key else self._segment(line, key)
            parsed_target = cache.get(target) or cache.setdefault(target, _cell(target, counts))
            parsed_source = cache.get(source) or cache.setdefault(source, _cell(source, counts))
            if type(parsed_target) is str or type(parsed_source) is str:
                self._bad_markers(line, parsed_target, parsed_source)
                continue
            text = parsed_target[0]
            targets, sources = seg.targets, seg.sources
            targets[text] = targets.get(text, 0) + 1
            sources[parsed_source[0]] = sources.get(parsed_source[0], 0) + 1
            seg.raters[rater] = None
            # Marot's metadata column was once a free-text note column; JSON cells start with "{".
            # The reader leaves a metadata column undecoded (bytes); a comment column arrives as text.
            note = None
            if type(metadata) is str or not metadata.startswith(b"{"):
                note = self._comment(line, metadata)
            elif seg.metadata is None or self.evaluation_rows or b'"note"' in metadata:
                note = self._metadata(metadata, seg, doc)
            if note is not None and SURROGATE.search(note):
                problems.add(self.path, line, "metadata", SURROGATE_MESSAGE, SURROGATE_HINT)
            if kind.what == "no-error":
                self.no_error_rows += 1
                continue
            self.error_rows += 1
            if kind.what == "error" and parsed_target[1] and not parsed_source[1]:
                for start, end in parsed_target[1]:
                    seg.marks.append(Mark(line, rater, kind, note, False, start, end, text))
            else:
                self._marks(line, rater, severity, kind, note, parsed_target, parsed_source, seg)
        return count

    def _pad(self, line: int, cells: list[Any]) -> bool:
        """A row without its last, optional cell gets an empty one. A row of a file without a metadata
        column that ends in an empty cell and has two cells fewer besides lacks the globalSegId and rater
        columns the header names (Google's newstest2020 zh-en source-error file): its rater is
        `unnamed`, and a row it misreads fails on its category. Any other short row is a problem."""
        if len(cells) == self.width - 1 and self.optional_last:
            cells.append("")
            return True
        if (self.absent and not self.optional_last and not self.log.strict and len(cells) == self.width - 1
                and cells[-1] == ""):
            cells.pop()
            for position, value in self.absent:
                cells.insert(position, value)
            self.counts["rows_without_seg_id_and_rater_cells"] += 1
            return True
        self.problems.add(self.path, line, "", f"{len(cells)} tab-separated cells, expected {self.width}",
                          "one row per line, tabs only between cells")
        return False

    def _skip(self, line: int, kind: RowKind | str) -> None:
        if isinstance(kind, str):
            self.problems.add(self.path, line, "category" if "category" in kind else "severity", kind,
                              "map it in newserrata/sources/mqm.py (CATEGORIES, AREAS or SEVERITIES) or fix the row")
        else:
            self.counts["dropped_attention_checks"] += 1

    def _bad_markers(self, line: int, target: object, source: object) -> None:
        name, message = ("target", target) if isinstance(target, str) else ("source", source)
        self.problems.add(self.path, line, name, str(message), "every <v> needs its </v>; they do not nest")

    def _comment(self, line: int, cell: str | bytes) -> str | None:
        try:
            text = cell if isinstance(cell, str) else cell.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.problems.add(self.path, line, "metadata", f"not valid UTF-8: {exc.reason}",
                              "re-save the file as UTF-8")
            return None
        if text.startswith("{"):
            return self._metadata(text.encode("utf-8"), self.seg, self.key[1] if self.key else "")
        return normalize(text.strip()) or None

    def _segment(self, line: int, key: tuple[str, str, str, str]) -> Seg:
        done = self.seg
        if done.metadata and agreed(done.targets) and agreed(done.sources):
            done.metadata = b""  # its rows agree on the text: the tool's tokens will not be needed
        system, doc, doc_seg, global_seg = (k.strip() for k in key)
        record = self.data.docs.get((system, doc))
        if record is None:
            record = self.data.docs[(system, doc)] = Doc(system, doc, line)
        seg = record.segments.get(doc_seg or global_seg)
        if seg is None:
            seg = record.segments[doc_seg or global_seg] = Seg(doc_seg, global_seg, line)
        self.key, self.seg = key, seg
        self.cells.clear()
        return seg

    def _metadata(self, cell: bytes, seg: Seg, doc: str) -> str | None:
        """Only the few cells with segment facts, a note or the evaluation are parsed, and the bulky
        segment object only later, if its rows disagree on the text."""
        if seg.metadata is None and b'"segment"' in cell:
            seg.metadata = cell
            if b'"starts_paragraph"' in cell and STARTS_PARAGRAPH.search(cell):
                self.data.paragraphs.setdefault(doc.strip(), set()).add(seg.doc_seg or seg.global_seg)
        if self.evaluation_rows:  # Marot writes the evaluation object into the first rows only
            self.evaluation_rows -= 1
            evaluation = parse_json(cell).get("evaluation") if b'"evaluation"' in cell else None
            if isinstance(evaluation, dict) and self.data.languages is None:
                src, tgt = evaluation.get("source_language"), evaluation.get("target_language")
                if all(isinstance(code, str) and LANGUAGE.fullmatch(code) for code in (src, tgt)):
                    self.data.languages = (src, tgt)
        if b'"note"' in cell:
            note = parse_json(cell).get("note")
            return normalize(note.strip()) or None if isinstance(note, str) else None
        return None

    def _marks(self, line: int, rater: str, severity: str, kind: RowKind, note: str | None,
               target: tuple[str, list[tuple[int, int]]], source: tuple[str, list[tuple[int, int]]],
               seg: Seg) -> None:
        """Every error row but the common one (a plain error marked in the target only)."""
        self._quirks(kind.what, kind.category, severity, kind.original)
        self.counts["source_side_spans"] += len(source[1])
        places: list[tuple[bool, int | None, int | None]] = [(False, s, e) for s, e in target[1]]
        places += [(True, s, e) for s, e in source[1]]
        if not places:
            self.counts["errors_without_span"] += 1
            places = [(False, None, None)]
        for on_source, start, end in places:
            seg.marks.append(Mark(line, rater, kind, note, on_source, start, end,
                                  source[0] if on_source else target[0]))

    def _quirks(self, what: str, ours: str, severity: str, original: str) -> None:
        counts = self.counts
        if severity.strip().lower() == "critical":
            counts["critical_as_major"] += 1
        if what == "creative":
            counts["creative_reinterpretation_as_neutral"] += 1
        elif what == "unlisted":
            counts["unlisted_categories_as_other"] += 1
        if ours == NON_TRANSLATION:
            counts["non_translation_rows"] += 1
        elif ours == SOURCE_ISSUE:
            counts["source_issue_rows"] += 1
            counts["source_error_spelling_rows"] += original.lower().startswith("source error")

    def finish(self, rows: int) -> None:
        self.counts["no_error_rows"] += self.no_error_rows
        self.log.counts.update(self.counts)
        self.log.counts["rows"] += rows
        self.log.counts["error_rows"] += self.error_rows




def agreed(variants: dict[str, int]) -> bool:
    if len(variants) != 1:
        return False
    text = next(iter(variants))
    return not text[:1].isspace() and not text[-1:].isspace()
