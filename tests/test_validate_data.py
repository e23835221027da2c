"""The repository's own data validates, the seed labels are complete and correct, and the native
reader applies the offset contract to what maintainers actually save (CRLF, BOM, decomposed accents)."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from conftest import CLEAN_TEXT, CRLF_SOURCE, CRLF_TEXT, EMOJI_TEXT, MULTI_TEXT, tree_digest

from newserrata import schemas
from newserrata.aggregate import aggregate
from newserrata.cli import main
from newserrata.sources import native
from newserrata.taxonomy import CATEGORIES, OMISSION, SEVERITIES
from newserrata.text import read_text

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SEED_LABELS = DATA / "labels" / "seed-maintainers.jsonl"
SEED_ID = "seed-trump-putin-2025-01-24"


def test_repository_data_validates(capsys: pytest.CaptureFixture[str]) -> None:
    before = tree_digest(DATA)
    assert main(["validate", str(DATA)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.strip().endswith(": ok")
    assert tree_digest(DATA) == before


def test_repository_data_validates_through_the_installed_command() -> None:
    done = subprocess.run([str(Path(sys.executable).parent / "newserrata"), "validate", "--json", "-", str(DATA)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ok"] is True and result["problems"] == []
    assert result["items"] >= 2


def seed_lines() -> list[dict]:
    return [json.loads(line) for line in SEED_LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_seed_article_is_stored_as_normalised_text() -> None:
    raw = (DATA / "articles" / f"{SEED_ID}.txt").read_bytes()
    text = raw.decode("utf-8")
    # Stored byte for byte, and already in contract form, so file offsets and record offsets coincide.
    assert read_text(raw) == text
    assert "\r" not in text and unicodedata.is_normalized("NFC", text)
    meta = json.loads((DATA / "articles" / f"{SEED_ID}.json").read_text(encoding="utf-8"))
    assert meta["id"] == SEED_ID and meta["language"] == "en" and meta["source_text_file"] is None
    assert meta["date"] == "2025-01-24"


def test_seed_labels_are_complete_and_match_the_article() -> None:
    text = read_text((DATA / "articles" / f"{SEED_ID}.txt").read_bytes())
    lines = seed_lines()
    assert lines and all(line["article_id"] == SEED_ID and line["annotator_kind"] == "maintainer" for line in lines)
    spans = [s for line in lines for s in line["spans"]]
    assert len(spans) >= 40
    for s in spans:
        assert s["text"] == text[s["start"]:s["end"]], s
        assert s["category"] in CATEGORIES and s["severity"] in SEVERITIES
        assert s["start"] < s["end"] or s["category"] == OMISSION
    for line in lines:
        assert list(schemas.schema_errors("labels", line)) == []
    used = Counter(s["category"] for s in spans)
    assert len(used) >= 6
    # The kinds of damage the brief describes are all labelled.
    for category in ("accuracy/entity", "accuracy/number-date", "fluency/repetition", "fluency/incoherent",
                     "accuracy/mistranslation", "fluency/spelling", "fluency/punctuation", "style/awkward"):
        assert used[category] >= 1, category
    assert {s["severity"] for s in spans} >= {"major", "minor"}
    labelled = {s["text"] for s in spans}
    for phrase in ("Vladimir Putin", "Moscow", "202nd", "per cap", "Social Truth", "Yerma"):
        assert any(phrase in t for t in labelled), phrase


def test_seed_record_builds_and_passes_record_validation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = [aggregate(r) for r in native.load(DATA, "native")]
    assert [r.id for r in records] == [SEED_ID]
    seed = records[0]
    assert seed.has_error and seed.mqm_score < -100 and seed.num_annotators == len(seed_lines())
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps(seed.to_dict(), ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["validate", "--kind", "record", str(path)]) == 0, capsys.readouterr().err


def test_fixture_folder_follows_the_offset_contract(native_data: Path) -> None:
    raw = (native_data / "articles" / "crlf-de.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and "e\u0301".encode() in raw  # really un-normalised
    records = {r.id: r for r in native.load(native_data, "fixture")}
    assert sorted(records) == ["clean-en", "crlf-de", "emoji-en", "multi-en"]
    assert records["crlf-de"].text == CRLF_TEXT
    assert records["crlf-de"].source_text == CRLF_SOURCE
    assert records["emoji-en"].text == EMOJI_TEXT
    assert records["multi-en"].text == MULTI_TEXT
    assert records["clean-en"].text == CLEAN_TEXT
    for r in records.values():
        for a in r.annotations:
            for s in a.spans:
                assert r.text[s.start:s.end] == s.text
    # Offsets are code points: the emoji before "202nd" is one character, the flag two.
    emoji = records["emoji-en"].annotations[0].spans
    assert [(s.start, s.end) for s in emoji if s.text == "202nd"] == [(EMOJI_TEXT.index("202nd"), 31)]
    assert [a.annotator_id for a in records["multi-en"].annotations] == ["ann-a", "ann-b", "ann-c"]
    clean = records["clean-en"].annotations[0]
    assert clean.no_errors and clean.spans == []
    assert records["clean-en"].domain == "politics" and records["emoji-en"].domain == "news"


def test_fixture_folder_validates(native_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(native_data)]) == 0
    assert "6 file(s), 10 item(s): ok" in capsys.readouterr().out


def test_unlabelled_article_is_valid_but_not_a_record(native_data: Path) -> None:
    (native_data / "articles" / "extra.txt").write_text("Nobody has labelled this yet.\n", encoding="utf-8")
    meta = json.loads((native_data / "articles" / "clean-en.json").read_text(encoding="utf-8"))
    (native_data / "articles" / "extra.json").write_text(json.dumps(meta | {"id": "extra"}), encoding="utf-8")
    assert main(["validate", str(native_data)]) == 0
    assert "extra" not in {r.id for r in native.load(native_data, "fixture")}


def test_label_file_with_crlf_lines_and_no_final_newline_is_fine(native_data: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = native_data / "labels" / "team.jsonl"
    path.write_bytes(path.read_bytes().rstrip(b"\n").replace(b"\n", b"\r\n"))
    assert main(["validate", str(native_data)]) == 0, capsys.readouterr().err
    assert len(native.load(native_data, "fixture")) == 4


def test_every_problem_in_a_label_file_is_reported_at_once(native_data: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = native_data / "labels" / "team.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace('"major"', '"blocker"', 1)
    lines[3] = lines[3].replace('"text": "Vladimir Putin"', '"text": "Putin"', 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["validate", str(native_data)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2: /spans/0/severity: " in err and f"{path}:4: /spans/0/text: " in err
