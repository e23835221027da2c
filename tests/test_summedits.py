"""The SummEdits importer on a small file laid out like the published one (a JSON list, two-space indent,
non-ASCII escaped) with every case of the span rule and each quirk of the real file:

- 63f9455b8d931ba6e664fb01: a seed with a trailing space (three real seeds have one), a consistent
  edit without edit types, a consistent edit with GPT-4 edit types (two real ones), one replaced word,
  one inserted word, one deleted word (`not`), two changed regions, an inconsistent edit without edit
  types (seven real ones), and edit 10 with the same text as edit 1 (fifteen real pairs).
- 63fe83a6822983eae8845b02: an insertion with an escaped `\\u00e0`, and an edit whose `Café` is
  decomposed (NFD), so the diff must run on the normalised texts.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from newserrata.aggregate import aggregate
from newserrata.checks import check_record
from newserrata.cli import main
from newserrata.errors import InputError, Problems
from newserrata.records import Record
from newserrata.sources.summedits import changed_regions, read_records, read_source_texts
from newserrata.text import text_digest

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "summedits" / "summedits_news.json"
A, B = "63f9455b8d931ba6e664fb01", "63fe83a6822983eae8845b02"


def read(path: Path = FIXTURE) -> tuple[dict[str, Record], Counter[str]]:
    counts: Counter[str] = Counter()
    records = read_records(path, source="fx", license="Apache-2.0", domain="news", counts=counts)
    return {r.id.removeprefix("fx."): aggregate(r) for r in records}, counts


def spans(record: Record) -> list[tuple[int, int, str, str, str, str | None, str | None]]:
    return [(s.start, s.end, s.text, s.category, s.severity, s.original_category, s.note)
            for a in record.annotations for s in a.spans]


def problems_of(items: list[object] | str, tmp_path: Path) -> list[str]:
    path = tmp_path / "summedits_news.json"
    path.write_text(items if isinstance(items, str) else json.dumps(items, indent=2), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read(path)
    return [str(p) for p in caught.value.problems]


def fixture_items() -> list[dict[str, object]]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_one_record_per_item_seed_first_then_edits_by_number() -> None:
    records, _ = read()
    assert list(records) == [f"{A}.og", *(f"{A}.{n}" for n in (0, 1, 2, 3, 4, 5, 6, 10)),
                             f"{B}.og", f"{B}.0", f"{B}.1", f"{B}.2"]
    for key, record in records.items():
        docid = key.split(".")[0]
        assert (record.group_id, record.source_id, record.source, record.language) == \
            (f"summedits.{docid}", docid, "fx", "en")
        assert (record.source_text, record.system, record.url, record.license) == (None, None, None, "Apache-2.0")
        assert record.process == ("unknown" if key.endswith(".og") else "llm-rewrite")
        assert [(a.annotator_id, a.annotator_kind) for a in record.annotations] == \
            [("annotator", "professional-annotator")]


def test_the_article_is_named_by_the_digest_of_doc_as_stored_and_read_back_from_the_file() -> None:
    records, _ = read()
    articles = read_source_texts(FIXTURE)
    assert set(articles) == {A, B} and articles[B].startswith("Starbucks opened its first Café")
    assert all(r.source_sha256 == text_digest(articles[r.source_id]) for r in records.values())
    assert {item["doc"] for item in fixture_items()} == set(articles.values())


def test_the_human_label_is_the_verdict() -> None:
    records, _ = read()
    labels = {item["id"]: item["label"] for item in fixture_items()}
    for key, record in records.items():
        label = labels[key.replace(".", "_")]
        assert [(v.annotator_id, v.has_error, v.original_label) for v in record.verdicts] == \
            [("annotator", label == 0, str(label))]
        assert record.has_error is (label == 0)


def test_consistent_items_have_no_span_and_found_no_error() -> None:
    records, _ = read()
    for key in (f"{A}.og", f"{A}.0", f"{A}.6", f"{B}.og", f"{B}.1"):
        record = records[key]
        assert (spans(record), record.localised, record.annotations[0].no_errors) == ([], True, True)


def test_one_changed_region_covering_text_is_the_span() -> None:
    records, _ = read()
    assert spans(records[f"{A}.1"]) == [(13, 19, "Moscow", "unspecified", "major", "inconsistent edit",
                                         'replaces "London"')]
    assert spans(records[f"{A}.2"]) == [(20, 28, "secretly", "unspecified", "major", "inconsistent edit",
                                         "inserted")]
    assert spans(records[f"{B}.0"])[0][2] == "in Città di Castello"
    for key in (f"{A}.1", f"{A}.2", f"{A}.5", f"{B}.0", f"{B}.2"):
        record = records[key]
        assert record.localised and [(s.start, s.end) for s in record.spans] == \
            [(s.start, s.end) for s in record.annotations[0].spans]
        assert record.text[record.spans[0].start:record.spans[0].end] == record.spans[0].text


def test_a_deletion_or_several_regions_keep_the_verdict_unlocalised() -> None:
    records, counts = read()
    for key in (f"{A}.3", f"{A}.4"):
        record = records[key]
        assert (spans(record), record.spans, record.localised, record.has_error) == ([], [], False, True)
        assert record.annotations[0].no_errors is False
    assert counts["inconsistent_pure_deletion"] == 1 and counts["inconsistent_changed_regions_2"] == 1


def test_the_diff_runs_on_normalised_text() -> None:
    records, _ = read()
    record = records[f"{B}.2"]
    assert "Café" in record.text and "e\u0301" not in record.text
    assert spans(record) == [(51, 56, "2019,", "unspecified", "major", "inconsistent edit", 'replaces "2018,"')]


def test_text_is_the_summary_as_written_trailing_space_included() -> None:
    records, _ = read()
    assert records[f"{A}.og"].text.endswith("road. ")
    assert not records[f"{A}.0"].text.endswith(" ")


def test_gpt4_edit_types_are_metadata_never_labels() -> None:
    records, _ = read()
    assert records[f"{A}.4"].metadata.edit_types == ("entity_modification", "antonym_swap")
    assert records[f"{A}.6"].metadata.edit_types == ("antonym_swap", "entity_modification")  # a consistent item
    assert records[f"{A}.5"].metadata.edit_types == ()
    assert all(span[5] == "inconsistent edit" for r in records.values() for span in spans(r))


def test_counts_name_every_case_of_the_rule() -> None:
    _, counts = read()
    assert {k: v for k, v in counts.items() if v} == {
        "documents": 2, "records": 13, "records_seed": 2, "records_edit": 11, "consistent": 5,
        "edit_types_on_consistent_items": 1, "inconsistent_changed_regions_1": 7, "inconsistent_changed_regions_2": 1,
        "inconsistent_single_replace": 4, "inconsistent_single_insert": 2, "inconsistent_pure_deletion": 1,
        "records_localised": 11, "records_not_localised": 2,
    }


def test_every_record_passes_the_published_record_check() -> None:
    records, _ = read()
    problems = Problems()
    for record in records.values():
        check_record(record.to_dict(), ("fx", None), problems)
    assert not problems, problems


@pytest.mark.parametrize(("original", "summary", "expected"), [
    ("a b c", "a b c", []),
    ("a b c", "x b c", [("replace", 0, 1, "a")]),
    ("a b c", "a c", [("delete", 1, 1, "b")]),
    ("a b c", "b c", [("delete", 0, 0, "a")]),
    ("a b c", "a  b c d e", [("insert", 7, 10, "")]),
    ("a b c d", "x b c y", [("replace", 0, 1, "a"), ("replace", 6, 7, "d")]),
])
def test_changed_regions_are_whitespace_token_diffs_with_offsets(original: str, summary: str,
                                                                 expected: list[tuple[str, int, int, str]]) -> None:
    assert changed_regions(original, summary) == expected


def test_an_inconsistent_item_without_any_change_is_a_verdict_only(tmp_path: Path) -> None:
    items = fixture_items()
    items[2]["summary"] = items[2]["original_summary"]
    path = tmp_path / "summedits_news.json"
    path.write_text(json.dumps(items, indent=2), encoding="utf-8")
    records, counts = read(path)
    assert not records[f"{A}.1"].localised and counts["inconsistent_changed_regions_0"] == 1


def test_bad_items_are_reported_with_their_line_and_field(tmp_path: Path) -> None:
    items = fixture_items()
    items[1]["label"] = 2
    del items[2]["summary"]
    items[3]["id"] = "not an id"
    items[4]["id"] = items[5]["id"]
    items[6]["doc"] = "another article"
    items[7]["edit_types"] = ["", 3]
    items[8] = ["a list"]
    problems = problems_of(items, tmp_path)
    text = "\n".join(problems)
    assert f"summedits_news.json:{2 + 9}: /1/label: label 2" in text  # the second object starts on line 11
    for part in ("/2/summary: missing or not a str", "/3/id: 'not an id' is not a SummEdits item id",
                 f"/5/id: {A}_4 repeats the item at line 41", "/6/doc: the article of", "/7/edit_types",
                 "/8: expected a JSON object, got list"):
        assert part in text, text
    assert len(problems) == 7


@pytest.mark.parametrize(("content", "expected"), [
    ('{"id": "x"}', ":1: /: not a JSON list"),
    ('[\n  {"id": 1},\n  {"id": \n]', ":4: /1: malformed JSON"),
    ("[]", "no items"),
    ('[\n  {"id": "a_1"} {"id": "a_2"}\n]', ":2: /1: expected `,` or `]`"),
    ('[{"summary": "\\ud800"}]', "/0/summary: lone surrogate"),
])
def test_a_file_that_is_not_a_list_of_items_is_refused(tmp_path: Path, content: str, expected: str) -> None:
    assert expected in "\n".join(problems_of(content, tmp_path))


def test_a_file_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "summedits_news.json"
    path.write_bytes(b'[\n  {"id": "caf\xe9"}\n]')
    with pytest.raises(InputError) as caught:
        read(path)
    assert "summedits_news.json:2: /: not valid UTF-8" in str(caught.value)


def test_import_summedits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "summedits.jsonl"
    assert main(["import", "summedits", str(FIXTURE), "--out", str(out), "--json", "-"]) == 0
    summary = json.loads(capsys.readouterr().out)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert summary["records"] == len(records) == 13 and summary["records_with_errors"] == 8
    assert {r["license"] for r in records} == {"Apache-2.0"} and all(r["source_text"] is None for r in records)
    assert sum(not r["localised"] for r in records) == 2
