"""SummEdits, news domain (Laban et al. 2023, salesforce/factualNLG) to records: LLM rewrites of a summary.

The file is one JSON list. Each item is a summary of a 2023 news article (`doc`): either the verified
seed summary (`<docid>_og`) or an LLM's edit of that seed (`<docid>_<n>`, `original_summary` the
seed), with a human verdict `label` (1 consistent with the article, 0 inconsistent) and the edit types
GPT-4 predicted afterwards (`edit_types`). Decisions that shape the records:

- One record per item; the text is `summary` under the offset contract. Edits are `llm-rewrite`;
  seeds are `unknown` (the file does not say who wrote them). `system` is null: the file does not name
  the model that made each edit. Ids are `<source>.<docid>.<n>` (`og` for the seed), the group
  `summedits.<docid>`, so every edit of an article shares its split.
- The verdict is the record's: a `Verdict` with `has_error` = (label == 0) and the label as
  `original_label`, and one annotation by the same judge, since the span below is that verdict placed.
- Where the error is comes from the word diff of `original_summary` against `summary`: both split
  into whitespace-separated tokens with their character offsets, compared with
  difflib.SequenceMatcher(autojunk=False). A consistent item has no span (`no_errors`). An
  inconsistent item with exactly one changed region that covers text in `summary` (a replacement or
  an insertion) gets that region as its one span, from the first to the last changed token, category
  `unspecified`, severity `major` (the judge found the summary inconsistent with the article). An
  inconsistent item whose one change is a pure deletion (nothing in `summary` to point at), or that
  has several changed regions (the verdict does not say which is wrong), or none, keeps its verdict
  with `localised` false and no span: never guessed. Each case is counted.
- `edit_types` go to `metadata.edit_types`: GPT-4's guess, never a label. The upstream `split`
  (evaluation/test) is ignored; NewsErrata splits by group.
- `doc` is a third-party news article: it is not redistributed. `source_id` is the docid and
  `source_sha256` the sha256 of `doc` exactly as stored in the file; `read_source_texts` reads the
  pinned file back so a user can attach the articles.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newserrata.errors import Problems
from newserrata.jsonl import JSONError, decoder_for
from newserrata.paths import hint, read_input
from newserrata.records import Annotation, Metadata, Record, Span, Verdict
from newserrata.sources.base import MAIN, Provenance, Source, SourceKind, SourceLog, register
from newserrata.sourcetexts import TextFormat, register_text_format
from newserrata.text import (
    BOM,
    SURROGATE_HINT,
    SURROGATE_MESSAGE,
    TextDecodeError,
    decode_utf8,
    lone_surrogate,
    normalize,
    text_digest,
)

ITEM_ID = re.compile(r"(?P<doc>[A-Za-z0-9]{1,100})_(?P<edit>og|[0-9]{1,6})")
SEED = "og"
FIELDS = {"id": str, "doc": str, "summary": str, "original_summary": str, "label": int, "edit_types": list}
LABELS = {0: True, 1: False}  # label -> has_error
ANNOTATOR = "annotator"
ANNOTATOR_KIND = "professional-annotator"
CATEGORY = "unspecified"
SEVERITY = "major"
ORIGINAL_CATEGORY = "inconsistent edit"
TOKEN = re.compile(r"\S+")
JSON_WHITESPACE = " \t\n\r"

Token = tuple[str, int, int]


@dataclass(frozen=True, slots=True)
class Item:
    line: int
    docid: str
    edit: str
    doc: str
    summary: str
    original_summary: str
    label: int
    edit_types: tuple[str, ...]

    @property
    def order(self) -> tuple[str, int]:
        return self.docid, -1 if self.edit == SEED else int(self.edit)


def tokens(text: str) -> list[Token]:
    return [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]


def changed_regions(original: str, summary: str) -> list[tuple[str, int, int, str]]:
    """(opcode, start, end, original words) of every region where `summary` differs from `original`
    word by word; start == end for a pure deletion (the point in `summary` where words went missing)."""
    before, after = tokens(original), tokens(summary)
    matcher = difflib.SequenceMatcher(None, [t[0] for t in before], [t[0] for t in after], autojunk=False)
    regions = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if j2 > j1:
            start, end = after[j1][1], after[j2 - 1][2]
        else:
            start = end = after[j1 - 1][2] if j1 else 0
        regions.append((op, start, end, " ".join(t[0] for t in before[i1:i2])))
    return regions


# --------------------------------------------------------------------------- reading the file


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] in JSON_WHITESPACE:
        at += 1
    return at


def _values(path: Path, problems: Problems) -> Iterator[tuple[int, Any]]:
    """(line, value) of every element of the file's top-level JSON list, each located by the line it starts on."""
    file = str(path)
    try:
        text = decode_utf8(read_input(path))
    except OSError as exc:
        problems.add(file, None, "", f"cannot read: {exc.strerror or exc}", hint(exc, "check the path"))
        return
    except TextDecodeError as exc:
        problems.add(file, exc.line, "", str(exc), "re-save the file as UTF-8")
        return
    try:
        decoder = decoder_for(text)
    except JSONError as exc:
        problems.add(file, exc.line, "", exc.message, exc.hint or "")
        return
    at = _skip(text, len(BOM) if text.startswith(BOM) else 0)
    if not text.startswith("[", at):
        problems.add(file, text.count("\n", 0, at) + 1, "", "not a JSON list",
                     "use the file as published: one JSON list of objects")
        return
    at, index = at + 1, 0
    while True:
        at = _skip(text, at)
        if text.startswith("]", at) and index == 0:
            break
        line = text.count("\n", 0, at) + 1
        try:
            value, at = decoder.raw_decode(text, at)
        except json.JSONDecodeError as exc:
            problems.add(file, exc.lineno, f"/{index}", f"malformed JSON: {exc.msg} at column {exc.colno}",
                         "fix the JSON syntax")
            return
        except JSONError as exc:
            problems.add(file, exc.line, f"/{index}", exc.message, exc.hint or "")
            return
        if (pointer := lone_surrogate(value)) is not None:
            problems.add(file, line, f"/{index}{pointer}", SURROGATE_MESSAGE, SURROGATE_HINT)
        else:
            yield line, value
        index += 1
        at = _skip(text, at)
        if text.startswith(",", at):
            at += 1
        elif text.startswith("]", at):
            break
        else:
            problems.add(file, text.count("\n", 0, at) + 1, f"/{index}", "expected `,` or `]` after an item",
                         "fix the JSON syntax")
            return


