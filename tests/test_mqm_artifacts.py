"""Upstream artifacts of the MQM family: realigned when a rule is exact, otherwise dropped and counted,
refused with --strict; and the counts reach the import summary, the build summary, the datasheet and
MANIFEST.json.

tests/fixtures/mqm/ holds rows copied from Google's newstest2020 source-error files
(google/wmt-mqm-human-evaluation, commit 196b7c8db952a320a23bc14659719a359d30d2e1):
- mqm_newstest2020_ende.source-errors.tsv: CSV quoting, one row per source error. Segments rated by
  two raters whose rows disagree because one repeats the marked text (`<v>Seth Dunlap Louisiana</v>Seth
  Dunlap Louisiana`, `Seth Dunlap Louisiana<v>Dunlap Louisiana</v>`, `beinhalten<v>beinhalten</v>`) and
  also a copy another error marked (`Smollett FallSmollett Fall`); rows that lose two copies in turn
  (`Journalisten „„Journalisten „`, `ThunbergtoThunbergto Thunbergto`, four raters on one segment); two
  rows of one rater that agree on a doubled quote (no witness of the single one); a whole-segment row
  one character from its sibling; single rows with a repeated word.
- mqm_newstest2020_zhen.source-errors.tsv: plain TSV whose rows lack the seg_id and rater cells its
  header names (and end in a tab); two rows of one segment that differ by more than a repeat.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import remote_source, write_native_data, write_release
from test_mqm import assert_valid, read
from test_release_digest import ARTICLES, pin

from newserrata.build import build
from newserrata.cli import main
from newserrata.cli.build import summary
from newserrata.errors import InputError
from newserrata.sources.mqm_repeats import realign

FIXTURES = Path(__file__).parent / "fixtures" / "mqm"
ENDE = FIXTURES / "mqm_newstest2020_ende.source-errors.tsv"
ZHEN = FIXTURES / "mqm_newstest2020_zhen.source-errors.tsv"


def spans_of(records: list, record_id: str, rater: str) -> list[tuple[int, int, str]]:
    record = next(r for r in records if r.id == record_id)
    (annotation,) = [a for a in record.annotations if a.annotator_id == rater]
    return [(s.start, s.end, s.text) for s in annotation.spans]


def test_rows_that_repeat_the_marked_text_are_realigned_to_the_segment_text() -> None:
    records, log = read(ENDE)
    assert_valid(records)
    assert log.counts["spans_realigned_repeated_text"] == 7
    assert "spans_dropped_row_differs_from_segment" not in log.counts
    oppo = "fx.cbsnews.302172.OPPO.1535"
    assert next(r for r in records if r.id == oppo).text.startswith("Seth Dunlap Louisiana: WWL-Radiomoderator")
    assert spans_of(records, oppo, "rater3") == [(0, 21, "Seth Dunlap Louisiana")]
    assert spans_of(records, "fx.cbsnews.302172.eTranslation.737", "rater3") == [(5, 21, "Dunlap Louisiana")]
    hiv = "fx.allafrica.15314.Tencent_Translation.1520"
    assert spans_of(records, hiv, "rater3") == spans_of(records, hiv, "rater1") == [(8, 18, "beinhalten")]
    police = "fx.guardian.260695.OPPO.1535"
    assert spans_of(records, police, "rater3") == spans_of(records, police, "rater4") == [(147, 148, "„")]
    speech = next(r for r in records if r.id == "fx.euronews-en.185708.OPPO.1535")
    assert "Regierungschefs von Thunbergto gehörte" in speech.text
    assert spans_of(records, speech.id, "rater4") == [(173, 184, "Thunbergto ")] * 2


def test_a_row_without_a_witness_keeps_its_text_as_written() -> None:
    records, _ = read(ENDE)
    single = next(r for r in records if r.id == "fx.standard.co.uk.14683.Online-B.1590")
    assert "Geländewagen, derder zur" in single.text
    agreed = next(r for r in records if r.id == "fx.independent.281332.Human-B.0")
    assert agreed.text.startswith("„„Misstrauensvotum") and agreed.text.endswith("lassen““.")


def test_strict_refuses_what_the_default_realigns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InputError) as caught:
        read(ENDE, strict=True)
    problems = caught.value.problems
    assert len(problems) == 7
    assert {p.pointer for p in problems} == {"target"}
    assert all("differs from the segment text beyond a few characters" in p.message for p in problems)
    out = tmp_path / "records.jsonl"
    assert main(["import", "mqm", str(ENDE), "--out", str(out), "--strict"]) == 2
    assert "import: 7 problem(s); nothing was written" in capsys.readouterr().err
    assert not out.exists()


def test_import_prints_and_reports_the_realigned_and_dropped_spans(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "mqm", str(ENDE), "--out", str(tmp_path / "ende.jsonl")]) == 0
    assert "upstream artifacts: 8 spans realigned (repeated text 7, to segment text 1), 0 spans dropped" \
        in capsys.readouterr().out
    assert main(["import", "mqm", str(ZHEN), "--out", str(tmp_path / "zhen.jsonl"), "--json", "-"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["spans_dropped_row_differs_from_segment"] == 1
    assert report["rows_without_seg_id_and_rater_cells"] == 4
    assert "upstream artifacts: 0 spans realigned, 1 spans dropped (row differs from segment 1)" in captured.err


def test_rows_without_seg_id_and_rater_cells_are_read_and_a_span_no_rule_places_is_dropped() -> None:
    records, log = read(ZHEN)
    assert_valid(records)
    assert [r.language for r in records] == ["en"] * 3
    assert {a.annotator_id for r in records for a in r.annotations} == {"unnamed"}
    meeting = next(r for r in records if r.id == "fx.chinanews.com.102884.Human-A.0")
    (annotation,) = meeting.annotations
    assert [s.text for s in annotation.spans] == ['"The'] and not annotation.no_errors
    assert log.counts["spans_dropped_row_differs_from_segment"] == 1
    with pytest.raises(InputError, match="8 tab-separated cells, expected 9"):
        read(ZHEN, strict=True)


def test_a_rater_whose_only_span_was_dropped_is_not_said_to_have_found_no_errors(tmp_path: Path) -> None:
    path = tmp_path / "mqm_fixture_ende.tsv"
    path.write_text("system\tdoc\tdoc_id\tseg_id\trater\tsource\ttarget\tcategory\tseverity\n"
                    "sysA\tdoc.1\t1\t1\trater1\tThe cat sleeps.\tDie <v>Katze</v> schläft.\tSource error/-\tMinor\n"
                    "sysA\tdoc.1\t1\t1\trater2\tThe cat sleeps.\tDer <v>Hund</v> bellt laut.\tSource error/-\tMinor\n",
                    encoding="utf-8")
    (record,), log = read(path)
    assert log.counts["spans_dropped_row_differs_from_segment"] == 1
    first, second = record.annotations
    assert (first.annotator_id, [s.text for s in first.spans]) == ("rater1", ["Katze"])
    assert (second.annotator_id, second.spans, second.no_errors) == ("rater2", [], False)


@pytest.mark.parametrize(("cell", "segment", "expected"), [
    ("<v>„</v>„Die Richtlinie", "„Die Richtlinie", (0, 1)),
    ("„<v>„</v>Die Richtlinie", "„Die Richtlinie", (0, 1)),
    ("gegen den Iran <v>im Austausch für</v>für Verhandlungen", "gegen den Iran im Austausch für Verhandlungen",
     (15, 31)),
    ("Anfangs beinhalten<v>beinhalten</v> die", "Anfangs beinhalten die", (8, 18)),
    ("Anfangs <v>beinhalten</v> die", "Anfangs beinhaltenbeinhalten die", (18, 28)),
    ("Smollett Fall<v>Smollett Fall</v>", "Smollett Fall", (0, 13)),
    ("von Thunbergto<v>Thunbergto </v>Thunbergto gehörte", "von Thunbergto gehörte", (4, 15)),
    ("nachdem Journalisten „<v>„</v>Journalisten „Telefone", "nachdem Journalisten „Telefone", (21, 22)),
    ("x <v>a bb c</v> y", "x a b c y", (2, 7)),
    ('<v>"The</v> meeting at all.', 'The meeting at all."', None),
    ("Officials said <v>something else</v>.", "Officials said the difficulties are big.", None),
    ("<v>Prinz</v>Prinzessin Diana", "Prinzessin Diana", (0, 5)),
    ("<v>Prinz</v> Prinzessin Diana", "Prinzessin Diana", None),
])
def test_realign_moves_spans_only_across_copies_beside_what_they_copy(
        cell: str, segment: str, expected: tuple[int, int] | None) -> None:
    start = cell.index("<v>")
    end = cell.index("</v>") - 3
    row = cell.replace("<v>", "").replace("</v>", "")
    placed = realign(row, start, end, segment)
    assert placed == expected
    if placed is not None and "bb" not in row:
        assert segment[placed[0]:placed[1]] == row[start:end]


def test_build_counts_reach_the_summary_datasheet_and_manifest(tmp_path: Path) -> None:
    write_native_data(tmp_path / "data")
    release = write_release(tmp_path / "release.toml", extra_sources=remote_source("wmt20-ende", "wmt-mqm", ENDE))
    result = build(release, tmp_path / "dist", sources_dir=FIXTURES, offline=True, progress=False)
    assert "    upstream artifacts: 8 spans realigned (repeated text 7, to segment text 1), 0 spans dropped" \
        in summary(result).splitlines()
    datasheet = (result.folder / "DATASHEET.md").read_text(encoding="utf-8")
    part = datasheet.split("\n### wmt20-ende\n", 1)[1].split("\n### ", 1)[0]
    assert "| spans_realigned_repeated_text | 7 |" in part
    manifest = json.loads((result.folder / "MANIFEST.json").read_text(encoding="utf-8"))
    assert manifest["sources"]["wmt20-ende"]["spans_realigned_repeated_text"] == 7
    assert manifest["sources"]["native"]["records"] == result.counts["validation"].get("native", 0) \
        + result.counts["test"].get("native", 0)
    with pytest.raises(InputError, match="differs from the segment text"):
        build(release, tmp_path / "strict", sources_dir=FIXTURES, offline=True, progress=False, strict=True)
    assert not (tmp_path / "strict").exists()


def test_strict_refuses_the_drops_of_any_reader_that_counts_them(tmp_path: Path) -> None:
    """Readers without a strict path of their own (XSum) are held to it by the build, from their counts."""
    xsum = Path(__file__).parent / "fixtures" / "xsum" / "hallucination_annotations_xsum_summaries.csv"
    factuality = xsum.with_name("factuality_annotations_xsum_summaries.csv")
    write_native_data(tmp_path / "data")
    extra = pin("factuality", factuality) + "".join(pin(role, path) for role, path in ARTICLES.items())
    release = write_release(tmp_path / "release.toml", extra_sources=remote_source("xs", "xsum-hallucinations", xsum,
                                                                                    extra=extra))
    built = build(release, tmp_path / "dist", sources_dir=xsum.parent, offline=True, progress=False)
    assert not built.partial
    with pytest.raises(InputError) as caught:
        build(release, tmp_path / "strict", sources_dir=xsum.parent, offline=True, progress=False, strict=True)
    [problem] = caught.value.problems
    assert problem.pointer == "sources.xs" and "spans dropped (ambiguous 1, not found 1, repeated row 1)" in \
        problem.message
    assert not (tmp_path / "strict").exists()
