"""The WMT QE 2023 task-2 importer on a small hand-made file with every quirk of the published ones.

tests/fixtures/wmtqe/2021_en-de_fixture_processed.tsv (no header, raw cells, as the 2021 files):
- a cell that starts with a `"` it keeps; a target with a trailing space;
- a document split between two raters (rater1: segments 1-2, rater2: 3 and 10), rows out of order and
  seg_id 10 after 2 (numeric order), two spans in one row given out of order, the same span twice;
- a second system with a segment it was not rated on, a span ending beyond its segment, an empty
  span, and a second row for one segment (another rater);
- a human reference (`ref.A`);
- a document id with one space (`seattle times.7`), which the export split, shifting the segment
  number into the annotator cell and losing the rater; one with two spaces (`jingji guancha bao.9`),
  which also lost its segment number.
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
from newserrata.sources import SourceLog
from newserrata.sources.wmtqe import read_records
from newserrata.text import text_digest
from newserrata.validate import validate

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "wmtqe" / "2021_en-de_fixture_processed.tsv"


def read(path: Path = FIXTURE, **options: str) -> tuple[dict[str, Record], Counter[str]]:
    log = SourceLog()
    records = read_records(path, source="qe", license="Apache-2.0", log=log, **options)
    return {r.id: aggregate(r) for r in records}, log.counts


def spans(record: Record) -> list[tuple[int, int, str, str, str]]:
    (annotation,) = record.annotations
    return [(s.start, s.end, s.text, s.category, s.severity) for s in annotation.spans]


def test_records_are_documents_in_segment_order_with_their_source() -> None:
    records, _ = read()
    assert list(records) == ["qe.abc.1.hyp.A", "qe.abc.1.hyp.B", "qe.abc.1.ref.A", "qe.seattle_times.7.hyp.A"]
    record = records["qe.abc.1.hyp.A"]
    assert record.text == '"Hallo", sagte sie.\nZwei Katzen. \nDrei Hunde.\nZehn.'
    assert record.source_text == '"Hello," she said.\nTwo cats.\nThree dogs.\nTen.'
    assert (record.source_id, record.source_sha256) == ("abc.1", text_digest(record.source_text))
    assert (record.language, record.source_language, record.group_id) == ("de", "en", "qe.abc.1")
    assert [(s.start, s.end, s.source_start, s.source_end) for s in record.segments] == [
        (0, 19, 0, 18), (20, 33, 19, 28), (34, 45, 29, 40), (46, 51, 41, 45)]
    for segment in record.segments:
        assert "\n" not in record.text[segment.start:segment.end]


def test_spans_keep_severity_and_say_their_category_is_unspecified() -> None:
    records, _ = read()
    record = records["qe.abc.1.hyp.A"]
    assert spans(record) == [(0, 7, '"Hallo"', "unspecified", "major"), (20, 24, "Zwei", "unspecified", "major"),
                             (25, 31, "Katzen", "unspecified", "minor"), (34, 38, "Drei", "unspecified", "major"),
                             (34, 38, "Drei", "unspecified", "minor")]
    assert all(s.original_category is None for s in record.annotations[0].spans)
    assert [s.mqm_score for s in record.segments] == [-5.0, -6.0, -6.0, 0.0]
    assert record.mqm_score == -17.0 and record.source_issue_weight == 1.0
    assert [(s.start, s.end, s.prob) for s in record.soft_labels] == [(0, 7, 1.0), (20, 24, 1.0), (25, 31, 1.0),
                                                                    (34, 38, 1.0)]
    assert record.has_error and record.process == "machine-translation"


def test_a_document_split_between_raters_is_one_complete_rating() -> None:
    """An annotation per rater would say each found nothing where they never looked."""
    records, counts = read()
    (annotation,) = records["qe.abc.1.hyp.A"].annotations
    assert (annotation.annotator_id, annotation.annotator_kind) == ("rater1_rater2", "professional-translator")
    assert records["qe.abc.1.hyp.A"].num_annotators == 1
    assert counts["records_rated_by_several_raters"] == 1
    assert counts["raters"] == 3


def test_bad_spans_and_extra_ratings_are_dropped_and_counted() -> None:
    records, counts = read()
    record = records["qe.abc.1.hyp.B"]
    assert record.text == "Hallo, sagte sie.\nDrei Hunde!\nZehn!"
    assert spans(record) == [(0, 5, "Hallo", "unspecified", "major")]
    assert record.annotations[0].annotator_id == "rater3"
    assert (counts["spans_dropped_outside_segment"], counts["spans_dropped_empty"]) == (1, 1)
    assert counts["rows_dropped_second_rating_of_a_segment"] == 1
    assert counts["records_missing_segments_other_systems_have"] == 1


def test_references_are_controls() -> None:
    records, counts = read()
    record = records["qe.abc.1.ref.A"]
    assert record.process == "human-translation" and record.system == "ref.A"
    assert record.annotations[0].no_errors and not record.has_error and record.mqm_score == 0.0
    assert counts["human_reference_records"] == 1


def test_doc_ids_split_by_the_export_are_realigned_or_dropped() -> None:
    records, counts = read()
    record = records["qe.seattle_times.7.hyp.A"]
    assert record.source_id == "seattle times.7" and record.text == "Regen in Seattle.\nEs hörte auf."
    assert spans(record) == [(0, 5, "Regen", "unspecified", "major"), (9, 16, "Seattle", "unspecified", "minor")]
    assert record.annotations[0].annotator_id == "unrecorded"
    assert counts["rows_realigned_doc_id_with_a_space"] == 2 and counts["rows_without_rater_id"] == 2
    assert counts["rows_dropped_without_segment_number"] == 1
    assert not any("jingji" in r for r in records)
    assert (counts["rows"], counts["records"], counts["segments"], counts["spans"]) == (15, 4, 13, 8)


def test_a_row_without_a_segment_number_is_dropped(tmp_path: Path) -> None:
    """Its place in the document is unknown (a seg_id like `²` is not one either)."""
    path = tmp_path / "2021_en-de_x.tsv"
    path.write_text("s\td\t1\tr\tA.\tB.\t-1\t-1\tno-error\ns\td\t²\tr\tC.\tD.\t0\t1\tmajor\n", encoding="utf-8")
    records, counts = read(path)
    assert [r.text for r in records.values()] == ["B."] and counts["rows_dropped_without_segment_number"] == 1


def test_every_record_passes_the_record_check() -> None:
    records, _ = read()
    problems = Problems()
    for record in records.values():
        check_record(record.to_dict(), (record.id, None), problems)
    assert not problems


def test_a_header_and_csv_quoting_are_detected(tmp_path: Path) -> None:
    """The 2022 files: a header, cells quoted CSV-style with doubled quotes, an empty 10th cell."""
    path = tmp_path / "2022_en-de_test_processed.tsv"
    path.write_text(
        "mt_system\tdoc_id\tseg_id\tannotator_id\tsource\ttarget\tstart_ids\tend_ids\terrors\n"
        'MT_system1\tdoc9\t0\tvbmf2\t"""Hi,"" she said."\t"""Hallo"", sagte sie."\t1\t6\tminor\t\n'
        "MT_system1\tdoc9\t1\tvbmf2\tBye.\tTschüss.\t-1\t-1\tno-error\n", encoding="utf-8")
    records, counts = read(path)
    (record,) = records.values()
    assert record.text == '"Hallo", sagte sie.\nTschüss.' and record.source_text == '"Hi," she said.\nBye.'
    assert spans(record) == [(1, 6, "Hallo", "unspecified", "minor")]
    assert (counts["header_rows"], counts["files_quoted_csv"], counts["empty_tenth_cells_ignored"]) == (1, 1, 1)


