"""The XSum hallucination importer on small hand-made files with every quirk of the published ones.

tests/fixtures/xsum/ (CRLF line ends, CSV quoting with doubled quotes, as published):
- hallucination_annotations_xsum_summaries.csv: `\\'` escapes (and a reference with a bare `'`), a
  span starting with the escaped newline `\\n`, spans ending with it (offsets (0, length)), one whose
  text occurs twice (ambiguous), one not in the summary, a worker's repeated row, a text occurring
  twice (offsets name the first), NULL rows (plain, with a stray span text, beside the worker's
  spans), a summary with two workers, `£` and `Â #`, a span with a trailing space, a Welsh article.
- factuality_annotations_xsum_summaries.csv: bare `'`, a summary that lost its quote marks, NULL
  answers, a summary answered by two workers, a third worker beside a two-worker summary.
"""

from __future__ import annotations

import csv
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from newserrata import schemas
from newserrata.aggregate import aggregate
from newserrata.checks import check_record
from newserrata.errors import SHOWN, InputError, Problems, capped
from newserrata.records import Record
from newserrata.sources.xsum import FACTUALITY_COLUMNS, HALLUCINATION_COLUMNS, place, read_records

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "xsum"
HALLUCINATIONS = FIXTURES / "hallucination_annotations_xsum_summaries.csv"
FACTUALITY = FIXTURES / "factuality_annotations_xsum_summaries.csv"


def read(hallucinations: Path = HALLUCINATIONS, factuality: Path | None = FACTUALITY
         ) -> tuple[dict[str, Record], Counter[str]]:
    counts: Counter[str] = Counter()
    records = read_records(hallucinations, factuality, source="fx", license="CC-BY-4.0", domain="news", counts=counts)
    return {r.id: r for r in records}, counts


def spans(record: Record, worker: str) -> list[tuple[int, int, str, str, str | None]]:
    annotation = next(a for a in record.annotations if a.annotator_id == worker)
    return [(s.start, s.end, s.text, s.category, s.original_category) for s in annotation.spans]


def no_errors(record: Record) -> dict[str, bool]:
    return {a.annotator_id: a.no_errors for a in record.annotations}


def write(path: Path, header: tuple[str, ...] | list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def fixture_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))[1:]


def problems_of(hallucinations: Path, factuality: Path | None = None) -> list[str]:
    with pytest.raises(InputError) as caught:
        read(hallucinations, factuality)
    return [str(p) for p in caught.value.problems]


def test_one_record_per_article_and_system_with_ids_groups_and_metadata() -> None:
    records, _ = read()
    assert list(records) == ["fx.10000001.BERTS2S", "fx.10000001.Gold", "fx.10000001.PtGen",
                             "fx.10000001.TConvS2S", "fx.10000001.TranS2S", "fx.39497668.BERTS2S", "fx.39497668.Gold"]
    assert {r.group_id for r in records.values() if ".10000001." in r.id} == {"xsum.10000001"}
    for record in records.values():
        assert (record.source, record.domain, record.license) == ("fx", "news", "CC-BY-4.0")
        assert (record.source_text, record.source_language, record.title, record.url, record.date) == (None,) * 5
        assert record.id == f"fx.{record.group_id.removeprefix('xsum.')}.{record.system}"
        assert {a.annotator_kind for a in record.annotations} == {"crowd"}
    assert {r.id: r.process for r in records.values() if r.system == "Gold"} == \
        {"fx.10000001.Gold": "human-summary", "fx.39497668.Gold": "human-summary"}
    assert {r.process for r in records.values() if r.system != "Gold"} == {"summary"}


def test_text_is_the_summary_with_apostrophes_unescaped() -> None:
    records, _ = read()
    assert records["fx.10000001.BERTS2S"].text == \
        "the uk's biggest bank has said it will cut 1,000 jobs, the bbc understands."
    assert records["fx.10000001.Gold"].text == 'the bank\'s boss said " hard choices " lie ahead.'  # bare ' and ""
    assert records["fx.10000001.TranS2S"].text == '" the council will spend £5m (Â # 5m) on roads, " said a spokesman.'


