"""WMT MQM ratings (the google/wmt-mqm-human-evaluation TSV family) to records: documents to records.

Reading the file is `mqm_tsv` (cells) and `mqm_rows` (rows to documents and segments); this module
joins segments into articles and places every span.

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
  end of the cell.
- Upstream artifacts do not stop a build, and are never guessed at. A row whose copy of a segment
  differs from the segment text by more than a few characters is realigned when an exact rule
  explains the difference: the row repeats text right beside itself, as Google's newstest2020
  source-error files do (`beinhalten<v>beinhalten</v>`; the rule is in `mqm_repeats`; counted as
  `spans_realigned_repeated_text`). Otherwise its span is dropped and counted
  (`spans_dropped_row_differs_from_segment`); the rater's scores lose it too, since scores are
  recomputed from spans, but the rater is not said to have found no errors. Rows of a file without
  a metadata column that lack the globalSegId and rater cells the header names (Google's
  newstest2020 zh-en source-error file) are read with rater `unnamed` and counted
  (`rows_without_seg_id_and_rater_cells`). `strict` (`--strict` on build and import) refuses all of
  these as before: exit 2, nothing written.
- Ids are `<source>.<doc>.<system>`, the group `<source>.<doc>` (doc without its `:xx-yy` suffix,
  sanitised to [A-Za-z0-9._-]); a collision after sanitising is an error.
- Human references (systems named like `ref`, `refA`, `Human-B`) get process "human-translation":
  professional translators rated them blind beside the machines, so they stay as controls.
- The JSON metadata cell is parsed only where it matters (segment facts, notes, the evaluation's
  languages) and is otherwise never decoded: a bad byte inside an unused metadata cell goes unseen.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from operator import attrgetter
from pathlib import Path
from typing import Any

from newserrata.errors import Problems
from newserrata.records import Annotation, Record, Segment, Span
from newserrata.sources.base import MAIN, Option, Provenance, Source, SourceKind, SourceLog, register
from newserrata.sources.mqm_repeats import realign
from newserrata.sources.mqm_rows import (
    LANGUAGE,
    Doc,
    Mark,
    ParsedFile,
    Seg,
    agreed,
    normal_spans,
    parse_json,
    read_rows,
)
from newserrata.taxonomy import OMISSION, SOURCE_ISSUE

ANNOTATOR_KIND = "professional-translator"
WMT_DOMAINS = {"news", "social", "speech", "literary", "conversation", "conversational", "ecommerce",
               "manuals", "mastodon", "user", "game", "medical", "legal"}
NO_SPACE_LANGUAGES = {"zh", "ja"}
ISO_639_1 = set(
    "af am ar as az be bg bn bs ca cs cy da de el en eo es et eu fa fi fr ga gl gu ha he hi hr hu hy id ig is "
    "it ja jv ka kk km kn ko ku ky la lo lt lv mg mk ml mn mr ms mt my ne nl no or pa pl ps pt ro ru sd si sk sl "
    "so sq sr su sv sw ta te tg th tk tl tr uk ur uz vi xh yo zh zu".split()
)
UNSAFE_ID = re.compile(r"[^A-Za-z0-9._-]+")
HUMAN = re.compile(r"(ref|human)([-_. ]?[A-Za-z0-9]{1,2})?", re.IGNORECASE)
SPAN_ORDER = attrgetter("start", "end", "category", "severity")
MAX_ROW_DIFFERENCE = 4
ROW_DIFFERS = "this row's copy of the segment differs from the segment text beyond a few characters"


def _segment_text(seg: Seg, side: str) -> str:
    """The text most rows agree on (the shorter on a tie); when rows disagree, or all carry spaces at
    the ends, the text the annotation tool tokenised wins."""
    variants = seg.targets if side == "target" else seg.sources
    if agreed(variants):
        return next(iter(variants))
    best = min(variants, key=lambda t: (-variants[t], len(t)))
    if not seg.metadata:
        return best
    segment = parse_json(seg.metadata).get("segment")
    tokens = segment.get(f"{side}_tokens") if isinstance(segment, dict) else None
    if isinstance(tokens, list) and all(isinstance(t, str) for t in tokens):
        return normal_spans("".join(tokens), [])[0]
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


def _place(mark: Mark, canonical: str, log: SourceLog) -> tuple[int, int] | str | None:
    """Offsets of a mark inside the segment text, why it cannot be placed, or None when its row is an
    upstream artifact no exact rule reconciles (the span is dropped and counted; strict refuses it)."""
    if mark.start is None or mark.end is None:
        start, end = 0, len(canonical)
    else:
        mapping = _mapper(mark.text, canonical)
        if mapping is None:
            placed = None if log.strict else realign(mark.text, mark.start, mark.end, canonical)
            if placed is not None:
                log.counts["spans_realigned_repeated_text"] += 1
                return placed
            if log.strict:
                return ROW_DIFFERS
            log.counts["spans_dropped_row_differs_from_segment"] += 1
            return None
        if mark.text != canonical:
            log.counts["spans_realigned_to_segment_text"] += 1
        prefix, variant_end, end_of_change = mapping

        def land(x: int) -> int:
            return x if x <= prefix else end_of_change + x - variant_end if x >= variant_end else \
                min(x, end_of_change)

        start, end = land(mark.start), land(mark.end)
    if start == end and mark.kind.category != OMISSION:
        if not canonical:
            return f"an empty span on an empty segment cannot carry {mark.kind.category!r}"
        log.counts["empty_spans_widened"] += 1
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
    match = re.search(r":([A-Za-z]{2,3})-([A-Za-z]{2,3})\Z", doc)
    return (match.group(1).lower(), match.group(2).lower()) if match else None


def _languages(data: ParsedFile, path: Path, source_language: str | None, target_language: str | None,
               problems: Problems) -> tuple[str, str] | None:
    suffixes = {_pair_suffix(doc) for _, doc in data.docs}
    candidates = [data.languages, suffixes.pop() if len(suffixes) == 1 else None,
                  languages_from_name(data.name), languages_from_name(path.name)]
    return language_pair(path, next((c for c in candidates if c), None), source_language, target_language, problems,
                         "the file name or its documents", "name it like *_zhen.tsv")


def language_pair(path: Path, inferred: tuple[str, str] | None, source_language: str | None,
                  target_language: str | None, problems: Problems, found_in: str,
                  naming: str) -> tuple[str, str] | None:
    """The pair a release entry or flag gives, else the one the file shows; a tag must be BCP-47."""
    src = source_language or (inferred[0] if inferred else None)
    tgt = target_language or (inferred[1] if inferred else None)
    if not src or not tgt:
        problems.add(str(path), None, "", f"cannot tell the language pair from {found_in}",
                     f"{naming}, or pass source_language and target_language (import: --source-language zh "
                     "--target-language en; release.toml: source_language, target_language)")
        return None
    for value in (src, tgt):
        if not LANGUAGE.fullmatch(value):
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


def _record(doc: Doc, data: ParsedFile, ids: tuple[str, str], languages: tuple[str, str], source_weight: float, *,
            source: str, license: str, domain: str | None, log: SourceLog, problems: Problems,
            path: Path) -> Record | None:
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
    unplaced: set[str] = set()  # raters with a dropped span: they found an error, so not no_errors
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
                placed = _place(mark, segment_text, log)
            if placed is None:
                unplaced.add(mark.rater)
                continue
            if isinstance(placed, str):
                problems.add(str(path), mark.line, "source" if mark.on_source else "target", placed,
                             "make every row of a segment carry the same text")
                continue
            s, e = base + placed[0], base + placed[1]
            kind = mark.kind
            (source_spans if mark.on_source else spans)[mark.rater].append(
                Span(s, e, full[s:e], kind.category, kind.severity, kind.original, mark.note))
            totals[mark.rater] += kind.weight * (source_weight if kind.category == SOURCE_ISSUE else 1.0)
            log.counts["omissions_marked_on_the_source"] += mark.on_source and kind.category == OMISSION
        score = -round(sum(totals.values()) / len(totals), 6) + 0.0
        segments.append(Segment(start, end, source_start, source_end, score))
    if len(problems) > found:
        return None

    annotations = []
    for rater in raters:
        if any(rater not in s.raters for s in ordered):
            log.counts["raters_with_partial_coverage"] += 1
        annotations.append(Annotation(
            annotator_id=_bounded(_sanitise(rater)), annotator_kind=ANNOTATOR_KIND,
            spans=sorted(spans[rater], key=SPAN_ORDER), source_spans=sorted(source_spans[rater], key=SPAN_ORDER),
            no_errors=not spans[rater] and not source_spans[rater] and rater not in unplaced))
    human = bool(HUMAN.fullmatch(doc.system.strip()))
    log.counts["human_reference_records"] += human
    record_id, group_id = ids
    return Record(
        id=record_id, group_id=group_id, source=source, language=language, text=text,
        annotations=annotations, license=license, source_text=source_text, source_language=src_language,
        system=doc.system, process="human-translation" if human else "machine-translation", domain=domain,
        segments=segments, source_issue_weight=source_weight,
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


def source_issue_weight(setting: str, log: SourceLog) -> float:
    """0 or 1: whether source issues count in this file's MQM scores. `auto` reads the file's vintage
    from its spelling: Google's 2020-2021 releases say `Source error` (and weigh it like any error in
    their published scores), the 2022-2023 ones `Source issue` (weight 0)."""
    if setting == "auto":
        weighs = log.counts["source_error_spelling_rows"] > 0
        log.facts["source_issue_weight"] = f"{int(weighs)} (auto: the file spells source-side errors " \
                                           f"{'Source error' if weighs else 'Source issue, or has none'})"
        return float(weighs)
    log.facts["source_issue_weight"] = f"{int(setting == 'full')} (set in the release file)"
    return 1.0 if setting == "full" else 0.0


def _build(path: Path, *, source: str, license: str, domain: str | None, member: str | None,
           source_language: str | None, target_language: str | None, log: SourceLog,
           source_issues: str = "auto") -> list[tuple[Doc, Record]]:
    path = Path(path)
    problems = Problems()
    data = read_rows(path, member, log, problems)
    problems.raise_if_any()
    source_weight = source_issue_weight(source_issues, log)
    languages = _languages(data, path, source_language, target_language, problems)
    problems.raise_if_any()
    assert languages is not None
    log.facts["languages"] = "-".join(languages)
    docs = []
    for doc in data.docs.values():
        named = _doc_domain(doc.doc)
        if domain and named and named != domain.lower():
            log.counts["documents_of_other_domains_skipped"] += 1
        else:
            docs.append(doc)
    ids = _ids(docs, source, path, problems)
    built = [(doc, _record(doc, data, ids[(doc.system, doc.doc)], languages, source_weight, source=source,
                           license=license,
                           domain=domain or _doc_domain(doc.doc), log=log, problems=problems, path=path))
             for doc in docs]
    problems.raise_if_any()
    log.counts["records"] = len(built)
    log.counts["documents"] = len({doc.doc for doc in docs})
    log.counts["systems"] = len({doc.system for doc in docs})
    log.counts["raters"] = len({r for doc in docs for s in doc.segments.values() for r in s.raters})
    log.counts["segments"] = sum(len(doc.segments) for doc in docs)
    log.counts["paragraph_documents"] = len({doc.doc for doc in docs} & set(data.paragraphs))
    return [(doc, record) for doc, record in built if record is not None]


def read_records(path: Path, *, source: str, license: str, domain: str | None = "news", member: str | None = None,
                 source_language: str | None = None, target_language: str | None = None,
                 log: SourceLog | None = None, source_issues: str = "auto") -> Iterator[Record]:
    """Un-aggregated records, one per (system, document), in order of first appearance in the file.

    The whole file is read and checked before the first record is yielded, so a caller never sees
    part of a bad file. With a `domain`, documents whose WMT name says another domain
    (`social_...`, `speech_...`) are left out and counted.
    """
    built = _build(path, source=source, license=license, domain=domain, member=member,
                   source_language=source_language, target_language=target_language,
                   log=log if log is not None else SourceLog(), source_issues=source_issues)
    for _, record in built:
        yield record


def segment_scores(path: Path, *, member: str | None = None, source_language: str | None = None,
                   target_language: str | None = None, source_issues: str = "auto"
                   ) -> Iterator[tuple[str, str, str, float | None]]:
    """(system, doc, globalSegId, MQM score) of every rated segment, taken from the records' segments,
    for comparison with Google's published per-segment scores."""
    for doc, record in _build(path, source="check", license="-", domain=None, member=member,
                              source_language=source_language, target_language=target_language, log=SourceLog(),
                              source_issues=source_issues):
        for seg, segment in zip(ordered_segments(doc), record.segments, strict=True):
            yield doc.system, doc.doc, seg.global_seg, segment.mqm_score


