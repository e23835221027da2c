"""WMT QE 2023 task-2 MQM spans (WMT-QE-Task/wmt-qe-2023-data) to records: one per (system, document).

The files hold one row per rated (system, document, segment): `mt_system doc_id seg_id annotator_id
source target start_ids end_ids errors`, the spans as space-separated code-point offsets into the
target segment (end-exclusive, `-1 -1 no-error` for none) and one `minor`/`major` per span. The QE
organisers derived them from MQM ratings and removed the MQM categories. Verified against the
2021 en-de and zh-en files (Google's newstest2021 MQM):

- The 2021 files have no header, the others have one; it is detected. The 2021 files write cells
  raw (a cell may start with a `"` it keeps), the 2022 ones quote CSV-style: the style is decided
  per file by the first line that proves it (mqm_tsv.vote) and the whole file read in it. An empty
  10th cell (some 2022 rows) is ignored.
- The organisers' export split document ids at their spaces, shifting the cells after them:
  `seattle times.253485` fills the doc_id and seg_id cells, the segment number lands in the
  annotator cell and the annotator id is lost. A row whose seg_id is not a number but whose
  annotator cell is, is realigned exactly: doc_id is the two cells joined by a space, seg_id the
  annotator cell, the rater unrecorded. An id with two spaces (`jingji guancha bao-zh-01.10329`)
  also lost its segment number, so the order of its segments is unknown: rows without a segment
  number are dropped and counted, never ordered by guess. What the files' own counts call segments
  rated by 2-15 raters
  are these shifted rows; once realigned, every (system, document, segment) has one row.
- A record's text is its target segments in order of int(seg_id), one per line ("\\n"; the files
  carry no paragraph information), its `source_text` the source segments joined the same way,
  `source_id` the document id and `source_sha256` the digest of that text. A segment a system was
  not rated on (while others were) is absent from its record (counted).
- One row rates a segment, and a document's segments may be rated by different raters (Google
  split documents between raters). Every segment has exactly one rating, so the record has one
  annotation, the document's rating, complete on every character: its id joins the ids of the
  raters who rated its segments with `_` (`unrecorded` where the export lost the id). Annotations
  per rater would count each rater as "found nothing" on the segments they never saw. A second row
  for a segment, should a file have one, is dropped and counted.
- A span keeps its severity; its category is `unspecified` (the organisers removed it; guessing one
  would be ours, not the raters'), `original_category` null. A span outside its segment or empty
  is dropped and counted (the 2021 en-de and zh-en files have none).
- MQM scores weigh major 5 and minor 1. Google's scores weigh minor punctuation 0.1 and
  non-translation 25, which the files no longer distinguish: these scores are not Google's.
  No span is a source issue; `source_issue_weight` is 1, as WMT 2021 scored source errors.
- Human references (`ref.A`, ...) were rated blind beside the machines: they are kept as
  `human-translation` controls, as the wmt-mqm kind keeps them.
- Ids are `<source>.<doc>.<system>`, the group `<source>.<doc>`, sanitised as in the wmt-mqm kind.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from newserrata.errors import Problems
from newserrata.paths import hint, read_input
from newserrata.records import Annotation, Record, Segment, Span
from newserrata.sources.base import MAIN, Option, Provenance, Source, SourceKind, SourceLog, register
from newserrata.sources.mqm import (
    ANNOTATOR_KIND,
    HUMAN,
    _bounded,
    _join,
    _natural,
    _sanitise,
    language_pair,
    languages_from_name,
)
from newserrata.sources.mqm_tsv import vote
from newserrata.taxonomy import weight
from newserrata.text import TextDecodeError, decode_utf8, normalize, text_digest

COLUMNS = ("mt_system", "doc_id", "seg_id", "annotator_id", "source", "target", "start_ids", "end_ids", "errors")
CATEGORY = "unspecified"
SEVERITIES = frozenset({"minor", "major"})
NO_ERROR = "no-error"
UNRECORDED = "unrecorded"
SOURCE_ISSUE_WEIGHT = 1.0
FORMAT_HINT = "use the file as published in WMT-QE-Task/wmt-qe-2023-data (task_2)"


@dataclass(frozen=True, slots=True)
class Rating:
    """One row: a rater's spans (start, end, severity) on one target segment."""

    line: int
    rater: str | None
    source: str
    target: str
    spans: tuple[tuple[int, int, str], ...]