def test_offsets_index_the_summary_after_a_newline() -> None:
    records, _ = read()
    bank = records["fx.10000001.BERTS2S"]
    assert spans(bank, "wid_0") == [(4, 21, "uk's biggest bank", "accuracy/distortion", "intrinsic"),
                                     (43, 53, "1,000 jobs", "accuracy/addition", "extrinsic")]
    assert spans(records["fx.10000001.TranS2S"], "wid_0") == [(25, 37, "£5m (Â # 5m)", "accuracy/addition",
                                                                "extrinsic")]
    assert spans(records["fx.10000001.TConvS2S"], "wid_2")[0] == (12, 19, "london ", "accuracy/distortion",
                                                                   "intrinsic")


def test_a_span_starting_with_the_escaped_newline_starts_the_summary() -> None:
    records, _ = read()
    assert spans(records["fx.10000001.BERTS2S"], "wid_2") == [(0, 8, "the uk's", "accuracy/addition", "extrinsic")]


def test_a_span_ending_with_the_escaped_newline_is_found_by_its_text_at_the_end() -> None:
    records, counts = read()
    assert spans(records["fx.10000001.PtGen"], "wid_0") == [(30, 55, "a man was found in a car.", "accuracy/addition",
                                                             "extrinsic")]
    assert spans(records["fx.10000001.TConvS2S"], "wid_2")[1] == (35, 40, "york.", "accuracy/addition", "extrinsic")
    assert counts["spans_placed_by_search"] == 2 and counts["spans_with_escaped_newline"] == 3


def test_spans_that_cannot_be_placed_unambiguously_are_dropped_and_counted() -> None:
    records, counts = read()
    city = records["fx.10000001.TConvS2S"]
    assert spans(city, "wid_0") == [] and spans(city, "wid_1") == []  # "the city" twice; "paris" nowhere
    assert no_errors(city) == {"wid_0": False, "wid_1": False, "wid_2": False}  # they did find something
    assert (counts["spans_dropped_ambiguous"], counts["spans_dropped_not_found"]) == (1, 1)


def test_repeated_rows_are_dropped_and_repeated_texts_keep_their_first_occurrence() -> None:
    records, counts = read()
    assert spans(records["fx.10000001.PtGen"], "wid_1") == [(0, 5, "a man", "accuracy/distortion", "intrinsic")]
    assert counts["spans_dropped_repeated_row"] == 1 and counts["spans_on_repeated_text"] == 1


def test_null_rows_mean_the_worker_found_nothing() -> None:
    records, counts = read()
    assert no_errors(records["fx.10000001.Gold"]) == {"wid_0": False, "wid_1": True, "wid_2": True}
    assert spans(records["fx.10000001.Gold"], "wid_1") == []  # its NULL row carries a stray span text
    assert no_errors(records["fx.10000001.PtGen"])["wid_2"] is False  # a NULL row beside the worker's span
    assert spans(records["fx.10000001.PtGen"], "wid_2") == [(15, 23, "arrested", "accuracy/addition", "extrinsic")]
    assert no_errors(records["fx.39497668.BERTS2S"]) == {"wid_0": True, "wid_1": True, "wid_2": True}
    assert (counts["null_rows"], counts["null_rows_with_span_text"], counts["null_rows_beside_spans"]) == (10, 1, 1)


def test_a_summary_keeps_the_workers_it_has_and_welsh_articles_are_welsh() -> None:
    records, counts = read()
    assert [a.annotator_id for a in records["fx.10000001.TranS2S"].annotations] == ["wid_0", "wid_1"]
    assert counts["records_with_fewer_than_3_annotators"] == 1
    assert {r.id: r.language for r in records.values() if r.language != "en"} == \
        {"fx.39497668.BERTS2S": "cy", "fx.39497668.Gold": "cy"}
    assert spans(records["fx.39497668.Gold"], "wid_0") == [(7, 10, "tân", "accuracy/addition", "extrinsic")]


