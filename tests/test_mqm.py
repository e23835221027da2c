"""The WMT MQM importer on small hand-made files covering every quirk of the TSV family.

tests/fixtures/mqm/:
- sxs_mqm_fixture_zhen.tsv: JSON metadata column (paragraph starts, notes), extra documentation
  header cell, raw quoting with bare `"`, `<v>` in the source, No-error, HOTW-test/Found/Missed,
  Non-translation! with the tool's trailing space, Source issue, Creative Reinterpretation, a span
  on the trailing space only, three raters (rater10 sorts after rater2), a reference system `refA`,
  and a document of another WMT domain.
- mqm_quoted_ende.tsv: the older layout (doc_id, seg_id, comment), CSV quoting with doubled quotes,
  a quoted tab, a quoted multi-line comment, CRLF line ends, decomposed (NFD) accents, one rater per
  segment, a reference named `ref`.
- mqm_plain_ende.tsv: no header, raw quoting with unbalanced quotes, a `<v>` never closed.
- mqm_quoted_ende.avg_seg_scores.tsv: published-style segment scores for mqm_quoted_ende.tsv, with
  the reference named `ref-A` as Google's score files do.
"""

from __future__ import annotations

import importlib.util
import io
import json
import tarfile
import unicodedata
from pathlib import Path
from types import ModuleType

import pytest

from newserrata import schemas
from newserrata.aggregate import aggregate
from newserrata.checks import check_record
from newserrata.cli import main
from newserrata.errors import InputError, Problems
from newserrata.records import Record
from newserrata.sources import SourceLog, mqm
from newserrata.validate import validate

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "mqm"
SXS = FIXTURES / "sxs_mqm_fixture_zhen.tsv"
QUOTED = FIXTURES / "mqm_quoted_ende.tsv"
PLAIN = FIXTURES / "mqm_plain_ende.tsv"


def read(path: Path, strict: bool = False, **kwargs: object) -> tuple[list[Record], SourceLog]:
    log = SourceLog(strict=strict)
    options: dict[str, object] = {"source": "fx", "license": "Apache-2.0", **kwargs}
    records = [aggregate(r) for r in mqm.read_records(path, log=log, **options)]  # type: ignore[arg-type]
    return records, log


def assert_valid(records: list[Record]) -> None:
    """Schema, offsets (span text == slice, also in source_text) and recomputed derived fields."""
    problems = Problems()
    for record in records:
        d = record.to_dict()
        for pointer, message in schemas.schema_errors("record", d):
            problems.add(record.id, None, pointer, message)
        check_record(d, (record.id, None), problems)
        for segment in record.segments:
            assert record.text[segment.start : segment.end].strip() or segment.start == segment.end
    assert not problems, "\n".join(map(str, problems))


def spans(record: Record, rater: str, source: bool = False) -> list[tuple[str, str, str, str | None]]:
    annotation = next(a for a in record.annotations if a.annotator_id == rater)
    return [(s.text, s.category, s.severity, s.original_category)
            for s in (annotation.source_spans if source else annotation.spans)]


