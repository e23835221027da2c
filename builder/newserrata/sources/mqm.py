"""WMT MQM ratings (the google/wmt-mqm-human-evaluation TSV family) to records.

The files hold one row per marked error: `system doc docSegId globalSegId rater source target
category severity [metadata|comment]`, the error span wrapped in `<v>...</v>` inside a full copy of
the segment. We turn them into one record per (system, source document): the article is the
document's target segments in order, each rater becomes an annotation, and every `<v>` span becomes
an exact offset into the article (or into the source text when it was marked on the source side).

Decisions that shape the published records:
- Segments are joined with "\\n\\n" before a segment whose metadata says it starts a paragraph and
  with " " inside a paragraph ("" for Chinese and Japanese, which put no space between sentences).
  Files without paragraph information get one segment per line ("\\n").
- The segment text is the one most rows agree on, or, when rows disagree, the one the annotation
  tool tokenised (metadata `target_tokens`). The tool appends a space to a segment when a span is
  marked up to its end; such rows are aligned to the segment text and their spans clipped to it.
  A non-omission span clipped to nothing is widened to the character before it.
- Attention checks (severity `HOTW-test`, categories `Found`/`Missed`) are dropped: they test the
  rater, not the translation. A rater rates a segment when they left any other row on it; a
  `No-error` row is such a rating without spans.
- A segment's score is minus the mean over its raters of their summed weights (Google's convention,
  see taxonomy.weight). A rater's annotation holds every span they marked in the document, so its
  MQM score is the sum of their segment scores, and a rater who marked nothing gets `no_errors`.
- `Accuracy/Creative Reinterpretation` keeps the mistranslation category but becomes `neutral`:
  Google's scoring gives it weight 0; it marks an acceptable liberty, not an error.
- An error row without any `<v>` span covers its whole segment; a last `<v>` left open runs to the
  end of the cell. Rows whose copy of a segment differs from the segment text by more than a few
  characters are refused, never guessed at.
- Ids are `<source>.<doc>.<system>`, the group `<source>.<doc>` (doc without its `:xx-yy` suffix,
  sanitised to [A-Za-z0-9._-]); a collision after sanitising is an error.
- Human references (systems named like `ref`, `refA`, `Human-B`) get process "human-translation":
  professional translators rated them blind beside the machines, so they stay as controls.
- The JSON metadata cell is parsed only where it matters (segment facts, notes, the evaluation's
  languages) and is otherwise never decoded: a bad byte inside an unused metadata cell goes unseen.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from newserrata.errors import Problems
from newserrata.records import Annotation, Record, Segment, Span
from newserrata.sources.mqm_tsv import open_tsv, read_table
from newserrata.taxonomy import NON_TRANSLATION, OMISSION, SOURCE_ISSUE, weight
from newserrata.text import BOM, SURROGATE, SURROGATE_HINT, SURROGATE_MESSAGE, normalize

ANNOTATOR_KIND = "professional-translator"
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
WMT_DOMAINS = {"news", "social", "speech", "literary", "conversation", "conversational", "ecommerce",
               "manuals", "mastodon", "user", "game", "medical", "legal"}
NO_SPACE_LANGUAGES = {"zh", "ja"}
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
ISO_639_1 = set(
    "af am ar as az be bg bn bs ca cs cy da de el en eo es et eu fa fi fr ga gl gu ha he hi hr hu hy id ig is "
    "it ja jv ka kk km kn ko ku ky la lo lt lv mg mk ml mn mr ms mt my ne nl no or pa pl ps pt ro ru sd si sk sl "
    "so sq sr su sv sw ta te tg th tk tl tr uk ur uz vi xh yo zh zu".split()
)
UNSAFE_ID = re.compile(r"[^A-Za-z0-9._-]+")
STARTS_PARAGRAPH = re.compile(rb'"starts_paragraph"\s*:\s*true')
HUMAN = re.compile(r"^(ref|human)([-_. ]?[A-Za-z0-9]{1,2})?$", re.IGNORECASE)
OPEN, CLOSE = "<v>", "</v>"
SPAN_ORDER = attrgetter("start", "end", "category", "severity")
MAX_PROBLEMS = 200
MAX_ROW_DIFFERENCE = 4


@dataclass
class Stats:
    """What the importer saw and did, for the import summary and the build report."""

    counts: Counter[str] = field(default_factory=Counter)
    quoting: str = ""
    layout: str = ""
    languages: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"layout": self.layout, "quoting": self.quoting, "languages": self.languages,
                **dict(sorted(self.counts.items()))}


@dataclass(slots=True)
class Mark:
    """One error a rater marked on one segment; offsets into that row's copy of the segment."""

    line: int
    rater: str
    kind: Kind
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
class _File:
    """The parsed file: documents in order of first appearance, and what its metadata said."""

    name: str
    docs: dict[tuple[str, str], Doc] = field(default_factory=dict)
    paragraphs: dict[str, set[str]] = field(default_factory=dict)
    languages: tuple[str, str] | None = None