def test_verdicts_are_kept_per_judge_under_their_own_ids() -> None:
    records, counts = read()
    verdicts = {i: [(v.annotator_id, v.has_error, v.original_label) for v in r.verdicts] for i, r in records.items()}
    assert verdicts["fx.10000001.BERTS2S"] == [("factuality.wid_0", True, "no"), ("factuality.wid_1", False, "yes"),
                                               ("factuality.wid_2", True, "no")]
    assert verdicts["fx.10000001.PtGen"] == [("factuality.wid_0", True, "no"), ("factuality.wid_1", True, "no")]
    assert [v[1] for v in verdicts["fx.10000001.TranS2S"]] == [False, True, True]  # its summary lost the quote marks
    assert verdicts["fx.39497668.BERTS2S"] == []  # NULL answers
    assert verdicts["fx.10000001.Gold"] == verdicts["fx.10000001.TConvS2S"] == []  # not in the factuality file
    assert counts["factuality_summaries_without_their_quote_marks"] == 3 and counts["verdicts_null"] == 3


def test_verdicts_are_compared_with_the_spans_of_the_same_worker_id() -> None:
    _, counts = read()
    assert {k: v for k, v in counts.items() if k.startswith("verdict_")} == {
        "verdict_not_factual_with_spans": 4,  # BERTS2S wid_0, wid_2; PtGen wid_0, wid_1
        "verdict_factual_without_spans": 1,  # BERTS2S wid_1
        "verdict_factual_with_spans": 1,  # TranS2S wid_0
        "verdict_not_factual_without_spans": 2,  # TranS2S wid_1 (NULL), wid_2 (no span worker of that id)
    }


def test_counts_of_the_whole_fixture() -> None:
    _, counts = read()
    assert counts == Counter({
        "hallucination_rows": 24, "factuality_rows": 11, "records": 7, "records_summary": 5,
        "records_human-summary": 2, "records_with_verdicts": 3, "records_with_fewer_than_3_annotators": 1,
        "annotations": 20, "annotators_found_nothing": 9, "spans_placed_by_offsets": 9, "spans_placed_by_search": 2,
        "spans_dropped_ambiguous": 1, "spans_dropped_not_found": 1, "spans_dropped_repeated_row": 1,
        "spans_on_repeated_text": 1, "spans_with_escaped_newline": 3, "null_rows": 10, "null_rows_with_span_text": 1,
        "null_rows_beside_spans": 1, "verdicts_null": 3, "factuality_summaries_without_their_quote_marks": 3,
        "verdict_not_factual_with_spans": 4, "verdict_factual_without_spans": 1, "verdict_factual_with_spans": 1,
        "verdict_not_factual_without_spans": 2,
    })


def test_aggregated_records_are_valid_and_every_span_is_its_slice() -> None:
    records, _ = read()
    problems = Problems()
    for record in map(aggregate, records.values()):
        d = record.to_dict()
        assert list(schemas.schema_errors("record", d)) == [], record.id
        check_record(d, (record.id, None), problems)
        assert Record.from_dict(d).to_dict() == d
        for span in [*record.spans, *(s for a in record.annotations for s in a.spans)]:
            assert record.text[span.start : span.end] == span.text
    assert not problems, "\n".join(map(str, problems))
    bank = aggregate(records["fx.10000001.BERTS2S"])
    # one intrinsic and one extrinsic span cover "uk's": the tie goes to the first in taxonomy order
    assert [(s.text, s.category, s.severity) for s in bank.spans] == [("uk's", "accuracy/distortion", "major")]
    assert bank.mqm_score == -5.0 and bank.has_error


