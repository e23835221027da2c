"""The TofuEval importer on two small files laid out like the published MediaSum ones (CRLF line ends,
CSV quoting, explanations spanning lines) with each quirk of the real files:

- mediasum_factual_eval_dev.csv: summaries of one transcript on two topics (one with an apostrophe),
  a summary without errors, error types one and two to a sentence (in both orders of taxonomy rank),
  an explanation over two lines, a summary whose sent_idx skips 2 and one that starts at 2 (two real
  ones), a sentence with a comma.
- mediasum_factual_eval_test.csv: the test split's transcripts, and a sentence holding a newline (one
  real one).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from newserrata.aggregate import aggregate
from newserrata.checks import check_record
from newserrata.cli import main
from newserrata.errors import InputError, Problems
from newserrata.records import Record
from newserrata.sources.tofueval import COLUMNS, category, read_records, slug

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "tofueval"
DEV = FIXTURES / "mediasum_factual_eval_dev.csv"
TEST = FIXTURES / "mediasum_factual_eval_test.csv"
HEADER = ["doc_id", "annotation_id", "topic", "model_name", "sent_idx", "summ_sent", "sent_label", "exp", "type"]


def read(*paths: Path) -> tuple[dict[str, Record], Counter[str]]:
    counts: Counter[str] = Counter()
    records = read_records(list(paths or (DEV, TEST)), source="fx", license="MIT-0", domain="news", counts=counts)
    return {r.id.removeprefix("fx."): aggregate(r) for r in records}, counts


def spans(record: Record) -> list[tuple[int, int, str, str, str | None]]:
    return [(s.start, s.end, s.category, s.severity, s.original_category) for a in record.annotations for s in a.spans]


def fixture_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))[1:]


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_one_record_per_transcript_topic_and_model() -> None:
    records, counts = read()
    assert list(records) == [
        "CNN-1234.bush-and-clinton.model_E",
        "CNN-291058.pay-for-play-scheme.model_C", "CNN-291058.pay-for-play-scheme.model_D",
        "NPR-41366.activities-of-quds-force.model_C",
        "NPR-5615.obama-s-procurement-reform.model_A",
        "NPR-5615.presidential-helicopter-cost.Model-Extra", "NPR-5615.presidential-helicopter-cost.model_A",
        "NPR-5615.presidential-helicopter-cost.model_B",
    ]
    for key, record in records.items():
        doc = key.split(".")[0]
        assert (record.group_id, record.source_id, record.source_sha256, record.source_text) == \
            (f"mediasum.{doc}", doc, None, None)
        assert (record.process, record.system, record.language, record.license) == \
            ("summary", key.rsplit(".", 1)[1], "en", "MIT-0")
        assert [(a.annotator_id, a.annotator_kind) for a in record.annotations] == [("annotator", "expert-linguist")]
        assert record.verdicts == [] and record.localised
    assert records["NPR-5615.obama-s-procurement-reform.model_A"].metadata.topic == "Obama's procurement reform"
    assert counts["records_in_mediasum_factual_eval_dev.csv"] == 6
    assert counts["records_in_mediasum_factual_eval_test.csv"] == 2


def test_the_text_is_the_sentences_in_order_joined_by_one_space() -> None:
    records, counts = read()
    assert records["NPR-5615.presidential-helicopter-cost.Model-Extra"].text == (
        "The Pentagon is developing a new fleet of helicopters to replace the 40-year-old ones. "
        "However, the new helicopters are over budget at $400 million each.")
    assert records["CNN-291058.pay-for-play-scheme.model_D"].text == \
        "The Clinton campaign denies any wrongdoing. The latest e-mails raise new questions about access."
    assert "(Source: CNN)\nWhat is your opinion" in records["CNN-1234.bush-and-clinton.model_E"].text
    assert counts["summaries_with_gaps_in_sent_idx"] == 2 and counts["sentences_with_a_newline"] == 1


def test_rows_out_of_order_are_ordered_by_sentence_number(tmp_path: Path) -> None:
    rows = fixture_rows(DEV)
    records, _ = read(write(tmp_path / "mediasum_factual_eval_dev.csv", rows[::-1]))
    expected, _ = read(DEV)
    assert {k: r.text for k, r in records.items()} == {k: r.text for k, r in expected.items()}


def test_an_unfaithful_sentence_is_a_span_over_the_whole_sentence() -> None:
    records, _ = read()
    helicopter = records["NPR-5615.presidential-helicopter-cost.model_A"]
    start = len("The new presidential helicopter now costs around $400 million each. ")
    assert spans(helicopter) == [(start, len(helicopter.text), "accuracy/addition", "major", "Extrinsic Information")]
    assert helicopter.annotations[0].spans[0].note == \
        'The document does not mention that President Obama called for "reforms".'
    assert [(s.start, s.end) for s in helicopter.spans] == [(start, len(helicopter.text))]
    clean = records["NPR-5615.presidential-helicopter-cost.Model-Extra"]
    assert (spans(clean), clean.annotations[0].no_errors, clean.has_error) == ([], True, False)


def test_types_map_to_categories_and_several_take_the_first_in_taxonomy_order() -> None:
    records, _ = read()
    assert spans(records["NPR-5615.presidential-helicopter-cost.model_B"])[0][2:] == \
        ("accuracy/distortion", "major", "Nuanced Meaning Shift, Mis-Referencing")
    assert spans(records["NPR-5615.obama-s-procurement-reform.model_A"])[0][2:] == \
        ("accuracy/entity", "major", "Mis-Referencing, Extrinsic Information")
    assert [s[2] for s in spans(records["CNN-291058.pay-for-play-scheme.model_C"])] == \
        ["accuracy/distortion", "accuracy/distortion"]
    assert [s[2] for s in spans(records["NPR-41366.activities-of-quds-force.model_C"])] == \
        ["accuracy/distortion", "accuracy/distortion"]
    assert category(()) == "unspecified"
    assert category(("Extrinsic Information", "Contradiction")) == "accuracy/distortion"


def test_an_explanation_over_two_lines_is_the_note() -> None:
    records, _ = read()
    note = records["NPR-5615.presidential-helicopter-cost.model_B"].annotations[0].spans[0].note
    assert note is not None and note.startswith("1. The cost is around") and "\n2. Air Force One" in note


def test_a_no_without_type_is_unspecified_and_a_yes_keeps_no_type(tmp_path: Path) -> None:
    rows = fixture_rows(DEV)
    rows[3][8] = ""
    rows[0][7], rows[0][8] = "a stray note", "Contradiction"
    records, counts = read(write(tmp_path / "mediasum_factual_eval_dev.csv", rows))
    assert spans(records["NPR-5615.presidential-helicopter-cost.model_A"])[0][2:] == ("unspecified", "major", None)
    assert spans(records["NPR-5615.presidential-helicopter-cost.Model-Extra"]) == []
    assert counts["unfaithful_sentences_without_type"] == 1
    assert counts["consistent_sentences_with_type_or_explanation_ignored"] == 1


def test_counts_reproduce_the_files() -> None:
    _, counts = read()
    assert (counts["records"], counts["sentences"], counts["unfaithful_sentences"], counts["records_with_errors"],
            counts["documents"], counts["unfaithful_sentences_with_several_types"]) == (8, 17, 8, 6, 4, 2)


def test_every_record_passes_the_published_record_check() -> None:
    records, _ = read()
    problems = Problems()
    for record in records.values():
        check_record(record.to_dict(), ("fx", None), problems)
    assert not problems, problems


def test_slugs_are_id_safe() -> None:
    assert slug("Obama's procurement reform") == "obama-s-procurement-reform"
    assert slug("  ??  ") == "topic"


@pytest.mark.parametrize(("column", "value", "message"), [
    ("doc_id", "5615", "is not a MediaSum id"),
    ("topic", " ", "empty topic"),
    ("model_name", "model A", "is not a model name"),
    ("sent_idx", "0", "is not a sentence number"),
    ("sent_idx", "one", "is not a sentence number"),
    ("summ_sent", "", "empty sentence"),
    ("sent_label", "maybe", "unknown label 'maybe'"),
    ("type", "Extrinsic Information, Made Up", "unknown error type(s) 'Made Up'"),
])
def test_a_bad_cell_is_reported_with_its_line_and_column(tmp_path: Path, column: str, value: str,
                                                         message: str) -> None:
    rows = fixture_rows(DEV)
    rows[3][HEADER.index(column)] = value
    with pytest.raises(InputError) as caught:
        read(write(tmp_path / "mediasum_factual_eval_dev.csv", rows))
    [problem] = caught.value.problems
    assert (Path(problem.file).name, problem.line, problem.pointer) == ("mediasum_factual_eval_dev.csv", 5, column)
    assert message in problem.message and problem.hint


def test_a_repeated_sentence_a_summary_in_both_files_and_colliding_topics_are_refused(tmp_path: Path) -> None:
    rows = fixture_rows(DEV)
    rows.append(rows[0])
    rows.append([*rows[5][:2], "Obama s procurement reform", *rows[5][3:]])
    dev = write(tmp_path / "mediasum_factual_eval_dev.csv", rows)
    test = write(tmp_path / "mediasum_factual_eval_test.csv", [*fixture_rows(TEST), fixture_rows(DEV)[0]])
    with pytest.raises(InputError) as caught:
        read(dev, test)
    text = str(caught.value)
    assert "dev.csv:15: sent_idx: sentence 1 of" in text
    assert "test.csv:8: doc_id: the summary of ('NPR-5615', 'Presidential helicopter cost', 'Model-Extra') is " \
           "also in" in text
    assert "give the same id part 'obama-s-procurement-reform'" in text


def test_a_file_without_the_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mediasum_factual_eval_dev.csv"
    path.write_text("doc_id,topic\r\nNPR-1,x\r\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read(path)
    assert "missing column(s)" in str(caught.value) and all(c in str(caught.value) for c in COLUMNS[2:])


def test_import_tofueval_with_its_test_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "tofueval.jsonl"
    assert main(["import", "tofueval", str(DEV), "--test", str(TEST), "--out", str(out), "--json", "-"]) == 0
    summary = json.loads(capsys.readouterr().out)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert summary["records"] == len(records) == 8 and summary["records_with_errors"] == 6
    assert all(r["metadata"]["topic"] and r["source_id"] and r["source_sha256"] is None for r in records)