def test_sxs_layout_builds_articles_spans_and_scores() -> None:
    records, stats = read(SXS)
    assert_valid(records)
    by_id = {r.id: r for r in records}
    assert list(by_id) == ["fx.news_example.1.sysA", "fx.news_example.1.refA"]
    mt, ref = by_id["fx.news_example.1.sysA"], by_id["fx.news_example.1.refA"]
    assert mt.group_id == ref.group_id == "fx.news_example.1"
    assert (mt.language, mt.source_language, mt.system, mt.process, mt.domain) == \
        ("en", "zh", "sysA", "machine-translation", "news")
    assert ref.process == "human-translation"
    # Paragraph starts from the metadata: "\n\n" before them, " " inside a paragraph, "" in Chinese.
    assert mt.text == 'EU summit "opens" today Officials said the difficulties are big.\n\nPrices rose.'
    assert mt.source_text == "欧盟峰会开幕官员说：困难很大。\n\n价格上涨了。"
    assert [mt.text[s.start : s.end] for s in mt.segments] == \
        ['EU summit "opens" today', "Officials said the difficulties are big.", "Prices rose."]
    assert [mt.source_text[s.source_start : s.source_end] for s in mt.segments] == \
        ["欧盟峰会开幕", "官员说：困难很大。", "价格上涨了。"]
    assert [a.annotator_id for a in mt.annotations] == ["rater1", "rater2", "rater10"]
    assert all(a.annotator_kind == "professional-translator" for a in mt.annotations)
    assert spans(mt, "rater1") == [("opens", "accuracy/mistranslation", "major", "Accuracy/Mistranslation"),
                                   (".", "fluency/punctuation", "minor", "Fluency/Punctuation")]
    assert mt.annotations[0].spans[0].note == "should be: opened"
    # Source-side spans stay apart, with offsets into source_text.
    assert spans(mt, "rater1", source=True) == [("困难", "source-issue", "minor", "Source issue")]
    assert spans(mt, "rater10", source=True) == [
        ("欧盟", "accuracy/omission", "minor", "Accuracy/Omission (Translation)")]
    # Non-translation marked with the tool's trailing space is clipped to the segment; creative
    # reinterpretation keeps its category but weighs nothing; a span on the trailing space alone
    # moves onto the last character.
    assert spans(mt, "rater2") == [
        ("Officials said the difficulties are big.", "non-translation", "major", "Non-translation!"),
        ("Prices", "accuracy/mistranslation", "neutral", "Accuracy/Creative Reinterpretation")]
    assert spans(mt, "rater10") == [
        ("the difficulties are big", "style/awkward", "minor", "Style/Unnatural or awkward"),
        (".", "fluency/punctuation", "minor", "Fluency/Punctuation")]
    assert (mt.annotations[2].spans[1].start, mt.annotations[2].spans[1].end) == (len(mt.text) - 1, len(mt.text))
    # Google's convention, by hand: seg 1 (5 + 0 + 1) / 3, seg 2 (0.1 + 0 + 25 + 1) / 3, seg 3 0.1 / 3.
    assert [s.mqm_score for s in mt.segments] == [-2.0, -8.7, -0.033333]
    assert [a.mqm_score for a in mt.annotations] == [-5.1, -25.0, -2.1]
    assert mt.mqm_score == pytest.approx(sum(s.mqm_score or 0 for s in mt.segments), abs=1e-6)
    # A rater who rated every segment and marked nothing.
    assert [(a.annotator_id, a.no_errors) for a in ref.annotations] == [("rater1", True), ("rater2", False)]
    assert stats.counts["dropped_attention_checks"] == 2
    assert stats.counts["no_error_rows"] == 8
    assert stats.counts["non_translation_rows"] == 1
    assert stats.counts["source_issue_rows"] == 1
    assert stats.counts["source_side_spans"] == 2
    assert stats.counts["creative_reinterpretation_as_neutral"] == 1
    assert stats.counts["documents_of_other_domains_skipped"] == 1
    assert stats.counts["empty_spans_widened"] == 1
    assert (stats.facts["quoting"], stats.facts["languages"]) == ("plain", "zh-en")


def test_other_domains_are_kept_without_a_domain_filter() -> None:
    records, stats = read(SXS, domain=None)
    assert_valid(records)
    social = [r for r in records if r.domain == "social"]
    assert [r.id for r in social] == ["fx.social_post.7.sysA"] and social[0].text == "Hello"
    assert {r.domain for r in records} == {"news", "social"}
    assert "documents_of_other_domains_skipped" not in stats.counts