@pytest.mark.parametrize(("span", "start", "end", "expected"), [
    ("the", 1, 4, (0, 3, "offsets")),  # offsets into "\n" + summary name the first of two occurrences
    ("\\nthe", 0, 4, (0, 3, "offsets")),
    ("cat.\\n", 0, 5, (19, 23, "search")),
    ("cat", 0, 3, "ambiguous"),
    ("cat\\n", 0, 4, "not_found"),  # the escaped newline says it ends the summary; "cat" does not
    ("dog", 1, 4, "not_found"),
    ("\nthe", 0, 4, "not_found"),  # a real newline is not the escaped one
    ("\\n", 0, 1, "empty"),
])
def test_place(span: str, start: int, end: int, expected: tuple[int, int, str] | str) -> None:
    assert place("the cat sat on the cat.", span, start, end) == expected


def test_without_the_factuality_file_no_record_has_verdicts() -> None:
    records, counts = read(factuality=None)
    assert len(records) == 7 and not any(r.verdicts for r in records.values())
    assert "factuality_rows" not in counts and counts["records_with_verdicts"] == 0


def test_text_is_stored_nfc_and_offsets_follow_it(tmp_path: Path) -> None:
    summary = unicodedata.normalize("NFD", "sinn féin has won in fianna fáil seats.")
    rows = [["20000001", "PtGen", summary, "extrinsic", unicodedata.normalize("NFD", "fianna fáil"), "23", "35",
             "wid_0"]]
    records, _ = read(write(tmp_path / "h.csv", HALLUCINATION_COLUMNS, rows), None)
    record = records["fx.20000001.PtGen"]
    assert record.text == "sinn féin has won in fianna fáil seats."
    assert spans(record, "wid_0") == [(21, 32, "fianna fáil", "accuracy/addition", "extrinsic")]


# --------------------------------------------------------------------------- errors


def test_no_records_and_every_problem_at_once(tmp_path: Path) -> None:
    rows = fixture_rows(HALLUCINATIONS)
    rows[0][1] = "T5"
    rows[1][3] = "invented"
    hallucinations = write(tmp_path / "h.csv", HALLUCINATION_COLUMNS, rows)
    factuality = write(tmp_path / "f.csv", FACTUALITY_COLUMNS, [["99", "PtGen", "x", "no", "wid_0"]])
    found = problems_of(hallucinations, factuality)
    assert found == [
        f"{hallucinations}:2: system: unknown system 'T5' (fix: known: BERTS2S, PtGen, TConvS2S, TranS2S, Gold; add "
        "a new summarizer to SYSTEMS in newserrata/sources/xsum.py)",
        f"{hallucinations}:3: hallucination_type: unknown hallucination type 'invented' (fix: intrinsic, extrinsic or "
        "NULL (no span); map a new type in CATEGORIES)",
        f"{factuality}:2: bbcid: (99, PtGen) is not a summary of h.csv (fix: pair the factuality file with the "
        "hallucination file published beside it)",
    ]


def test_repeated_problems_are_capped_when_printed(tmp_path: Path) -> None:
    rows = fixture_rows(HALLUCINATIONS)
    for row in rows[:8]:
        row[1] = "T5"
    path = write(tmp_path / "h.csv", HALLUCINATION_COLUMNS, rows)
    with pytest.raises(InputError) as caught:
        list(read_records(path, None, source="xsum", license="CC-BY-4.0", domain="news", counts=Counter()))
    lines = capped(caught.value.problems)
    assert sum("unknown system 'T5'" in line for line in lines) == SHOWN
    assert lines[SHOWN] == "  ... and 5 more like this"


