"""TofuEval, MediaSum part (Tang et al., NAACL 2024, amazon-science/tofueval) to records: LLM summaries of
news interview transcripts with a label on every sentence.

Each CSV file (dev and test) has one row per summary sentence: `doc_id` (the MediaSum transcript),
`topic` (what the summary had to be about), `model_name` (an anonymised LLM), `sent_idx`, `summ_sent`,
`sent_label` (`yes` consistent with the transcript, `no` not), and for a `no` the annotator's
explanation `exp` and error `type`(s). Decisions that shape the records:

- One record per summary, i.e. per (doc_id, topic, model_name): its sentences ordered by int(sent_idx)
  and joined with one space, as the upstream README says. Gaps in sent_idx are kept as they are
  (counted). `process` summary, `system` the model name, `metadata.topic` the topic.
- Every `no` sentence is one span covering the whole sentence (the corpus labels sentences, not
  words), severity `major`, `original_category` the type string as given, `note` the explanation.
  The category maps the type: Extrinsic Information -> accuracy/addition; Mis-Referencing ->
  accuracy/entity; Contradiction, Nuanced Meaning Shift, Reasoning Error, Tense/Modality Error,
  Stating Opinion as Fact -> accuracy/distortion. A sentence with several types takes the first of
  their categories in taxonomy order (the order that breaks ties when spans are aggregated); a `no`
  without a type is `unspecified`. `yes` sentences have no span.
- One annotation per summary (`annotator`, an expert linguist): the files name no annotator, so the
  id is a slot, not a person.
- Ids are `<source>.<doc_id>.<topic slug>.<model_name>`, the group `mediasum.<doc_id>`: the
  transcript, so every summary of it shares a split. The upstream dev/test split is ignored.
- The transcripts are not in the repository and their terms are research-only: `source_text` and
  `source_sha256` are null (the build never sees the text), `source_id` is the MediaSum id.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from newserrata.errors import Problems
from newserrata.records import Annotation, Metadata, Record, Span
from newserrata.sources.base import Provenance, Source, SourceKind, SourceLog, register
from newserrata.sources.csv_rows import rows
from newserrata.taxonomy import CATEGORY_ORDER
from newserrata.text import normalize

COLUMNS = ("doc_id", "topic", "model_name", "sent_idx", "summ_sent", "sent_label", "exp", "type")
TYPES = {
    "Extrinsic Information": "accuracy/addition",
    "Mis-Referencing": "accuracy/entity",
    "Contradiction": "accuracy/distortion",
    "Nuanced Meaning Shift": "accuracy/distortion",
    "Reasoning Error": "accuracy/distortion",
    "Tense/Modality Error": "accuracy/distortion",
    "Stating Opinion as Fact": "accuracy/distortion",
}
UNTYPED = "unspecified"
LABELS = {"yes": False, "no": True}  # sent_label -> unfaithful
SEVERITY = "major"
ANNOTATOR = "annotator"
ANNOTATOR_KIND = "expert-linguist"
DOC_ID = re.compile(r"[A-Za-z]{1,20}-[0-9]{1,12}")
MODEL = re.compile(r"[A-Za-z0-9._-]{1,60}")
UNSAFE = re.compile(r"[^a-z0-9]+")
TEST = "test"

Key = tuple[str, str, str]  # doc_id, topic, model_name


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    text: str
    unfaithful: bool
    types: tuple[str, ...]
    explanation: str | None


@dataclass(slots=True)
class Summary:
    file: str
    line: int
    sentences: dict[int, Sentence] = field(default_factory=dict)


def slug(topic: str) -> str:
    return UNSAFE.sub("-", topic.lower()).strip("-")[:80] or "topic"


def category(types: tuple[str, ...]) -> str:
    return min((TYPES[t] for t in types), key=CATEGORY_ORDER.__getitem__) if types else UNTYPED


def _sentence(file: str, line: int, row: dict[str, str], problems: Problems, counts: Counter[str]) -> Sentence | None:
    found = len(problems)
    if not DOC_ID.fullmatch(row["doc_id"]):
        problems.add(file, line, "doc_id", f"{row['doc_id']!r} is not a MediaSum id", "e.g. CNN-12345 or NPR-123")
    if not row["topic"].strip():
        problems.add(file, line, "topic", "empty topic", "every summary was asked to cover a topic")
    if not MODEL.fullmatch(row["model_name"]):
        problems.add(file, line, "model_name", f"{row['model_name']!r} is not a model name", "e.g. model_A")
    index = row["sent_idx"]
    if not (index.isascii() and index.isdigit() and int(index) > 0):
        problems.add(file, line, "sent_idx", f"{index!r} is not a sentence number", "1 for the first sentence")
    if not row["summ_sent"].strip():
        problems.add(file, line, "summ_sent", "empty sentence", "every row carries its sentence")
    label = row["sent_label"]
    if label not in LABELS:
        problems.add(file, line, "sent_label", f"unknown label {label!r}", "yes (consistent) or no")
    types = tuple(t.strip() for t in row["type"].split(",") if t.strip())
    unknown = [t for t in types if t not in TYPES]
    if unknown:
        problems.add(file, line, "type", f"unknown error type(s) {', '.join(map(repr, unknown))}",
                     f"known: {', '.join(TYPES)}; map a new type in TYPES in newserrata/sources/tofueval.py")
    if len(problems) > found:
        return None
    unfaithful = LABELS[label]
    explanation = normalize(row["exp"]).strip() or None
    if not unfaithful:
        counts["consistent_sentences_with_type_or_explanation_ignored"] += bool(types or explanation)
        types, explanation = (), None
    return Sentence(int(index), normalize(row["summ_sent"]), unfaithful, types, explanation)


def read_summaries(paths: list[Path], problems: Problems, counts: Counter[str]) -> dict[Key, Summary]:
    """Every summary of the files with its sentences, checked; a summary in two files is an error."""
    summaries: dict[Key, Summary] = {}
    for path in paths:
        file = str(path)
        for line, row in rows(path, COLUMNS, problems):
            counts["rows"] += 1
            sentence = _sentence(file, line, row, problems, counts)
            if sentence is None:
                continue
            key = (row["doc_id"], row["topic"], row["model_name"])
            summary = summaries.setdefault(key, Summary(file, line))
            if summary.file != file:
                problems.add(file, line, "doc_id", f"the summary of {key} is also in {summary.file}",
                             "each summary is in one file")
                continue
            if sentence.index in summary.sentences:
                problems.add(file, line, "sent_idx", f"sentence {sentence.index} of {key} repeats the one of the "
                             f"summary at line {summary.line}", "one row per sentence")
                continue
            summary.sentences[sentence.index] = sentence
    topics: dict[tuple[str, str], str] = {}
    for (doc, topic, _), summary in summaries.items():
        other = topics.setdefault((doc, slug(topic)), topic)
        if other != topic:
            problems.add(summary.file, summary.line, "topic", f"topics {other!r} and {topic!r} of {doc} give the "
                         f"same id part {slug(topic)!r}", "extend slug() in newserrata/sources/tofueval.py")
    return summaries


def _record(key: Key, summary: Summary, *, source: str, license: str, domain: str | None,
            counts: Counter[str]) -> Record:
    doc, topic, model = key
    order = sorted(summary.sentences)
    counts["summaries_with_gaps_in_sent_idx"] += order != list(range(1, len(order) + 1))
    spans, at = [], 0
    for index in order:
        sentence = summary.sentences[index]
        end = at + len(sentence.text)
        counts["sentences"] += 1
        counts["sentences_with_a_newline"] += "\n" in sentence.text
        if sentence.unfaithful:
            counts["unfaithful_sentences"] += 1
            counts["unfaithful_sentences_with_several_types"] += len(sentence.types) > 1
            counts["unfaithful_sentences_without_type"] += not sentence.types
            spans.append(Span(at, end, sentence.text, category(sentence.types), SEVERITY,
                              ", ".join(sentence.types) or None, sentence.explanation))
        at = end + 1
    text = " ".join(summary.sentences[i].text for i in order)
    counts["records"] += 1
    counts["records_with_errors"] += bool(spans)
    counts[f"records_in_{Path(summary.file).name}"] += 1
    return Record(
        id=f"{source}.{doc}.{slug(topic)}.{model}", group_id=f"mediasum.{doc}", source=source, language="en",
        text=text, license=license, domain=domain, system=model, process="summary", source_id=doc,
        annotations=[Annotation(ANNOTATOR, ANNOTATOR_KIND, spans, no_errors=not spans)],
        metadata=Metadata(topic=topic),
    )


def read_records(paths: list[Path], *, source: str, license: str, domain: str | None,
                 counts: Counter[str]) -> Iterator[Record]:
    """Un-aggregated records sorted by id, one per summary of all the files (dev and test). Every file is read
    and checked before the first record is yielded; every problem is raised at once."""
    problems = Problems()
    summaries = read_summaries([Path(p) for p in paths], problems, counts)
    problems.raise_if_any()
    counts["documents"] = len({doc for doc, _, _ in summaries})
    records = [_record(k, s, source=source, license=license, domain=domain, counts=counts)
               for k, s in summaries.items()]
    yield from sorted(records, key=lambda r: r.id)


@register
class TofuEval(SourceKind):
    name = "tofueval"
    description = ("TofuEval, MediaSum part (amazon-science/tofueval): topic-focused LLM summaries of NPR and CNN "
                   "interview transcripts, every sentence labelled faithful or not by an expert, with error types "
                   "and an explanation")
    extra_files = (TEST,)
    default_license = "MIT-0"

    def provenance(self, source: Source) -> Provenance:
        return Provenance(
            labelled_by="expert linguistic annotators (the TofuEval README), who labelled every summary sentence "
                        "and explained and typed each unfaithful one",
            people="unknown: the files name no annotator; one label set per summary",
            self_contained="no: the summaries were written from MediaSum interview transcripts (NPR, CNN), which "
                           "the TofuEval repository does not hold and whose terms are research-only; records "
                           "carry the MediaSum id as `source_id` (fetch the transcript from MediaSum's "
                           "news_dialogue.json by id); `source_sha256` is null because the build never saw the "
                           "transcripts",
            inputs=(("summaries, sentence labels, explanations and error types", "MIT No Attribution "
                     "(amazon-science/tofueval LICENSE); the README asks that the benchmark not be used to train "
                     "models"),
                    ("MediaSum interview transcripts", "research use only (MediaSum's terms, quoted in TofuEval's "
                     "THIRD-PARTY-LICENSES); fetched by the user")),
            mapping=(("Extrinsic Information", "accuracy/addition, major"),
                     ("Mis-Referencing", "accuracy/entity, major"),
                     ("Contradiction, Nuanced Meaning Shift, Reasoning Error, Tense/Modality Error, Stating "
                      "Opinion as Fact", "accuracy/distortion, major"),
                     ("several types on one sentence", "the first of their categories in taxonomy order; the "
                      "types kept in original_category"),
                     ("sent_label `no` (unfaithful sentence)", "a span over the whole sentence, the explanation as "
                      "its note"),
                     ("sent_label `yes`", "no span")),
            notes=("Spans are whole sentences: the corpus labels sentences, not words, so a character metric "
                   "credits a detector for any part of an unfaithful sentence only in proportion to its share.",
                   "Only the MediaSum (news interview) part is used; the MeetingBank part is city-council meetings, "
                   "not news.",
                   "Both upstream files (dev and test) are used; the upstream split is ignored.",
                   "Model names are anonymised upstream (model_A..model_E, Model-Extra)."),
            ids_are_people=False,
        )

    def read(self, source: Source, inputs: Mapping[str, Path], log: SourceLog) -> Iterator[Record]:
        return read_records(list(inputs.values()), source=source.name, license=source.license, domain=source.domain,
                            counts=log.counts)