def test_raw_cells_are_read_as_written(tmp_path: Path) -> None:
    """A raw file whose first quote-bearing cell looks CSV-quoted: the csv module would eat its quotes."""
    path = tmp_path / "2021_zh-en_x.tsv"
    path.write_text('s\td\t1\tr\t"好"\t"Good"\t1\t5\tmajor\ns\td\t2\tr\t他说"是"\the said "yes\t-1\t-1\tno-error\n',
                    encoding="utf-8")
    records, counts = read(path)
    (record,) = records.values()
    assert record.text == '"Good"\nhe said "yes' and spans(record) == [(1, 5, "Good", "unspecified", "major")]
    assert counts["files_quoted_plain"] == 1


@pytest.mark.parametrize(("row", "pointer", "message"), [
    ("s\td\t1\tr\tA.\tB.\t0\t1", "", "8 cells, expected 9"),
    ("s\td\t1\tr\tA.\tB.\t0 1\t1\tmajor", "errors", "2 start_ids, 1 end_ids and 1 errors"),
    ("s\td\t1\tr\tA.\tB.\tx\t1\tmajor", "errors", "offsets 'x', '1' are not whole numbers"),
    ("s\td\t1\tr\tA.\tB.\t0\t1_0\tmajor", "errors", "offsets '0', '1_0' are not whole numbers"),
    ("s\td\t1\tr\tA.\tB.\t٠\t1\tmajor", "errors", "offsets '٠', '1' are not whole numbers"),
    ("s\td\t1\tr\tA.\tB.\t0\t1\tcritical", "errors", "errors 'critical': each is minor or major"),
    ("s\td\t1\tr\tA.\tB.\t0\t1\tno-error", "errors", "no-error with offsets other than -1"),
])
def test_malformed_rows_are_refused_with_file_and_line(tmp_path: Path, row: str, pointer: str, message: str) -> None:
    path = tmp_path / "2021_en-de_bad.tsv"
    path.write_text("s\td\t2\tr\tC.\tD.\t-1\t-1\tno-error\n" + row + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read(path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.pointer) == (str(path), 2, pointer)
    assert problem.message.startswith(message) and problem.hint


def test_bad_bytes_and_unknown_languages_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "2021_en-de_bad.tsv"
    path.write_bytes(b"s\td\t1\tr\tA.\tB.\t-1\t-1\tno-error\ns\td\t2\tr\tA\xff.\tB.\t-1\t-1\tno-error\n")
    with pytest.raises(InputError, match=r"2021_en-de_bad.tsv:2: /: not valid UTF-8"):
        read(path)
    unnamed = tmp_path / "ratings.tsv"
    unnamed.write_text("s\td\t1\tr\tA.\tB.\t-1\t-1\tno-error\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot tell the language pair"):
        read(unnamed)
    records, _ = read(unnamed, source_language="en", target_language="de")
    assert [r.language for r in records.values()] == ["de"]


def test_import_command_writes_valid_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    assert main(["import", "wmt-qe-mqm", str(FIXTURE), "--out", str(out), "--json", "-"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["records"], summary["source"], summary["languages"]) == (4, "wmt21-ende", "en-de")
    assert summary["rows_dropped_without_segment_number"] == 1
    problems, counted = validate([out])
    assert not problems and counted.items == 4
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {line["annotations"][0]["annotator_id"] for line in lines} == {"rater1_rater2", "rater3", "rater1",
                                                                          "unrecorded"}


def test_strict_refuses_every_artifact_the_default_drops_or_realigns() -> None:
    log = SourceLog(strict=True)
    with pytest.raises(InputError) as caught:
        list(read_records(FIXTURE, source="qe", license="Apache-2.0", log=log))
    messages = [p.message for p in caught.value.problems]
    assert sum("outside" in m for m in messages) == 2  # the span beyond its segment and the empty one
    assert sum("rated a second time" in m for m in messages) == 1
    assert sum("shifted the cells" in m for m in messages) == 2
    assert sum("no segment number" in m for m in messages) == 1
    assert all("--strict" in p.hint for p in caught.value.problems)