@pytest.mark.parametrize(("column", "value", "expected"), [
    ("hallucinated_span_end", "99", "hallucinated_span_end: offsets [44:99] are outside the summary (76 characters "
                                    "with the newline before it)"),
    ("hallucinated_span_start", "-1", "hallucinated_span_end: offsets [-1:54] are outside the summary"),
    ("hallucinated_span_start", "4.0", "hallucinated_span_start: offsets '4.0', '54' are not whole numbers"),
    ("bbcid", "bbc-1", "bbcid: 'bbc-1' is not an XSum document id"),
    ("worker_id", "wid 0", "worker_id: 'wid 0' is not a worker id"),
    ("summary", " ", "summary: empty summary"),
    ("summary", "another text", "summary: the summary of (10000001, BERTS2S) differs from the one at line 2"),
])
def test_bad_cells_are_located(tmp_path: Path, column: str, value: str, expected: str) -> None:
    rows = fixture_rows(HALLUCINATIONS)
    rows[0][HALLUCINATION_COLUMNS.index(column)] = value
    if column == "summary" and value != " ":
        rows[0], rows[1] = rows[1], rows[0]  # the first row sets the text, the second differs
    path = write(tmp_path / "h.csv", HALLUCINATION_COLUMNS, rows)
    found = problems_of(path)
    assert len(found) == 1 and found[0].startswith(f"{path}:{3 if 'differs' in expected else 2}: {expected}")


def test_malformed_rows_are_located(tmp_path: Path) -> None:
    text = HALLUCINATIONS.read_bytes().decode("utf-8").split("\r\n")
    text[3] += ",extra"
    path = tmp_path / "h.csv"
    path.write_text("\r\n".join(text), encoding="utf-8")
    assert problems_of(path) == [f"{path}:4: /: 9 cells, expected 8 (fix: quote a cell that holds a comma or a quote: "
                                 '"a, ""b""")']


def test_malformed_quoting_stops_with_its_line(tmp_path: Path) -> None:
    text = HALLUCINATIONS.read_bytes().decode("utf-8").split("\r\n")
    text[5] = text[5].replace('"the bank', '"the "bank', 1)
    path = tmp_path / "h.csv"
    path.write_text("\r\n".join(text), encoding="utf-8")
    found = problems_of(path)
    assert len(found) == 1 and found[0].startswith(f"{path}:6: /: malformed CSV: ")


def test_bad_utf8_is_located_by_line(tmp_path: Path) -> None:
    data = HALLUCINATIONS.read_bytes().replace(b"boss", b"bo\xffs", 1)
    path = tmp_path / "h.csv"
    path.write_bytes(data)
    found = problems_of(path)
    assert found[0] == f"{path}:6: /: not valid UTF-8 at byte 28 of the line: invalid start byte (fix: re-save the " \
                       "file as UTF-8)"


def test_missing_columns_empty_files_and_header_only_files(tmp_path: Path) -> None:
    missing = write(tmp_path / "m.csv", [c for c in HALLUCINATION_COLUMNS if c != "worker_id"], [])
    assert problems_of(missing)[0].startswith(f"{missing}:1: header: missing column(s) worker_id; the header is bbcid,")
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    assert problems_of(empty) == [f"{empty}: /: the file is empty (fix: the first line is the header: "
                                  f"{','.join(HALLUCINATION_COLUMNS)})"]
    header_only = write(tmp_path / "h.csv", HALLUCINATION_COLUMNS, [])
    assert problems_of(header_only) == [f"{header_only}: /: no rows after the header (fix: use the file as published)"]
    absent = tmp_path / "absent.csv"
    assert problems_of(absent)[0].startswith(f"{absent}: /: cannot read: ")


def test_factuality_rows_must_match_their_summary(tmp_path: Path) -> None:
    rows = fixture_rows(FACTUALITY)
    rows[0][2] = "a different summary"
    rows[1][3] = "maybe"
    rows[3][4] = "wid_0"
    rows[4][4] = "wid_0"
    path = write(tmp_path / "f.csv", FACTUALITY_COLUMNS, rows)
    found = problems_of(HALLUCINATIONS, path)
    assert found == [
        f"{path}:2: summary: the summary differs from the one of (10000001, BERTS2S) at "
        "hallucination_annotations_xsum_summaries.csv:2 (fix: pair the files published together)",
        f"{path}:3: is_factual: unknown answer 'maybe' (fix: yes, no or NULL)",
        f"{path}:6: worker_id: wid_0 already answered for (10000001, PtGen) at line 5 (fix: one answer per worker "
        "and summary)",
    ]