@dataclass(slots=True)
class _Doc:
    system: str
    doc: str
    segments: dict[int, Rating] = field(default_factory=dict)


def _cells(path: Path, problems: Problems, counts: Counter[str]) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of every data row, the header (if any) left out, read in the file's quoting style."""
    try:
        text = decode_utf8(read_input(path)).removeprefix("\ufeff")
    except TextDecodeError as exc:
        problems.add(str(path), exc.line, "", f"not valid UTF-8 at byte {exc.offset}", "re-save the file as UTF-8")
        return
    except OSError as exc:
        problems.add(str(path), None, "", f"cannot read: {exc.strerror or exc}", hint(exc, "check the path"))
        return
    lines = text.split("\n")
    base = 0
    if [c.strip().strip('"').lower() for c in lines[0].rstrip("\r").split("\t")][:len(COLUMNS)] == list(COLUMNS):
        base = 1
    counts["header_rows"] += base
    style = next((v for line in lines[base:] if (v := vote(line.rstrip("\r").split("\t"), len(COLUMNS)))), "plain")
    counts[f"files_quoted_{style}"] += 1
    body = "\n".join(lines[base:])
    if style == "plain":
        for number, line in enumerate(lines[base:], base + 1):
            if line.rstrip("\r"):
                yield number, line.rstrip("\r").split("\t")
        return
    reader = csv.reader(io.StringIO(body, newline=""), delimiter="\t", quotechar='"', doublequote=True, strict=True)
    start = base + 1
    try:
        for cells in reader:
            if cells and cells != [""]:
                yield start, cells
            start = base + reader.line_num + 1
    except csv.Error as exc:
        problems.add(str(path), start, "", f"malformed CSV quoting: {exc}",
                     "quote whole cells and double the quotes inside them")


def _whole(cell: str) -> bool:
    return cell.strip().isascii() and cell.strip().isdigit()


def _aligned(cells: list[str], counts: Counter[str]) -> tuple[list[str], str | None] | str | None:
    """The nine cells with the seg_id a number, and the rater (None when the export lost it); why the
    row is malformed; or None when the export lost its segment number."""
    if len(cells) == len(COLUMNS) + 1 and not cells[-1]:
        cells = cells[:-1]
        counts["empty_tenth_cells_ignored"] += 1
    if len(cells) != len(COLUMNS):
        return f"{len(cells)} cells, expected {len(COLUMNS)}"
    if _whole(cells[2]):
        return cells, cells[3].strip() or None
    if _whole(cells[3]):
        counts["rows_realigned_doc_id_with_a_space"] += 1
        return [cells[0], f"{cells[1]} {cells[2]}", cells[3], "", *cells[4:]], None
    return None


OFFSET = re.compile(r"-?[0-9]{1,9}")
"""ASCII digits only: int() would also take '1_6' and digits of other scripts."""


def _spans(cells: list[str]) -> tuple[tuple[int, int, str], ...] | str:
    starts, ends, errors = (cells[i].split() for i in (6, 7, 8))
    if errors == [NO_ERROR]:
        return () if starts == ends == ["-1"] else "no-error with offsets other than -1"
    if not len(starts) == len(ends) == len(errors):
        return f"{len(starts)} start_ids, {len(ends)} end_ids and {len(errors)} errors: one of each per span"
    if any(e not in SEVERITIES for e in errors):
        return f"errors {cells[8]!r}: each is minor or major, or the cell is no-error"
    if not all(OFFSET.fullmatch(o) for o in starts + ends):
        return f"offsets {cells[6]!r}, {cells[7]!r} are not whole numbers"
    return tuple((int(s), int(e), sev) for s, e, sev in zip(starts, ends, errors, strict=True))


STRICT_HINT = "an upstream artifact: without --strict it is realigned or dropped and counted"


