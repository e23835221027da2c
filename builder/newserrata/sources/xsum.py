"""XSum hallucination annotations (Maynez, Narayan, Bohnet and McDonald, ACL 2020) to records.

Two CSV files of google-research-datasets/xsum_hallucination_annotations: one row per (summary,
worker, span), each span typed `intrinsic` or `extrinsic`, and one yes/no factuality answer per
(summary, worker). Each record is one summary of one BBC article: 4 summarizers and the human
reference (`Gold`), 3 crowd workers each. Verified against the published files:

- The text is the summary with `\\'` unescaped (machine summaries escape every apostrophe; a few
  references carry bare ones), under the offset contract. It stays lower-cased and tokenised as
  the systems wrote it (`n't`, `Â #` for a pound sign).
- Offsets index `"\\n" + summary`. A span whose text starts with the escaped newline `\\n` began at
  that newline and is stored from the summary's first character. A span whose text ends with `\\n`
  ran to the end of the summary; its offsets are (0, its length) and say nothing. Every span the
  offsets do not confirm is searched for by its text: placed when it occurs exactly once where its
  newlines allow, otherwise dropped and counted, never guessed.
- Offsets of a text that occurs twice in a summary always name its first occurrence (the offsets
  were found by searching the text). They are kept as given and counted; a worker's repeated row
  (same span, same offsets: another occurrence that cannot be located) is dropped and counted.
- `intrinsic` (misrepresents the article) is accuracy/distortion, `extrinsic` (not supported by
  the article) accuracy/addition, the type kept as `original_category`. Every span is `major`: the
  task asked for no severity, and a summary claim the article does not support misleads the reader.
- A `NULL` row means the worker found nothing; some keep a stray span text with offsets -1 (counted).
  A `NULL` row beside spans of the same worker adds nothing.
- Worker ids `wid_0..wid_2` restart on every summary, and the factuality file's ids do not match
  the span workers (same-id agreement equals cross-id agreement), so verdicts keep their own ids,
  `factuality.wid_N`. `no` to "is the summary factual?" is an error; `NULL` answers are left out.
- `Gold` summaries are `human-summary` controls. Three BBC Cymru Fyw articles are summarised in
  Welsh (WELSH); their records are `cy`.
- Ids are `<source>.<bbcid>.<system>`. The group is `xsum.<bbcid>`: it names the BBC article, not
  this annotation set, so any source built on XSum puts an article in the same split.
- The BBC article is not ours to publish: `source_id` is the bbcid and `source_sha256` the digest of
  the XSum document as the AggreFact-Unified workbooks store it (sources/aggrefact.py), never the text.
  An article neither workbook holds leaves `source_sha256` null (counted).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from newserrata.errors import Problems
from newserrata.records import Annotation, Record, Span, Verdict
from newserrata.sources.aggrefact import read_articles
from newserrata.sources.base import MAIN, Provenance, Source, SourceKind, SourceLog, register
from newserrata.sources.csv_rows import rows
from newserrata.text import normalize, text_digest

HALLUCINATION_COLUMNS = ("bbcid", "system", "summary", "hallucination_type", "hallucinated_span",
                         "hallucinated_span_start", "hallucinated_span_end", "worker_id")
FACTUALITY_COLUMNS = ("bbcid", "system", "summary", "is_factual", "worker_id")
SYSTEMS = ("BERTS2S", "PtGen", "TConvS2S", "TranS2S")
HUMAN = "Gold"
CATEGORIES = {"intrinsic": "accuracy/distortion", "extrinsic": "accuracy/addition"}
SEVERITY = "major"
ANNOTATOR_KIND = "crowd"
ANSWERS = {"yes": False, "no": True}
NULL = "NULL"
ESCAPED_NEWLINE = "\\n"
WELSH = frozenset({"39497668", "39553812", "40254741"})
WORKER = re.compile(r"[A-Za-z0-9._-]{1,100}")
WHOLE = re.compile(r"-?[0-9]{1,9}")

Mark = tuple[int, int, str, str]  # start, end (into the unescaped summary), category, original type


@dataclass(slots=True)
class _Summary:
    """Everything the two files say about one (BBC article, system)."""

    bbcid: str
    system: str
    text: str
    line: int
    marks: dict[str, list[Mark]] = field(default_factory=dict)
    marked: set[str] = field(default_factory=set)
    nulls: set[str] = field(default_factory=set)
    verdicts: dict[str, tuple[int, Verdict | None]] = field(default_factory=dict)


def unescape(text: str) -> str:
    return text.replace("\\'", "'")


def _loose(text: str) -> str:
    """A summary as both files can be compared: the factuality file writes `'` bare and lost the
    quote marks of summaries that start with one."""
    return " ".join(unescape(text).replace('"', " ").split())


def occurrences(text: str, part: str) -> Iterator[int]:
    at = text.find(part)
    while at >= 0:
        yield at
        at = text.find(part, at + 1)


def place(summary: str, span: str, start: int, end: int) -> tuple[int, int, str] | str:
    """(start, end, "offsets" or "search") of a span in the unescaped summary, or why it cannot be placed."""
    text = unescape(span)
    lead = text.startswith(ESCAPED_NEWLINE)
    core = text[2:] if lead else text
    trail = core.endswith(ESCAPED_NEWLINE)
    core = core[:-2] if trail else core
    if not core:
        return "empty"
    first = start if lead else start - 1
    if first >= 0 and ("\n" + summary)[start:end] == ("\n" if lead else "") + core + ("\n" if trail else ""):
        return first, first + len(core), "offsets"
    hits = [i for i in occurrences(summary, core)
            if (not lead or i == 0) and (not trail or i + len(core) == len(summary))]
    if len(hits) == 1:
        return hits[0], hits[0] + len(core), "search"
    return "ambiguous" if hits else "not_found"


# --------------------------------------------------------------------------- reading the files


def _summary(file: str, line: int, row: dict[str, str], summaries: dict[tuple[str, str], _Summary],
             problems: Problems) -> _Summary | None:
    bbcid, system = row["bbcid"], row["system"]
    if not (bbcid.isascii() and bbcid.isdigit()):
        problems.add(file, line, "bbcid", f"{bbcid!r} is not an XSum document id",
                     "the BBC article number, digits only")
        return None
    if system not in SYSTEMS and system != HUMAN:
        problems.add(file, line, "system", f"unknown system {system!r}",
                     f"known: {', '.join((*SYSTEMS, HUMAN))}; add a new summarizer to SYSTEMS in "
                     "newserrata/sources/xsum.py")
        return None
    text = unescape(row["summary"])
    if not text.strip():
        problems.add(file, line, "summary", "empty summary", "every row carries its summary")
        return None
    summary = summaries.get((bbcid, system))
    if summary is None:
        summary = summaries[(bbcid, system)] = _Summary(bbcid, system, text, line)
    elif summary.text != text:
        problems.add(file, line, "summary", f"the summary of ({bbcid}, {system}) differs from the one at line "
                     f"{summary.line}", "every row of a summary carries the same text")
        return None
    return summary


def _offsets(file: str, line: int, row: dict[str, str], summary: str, problems: Problems) -> tuple[int, int] | None:
    cells = row["hallucinated_span_start"], row["hallucinated_span_end"]
    if not all(WHOLE.fullmatch(cell) for cell in cells):  # int() would also take '1_6', ' 7' and other digits
        problems.add(file, line, "hallucinated_span_start", f"offsets {cells[0]!r}, {cells[1]!r} are not whole "
                     "numbers", "write offsets as integers: ASCII digits, optionally after a -")
        return None
    start, end = int(cells[0]), int(cells[1])
    if not 0 <= start <= end <= len(summary) + 1:
        problems.add(file, line, "hallucinated_span_end", f"offsets [{start}:{end}] are outside the summary "
                     f"({len(summary) + 1} characters with the newline before it)",
                     'offsets index "\\n" + summary; a row without a span has type NULL')
        return None
    return start, end


def _read_hallucinations(path: Path, problems: Problems, counts: Counter[str]) -> dict[tuple[str, str], _Summary]:
    summaries: dict[tuple[str, str], _Summary] = {}
    file = str(path)
    for line, row in rows(path, HALLUCINATION_COLUMNS, problems):
        counts["hallucination_rows"] += 1
        summary = _summary(file, line, row, summaries, problems)
        worker = row["worker_id"]
        if summary is None:
            continue
        if not WORKER.fullmatch(worker):
            problems.add(file, line, "worker_id", f"{worker!r} is not a worker id", "e.g. wid_0")
            continue
        marks = summary.marks.setdefault(worker, [])
        kind = row["hallucination_type"]
        if kind == NULL:
            counts["null_rows"] += 1
            counts["null_rows_with_span_text"] += row["hallucinated_span"] != NULL
            summary.nulls.add(worker)
            continue
        category = CATEGORIES.get(kind)
        if category is None:
            problems.add(file, line, "hallucination_type", f"unknown hallucination type {kind!r}",
                         "intrinsic, extrinsic or NULL (no span); map a new type in CATEGORIES")
            continue
        offsets = _offsets(file, line, row, summary.text, problems)
        if offsets is None:
            continue
        summary.marked.add(worker)
        counts["spans_with_escaped_newline"] += ESCAPED_NEWLINE in row["hallucinated_span"]
        placed = place(summary.text, row["hallucinated_span"], *offsets)
        if isinstance(placed, str):
            counts[f"spans_dropped_{placed}"] += 1
            continue
        start, end, how = placed
        mark = (start, end, category, kind)
        if mark in marks:
            counts["spans_dropped_repeated_row"] += 1
            continue
        counts[f"spans_placed_by_{how}"] += 1
        piece = summary.text[start:end]
        counts["spans_on_repeated_text"] += summary.text.find(piece) < start or summary.text.find(piece, start + 1) >= 0
        marks.append(mark)
    return summaries


def _read_factuality(path: Path, hallucinations: Path, summaries: dict[tuple[str, str], _Summary],
                     problems: Problems, counts: Counter[str]) -> None:
    file = str(path)
    for line, row in rows(path, FACTUALITY_COLUMNS, problems):
        counts["factuality_rows"] += 1
        bbcid, system, worker, answer = row["bbcid"], row["system"], row["worker_id"], row["is_factual"]
        summary = summaries.get((bbcid, system))
        if summary is None:
            problems.add(file, line, "bbcid", f"({bbcid}, {system}) is not a summary of {hallucinations.name}",
                         "pair the factuality file with the hallucination file published beside it")
            continue
        if _loose(row["summary"]) != _loose(summary.text):
            problems.add(file, line, "summary", f"the summary differs from the one of ({bbcid}, {system}) at "
                         f"{hallucinations.name}:{summary.line}", "pair the files published together")
            continue
        counts["factuality_summaries_without_their_quote_marks"] += unescape(row["summary"]) != summary.text
        if answer not in ANSWERS and answer != NULL:
            problems.add(file, line, "is_factual", f"unknown answer {answer!r}", "yes, no or NULL")
            continue
        if not WORKER.fullmatch(worker):
            problems.add(file, line, "worker_id", f"{worker!r} is not a worker id", "e.g. wid_0")
            continue
        if worker in summary.verdicts:
            problems.add(file, line, "worker_id", f"{worker} already answered for ({bbcid}, {system}) at line "
                         f"{summary.verdicts[worker][0]}", "one answer per worker and summary")
            continue
        verdict = None if answer == NULL else Verdict(f"factuality.{worker}", ANSWERS[answer], answer)
        counts["verdicts_null"] += verdict is None
        summary.verdicts[worker] = (line, verdict)


# --------------------------------------------------------------------------- summaries to records


def _normal(text: str) -> tuple[str, Callable[[int], int]]:
    """The stored text and where an offset into the unescaped summary lands in it."""
    stored = normalize(text)
    if stored == text:
        return text, int
    return stored, lambda i: len(normalize(text[:i]))


def _record(summary: _Summary, *, source: str, license: str, domain: str | None, counts: Counter[str]) -> Record:
    text, at = _normal(summary.text)
    annotations = []
    for worker in sorted(summary.marks):
        spans = sorted((Span(at(s), at(e), text[at(s):at(e)], category, SEVERITY, original)
                        for s, e, category, original in summary.marks[worker]),
                       key=lambda s: (s.start, s.end, s.category))
        found_nothing = worker not in summary.marked
        counts["annotators_found_nothing"] += found_nothing
        counts["null_rows_beside_spans"] += worker in summary.nulls and not found_nothing
        annotations.append(Annotation(worker, ANNOTATOR_KIND, spans, no_errors=found_nothing))
    verdicts = []
    for worker, (_, verdict) in sorted(summary.verdicts.items()):
        if verdict is not None:
            verdicts.append(verdict)
            spans = "with_spans" if worker in summary.marked else "without_spans"
            counts[f"verdict_{'not_factual' if verdict.has_error else 'factual'}_{spans}"] += 1
    process = "human-summary" if summary.system == HUMAN else "summary"
    counts["records"] += 1
    counts[f"records_{process}"] += 1
    counts["records_with_verdicts"] += bool(verdicts)
    counts["records_with_fewer_than_3_annotators"] += len(annotations) < 3
    counts["annotations"] += len(annotations)
    return Record(
        id=f"{source}.{summary.bbcid}.{summary.system}", group_id=f"xsum.{summary.bbcid}", source=source,
        language="cy" if summary.bbcid in WELSH else "en", text=text, annotations=annotations, license=license,
        system=summary.system, process=process, domain=domain, verdicts=verdicts,
    )


def read_records(hallucinations: Path, factuality: Path | None, *, source: str, license: str, domain: str | None,
                 counts: Counter[str]) -> Iterator[Record]:
    """Un-aggregated records sorted by id, one per (BBC article, system), with the factuality verdicts
    when that file is given. Both files are read and checked before the first record is yielded, so a
    caller never sees part of a bad input; every problem is raised at once."""
    problems = Problems()
    summaries = _read_hallucinations(Path(hallucinations), problems, counts)
    if factuality is not None:
        _read_factuality(Path(factuality), Path(hallucinations), summaries, problems, counts)
    problems.raise_if_any()
    records = [_record(s, source=source, license=license, domain=domain, counts=counts) for s in summaries.values()]
    yield from sorted(records, key=lambda r: r.id)


ARTICLES = ("articles_test", "articles_val")
"""The two AggreFact-Unified workbooks: each holds part of the 500 articles (467 and 464), together 499."""


def with_articles(records: Iterator[Record], workbooks: list[Path], counts: Counter[str]) -> Iterator[Record]:
    """Records naming their BBC article: the bbcid always, the digest of its text when a workbook has it.
    The workbooks are read whole before the first record, so bad input stops the source before it starts."""
    problems = Problems()
    digests = {key: text_digest(text) for key, text in read_articles(workbooks, problems).items()}
    problems.raise_if_any()
    missing: set[str] = set()
    for record in records:
        bbcid = record.group_id.removeprefix("xsum.")
        record.source_id, record.source_sha256 = bbcid, digests.get(bbcid)
        if workbooks and record.source_sha256 is None:
            missing.add(bbcid)
            counts["records_without_article"] += 1
        yield record
    if workbooks:
        counts["articles_missing"] = len(missing)


@register
class XsumHallucinations(SourceKind):
    name = "xsum-hallucinations"
    description = ("XSum hallucination annotations (google-research-datasets/xsum_hallucination_annotations): "
                   "one record per (BBC article, summarizer), crowd spans typed intrinsic or extrinsic, and the "
                   "factuality file's yes/no verdicts")
    extra_files = ("factuality", *ARTICLES)
    default_license = "CC-BY-4.0"

    def default_name(self, path: Path) -> str:
        return self.name

    def provenance(self, source: Source) -> Provenance:
        return Provenance(
            labelled_by="crowd workers (\"we have crowdsourced 3 judgements\", Maynez et al. 2020), shown the BBC "
                        "article and the summary",
            people="unknown: the files give each summary's three workers the slots wid_0..wid_2, which restart on "
                   "every summary and are not people; the factuality workers cannot be linked to the span workers",
            self_contained="no: the BBC articles the summaries were judged against are not redistributable; "
                           "records carry `source_id` (the BBC id) and `source_sha256` (of the article as XSum "
                           "stores it, mojibake included), and `newserrata hydrate` attaches the text from the "
                           "user's own copy: the AggreFact-Unified workbooks the build pinned ("
                           + ", ".join(source.options.get(f"{role}_url") or role for role in ARTICLES)
                           + "; 499 of the 500 articles, 12620805 in neither) or the Hugging Face XSum test split",
            inputs=(("span and factuality annotations, summaries", "CC BY 4.0 (the upstream README)"),
                    ("XSum BBC articles", "BBC copyright, no license to redistribute: fetched by the user"),
                    ("AggreFact-Unified xlsx (Liyan06/AggreFact), read by the build for the articles' sha256 only",
                     "no license stated upstream; nothing of it is published")),
            mapping=(("intrinsic (misrepresents the article)", "accuracy/distortion, major"),
                     ("extrinsic (not supported by the article)", "accuracy/addition, major"),
                     ("factuality answer `no`", "a verdict with has_error true")),
            notes=("The 500 reference summaries (`Gold`) are kept as controls with process human-summary; most "
                   "contain unsupported content too, since XSum's reference is the article's removed first "
                   "sentence.",
                   "Summaries are lowercased and tokenised as the systems wrote them.",
                   "`source_sha256` is the digest of the article as XSum stores it, its cp1252 mojibake (`Â£` "
                   "for `£`) included; 1 of the 500 articles (12620805) is in neither AggreFact workbook and has "
                   "no digest."),
            ids_are_people=False,
        )

    def read(self, source: Source, inputs: Mapping[str, Path], log: SourceLog) -> Iterator[Record]:
        records = read_records(inputs[MAIN], inputs.get("factuality"), source=source.name, license=source.license,
                               domain=source.domain, counts=log.counts)
        return with_articles(records, [inputs[role] for role in ARTICLES if role in inputs], log.counts)