def _item(file: str, line: int, index: int, value: Any, problems: Problems) -> Item | None:
    if not isinstance(value, dict):
        problems.add(file, line, f"/{index}", f"expected a JSON object, got {type(value).__name__}",
                     "one object per summary")
        return None
    found = len(problems)
    for key, kind in FIELDS.items():
        cell = value.get(key)
        if not isinstance(cell, kind) or isinstance(cell, bool):
            problems.add(file, line, f"/{index}/{key}", f"missing or not a {kind.__name__}: {cell!r}"[:200],
                         f"every item has {', '.join(FIELDS)}")
    if len(problems) > found:
        return None
    match = ITEM_ID.fullmatch(value["id"])
    if match is None:
        problems.add(file, line, f"/{index}/id", f"{value['id']!r} is not a SummEdits item id",
                     "<docid>_og for the seed summary, <docid>_<n> for edit n")
    if value["label"] not in LABELS:
        problems.add(file, line, f"/{index}/label", f"label {value['label']!r}", "1 consistent, 0 inconsistent")
    if not value["summary"].strip():
        problems.add(file, line, f"/{index}/summary", "empty summary", "every item carries its summary")
    if not all(isinstance(t, str) and t for t in value["edit_types"]):
        problems.add(file, line, f"/{index}/edit_types", "not a list of names", 'e.g. ["entity_modification"]')
    if len(problems) > found or match is None:
        return None
    return Item(line, match["doc"], match["edit"], value["doc"], value["summary"], value["original_summary"],
                value["label"], tuple(value["edit_types"]))


def read_items(path: Path, problems: Problems) -> list[Item]:
    """Every item of the file, checked, in the order (docid, seed first, then edit number)."""
    file, items, seen = str(path), [], {}
    docs: dict[str, Item] = {}
    index = -1
    for index, (line, value) in enumerate(_values(path, problems)):
        item = _item(file, line, index, value, problems)
        if item is None:
            continue
        key = f"{item.docid}_{item.edit}"
        if key in seen:
            problems.add(file, line, f"/{index}/id", f"{key} repeats the item at line {seen[key]}",
                         "item ids are unique")
            continue
        seen[key] = line
        first = docs.setdefault(item.docid, item)
        if first.doc != item.doc:
            problems.add(file, line, f"/{index}/doc", f"the article of {item.docid} differs from the one at line "
                         f"{first.line}", "every item of a document carries the same article")
            continue
        items.append(item)
    if index < 0 and not problems:
        problems.add(file, None, "", "no items", "use the file as published")
    return sorted(items, key=lambda i: i.order)


def read_source_texts(path: Path) -> dict[str, str]:
    """Each document's article as stored in the file (source_id -> doc): what `source_sha256` hashes, so a
    user holding the pinned file can attach the articles to the records."""
    problems = Problems()
    texts = _texts(Path(path), problems)
    problems.raise_if_any()
    return texts


def _texts(path: Path, problems: Problems) -> dict[str, str]:
    return {item.docid: item.doc for item in read_items(path, problems)}


register_text_format(TextFormat(
    "summedits", "the SummEdits news file (summedits_news.json), whose `doc` fields are the articles",
    claims=lambda path, head: path.suffix == ".json" and b'"original_summary"' in head, read=_texts))


