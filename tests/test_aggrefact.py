"""The XSum articles input: AggreFact-Unified workbooks read as stored, hostile workbooks refused with their
place, and the records of the XSum source naming their article by bbcid and sha256, never by its text."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import ClassVar

import pytest
from conftest import remote_source, write_native_data, write_release
from loopback import Loopback, QuietHandler
from test_release_digest import ARTICLES, FACTUALITY, XSUM, pin
from workbooks import ARTICLE, COMMITTED, write_workbook

from newserrata.build import open_sources
from newserrata.errors import InputError, Problems
from newserrata.release import load
from newserrata.sources import SourceLog
from newserrata.sources.aggrefact import MAX_MEMBER, read_articles
from newserrata.sources.xsum import read_records, with_articles
from newserrata.text import text_digest


def articles(*paths: Path) -> tuple[dict[str, str], Problems]:
    problems = Problems()
    return read_articles(paths, problems), problems


def test_the_committed_workbooks_hold_what_their_recipe_says() -> None:
    found, problems = articles(*ARTICLES.values())
    expected = {str(i): d for rows in COMMITTED.values() for i, d in rows if d is not None}
    assert not problems and found == expected and "39497668" not in found


def test_texts_are_kept_as_stored_and_both_workbooks_count(tmp_path: Path) -> None:
    mojibake = "Prices rose by \u00c2\u00a35.\nIt is not NFC: e\u0301 stays decomposed.\n"
    test = write_workbook(tmp_path / "test.xlsx", [("1", mojibake), (2, None), ("3", "Third.")])
    val = write_workbook(tmp_path / "val.xlsx", [("1", mojibake), ("4", "Fourth.")], sheet="xsum_ex_np")
    found, problems = articles(test, val)
    assert not problems
    assert found == {"1": mojibake, "3": "Third.", "4": "Fourth."}  # the empty doc cell (another corpus) gives none


def test_conflicting_texts_for_one_id_are_refused_with_both_cells(tmp_path: Path) -> None:
    test = write_workbook(tmp_path / "test.xlsx", [("1", "One."), ("1", "One, again.")])
    _, problems = articles(test)
    assert [(p.line, p.pointer) for p in problems] == [(3, "xsum_in_pred!D3")]
    assert "differs from the one at xsum_in_pred!D2" in problems[0].message
    val = write_workbook(tmp_path / "val.xlsx", [("1", "Another one.")])
    _, problems = articles(write_workbook(tmp_path / "ok.xlsx", [("1", "One.")]), val)
    assert len(problems) == 1 and problems[0].file == str(val)


def test_a_workbook_without_the_doc_column_names_its_sheet_and_header(tmp_path: Path) -> None:
    columns = ["annotated_span", "dataset", "id", "summ"]
    path = write_workbook(tmp_path / "a.xlsx", [("1", "One.")], columns=columns)
    _, problems = articles(path)
    assert len(problems) == 1
    assert (problems[0].file, problems[0].line, problems[0].pointer) == (str(path), 1, "xsum_in_pred!1:1")
    assert "no column(s) doc" in problems[0].message and "annotated_span, dataset, id, summ" in problems[0].message


def test_a_bad_id_is_reported_at_its_cell(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "a.xlsx", [("1", "One."), ("bbc-2", "Two.")])
    _, problems = articles(path)
    assert [(p.line, p.pointer) for p in problems] == [(3, "xsum_in_pred!F3")]
    assert "'bbc-2' is not an XSum document id" in problems[0].message


def test_a_workbook_without_xsum_sheets_is_refused(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "a.xlsx", [("1", "One.")], sheet="cnn_ex_np")
    _, problems = articles(path)
    assert len(problems) == 1 and "no sheet named xsum_*; sheets: cnn_in_pred, cnn_ex_np" in problems[0].message


@pytest.mark.parametrize("damage", ["truncated", "not a zip", "no workbook part"])
def test_a_broken_workbook_is_one_problem_naming_the_file(tmp_path: Path, damage: str) -> None:
    good = write_workbook(tmp_path / "good.xlsx", [("1", "One.")]).read_bytes()
    path = tmp_path / "bad.xlsx"
    if damage == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif damage == "not a zip":
        path.write_bytes(b"id,doc\n1,One.\n")
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(buffer, "w") as out:
            for item in src.infolist():
                if item.filename != "xl/workbook.xml":
                    out.writestr(item, src.read(item))
        path.write_bytes(buffer.getvalue())
    _, problems = articles(path)
    assert len(problems) == 1 and problems[0].file == str(path) and "xlsx workbook" in problems[0].message


def test_a_member_claiming_an_absurd_size_is_refused_unread(tmp_path: Path) -> None:
    """A zip bomb: the central directory declares more than the limit; refused before any inflating."""
    blob = bytearray(write_workbook(tmp_path / "good.xlsx", [("1", "One.")]).read_bytes())
    entry = blob.index(b"PK\x01\x02")
    blob[entry + 24:entry + 28] = (MAX_MEMBER + 1).to_bytes(4, "little")  # its uncompressed size
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bytes(blob))
    _, problems = articles(path)
    assert len(problems) == 1 and f"{MAX_MEMBER + 1:,} bytes uncompressed" in problems[0].message
    assert "refused unread" in problems[0].message


def xsum_records(workbooks: list[Path]) -> tuple[dict[str, dict[str, str | None]], Counter[str]]:
    counts: Counter[str] = Counter()
    records = read_records(XSUM, FACTUALITY, source="fx", license="CC-BY-4.0", domain="news", counts=counts)
    found = {r.id: {"source_id": r.source_id, "source_sha256": r.source_sha256, "source_text": r.source_text}
             for r in with_articles(records, workbooks, counts)}
    return found, counts


def test_records_name_their_article_and_never_carry_it() -> None:
    found, counts = xsum_records(list(ARTICLES.values()))
    digest = text_digest(ARTICLE)
    assert found["fx.10000001.BERTS2S"] == {"source_id": "10000001", "source_sha256": digest, "source_text": None}
    welsh = [v for k, v in found.items() if k.startswith("fx.39497668.")]
    assert welsh and all(v == {"source_id": "39497668", "source_sha256": None, "source_text": None} for v in welsh)
    assert counts["articles_missing"] == 1 and counts["records_without_article"] == len(welsh)


def test_without_workbooks_records_keep_the_id_only() -> None:
    found, counts = xsum_records([])
    assert all(v["source_id"] and v["source_sha256"] is None for v in found.values())
    assert "articles_missing" not in counts


def test_a_bad_workbook_stops_the_source_before_its_first_record(tmp_path: Path) -> None:
    bad = tmp_path / "AggreFact-Unified-test.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(InputError) as caught:
        xsum_records([bad, ARTICLES["articles_val"]])
    assert [p.file for p in caught.value.problems] == [str(bad)]


class Files(QuietHandler):
    """Serves the fixture files by name and counts the requests."""

    served: ClassVar[dict[str, bytes]] = {}
    requests: ClassVar[Counter[str]] = Counter()

    def do_GET(self) -> None:
        name = self.path.rsplit("/", 1)[-1]
        Files.requests[name] += 1
        body = Files.served.get(name)
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.reply(200, body, "application/octet-stream")


@pytest.fixture
def files() -> Iterator[Loopback]:
    Files.served = {p.name: p.read_bytes() for p in (XSUM, FACTUALITY, *ARTICLES.values())}
    Files.requests = Counter()
    server = Loopback(Files, "/files")
    yield server
    server.close()


def test_the_articles_are_downloaded_like_every_pinned_file(tmp_path: Path, files: Loopback,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The release schema takes https addresses only, so the loaded source is pointed at the local server."""
    monkeypatch.setenv("NEWSERRATA_CACHE", str(tmp_path / "cache"))
    write_native_data(tmp_path / "data")
    extra = pin("factuality", FACTUALITY) + "".join(pin(role, path) for role, path in ARTICLES.items())
    recipe = load(write_release(tmp_path / "release.toml", extra_sources=remote_source(
        "xsum-fix", "xsum-hallucinations", XSUM, extra=extra)))
    source = next(s for s in recipe.sources if s.name == "xsum-fix")
    local = {key: value.replace("https://example.org", files.url) if key.endswith("_url") else value
             for key, value in source.options.items()}
    source = replace(source, url=source.url.replace("https://example.org", files.url),
                     options=MappingProxyType(local))
    recipe = replace(recipe, sources=[source])

    streams, missing, inputs = open_sources(recipe, None, {}, offline=False, progress=False)
    records = list(streams[0].records)
    assert not missing and {f"xsum-fix:{role}" for role in ARTICLES} <= set(inputs)
    assert inputs["xsum-fix:articles_test"].sha256 == hashlib.sha256(ARTICLES["articles_test"].read_bytes()).hexdigest()
    assert Files.requests == Counter({p.name: 1 for p in (XSUM, FACTUALITY, *ARTICLES.values())})
    assert {r.source_sha256 for r in records if r.source_id == "10000001"} == {text_digest(ARTICLE)}
    assert isinstance(streams[0].log, SourceLog) and streams[0].log.counts["articles_missing"] == 1


def test_import_with_a_broken_workbook_exits_2_naming_file_sheet_row_and_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from newserrata.cli import main

    bad = write_workbook(tmp_path / "AggreFact-Unified-test.xlsx", [("10000001", "One."), ("x1", "Two.")])
    out = tmp_path / "records.jsonl"
    code = main(["import", "xsum-hallucinations", str(XSUM), "--factuality", str(FACTUALITY), "--articles-test",
                 str(bad), "--articles-val", str(ARTICLES["articles_val"]), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert f"{bad}:3: xsum_in_pred!F3: id 'x1' is not an XSum document id" in err