def test_csv_quoting_crlf_nfd_and_the_older_layout() -> None:
    records, stats = read(QUOTED)
    assert_valid(records)
    assert stats.facts["quoting"] == "csv"
    mt, ref = records
    assert (mt.id, ref.id, ref.process) == ("fx.talk.9.Online-X", "fx.talk.9.ref", "human-translation")
    # Quotes unescaped, none left over; the quoted tab is text; NFD accents composed; no CR anywhere.
    assert mt.text == 'Er sagte "hallo" zweimal.\nSpalte\teins\nCafé geschlossen.'
    assert mt.source_text == 'He said "hello" twice.\nColumn\tone\nCafe closed.'
    assert unicodedata.is_normalized("NFC", mt.text) and "\r" not in mt.text
    assert spans(mt, "rater3") == [('"hallo"', "accuracy/mistranslation", "minor", "Accuracy/Mistranslation")]
    assert mt.annotations[0].spans[0].note == 'quote "style"'
    assert spans(mt, "rater4") == [("geschlossen", "style/awkward", "major", "Style/Awkward"),
                                   (".", "fluency/encoding", "minor", "Fluency/Display")]
    assert mt.annotations[1].spans[0].note == "line one\nline two"
    # One rater per segment: each annotation covers only its segments.
    assert [s.mqm_score for s in mt.segments] == [-1.0, 0.0, -6.0]
    assert [a.mqm_score for a in mt.annotations] == [-1.0, -6.0]
    assert stats.counts["raters_with_partial_coverage"] == 2
    assert ref.annotations[0].no_errors


def test_no_header_bare_quotes_and_an_unclosed_marker() -> None:
    records, stats = read(PLAIN)
    assert_valid(records)
    (record,) = records
    assert stats.facts["quoting"] == "plain" and "no header" in stats.facts["layout"]
    assert record.text == '"Ja," sagte er.\nEs kostet 5 "Einheiten".\n"Gut"'
    assert record.source_text == '"Yes," he said.\nIt costs 5 "units".\n"Fine"'
    assert [s.text for s in record.annotations[0].spans] == ["Ja", "Einheiten", "."]
    assert stats.counts["unclosed_span_markers"] == 1
    assert [s.mqm_score for s in record.segments] == [-1.0, -1.1, 0.0]


def test_languages_can_be_given_when_the_name_does_not_tell(tmp_path: Path) -> None:
    anonymous = tmp_path / "ratings.tsv"
    anonymous.write_bytes(PLAIN.read_bytes())
    with pytest.raises(InputError, match="language pair"):
        read(anonymous)
    records, _ = read(anonymous, source_language="en", target_language="de")
    assert (records[0].source_language, records[0].language) == ("en", "de")


def test_languages_from_file_names() -> None:
    assert mqm.languages_from_name("sxs_mqm_generalMT2023_zhen.3ratingsPerSegment.tsv") == ("zh", "en")
    assert mqm.languages_from_name("mqm_generalMT2022_en-ru.tsv") == ("en", "ru")
    assert mqm.languages_from_name("mqm_ted_ende.tsv") == ("en", "de")
    assert mqm.languages_from_name("ratings.tsv") is None
    assert mqm.default_source_name(Path("sxs_mqm_generalMT2023_ende.tsv.tar.gz")) == "wmt23-ende"
    assert mqm.default_source_name(Path("mqm_ted_zhen.tsv")) == "ted-zhen"


