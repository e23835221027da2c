"""`newserrata hydrate` and `newserrata.hydrate()`: source texts attached from the user's own copy only when
their sha256 is the record's, with the coverage per source and the ids left without text named."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest
from test_release_digest import ARTICLES, FACTUALITY, XSUM
from workbooks import ARTICLE, write_workbook

import newserrata
from newserrata import sourcetexts
from newserrata.cli import main
from newserrata.errors import InputError
from newserrata.hydration import Coverage
from newserrata.sourcetexts import TextFormat, formats, register_text_format


@pytest.fixture
def records(tmp_path: Path) -> Path:
    """The XSum fixture's records as `newserrata import` writes them, naming their articles."""
    out = tmp_path / "records.jsonl"
    assert main(["import", "xsum-hallucinations", str(XSUM), "--factuality", str(FACTUALITY),
                 "--articles-test", str(ARTICLES["articles_test"]), "--articles-val", str(ARTICLES["articles_val"]),
                 "--out", str(out)]) == 0
    return out


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def hf_split(texts: dict[str, str]) -> datasets.Dataset:
    """The Hugging Face XSum layout: document, summary, id."""
    return datasets.Dataset.from_dict({"document": list(texts.values()), "summary": ["s"] * len(texts),
                                       "id": list(texts)})


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict | None, str]:
    code = main(["hydrate", *args, "--json", "-"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if code == 0 else None, captured.err


def test_the_workbooks_fill_every_article_they_hold_and_name_the_one_they_lack(
        records: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "hydrated.jsonl"
    code, summary, err = run(capsys, str(records), "--texts", str(ARTICLES["articles_test"]),
                             "--texts", str(ARTICLES["articles_val"]), "--out", str(out))
    assert code == 0 and summary is not None
    coverage = summary["sources"]["xsum-hallucinations"]
    written = rows(out)
    english = [r for r in written if r["source_id"] == "10000001"]
    welsh = [r for r in written if r["source_id"] == "39497668"]
    assert coverage == {"documents": 2, "documents_filled": 1, "records": len(written),
                        "records_filled": len(english), "missing": ["39497668"], "mismatched": [],
                        "no_source_sha256": []}
    assert all(r["source_text"] == ARTICLE for r in english) and all(r["source_text"] is None for r in welsh)
    assert summary["texts"] == {str(ARTICLES["articles_test"]): 2, str(ARTICLES["articles_val"]): 2}
    assert "xsum-hallucinations: 1/2 source documents" in err and "no text in the copies given: 39497668" in err
    assert [r["id"] for r in written] == [r["id"] for r in rows(records)]
    assert main(["validate", str(out)]) == 0  # the validator checks each attached text against its digest


@pytest.mark.parametrize("export", ["to_parquet", "to_json", "to_csv"])
def test_the_hugging_face_split_exported_by_datasets_fills_them_too(
        records: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], export: str) -> None:
    suffix = {"to_parquet": "parquet", "to_json": "jsonl", "to_csv": "csv"}[export]
    copy = tmp_path / f"xsum-test.{suffix}"
    getattr(hf_split({"10000001": ARTICLE, "20000002": "Not one of ours."}), export)(str(copy))
    out = tmp_path / "hydrated.jsonl"
    code, summary, _ = run(capsys, str(records), "--texts", str(copy), "--out", str(out))
    assert code == 0 and summary is not None
    assert summary["sources"]["xsum-hallucinations"]["documents_filled"] == 1
    assert {r["source_text"] for r in rows(out) if r["source_id"] == "10000001"} == {ARTICLE}


def test_a_text_that_differs_from_its_digest_is_refused_and_nothing_is_written(
        records: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repaired = tmp_path / "repaired.parquet"
    hf_split({"10000001": ARTICLE.replace("\u00c2\u00a3", "\u00a3")}).to_parquet(str(repaired))  # mojibake fixed
    out = tmp_path / "hydrated.jsonl"
    code, _, err = run(capsys, str(records), "--texts", str(repaired), "--out", str(out))
    assert code == 2 and not out.exists()
    assert "1 source text(s) of xsum-hallucinations differ from the records' source_sha256: 10000001" in err

    code, summary, _ = run(capsys, str(records), "--texts", str(repaired), "--out", str(out), "--skip-mismatched")
    assert code == 0 and summary is not None
    assert summary["sources"]["xsum-hallucinations"]["mismatched"] == ["10000001"]
    assert all(r["source_text"] is None for r in rows(out))


def test_a_copy_holding_none_of_the_sources_fills_nothing_and_says_so(records: Path, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    other = write_workbook(tmp_path / "other.xlsx", [("55555555", "Unrelated.")])
    out = tmp_path / "o.jsonl"
    code, summary, err = run(capsys, str(records), "--texts", str(other), "--out", str(out))
    assert code == 0 and summary is not None and summary["records_filled"] == 0
    assert "0/2 source documents (0/7 records); no text in the copies given: 10000001, 39497668" in err
    assert rows(out) == rows(records)


def test_unreadable_copies_stop_before_the_records_are_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bomb = tmp_path / "bomb.xlsx"
    blob = bytearray(write_workbook(tmp_path / "good.xlsx", [("1", "One.")]).read_bytes())
    entry = blob.index(b"PK\x01\x02")
    blob[entry + 24:entry + 28] = (1 << 31).to_bytes(4, "little")
    bomb.write_bytes(bytes(blob))
    unknown = tmp_path / "texts.txt"
    unknown.write_text("10000001\tsome text\n", encoding="utf-8")
    for copy, words in ((bomb, "refused unread"), (unknown, "not a file of any known source-text format")):
        code, _, err = run(capsys, str(tmp_path / "missing.jsonl"), "--texts", str(copy), "--out",
                           str(tmp_path / "o.jsonl"))
        assert code == 2 and words in err and "missing.jsonl" not in err


def test_a_hf_export_without_the_document_column_says_how_to_export(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "xsum.parquet"
    datasets.Dataset.from_dict({"id": ["1"], "text": ["One."]}).to_parquet(str(copy))
    code, _, err = run(capsys, str(tmp_path / "r.jsonl"), "--texts", str(copy), "--out", str(tmp_path / "o.jsonl"))
    assert code == 2 and "no column(s) document; columns: id, text" in err and "to_parquet" in err


def test_a_build_folder_is_hydrated_split_by_split(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from test_release_digest import build_fixture_release

    monkeypatch.setenv("NEWSERRATA_CACHE", str(tmp_path / "cache"))
    folder = build_fixture_release(tmp_path)
    filled: set[str] = set()
    missing: set[str] = set()
    for split in ("test", "validation"):
        out = tmp_path / f"{split}.jsonl"
        code, summary, _ = run(capsys, str(folder), "--split", split, "--texts", str(ARTICLES["articles_test"]),
                               "--out", str(out))
        assert code == 0 and summary is not None
        filled |= {r["source_id"] for r in rows(out) if r["source"] == "xsum-fix" and r["source_text"] is not None}
        missing |= set(summary["sources"].get("xsum-fix", {}).get("missing", []))
    assert (filled, missing) == ({"10000001"}, {"39497668"})


def test_the_python_function_hydrates_a_dataset_a_dataset_dict_and_a_list(records: Path) -> None:
    plain = rows(records)
    dataset = datasets.Dataset.from_list(plain)
    coverage = Coverage()
    hydrated = newserrata.hydrate(dataset, list(ARTICLES.values()), coverage=coverage)
    assert isinstance(hydrated, datasets.Dataset) and len(hydrated) == len(plain)
    assert {r["source_id"]: r["source_text"] for r in hydrated} == {"10000001": ARTICLE, "39497668": None}
    assert coverage.sources["xsum-hallucinations"].missing == {"39497668"}

    both = newserrata.hydrate(datasets.DatasetDict({"test": dataset, "validation": dataset}), {"10000001": ARTICLE})
    english = sum(r["source_id"] == "10000001" for r in plain)
    assert all(sum(r["source_text"] == ARTICLE for r in split) == english > 0 for split in both.values())

    as_list = newserrata.hydrate(plain, ARTICLES["articles_test"])
    assert [r["source_text"] for r in as_list] == [ARTICLE if r["source_id"] == "10000001" else None for r in plain]
    assert all(r["source_text"] is None for r in plain)  # the input is left as it was

    with pytest.raises(InputError) as caught:
        newserrata.hydrate(plain, {"10000001": "Another text."})
    assert "skip_mismatched=True" in str(caught.value)


def test_a_source_kind_registers_its_own_format(tmp_path: Path, records: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sourcetexts, "_FORMATS", dict(sourcetexts._FORMATS))

    def read(path: Path, problems: object) -> dict[str, str]:
        key, text = path.read_text(encoding="utf-8").split("\t", 1)
        return {key: text}

    fmt = register_text_format(TextFormat("tab-test", "one id and one text, tab-separated",
                                          lambda path, head: path.suffix == ".tab", read))
    assert formats()["tab-test"] is fmt
    copy = tmp_path / "one.tab"
    copy.write_text(f"10000001\t{ARTICLE}", encoding="utf-8")
    hydrated = newserrata.hydrate(rows(records), copy)
    assert {r["source_text"] for r in hydrated if r["source_id"] == "10000001"} == {ARTICLE}


LOAD_AND_HYDRATE = """
import json, sys
from datasets import load_dataset
import newserrata
ds = newserrata.hydrate(load_dataset(sys.argv[1], "default", revision="v1.0.0"), sys.argv[2:])
filled = {r["source_id"] for split in ds.values() for r in split if r["source"] == "xsum-fix" and r["source_text"]}
print(json.dumps(sorted(filled)))
"""


def test_a_hub_dataset_is_hydrated_from_the_command_line_and_after_load_dataset(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Records pinned as ORG/NAME@REVISION go through datasets.load_dataset against a local Hub."""
    import os
    import subprocess
    import sys

    from hub_server import HubServer
    from test_release_digest import build_fixture_release
    from test_score_cli import UPLOAD

    monkeypatch.setenv("NEWSERRATA_CACHE", str(tmp_path / "cache"))
    folder = build_fixture_release(tmp_path)
    token = "hf_HydrateTestToken0123456789abcdefXY"
    copies = [str(p) for p in ARTICLES.values()]
    with HubServer(tokens={token: "newserrata-test"}) as hub:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
        env |= {"HF_ENDPOINT": hub.url, "HF_HOME": str(tmp_path / "hf-home"), "HF_HUB_DISABLE_XET": "1",
                "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
        upload = subprocess.run([sys.executable, "-c", UPLOAD, str(folder), "newserrata-test/newserrata"],
                                env=env | {"HF_TOKEN": token}, capture_output=True, text=True, timeout=300)
        assert upload.returncode == 0, upload.stderr[-3000:]
        filled: set[str] = set()
        for split in ("test", "validation"):
            out = tmp_path / f"{split}.jsonl"
            done = subprocess.run([sys.executable, "-m", "newserrata", "hydrate", "newserrata-test/newserrata@v1.0.0",
                                   "--split", split, *(a for c in copies for a in ("--texts", c)), "--out", str(out),
                                   "--json", "-"], env=env, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr[-3000:]
            assert json.loads(done.stdout)["records_in"] == f"newserrata-test/newserrata@v1.0.0 (default/{split})"
            filled |= {r["source_id"] for r in rows(out) if r["source"] == "xsum-fix" and r["source_text"]}
        loaded = subprocess.run([sys.executable, "-c", LOAD_AND_HYDRATE, "newserrata-test/newserrata", *copies],
                                env=env, capture_output=True, text=True, timeout=300)
        assert loaded.returncode == 0, loaded.stderr[-3000:]
    assert filled == {"10000001"} and json.loads(loaded.stdout.splitlines()[-1]) == ["10000001"]
