"""The source-kind registry: a kind is one module, the release file is checked per kind, and a native
folder holds only what the format knows."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import remote_source, write_native_data, write_release

from newserrata.build import build
from newserrata.cli import main
from newserrata.errors import InputError
from newserrata.release import load, release_schema
from newserrata.schemas import schema_dir
from newserrata.sources import base, kinds

DUMMY = '''
from newserrata.records import Annotation, Record, Span
from newserrata.sources import MAIN, Option, Provenance, SourceKind, register


@register
class Dummy(SourceKind):
    name = "dummy-lines"
    description = "one record per line of a text file; the word given as `flag` is an error"
    options = (Option("flag", str, "the word to mark", default="wrong"),)

    def provenance(self, source):
        return Provenance("a test", "one", "yes", (("lines", source.license),))

    def read(self, source, inputs, log):
        for number, line in enumerate(inputs[MAIN].read_text(encoding="utf-8").splitlines(), 1):
            at = line.find(source.options["flag"])
            spans = [] if at < 0 else [Span(at, at + len(source.options["flag"]), source.options["flag"],
                                            "accuracy/mistranslation", "major")]
            log.counts["lines"] += 1
            yield Record(id=f"{source.name}.{number}", group_id=f"{source.name}.g{number}", source=source.name,
                         language="en", text=line, license=source.license,
                         annotations=[Annotation("a1", "crowd", spans, no_errors=not spans)])
'''


@pytest.fixture
def registry() -> Iterator[None]:
    """Kinds registered by a test are forgotten after it."""
    saved = dict(kinds())
    yield
    base._REGISTRY.clear()
    base._REGISTRY.update(saved)


def test_a_new_kind_is_one_module_and_builds(tmp_path: Path, registry: None, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "dummy_lines_kind.py").write_text(DUMMY, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "plugins"))
    __import__("dummy_lines_kind")
    lines = tmp_path / "lines.txt"
    lines.write_text("all is fine\nthe wrong minister\nnothing here\nwrong again\n", encoding="utf-8")
    write_native_data(tmp_path / "data")
    release = write_release(tmp_path / "release.toml", extra_sources=remote_source(
        "lines", "dummy-lines", lines, license="CC0-1.0", extra='flag = "wrong"\n'))
    monkeypatch.setenv("NEWSERRATA_CACHE", str(tmp_path / "cache"))
    result = build(release, tmp_path / "dist", source_files={"lines": lines}, progress=False)
    assert not result.partial
    assert sum(result.counts[s].get("lines", 0) for s in result.counts) == 4
    shards = sorted((result.folder / "data" / "lines").glob("*.parquet"))
    rows = [r for p in shards for r in pq.read_table(p).to_pylist()]
    flagged = {r["id"]: [s["text"] for s in r["spans"]] for r in rows}
    assert flagged == {"lines.1": [], "lines.2": ["wrong"], "lines.3": [], "lines.4": ["wrong"]}
    assert "dummy-lines" in json.dumps(release_schema())


def test_options_of_one_kind_are_refused_on_another(tmp_path: Path) -> None:
    release = write_release(tmp_path / "release.toml", extra_sources="member = \"x.tsv\"\n")
    with pytest.raises(InputError) as caught:
        load(release)
    problem = caught.value.problems[0]
    assert problem.pointer == "sources[0].member" and "unknown key" in problem.message
    assert "'native' source takes" in problem.hint


def test_an_unknown_kind_exits_2_naming_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    release = write_release(tmp_path / "release.toml")
    release.write_text(release.read_text(encoding="utf-8").replace('kind = "native"', 'kind = "csv-spans"'),
                       encoding="utf-8")
    line = release.read_text(encoding="utf-8").split("\n").index('kind = "csv-spans"') + 1
    assert main(["build", "--release", str(release), "--out", str(tmp_path / "dist")]) == 2
    err = capsys.readouterr().err
    assert f"{release}:{line}: sources[0].kind: unknown kind 'csv-spans'" in err
    assert "native" in err and "wmt-mqm" in err
    assert not (tmp_path / "dist").exists()


def test_the_committed_release_schema_is_the_registry_s() -> None:
    committed = json.loads((schema_dir() / "release.schema.json").read_text(encoding="utf-8"))
    assert committed == release_schema(), "regenerate schema/release.schema.json from release_schema()"
    assert set(committed["$defs"]) == set(kinds())


def test_every_kind_says_what_it_is() -> None:
    for name, importer in kinds().items():
        assert importer.name == name and importer.description and importer.input in ("file", "folder")
        assert all(o.help and o.type in (str, int, float, bool) for o in importer.options)


@pytest.mark.parametrize("make", ["symlink", "fifo", "upper-case", "sub-folder"])
def test_a_native_folder_reads_only_its_own_regular_files(tmp_path: Path, make: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    data = write_native_data(tmp_path / "data")
    release = write_release(tmp_path / "release.toml")
    outside = tmp_path / "secret.jsonl"
    outside.write_text("{}\n", encoding="utf-8")
    bad = {"symlink": data / "labels" / "linked.jsonl", "fifo": data / "labels" / "pipe.jsonl",
           "upper-case": data / "labels" / "more.JSONL", "sub-folder": data / "labels" / "batch2" / "x.jsonl"}[make]
    if make == "symlink":
        bad.symlink_to(outside)
    elif make == "fifo":
        os.mkfifo(bad)
    else:
        bad.parent.mkdir(exist_ok=True)
        bad.write_text("", encoding="utf-8")
    assert main(["build", "--release", str(release), "--out", str(tmp_path / "dist")]) == 2
    assert main(["validate", str(data)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "Traceback" not in err
    assert not (tmp_path / "dist").exists()


def test_a_source_without_records_fails_the_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "data" / "articles").mkdir(parents=True)
    (tmp_path / "data" / "labels").mkdir()
    release = write_release(tmp_path / "release.toml")
    assert main(["build", "--release", str(release), "--out", str(tmp_path / "dist"), "--lock"]) == 2
    assert "has no records" in capsys.readouterr().err
    assert not (tmp_path / "dist").exists() and not (tmp_path / "releases").exists()


def test_a_folder_without_articles_or_labels_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "data").mkdir()
    release = write_release(tmp_path / "release.toml")
    assert main(["build", "--release", str(release), "--out", str(tmp_path / "dist"), "--lock"]) == 2
    err = capsys.readouterr().err
    assert "articles" in err and "labels" in err and not (tmp_path / "releases").exists()


def test_a_sources_folder_supplies_pinned_files_by_their_names(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    fixture = Path(__file__).parent / "fixtures" / "mqm" / "sxs_mqm_fixture_zhen.tsv"
    write_native_data(tmp_path / "data")
    release = write_release(tmp_path / "release.toml", extra_sources=remote_source(
        "wmt-fix", "wmt-mqm", fixture, url=f"https://example.org/files/{fixture.name}",
        extra='source_language = "zh"\ntarget_language = "en"\n'))

    monkeypatch.setenv("NEWSERRATA_CACHE", str(tmp_path / "cache"))
    result = build(release, tmp_path / "dist", sources_dir=fixture.parent, offline=True, progress=False)
    assert not result.partial and "wmt-fix" in result.counts["test"]




def test_import_takes_every_file_kind_with_its_extra_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = Path(__file__).parent / "fixtures" / "xsum"
    out = tmp_path / "xsum.jsonl"
    assert main(["import", "xsum-hallucinations", str(folder / "hallucination_annotations_xsum_summaries.csv"),
                 "--factuality", str(folder / "factuality_annotations_xsum_summaries.csv"), "--out", str(out),
                 "--json", "-"]) == 0
    summary = json.loads(capsys.readouterr().out)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert summary["records"] == len(records) > 0 and summary["source"] == "xsum-hallucinations"
    assert any(r["verdicts"] for r in records) and all(r["license"] == "CC-BY-4.0" for r in records)