# --------------------------------------------------------------------------- rows


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


def _normal(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
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
    return _normal(text, spans)


@dataclass(frozen=True, slots=True)
class Kind:
    """What one (category, severity) pair of the file means here; worked out once per distinct pair.
    `what` is error, counted (a quirk worth counting), unlisted, creative, no-error or attention."""

    what: str
    category: str = ""
    severity: str = ""
    original: str = ""
    weight: float = 0.0


def _category(category: str, severity: str) -> Kind | str:
    """The meaning of a row's category and severity, or what is wrong with them."""
    cat = " ".join(category.replace("_", " ").split()).lower()
    sev = "-".join(severity.replace("_", " ").split()).lower()
    if cat in ATTENTION_CATEGORIES or sev in ATTENTION_SEVERITIES:
        return Kind("attention")
    if cat in NO_ERROR or sev in NO_ERROR:
        return Kind("no-error")
    ours = CATEGORIES.get(cat) or next((c for prefix, c in AREAS if cat.startswith(prefix)), None)
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
    return Kind(what, ours, our_severity, category.strip(), weight(ours, our_severity))


def _json(cell: bytes) -> dict[str, Any]:
    try:
        value = json.loads(cell)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _columns(header: list[str]) -> dict[str, int] | None:
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        key = ALIASES.get(name.strip().lower())
        if key and key not in index:
            index[key] = i
    return index if all(c in index for c in REQUIRED) else None


def _read(path: Path, member: str | None, stats: Stats, problems: Problems) -> _File:
    """Parse every row into documents and segments; problems are collected, not raised."""
    with open_tsv(path, member) as (name, stream):
        data = _File(name)
        table = read_table(stream, path)
        stats.quoting = table.quoting
        index = _columns(table.header)
        if index is None:
            problems.add(str(path), 1, "header", f"needs the columns {', '.join(REQUIRED)}; has "
                         f"{', '.join(table.header)}", "the header is system, doc, docSegId, globalSegId, rater, "
                         "source, target, category, severity[, metadata]")
            return data
        last = table.header[index["metadata"]].strip().lower() if "metadata" in index else "none"
        stats.layout = f"{len(index)} columns, {last} column" + ("" if table.has_header else ", no header")
        reader = _Rows(path, index, data, stats, problems)
        rows = reader.consume(table.rows)
        if not rows:
            problems.add(str(path), 1, "", "no ratings: the file is empty or holds only a header",
                         "pass the ratings file as published, with one row per marked error")
        reader.finish(rows)
    return data


class _Rows:
    """Row by row into `_File`. This is the importer's hot loop: rows of one segment come together
    and repeat its texts, so the current segment and its parsed cells are kept at hand."""

    def __init__(self, path: Path, index: dict[str, int], data: _File, stats: Stats, problems: Problems) -> None:
        self.path, self.data, self.stats, self.problems = str(path), data, stats, problems
        self.width = max(index.values()) + 1
        self.optional_last = index.get("metadata") == self.width - 1
        # Absent optional columns read the empty cell appended to every row.
        self.pick = itemgetter(*(index.get(c, -1) for c in ("system", "doc", "docSegId", "globalSegId", "rater",
                                                             "source", "target", "category", "severity",
                                                             "metadata")))
        self.kinds: dict[tuple[str, str], Kind | str] = {}
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
                kind = kinds[(category, severity)] = _category(category, severity)
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
        """A row without its last, optional cell gets an empty one; any other short row is a problem."""
        if len(cells) == self.width - 1 and self.optional_last:
            cells.append("")
            return True
        self.problems.add(self.path, line, "", f"{len(cells)} tab-separated cells, expected {self.width}",
                          "one row per line, tabs only between cells")
        return False

    def _skip(self, line: int, kind: Kind | str) -> None:
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
        if done.metadata and _agreed(done.targets) and _agreed(done.sources):
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
            evaluation = _json(cell).get("evaluation") if b'"evaluation"' in cell else None
            if isinstance(evaluation, dict) and self.data.languages is None:
                src, tgt = evaluation.get("source_language"), evaluation.get("target_language")
                if isinstance(src, str) and isinstance(tgt, str) and LANGUAGE.match(src) and LANGUAGE.match(tgt):
                    self.data.languages = (src, tgt)
        if b'"note"' in cell:
            note = _json(cell).get("note")
            return normalize(note.strip()) or None if isinstance(note, str) else None
        return None

    def _marks(self, line: int, rater: str, severity: str, kind: Kind, note: str | None,
               target: tuple[str, list[tuple[int, int]]], source: tuple[str, list[tuple[int, int]]],
               seg: Seg) -> None:
        """Every error row but the common one (a plain error marked in the target only)."""
        self._quirks(kind.what, kind.category, severity)
        self.counts["source_side_spans"] += len(source[1])
        places: list[tuple[bool, int | None, int | None]] = [(False, s, e) for s, e in target[1]]
        places += [(True, s, e) for s, e in source[1]]
        if not places:
            self.counts["errors_without_span"] += 1
            places = [(False, None, None)]
        for on_source, start, end in places:
            seg.marks.append(Mark(line, rater, kind, note, on_source, start, end,
                                  source[0] if on_source else target[0]))

    def _quirks(self, what: str, ours: str, severity: str) -> None:
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

    def finish(self, rows: int) -> None:
        self.counts["no_error_rows"] += self.no_error_rows
        self.stats.counts.update(self.counts)
        self.stats.counts["rows"] += rows
        self.stats.counts["error_rows"] += self.error_rows


# --------------------------------------------------------------------------- documents to records


def _agreed(variants: dict[str, int]) -> bool:
    if len(variants) != 1:
        return False
    text = next(iter(variants))
    return not text[:1].isspace() and not text[-1:].isspace()


def _segment_text(seg: Seg, side: str) -> str:
    """The text most rows agree on (the shorter on a tie); when rows disagree, or all carry spaces at
    the ends, the text the annotation tool tokenised wins."""
    variants = seg.targets if side == "target" else seg.sources
    if _agreed(variants):
        return next(iter(variants))
    best = min(variants, key=lambda t: (-variants[t], len(t)))
    if not seg.metadata:
        return best
    segment = _json(seg.metadata).get("segment")
    tokens = segment.get(f"{side}_tokens") if isinstance(segment, dict) else None
    if isinstance(tokens, list) and all(isinstance(t, str) for t in tokens):
        return _normal("".join(tokens), [])[0]
    return best


def _mapper(variant: str, canonical: str) -> tuple[int, int, int] | None:
    """How offsets in a row's copy of a segment land in the segment text: (prefix, variant end, text end)
    of the part that differs. Rows differ from the segment text only by what the annotation tool
    added around a span (a trailing space, a stray character); larger differences are refused."""
    prefix = 0
    limit = min(len(variant), len(canonical))
    while prefix < limit and variant[prefix] == canonical[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and variant[-1 - suffix] == canonical[-1 - suffix]:
        suffix += 1
    extra, missing = variant[prefix : len(variant) - suffix], canonical[prefix : len(canonical) - suffix]
    if len(extra) + len(missing) > MAX_ROW_DIFFERENCE and (extra.strip() or missing.strip()):
        return None
    return prefix, len(variant) - suffix, len(canonical) - suffix


def _place(mark: Mark, canonical: str, stats: Stats) -> tuple[int, int] | str:
    """Offsets of a mark inside the segment text, or why it cannot be placed."""
    if mark.start is None or mark.end is None:
        start, end = 0, len(canonical)
    else:
        mapping = _mapper(mark.text, canonical)
        if mapping is None:
            return "this row's copy of the segment differs from the segment text beyond a few characters"
        if mark.text != canonical:
            stats.counts["spans_realigned_to_segment_text"] += 1
        prefix, variant_end, end_of_change = mapping

        def land(x: int) -> int:
            return x if x <= prefix else end_of_change + x - variant_end if x >= variant_end else \
                min(x, end_of_change)

        start, end = land(mark.start), land(mark.end)
    if start == end and mark.kind.category != OMISSION:
        if not canonical:
            return f"an empty span on an empty segment cannot carry {mark.kind.category!r}"
        stats.counts["empty_spans_widened"] += 1
        start, end = (start - 1, end) if start > 0 else (start, end + 1)
    return start, end


def _number(value: str) -> tuple[int, float]:
    return (0, float(value)) if value.replace(".", "", 1).isdigit() else (1, 0.0)


def _natural(value: str) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", value)]


def _sanitise(value: str) -> str:
    return UNSAFE_ID.sub("_", value).strip("_.") or "x"


def _bounded(value: str) -> str:
    if len(value) <= 200:
        return value
    return value[:183] + "-" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


def languages_from_name(name: str) -> tuple[str, str] | None:
    """`..._zhen...`, `..._en-de...`: the pair, when the name holds exactly one plausible one."""
    lower = name.lower()
    found = {(a, b) for a, b in re.findall(r"(?<![a-z])([a-z]{2})-([a-z]{2})(?![a-z])", lower)
             if a in ISO_639_1 and b in ISO_639_1 and a != b}
    found |= {(t[:2], t[2:]) for t in re.split(r"[^a-z]+", lower)
              if len(t) == 4 and t[:2] in ISO_639_1 and t[2:] in ISO_639_1 and t[:2] != t[2:]}
    return found.pop() if len(found) == 1 else None


def default_source_name(path: Path) -> str:
    """A readable source name from a file name: `wmt23-zhen` for ..._generalMT2023_zhen..., else
    `<first word>-<pair>` (`ted-ende`), else the file's first word."""
    name = path.name.lower()
    pair = languages_from_name(name)
    year = re.search(r"(?<!\d)20(\d\d)(?!\d)", name)
    if pair and year:
        return f"wmt{year.group(1)}-{pair[0]}{pair[1]}"
    words = [w for w in re.split(r"[^a-z0-9]+", name) if w and w not in {"mqm", "sxs", "tsv", "tar", "gz", "tgz"}
             and (not pair or w not in (pair[0] + pair[1], f"{pair[0]}-{pair[1]}", *pair))]
    head = words[0] if words else "mqm"
    return f"{head}-{pair[0]}{pair[1]}" if pair else head


def _pair_suffix(doc: str) -> tuple[str, str] | None:
    match = re.search(r":([A-Za-z]{2,3})-([A-Za-z]{2,3})$", doc)
    return (match.group(1).lower(), match.group(2).lower()) if match else None


def _languages(data: _File, path: Path, source_language: str | None, target_language: str | None,
               problems: Problems) -> tuple[str, str] | None:
    suffixes = {_pair_suffix(doc) for _, doc in data.docs}
    candidates = [data.languages, suffixes.pop() if len(suffixes) == 1 else None,
                  languages_from_name(data.name), languages_from_name(path.name)]
    inferred = next((c for c in candidates if c), None)
    src = source_language or (inferred[0] if inferred else None)
    tgt = target_language or (inferred[1] if inferred else None)
    if not src or not tgt:
        problems.add(str(path), None, "", "cannot tell the language pair from the file name or its documents",
                     "name it like *_zhen.tsv, or pass source_language and target_language "
                     "(import: --languages zh-en; release.toml: source_language, target_language)")
        return None
    for value in (src, tgt):
        if not LANGUAGE.match(value):
            problems.add(str(path), None, "", f"{value!r} is not a BCP-47 language tag", "e.g. en, de, zh")
            return None
    return src, tgt


def _join(parts: list[tuple[str, bool]], within: str, paragraphs: bool) -> tuple[str, list[tuple[int, int]]]:
    """Segments to one text; (start, end) of each segment in it."""
    out, bounds, position = [], [], 0
    for i, (text, starts_paragraph) in enumerate(parts):
        if i:
            separator = ("\n\n" if starts_paragraph else within) if paragraphs else "\n"
            out.append(separator)
            position += len(separator)
        out.append(text)
        bounds.append((position, position + len(text)))
        position += len(text)
    return "".join(out), bounds


def _within(language: str) -> str:
    return "" if language.split("-")[0].lower() in NO_SPACE_LANGUAGES else " "


def ordered_segments(doc: Doc) -> list[Seg]:
    """Document order: by docSegId, then globalSegId (numerically when they are numbers), then file order."""
    return sorted(doc.segments.values(), key=lambda s: (_number(s.doc_seg), _number(s.global_seg), s.line))


def _record(doc: Doc, data: _File, ids: tuple[str, str], languages: tuple[str, str], *, source: str,
            license: str, domain: str | None, stats: Stats, problems: Problems, path: Path) -> Record | None:
    src_language, language = languages
    ordered = ordered_segments(doc)
    flags = data.paragraphs.get(doc.doc, set())
    targets = [_segment_text(s, "target") for s in ordered]
    sources = [_segment_text(s, "source") for s in ordered]
    starts = [(s.doc_seg or s.global_seg) in flags for s in ordered]
    text, bounds = _join(list(zip(targets, starts, strict=True)), _within(language), bool(flags))
    source_text, source_bounds = _join(list(zip(sources, starts, strict=True)), _within(src_language), bool(flags))
    for name, value in (("target", text), ("source", source_text)):
        if not unicodedata.is_normalized("NFC", value):
            problems.add(str(path), doc.line, name, "joining the segments leaves text that is not NFC "
                         "(a segment starts with a combining character)", "fix the segment text")
            return None

    raters = sorted({r for s in ordered for r in s.raters}, key=_natural)
    spans: dict[str, list[Span]] = {r: [] for r in raters}
    source_spans: dict[str, list[Span]] = {r: [] for r in raters}
    segments = []
    found = len(problems)
    for seg, target, src, (start, end), (source_start, source_end) in zip(
            ordered, targets, sources, bounds, source_bounds, strict=True):
        totals = dict.fromkeys(seg.raters, 0.0)
        for mark in seg.marks:
            base, segment_text, full = (source_start, src, source_text) if mark.on_source else (start, target, text)
            placed: tuple[int, int] | str
            if mark.start is not None and mark.end is not None and mark.start < mark.end \
                    and mark.text == segment_text:
                placed = (mark.start, mark.end)
            else:
                placed = _place(mark, segment_text, stats)
            if isinstance(placed, str):
                problems.add(str(path), mark.line, "source" if mark.on_source else "target", placed,
                             "make every row of a segment carry the same text")
                continue
            s, e = base + placed[0], base + placed[1]
            kind = mark.kind
            (source_spans if mark.on_source else spans)[mark.rater].append(
                Span(s, e, full[s:e], kind.category, kind.severity, kind.original, mark.note))
            totals[mark.rater] += kind.weight
        score = -round(sum(totals.values()) / len(totals), 6) + 0.0
        segments.append(Segment(start, end, source_start, source_end, score))
    if len(problems) > found:
        return None

    annotations = []
    for rater in raters:
        if any(rater not in s.raters for s in ordered):
            stats.counts["raters_with_partial_coverage"] += 1
        annotations.append(Annotation(
            annotator_id=_bounded(_sanitise(rater)), annotator_kind=ANNOTATOR_KIND,
            spans=sorted(spans[rater], key=SPAN_ORDER), source_spans=sorted(source_spans[rater], key=SPAN_ORDER),
            no_errors=not spans[rater] and not source_spans[rater]))
    human = bool(HUMAN.match(doc.system.strip()))
    stats.counts["human_reference_records"] += human
    record_id, group_id = ids
    return Record(
        id=record_id, group_id=group_id, source=source, language=language, text=text,
        annotations=annotations, license=license, source_text=source_text, source_language=src_language,
        system=doc.system, process="human-translation" if human else "machine-translation", domain=domain,
        segments=segments,
    )


def _doc_domain(doc: str) -> str | None:
    head = doc.split("_", 1)[0].lower() if "_" in doc else ""
    return head if head in WMT_DOMAINS or head == "user" else None


def _ids(docs: Iterable[Doc], source: str, path: Path, problems: Problems) -> dict[tuple[str, str], tuple[str, str]]:
    """Readable ids, `<source>.<doc>.<system>`; a collision after sanitising is an error, never a merge."""
    out: dict[tuple[str, str], tuple[str, str]] = {}
    seen: dict[str, Doc] = {}
    for doc in docs:
        suffix = _pair_suffix(doc.doc)
        name = doc.doc[: doc.doc.rindex(":")] if suffix else doc.doc
        group_id = _bounded(f"{source}.{_sanitise(name)}")
        record_id = _bounded(f"{group_id}.{_sanitise(doc.system)}")
        if record_id in seen:
            other = seen[record_id]
            problems.add(str(path), doc.line, "doc", f"({doc.system!r}, {doc.doc!r}) and ({other.system!r}, "
                         f"{other.doc!r}) both become record id {record_id!r}", "rename one of them")
        seen[record_id] = doc
        out[(doc.system, doc.doc)] = (record_id, group_id)
    return out


def _build(path: Path, *, source: str, license: str, domain: str | None, member: str | None,
           source_language: str | None, target_language: str | None, stats: Stats) -> list[tuple[Doc, Record]]:
    path = Path(path)
    problems = Problems()
    data = _read(path, member, stats, problems)
    problems.raise_if_any()
    languages = _languages(data, path, source_language, target_language, problems)
    problems.raise_if_any()
    assert languages is not None
    stats.languages = "-".join(languages)
    docs = []
    for doc in data.docs.values():
        named = _doc_domain(doc.doc)
        if domain and named and named != domain.lower():
            stats.counts["documents_of_other_domains_skipped"] += 1
        else:
            docs.append(doc)
    ids = _ids(docs, source, path, problems)
    built = [(doc, _record(doc, data, ids[(doc.system, doc.doc)], languages, source=source, license=license,
                           domain=domain or _doc_domain(doc.doc), stats=stats, problems=problems, path=path))
             for doc in docs]
    problems.raise_if_any()
    stats.counts["records"] = len(built)
    stats.counts["documents"] = len({doc.doc for doc in docs})
    stats.counts["systems"] = len({doc.system for doc in docs})
    stats.counts["raters"] = len({r for doc in docs for s in doc.segments.values() for r in s.raters})
    stats.counts["segments"] = sum(len(doc.segments) for doc in docs)
    stats.counts["paragraph_documents"] = len({doc.doc for doc in docs} & set(data.paragraphs))
    return [(doc, record) for doc, record in built if record is not None]


def read_records(path: Path, *, source: str, license: str, domain: str | None = "news", member: str | None = None,
                 source_language: str | None = None, target_language: str | None = None,
                 stats: Stats | None = None) -> Iterator[Record]:
    """Un-aggregated records, one per (system, document), in order of first appearance in the file.

    The whole file is read and checked before the first record is yielded, so a caller never sees
    part of a bad file. With a `domain`, documents whose WMT name says another domain
    (`social_...`, `speech_...`) are left out and counted.
    """
    built = _build(path, source=source, license=license, domain=domain, member=member,
                   source_language=source_language, target_language=target_language,
                   stats=stats if stats is not None else Stats())
    for _, record in built:
        yield record


def segment_scores(path: Path, *, member: str | None = None, source_language: str | None = None,
                   target_language: str | None = None) -> Iterator[tuple[str, str, str, float | None]]:
    """(system, doc, globalSegId, MQM score) of every rated segment, taken from the records' segments,
    for comparison with Google's published per-segment scores."""
    for doc, record in _build(path, source="check", license="-", domain=None, member=member,
                              source_language=source_language, target_language=target_language, stats=Stats()):
        for seg, segment in zip(ordered_segments(doc), record.segments, strict=True):
            yield doc.system, doc.doc, seg.global_seg, segment.mqm_score