@register
class WmtMqm(SourceKind):
    name = "wmt-mqm"
    description = ("WMT MQM ratings (google/wmt-mqm-human-evaluation TSV): one record per (system, source "
                   "document); .tsv, .tsv.gz or .tsv.tar.gz, with or without the JSON metadata column, raw or "
                   "CSV-quoted; attention checks dropped and counted")
    aliases = ("mqm",)
    default_license = "Apache-2.0"
    options = (
        Option("member", str, "the .tsv inside a .tar.gz (default: its only .tsv member)"),
        Option("source_language", str, "BCP-47 tag of the source side (default: from the file)"),
        Option("target_language", str, "BCP-47 tag of the translations (default: from the file)"),
        Option("source_issue_weight", str, "whether source-side errors count in MQM scores: full (like any error, "
               "as WMT 2020-2021 scored them), zero (left out, as WMT 2022-2023), or auto (from the file's "
               "spelling: 'Source error' means full, 'Source issue' zero)", default="auto",
               choices=("auto", "full", "zero")),
    )

    def default_name(self, path: Path) -> str:
        return default_source_name(path)

    def provenance(self, source: Source) -> Provenance:
        return Provenance(
            labelled_by="professional translators in Google's MQM campaigns for WMT (Freitag et al. 2021), "
                        "rating blind, document by document",
            people="the rater ids of a file are pseudonyms of distinct people within one campaign",
            self_contained="yes: the source document is `source_text`, segment by segment",
            inputs=(("MQM ratings, source and target segments", f"{source.license} (google/wmt-mqm-human-"
                     "evaluation)"),),
            mapping=(("MQM category/subcategory", "the taxonomy's MQM column (docs/sources.md); "
                      "`original_category` keeps the label"),
                     ("Source issue / Source error", "source-issue, weighed by source_issue_weight"),
                     ("HOTW-test, Found, Missed", "attention checks: dropped and counted")),
            notes=("Human reference translations rated beside the machines are kept as controls with process "
                   "human-translation.",
                   "WMT marks omissions on the source side only: they are source_spans, not gold spans."),
        )

    def read(self, source: Source, inputs: Mapping[str, Path], log: SourceLog) -> Iterator[Record]:
        options = source.options
        return read_records(inputs[MAIN], source=source.name, license=source.license, domain=source.domain,
                            member=options["member"], source_language=options["source_language"],
                            target_language=options["target_language"], log=log,
                            source_issues=options["source_issue_weight"])