def tar_with(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def file_member(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def test_tar_gz_member_is_streamed(tmp_path: Path) -> None:
    archive = tar_with(tmp_path / "sxs_mqm_fixture_zhen.tsv.tar.gz", [
        (tarfile.TarInfo("folder"), None),
        file_member("README", b"not the ratings"),
        file_member("folder/sxs_mqm_fixture_zhen.tsv", SXS.read_bytes()),
    ])
    archive_records, _ = read(archive)
    plain_records, _ = read(SXS)
    assert [r.to_dict() for r in archive_records] == [r.to_dict() for r in plain_records]
    named, _ = read(archive, member="sxs_mqm_fixture_zhen.tsv")
    assert len(named) == 2
    with pytest.raises(InputError, match=r"no member 'absent\.tsv'"):
        read(archive, member="absent.tsv")


def link(name: str, target: str, kind: bytes) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


@pytest.mark.parametrize("bad", [
    file_member("../escape.tsv", b"x"),
    file_member("/etc/absolute.tsv", b"x"),
    file_member("folder/../../escape.tsv", b"x"),
    link("ratings.tsv", "/etc/passwd", tarfile.SYMTYPE),
    link("ratings.tsv", "../outside.tsv", tarfile.LNKTYPE),
])
@pytest.mark.parametrize("where", ["before", "after"])
def test_tar_members_that_escape_are_refused(tmp_path: Path, bad: tuple[tarfile.TarInfo, bytes | None],
                                             where: str) -> None:
    good = file_member("sxs_mqm_fixture_zhen.tsv", SXS.read_bytes())
    archive = tar_with(tmp_path / "sxs_mqm_fixture_zhen.tsv.tar.gz", [bad, good] if where == "before" else [good, bad])
    with pytest.raises(InputError, match="escapes its folder"):
        read(archive)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sxs_mqm_fixture_zhen.tsv.tar.gz"], "nothing extracted"


def test_gzip_and_bom_and_crlf_in_a_raw_file(tmp_path: Path) -> None:
    import gzip

    raw = "\ufeff" + SXS.read_text(encoding="utf-8").replace("\n", "\r\n")
    (tmp_path / "sxs_mqm_fixture_zhen.tsv.gz").write_bytes(gzip.compress(raw.encode("utf-8")))
    records, _ = read(tmp_path / "sxs_mqm_fixture_zhen.tsv.gz")
    assert [r.to_dict() for r in records] == [r.to_dict() for r in read(SXS)[0]]


def broken(tmp_path: Path, old: str, new: str, name: str = "sxs_mqm_fixture_zhen.tsv") -> Path:
    text = SXS.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if needle in line)


@pytest.mark.parametrize(("old", "new", "pointer", "words"), [
    ("Style/Unnatural or awkward", "Bogus/Thing", "category", "unknown MQM category 'Bogus/Thing'"),
    ("Fluency/Spelling\tMinor", "Fluency/Spelling\tSevere", "severity", "unknown MQM severity 'Severe'"),
    ("Officials <v>sayed</v>", "Officials </v>sayed<v>", "target", "</v>"),
    ("<v>欧盟</v>峰会开幕", "<v>欧盟<v>峰会</v>开幕", "source", "do not pair up"),
])
def test_bad_rows_name_file_line_and_field(tmp_path: Path, old: str, new: str, pointer: str, words: str) -> None:
    path = broken(tmp_path, old, new)
    with pytest.raises(InputError) as caught:
        read(path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.pointer) == (str(path), line_of(path, new), pointer)
    assert words in problem.message and problem.hint


def test_rows_that_disagree_on_the_segment_text_lose_their_span_or_are_refused_when_strict(tmp_path: Path) -> None:
    path = broken(tmp_path, "Officials said <v>the difficulties are big</v>.",
                  "Officials said <v>something else entirely</v>.")
    records, log = read(path)
    assert_valid(records)
    assert log.counts["spans_dropped_row_differs_from_segment"] == 1
    assert not any("something else" in s.text for r in records for a in r.annotations for s in a.spans)
    with pytest.raises(InputError, match="differs from the segment text") as caught:
        read(path, strict=True)
    (problem,) = caught.value.problems
    assert problem.line == line_of(path, "something else entirely")


def test_wrong_cell_counts_and_bad_utf8(tmp_path: Path) -> None:
    path = broken(tmp_path, "\trater2\t", "\trater2\textra\t")
    path.write_text("\n".join(line.split("\t", 3)[0] if "extra" in line else line
                              for line in path.read_text(encoding="utf-8").split("\n")), encoding="utf-8")
    with pytest.raises(InputError, match="tab-separated cells"):
        read(path)
    bad = tmp_path / "bad_zhen.tsv"
    bad.write_bytes(SXS.read_bytes().replace(b"Prices rose.", b"Prices \xff rose.", 1))
    with pytest.raises(InputError, match="not valid UTF-8"):
        read(bad)


def test_ids_are_stable_readable_and_sanitised(tmp_path: Path) -> None:
    path = broken(tmp_path, "sysA\tnews_example.1:zh-en\t1", "sys A/β\tnews_example.1:zh-en\t1")
    records, _ = read(path)
    assert_valid(records)
    assert {r.id for r in records} >= {"fx.news_example.1.sys_A", "fx.news_example.1.sysA"}
    assert {r.group_id for r in records} == {"fx.news_example.1"}


def test_import_command_writes_valid_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    assert main(["import", "mqm", str(SXS), "--out", str(out), "--source", "wmt-fixture", "--json", "-"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["records"] == 2 and summary["dropped_attention_checks"] == 2 and summary["languages"] == "zh-en"
    problems, counted = validate([out])
    assert not problems and counted.items == 2
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["wmt-fixture.news_example.1.sysA", "wmt-fixture.news_example.1.refA"]
    assert main(["import", "mqm", str(QUOTED), "--out", str(tmp_path / "q.jsonl")]) == 0
    assert "2 records" in capsys.readouterr().out


def test_import_command_fails_whole_and_keeps_earlier_output(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("earlier\n", encoding="utf-8")
    path = broken(tmp_path, "Style/Unnatural or awkward", "Bogus/Thing")
    assert main(["import", "mqm", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{line_of(path, 'Bogus/Thing')}: category: unknown MQM category" in err
    assert out.read_text(encoding="utf-8") == "earlier\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", path.name]


def write_rows(path: Path, header: str | None, rows: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in ([header] if header else []) + rows), encoding="utf-8")
    return path


def test_odd_rows_of_the_family(tmp_path: Path) -> None:
    """9 columns, segments out of order, Critical, Neutral, an unlisted Fluency kind, an error without
    a span, a row without a rater, several spans in one cell, empty markers, lower-case labels."""
    header = "system\tdoc\tdoc_id\tseg_id\trater\tsource\ttarget\tcategory\tseverity"
    rows = [
        "mt\td1\t10\t10\tr1\tTen.\tZehn <v>und</v> <v>so</v>.\taccuracy/addition\tcritical",
        "mt\td1\t2\t2\tr1\tTwo.\tZwei.\tFluency/Typography\tMinor",
        "mt\td1\t2\t2\tr1\tTwo.\tZwei.\tNon-translation!\tMajor",
        "mt\td1\t2\t2\t\tTwo.\tZwei.\t\t",
        "mt\td1\t3\t3\tr1\tThree.\tDrei<v></v>.\tAccuracy/Omission\tMinor",
        "mt\td1\t3\t3\tr1\tThree.\tDrei<v></v>.\tFluency/Punctuation\tMinor",
        "mt\td1\t3\t3\tr1\tThree.\t<v>Drei</v>.\tStyle/Awkward\tNeutral",
        "mt\td1\t4\t4\tr1\tFour.\tVier.\tno error\tno error",
    ]
    path = write_rows(tmp_path / "mqm_odd_ende.tsv", header, rows)
    records, stats = read(path)
    assert_valid(records)
    (record,) = records
    assert record.text == "Zwei.\nDrei.\nVier.\nZehn und so."
    got = [(s.text, s.category, s.severity, s.start == s.end) for s in record.annotations[0].spans]
    assert got == [
        ("Zwei.", "non-translation", "major", False),            # no span: the whole segment
        ("Zwei.", "other", "minor", False),                      # an unlisted Fluency kind
        ("Drei", "style/awkward", "neutral", False),
        ("i", "fluency/punctuation", "minor", False),            # an empty span of another kind is widened
        ("", "accuracy/omission", "minor", True),                # an insertion point stays one
        ("und", "accuracy/addition", "major", False),            # Critical counts as major
        ("so", "accuracy/addition", "major", False),
    ]
    assert [s.mqm_score for s in record.segments] == [-26.0, -1.1, 0.0, -10.0]
    for key, value in {"critical_as_major": 1, "unlisted_categories_as_other": 1, "errors_without_span": 2,
                       "rows_without_rater": 1, "no_error_rows": 1, "non_translation_rows": 1,
                       "empty_spans_widened": 1}.items():
        assert stats.counts[key] == value, key


def test_languages_from_the_evaluation_metadata(tmp_path: Path) -> None:
    meta = json.dumps({"evaluation": {"source_language": "de", "target_language": "fr"}})
    rows = [f"mt\tdoc1\t1\t1\tr1\tHallo.\tSalut.\tNo-error\tNo-error\t{meta}"]
    path = write_rows(tmp_path / "ratings.tsv", "\t".join(mqm_columns()), rows)
    (record,), stats = read(path)
    assert (record.source_language, record.language, stats.facts["languages"]) == ("de", "fr", "de-fr")


def mqm_columns() -> list[str]:
    return ["system", "doc", "docSegId", "globalSegId", "rater", "source", "target", "category", "severity",
            "metadata"]


def test_empty_file_and_missing_columns(tmp_path: Path) -> None:
    empty = write_rows(tmp_path / "empty_ende.tsv", None, [])
    with pytest.raises(InputError, match="no ratings: the file is empty or holds only a header"):
        read(empty)
    bad = write_rows(tmp_path / "bad_ende.tsv", "system\tdoc\trater\tsource", ["a\tb\tc\td"])
    with pytest.raises(InputError, match="needs the columns"):
        read(bad)


def load_check_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_mqm_scores", ROOT / "bench" / "check_mqm_scores.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_segment_scores_match_published_ones_with_reference_names_reconciled(tmp_path: Path) -> None:
    check = load_check_script()
    scores = FIXTURES / "mqm_quoted_ende.avg_seg_scores.tsv"
    # The ratings call the reference `ref`, the published scores `ref-A`.
    assert check.compare(QUOTED, scores) == {"matched": 4, "mismatched": 0, "rated_without_published_score": 0,
                                             "published_scores": 4, "examples": []}
    wrong = tmp_path / "wrong.avg_seg_scores.tsv"
    wrong.write_text(scores.read_text(encoding="utf-8").replace("-6.000000 103", "-5.000000 103"), encoding="utf-8")
    result = check.compare(QUOTED, wrong)
    assert (result["matched"], result["mismatched"]) == (3, 1)
    assert result["examples"] == [{"system": "Online-X", "seg_id": "103", "ours": -6.0, "google": -5.0}]


def test_csv_quoted_json_metadata(tmp_path: Path) -> None:
    def quoted(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    first = json.dumps({"segment": {"starts_paragraph": True}, "note": 'said "no"'})
    second = json.dumps({"segment": {"starts_paragraph": True}})
    source = quoted('A "b".')
    rows = [
        f"mt\tdoc1\t1\t1\tr1\t{source}\t{quoted('Ein <v>b</v>.')}\tAccuracy/Mistranslation\tMajor\t{quoted(first)}",
        f"mt\tdoc1\t2\t2\tr1\tC.\tZe.\tNo-error\tNo-error\t{quoted(second)}",
    ]
    path = write_rows(tmp_path / "mqm_json_ende.tsv", "\t".join(mqm_columns()), rows)
    (record,), stats = read(path)
    assert stats.facts["quoting"] == "csv"
    assert record.text == "Ein b.\n\nZe." and record.source_text == 'A "b".\n\nC.'
    assert [(s.text, s.note) for s in record.annotations[0].spans] == [("b", 'said "no"')]


def test_import_command_takes_languages_and_a_member(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tar_with(tmp_path / "ratings.tar.gz", [file_member("a.tsv", b"system\tdoc\n"),
                                                     file_member("b.tsv", PLAIN.read_bytes())])
    out = tmp_path / "out.jsonl"
    assert main(["import", "mqm", str(archive), "--member", "b.tsv", "--source-language", "en", "--target-language",
                 "de", "--out", str(out), "--json", "-"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["records"], summary["languages"], summary["source"]) == (1, "en-de", "ratings")
    assert json.loads(out.read_text(encoding="utf-8"))["id"] == "ratings.talk.2.sysB"
    assert main(["import", "mqm", str(archive), "--member", "b.tsv", "--source-language", "english",
                 "--target-language", "de", "--out", str(out)]) == 2
    assert "'english' is not a BCP-47 language tag" in capsys.readouterr().err


VINTAGE_2021 = (
    "system\tdoc\tdoc_id\tseg_id\trater\tsource\ttarget\tcategory\tseverity\tcomment\n"
    "sysA\tnews.1\t1\t1\trater1\tThe <v>cat</v> sat.\tDie Katze sass.\tSource error/-\tMajor\t\n"
    "sysA\tnews.1\t1\t1\trater1\tThe cat sat.\tDie <v>Katze</v> sass.\tAccuracy/Mistranslation\tMinor\t\n"
    "sysA\tnews.1\t2\t2\trater1\tIt rained.\tEs <v>regnete</v>.\tFluency/-\tMinor\t\n"
    "sysA\tnews.1\t3\t3\trater1\tThe end.\tDas Ende.\tNo-error\tNo-error\t\n"
)


@pytest.mark.parametrize(("spelling", "setting", "first_segment"), [
    ("Source error/-", "auto", -6.0),
    ("Source error", "auto", -6.0),
    ("Source issue", "auto", -1.0),
    ("Source error/-", "zero", -1.0),
    ("Source issue", "full", -6.0),
])
def test_source_side_errors_weigh_by_the_file_s_vintage_or_the_setting(
        tmp_path: Path, spelling: str, setting: str, first_segment: float) -> None:
    """Google's 2020-2021 releases spell `Source error` (also `Source error/-`) and count it like any error;
    the 2022-2023 ones spell `Source issue` and leave it out. `Category/-` means "no subcategory"."""
    path = tmp_path / "mqm_newstest2021_ende.tsv"
    path.write_text(VINTAGE_2021.replace("Source error/-", spelling), encoding="utf-8")
    log = SourceLog()
    records = [aggregate(r) for r in mqm.read_records(path, source="fx", license="x", log=log,
                                                      source_issues=setting)]
    (record,) = records
    assert [s.mqm_score for s in record.segments] == [first_segment, -1.0, 0.0]
    assert record.mqm_score == first_segment - 1.0
    assert record.source_issue_weight == (1.0 if first_segment == -6.0 else 0.0)
    assert [s.original_category for s in record.annotations[0].source_spans] == [spelling]
    assert [(s.category, s.original_category) for s in record.annotations[0].spans] == [
        ("accuracy/mistranslation", "Accuracy/Mistranslation"), ("other", "Fluency/-")]
    assert log.facts["source_issue_weight"].startswith("1" if first_segment == -6.0 else "0")
    assert_valid(records)


def test_import_reads_the_category_dash_spelling(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mqm_newstest2020_ende.tsv"
    path.write_text(VINTAGE_2021, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["import", "mqm", str(path), "--out", str(out), "--json", "-"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["source_error_spelling_rows"] == 1 and summary["source_issue_weight"].startswith("1 (auto")
    assert json.loads(out.read_text(encoding="utf-8"))["mqm_score"] == -7.0