def _read(path: Path, problems: Problems, counts: Counter[str], strict: bool = False) -> dict[tuple[str, str], _Doc]:
    docs: dict[tuple[str, str], _Doc] = {}

    def artifact(line: int, count: str, message: str) -> None:
        """Counted, or with strict refused: the files are Google's, a user cannot fix them."""
        if strict:
            problems.add(str(path), line, "", message, STRICT_HINT)
        else:
            counts[count] += 1

    for line, raw in _cells(path, problems, counts):
        counts["rows"] += 1
        realigned = counts["rows_realigned_doc_id_with_a_space"]
        aligned = _aligned(raw, counts)
        if strict and counts["rows_realigned_doc_id_with_a_space"] > realigned:
            artifact(line, "", "doc_id holds a space, which shifted the cells after it")
            continue
        if aligned is None:
            artifact(line, "rows_dropped_without_segment_number", "the row has no segment number")
            continue
        if isinstance(aligned, str):
            problems.add(str(path), line, "", aligned, FORMAT_HINT)
            continue
        cells, rater = aligned
        system, doc, seg, source, target = cells[0].strip(), cells[1].strip(), int(cells[2]), cells[4], cells[5]
        if not system or not doc:
            problems.add(str(path), line, "mt_system" if not system else "doc_id", "empty", FORMAT_HINT)
            continue
        spans = _spans(cells)
        if isinstance(spans, str):
            problems.add(str(path), line, "errors", spans, FORMAT_HINT)
            continue
        if normalize(source) != source or normalize(target) != target:
            artifact(line, "rows_dropped_text_not_nfc_or_crlf", "source or target is not NFC with \\n newlines")
            continue
        kept = []
        for start, end, severity in spans:
            if not 0 <= start < end <= len(target):
                artifact(line, "spans_dropped_outside_segment" if start < end else "spans_dropped_empty",
                         f"span {start}-{end} is empty or outside the {len(target)}-character target")
            else:
                kept.append((start, end, severity))
        entry = docs.setdefault((system, doc), _Doc(system, doc))
        if seg in entry.segments:
            artifact(line, "rows_dropped_second_rating_of_a_segment", f"segment {seg} is rated a second time")
            continue
        entry.segments[seg] = Rating(line, rater, source, target, tuple(kept))
        counts["rows_without_rater_id"] += rater is None
        counts["spans"] += len(kept)
    return docs


def _record(doc: _Doc, rated: int, *, source: str, license: str, domain: str | None, languages: tuple[str, str],
            counts: Counter[str]) -> Record:
    """`rated`: how many segments of the document any system was rated on."""
    order = sorted(doc.segments)
    ratings = [doc.segments[s] for s in order]
    text, bounds = _join([(r.target, False) for r in ratings], "\n", False)
    source_text, source_bounds = _join([(r.source, False) for r in ratings], "\n", False)
    spans, segments = [], []
    for rating, (start, end), (source_start, source_end) in zip(ratings, bounds, source_bounds, strict=True):
        for s, e, severity in rating.spans:
            spans.append(Span(start + s, start + e, text[start + s:start + e], CATEGORY, severity))
        score = -sum(weight(CATEGORY, severity) for _, _, severity in rating.spans) + 0.0
        segments.append(Segment(start, end, source_start, source_end, score))
    raters = sorted({r.rater or UNRECORDED for r in ratings}, key=_natural)
    counts["records_rated_by_several_raters"] += len(raters) > 1
    counts["records_missing_segments_other_systems_have"] += len(order) < rated
    counts["segments"] += len(order)
    human = bool(HUMAN.fullmatch(doc.system))
    counts["human_reference_records"] += human
    group = _bounded(f"{source}.{_sanitise(doc.doc)}")
    annotation = Annotation(annotator_id=_bounded("_".join(_sanitise(r) for r in raters)),
                            annotator_kind=ANNOTATOR_KIND, no_errors=not spans,
                            spans=sorted(spans, key=lambda s: (s.start, s.end, s.severity)))
    return Record(
        id=_bounded(f"{group}.{_sanitise(doc.system)}"), group_id=group, source=source, language=languages[1],
        text=text, annotations=[annotation], license=license, source_text=source_text, source_id=doc.doc,
        source_sha256=text_digest(source_text), source_language=languages[0], system=doc.system,
        process="human-translation" if human else "machine-translation", domain=domain, segments=segments,
        source_issue_weight=SOURCE_ISSUE_WEIGHT,
    )


def _languages(path: Path, source_language: str | None, target_language: str | None,
               problems: Problems) -> tuple[str, str] | None:
    return language_pair(path, languages_from_name(path.name), source_language, target_language, problems,
                         "the file name", "name it like 2021_en-de_processed.tsv")