# --------------------------------------------------------------------------- items to records


def _labels(item: Item, text: str, counts: Counter[str]) -> tuple[list[Span], bool]:
    """The item's spans and whether they locate its errors (see the module docstring for the rule)."""
    if not LABELS[item.label]:
        counts["consistent"] += 1
        return [], True
    regions = changed_regions(normalize(item.original_summary), text)
    counts[f"inconsistent_changed_regions_{len(regions) if len(regions) < 4 else '4_or_more'}"] += 1
    if len(regions) != 1:
        return [], False
    op, start, end, before = regions[0]
    if start == end:
        counts["inconsistent_pure_deletion"] += 1
        return [], False
    counts[f"inconsistent_single_{op}"] += 1
    note = f'replaces "{before}"' if before else "inserted"
    return [Span(start, end, text[start:end], CATEGORY, SEVERITY, ORIGINAL_CATEGORY, note)], True


def _record(item: Item, *, source: str, license: str, domain: str | None, counts: Counter[str]) -> Record:
    text = normalize(item.summary)
    spans, localised = _labels(item, text, counts)
    has_error = LABELS[item.label]
    seed = item.edit == SEED
    counts["records"] += 1
    counts["records_seed" if seed else "records_edit"] += 1
    counts["records_localised" if localised else "records_not_localised"] += 1
    return Record(
        id=f"{source}.{item.docid}.{item.edit}", group_id=f"summedits.{item.docid}", source=source,
        language="en", text=text, license=license, domain=domain,
        annotations=[Annotation(ANNOTATOR, ANNOTATOR_KIND, spans, no_errors=not has_error)],
        verdicts=[Verdict(ANNOTATOR, has_error, str(item.label))],
        source_id=item.docid, source_sha256=text_digest(item.doc),
        process="unknown" if seed else "llm-rewrite", localised=localised,
        metadata=Metadata(edit_types=item.edit_types),
    )


def read_records(path: Path, *, source: str, license: str, domain: str | None,
                 counts: Counter[str]) -> Iterator[Record]:
    """Un-aggregated records, one per item, in the order (docid, seed, edits by number). The whole file is
    read and checked before the first record is yielded; every problem is raised at once."""
    problems = Problems()
    items = read_items(Path(path), problems)
    problems.raise_if_any()
    counts["documents"] = len({item.docid for item in items})
    counts["edit_types_on_consistent_items"] = sum(bool(i.edit_types) for i in items if not LABELS[i.label])
    for item in items:
        yield _record(item, source=source, license=license, domain=domain, counts=counts)


@register
class SummEdits(SourceKind):
    name = "summedits"
    description = ("SummEdits (salesforce/factualNLG): LLM edits of a verified summary of a news article, each "
                   "with a human verdict (consistent or not); the edited words are the span where they place "
                   "exactly")
    default_license = "Apache-2.0"

    def provenance(self, source: Source) -> Provenance:
        return Provenance(
            labelled_by="annotators hired by the SummEdits authors, who judged each edited summary consistent or "
                        "inconsistent with the article (Laban et al. 2023, step 3 of the protocol; borderline "
                        "items were removed); the file records one verdict per item",
            people="unknown: the file names no annotator; one verdict per item",
            self_contained="no: the 2023 news articles the summaries were judged against are third-party text, "
                           "not redistributed; records carry `source_id` (the SummEdits document id) and "
                           "`source_sha256` (of the `doc` field as published), and the pinned file supplies them",
            inputs=(("summaries, edits, verdicts and GPT-4 edit types", f"{source.license} (salesforce/"
                     "factualNLG LICENSE.txt)"),
                    ("news articles (`doc`)", "copyright of their publishers; held in the pinned file, not "
                     "republished here")),
            mapping=(("label 0 (inconsistent)", "a verdict with has_error true; the one changed word region, "
                      "when there is exactly one and it covers text, is a span: unspecified, major"),
                     ("label 1 (consistent)", "a verdict with has_error false, no span"),
                     ("inconsistent with several changed regions or a pure deletion", "verdict only, localised "
                      "false: the verdict does not say which edit is wrong"),
                     ("edit_types (GPT-4's prediction)", "metadata.edit_types, not a label")),
            notes=("Every summary of an article shares its group: about 33 variants per article over 25 "
                   "articles, so the source weighs as 25 documents in any per-document statistic.",
                   "The span is where the summary differs from the verified seed; the judge said the summary is "
                   "inconsistent, not which words. With one changed region the two coincide.",
                   "Seed summaries (`_og`) are verified consistent by construction; the file does not say who "
                   "wrote them, so their process is unknown.",
                   "The upstream split (evaluation/test) is ignored."),
            ids_are_people=False,
        )

    def read(self, source: Source, inputs: Mapping[str, Path], log: SourceLog) -> Iterator[Record]:
        return read_records(inputs[MAIN], source=source.name, license=source.license, domain=source.domain,
                            counts=log.counts)