def read_records(path: Path, *, source: str, license: str, domain: str | None = "news",
                 source_language: str | None = None, target_language: str | None = None,
                 log: SourceLog | None = None) -> Iterator[Record]:
    """Un-aggregated records, one per (system, document), in order of first appearance in the file.
    The whole file is read and checked first, so a caller never sees part of a bad file."""
    path = Path(path)
    log = log if log is not None else SourceLog()
    problems = Problems()
    languages = _languages(path, source_language, target_language, problems)
    docs = _read(path, problems, log.counts, log.strict) if languages else {}
    problems.raise_if_any()
    assert languages is not None
    if not docs:
        problems.add(str(path), None, "", "no rated segment in the file", FORMAT_HINT)
        problems.raise_if_any()
    log.facts["languages"] = "-".join(languages)
    rated: dict[str, set[int]] = {}
    for d in docs.values():
        rated.setdefault(d.doc, set()).update(d.segments)
    records = [_record(d, len(rated[d.doc]), source=source, license=license, domain=domain, languages=languages,
                       counts=log.counts) for d in docs.values()]
    seen: dict[str, _Doc] = {}
    for doc, record in zip(docs.values(), records, strict=True):
        other = seen.setdefault(record.id, doc)
        if other is not doc:
            problems.add(str(path), doc.segments[min(doc.segments)].line, "doc_id",
                         f"({doc.system!r}, {doc.doc!r}) and ({other.system!r}, {other.doc!r}) both become record "
                         f"id {record.id!r}", "rename one of them")
    problems.raise_if_any()
    counts = log.counts
    counts["records"] = len(records)
    counts["documents"] = len({d.doc for d in docs.values()})
    counts["systems"] = len({d.system for d in docs.values()})
    counts["raters"] = len({r.rater for d in docs.values() for r in d.segments.values() if r.rater})
    yield from records


@register
class WmtQeMqm(SourceKind):
    name = "wmt-qe-mqm"
    description = ("WMT QE 2023 task-2 MQM spans (WMT-QE-Task/wmt-qe-2023-data TSV): one record per (system, "
                   "document), spans with severity and no category; doc ids split by the export realigned")
    aliases = ("wmt-qe",)
    default_license = "Apache-2.0"
    options = (
        Option("source_language", str, "BCP-47 tag of the source side (default: from the file name)"),
        Option("target_language", str, "BCP-47 tag of the translations (default: from the file name)"),
    )

    def default_name(self, path: Path) -> str:
        pair = languages_from_name(path.name)
        year = path.name[2:4] if path.name[:4].isdigit() else ""
        return f"wmt{year}-{pair[0]}{pair[1]}" if pair else self.name

    def provenance(self, source: Source) -> Provenance:
        return Provenance(
            labelled_by="professional translators in Google's MQM evaluation of WMT 2021 news translation (the "
                        "WMT21 metrics task, Freitag et al. 2021), rating blind, segment by segment in document "
                        "context; spans and severities "
                        "republished, without categories, by the WMT QE 2023 shared task (task 2)",
            people="the rater ids (rater1 ...) are pseudonyms of distinct translators within one language pair; "
                   "their number is `raters` in the importer's counts below. A document was often split between "
                   "raters, so a record's single annotation joins the ids of the raters of its segments",
            self_contained="yes: the source document is `source_text`, one segment per line",
            inputs=(("spans, severities, source and target segments", f"{source.license} (the rows come from "
                     "google/wmt-mqm-human-evaluation, Apache-2.0; WMT-QE-Task/wmt-qe-2023-data has no license "
                     "file of its own)"),),
            mapping=(("minor, major", "the same severity"),
                     ("(no category: removed by the QE organisers)", "unspecified; original_category null"),
                     ("no-error", "an annotation without spans, no_errors true")),
            notes=("MQM scores weigh major 5 and minor 1: the files no longer tell minor punctuation (0.1) or "
                   "non-translation (25) apart, so these scores are not Google's.",
                   "Human reference translations (ref.*) rated beside the machines are kept as controls with "
                   "process human-translation.",
                   "Rows whose document id held two spaces lost their segment number in the QE export and are "
                   "dropped (counted); rows whose id held one space are realigned and their rater is unrecorded.",
                   "Left out: the 2021 en-ru file (offsets of 470 of 3,768 spans end beyond their segment) and "
                   "the 2022 files (no license stated)."),
            ids_are_people=False,
        )

    def read(self, source: Source, inputs: Mapping[str, Path], log: SourceLog) -> Iterator[Record]:
        return read_records(inputs[MAIN], source=source.name, license=source.license, domain=source.domain,
                            source_language=source.options["source_language"],
                            target_language=source.options["target_language"], log=log)

