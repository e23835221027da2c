"""A corpus of broken inputs, each run through the real `newserrata validate`.

Every case starts from the valid fixture folder (tests/conftest.py), plus a records file and a
predictions file made from it, breaks exactly one thing, and expects exit status 2, a message
`file:line: pointer: ...` at the right place, and a folder that is byte-identical afterwards.
The same corpus is used to show that jsonschema-rs and the reference `jsonschema` agree.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import CRLF_TEXT, label, span, tree_digest, write_json, write_native_data

from newserrata import schemas
from newserrata.aggregate import aggregate
from newserrata.cli import main
from newserrata.sources import native

CLI = Path(sys.executable).parent / "newserrata"


@dataclass(frozen=True)
class Expect:
    """Where the problem must be reported; `target` is what to validate (relative to the case root)."""

    target: str
    file: str
    line: int | None
    pointer: str
    words: str = ""


def make_corpus_root(root: Path) -> Path:
    """data/ (native), records.jsonl (built records) and preds.jsonl (predictions), all valid."""
    write_native_data(root / "data")
    records = [aggregate(r).to_dict() for r in native.load(root / "data", "fixture")]
    (root / "records.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                        encoding="utf-8")
    predictions = [{"id": "clean-en", "spans": []},
                   {"id": "multi-en", "spans": [{"start": 39, "end": 53, "prob": 0.8, "severity": "major"}]}]
    (root / "preds.jsonl").write_text("".join(json.dumps(p) + "\n" for p in predictions), encoding="utf-8")
    return root


def edit_lines(path: Path, number: int, change: Callable[[dict[str, Any]], None]) -> None:
    """Change the JSON object on line `number` (1-based) of a JSONL file in place."""
    lines = path.read_text(encoding="utf-8").splitlines()
    value = json.loads(lines[number - 1])
    change(value)
    lines[number - 1] = json.dumps(value, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def edit_json(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    value = json.loads(path.read_text(encoding="utf-8"))
    change(value)
    write_json(path, value)


def append_line(path: Path, raw: bytes) -> None:
    path.write_bytes(path.read_bytes() + raw + b"\n")


TEAM = "data/labels/team.jsonl"  # lines: 1 clean-en (no_errors), 2 crlf-de, 3 emoji-en, 4 multi-en
GUESTS = "data/labels/guests.jsonl"  # lines: 1 multi-en ann-b, 2 multi-en ann-c
EMOJI = "data/articles/emoji-en.json"  # pretty-printed: id on line 2, language 4, source_text_file 6, process 8
CRLF = "data/articles/crlf-de.json"
RECORDS = "records.jsonl"  # lines: 1 clean-en, 2 crlf-de, 3 emoji-en, 4 multi-en
PREDS = "preds.jsonl"

CASES: dict[str, Callable[[Path], Expect]] = {}


def case(func: Callable[[Path], Expect]) -> Callable[[Path], Expect]:
    CASES[func.__name__] = func
    return func


def spans_of(line: int, change: Callable[[list[dict[str, Any]]], None]) -> Callable[[Path], None]:
    return lambda root: edit_lines(root / TEAM, line, lambda v: change(v["spans"]))


# Label files -------------------------------------------------------------------------------------


@case
def malformed_json_in_labels(root: Path) -> Expect:
    append_line(root / TEAM, b'{"article_id": "clean-en", "annotator_id": ')
    return Expect("data", TEAM, 5, "", "malformed JSON")


@case
def label_line_not_an_object(root: Path) -> Expect:
    append_line(root / TEAM, b'["clean-en", "ann-z"]')
    return Expect("data", TEAM, 5, "", "expected a JSON object")


@case
def wrong_type_offset(root: Path) -> Expect:
    spans_of(2, lambda s: s[0].update(start="18"))(root)
    return Expect("data", TEAM, 2, "/spans/0/start", "integer")


@case
def missing_required_field(root: Path) -> Expect:
    edit_lines(root / TEAM, 3, lambda v: v.pop("created"))
    return Expect("data", TEAM, 3, "", "created")


@case
def extra_field_in_label(root: Path) -> Expect:
    edit_lines(root / TEAM, 4, lambda v: v.update(confidence=0.9))
    return Expect("data", TEAM, 4, "", "confidence")


@case
def extra_field_in_span(root: Path) -> Expect:
    spans_of(3, lambda s: s[1].update(weight=1))(root)
    return Expect("data", TEAM, 3, "/spans/1", "weight")


@case
def unknown_category(root: Path) -> Expect:
    spans_of(2, lambda s: s[0].update(category="accuracy/name"))(root)
    return Expect("data", TEAM, 2, "/spans/0/category", "accuracy/name")


@case
def unknown_severity(root: Path) -> Expect:
    spans_of(3, lambda s: s[1].update(severity="critical"))(root)
    return Expect("data", TEAM, 3, "/spans/1/severity", "critical")


@case
def offset_past_end_of_text(root: Path) -> Expect:
    spans_of(4, lambda s: s[2].update(end=10_000))(root)
    return Expect("data", TEAM, 4, "/spans/2/end", "past the end")


@case
def offset_written_as_decimal(root: Path) -> Expect:
    # JSON Schema calls 18.0 an integer; Python cannot slice with it, so the build would crash later.
    spans_of(2, lambda s: s[0].update(start=float(s[0]["start"])))(root)
    return Expect("data", TEAM, 2, "/spans/0/start", "decimal")


@case
def negative_offset(root: Path) -> Expect:
    spans_of(4, lambda s: s[0].update(start=-3))(root)
    return Expect("data", TEAM, 4, "/spans/0/start", "minimum")


@case
def start_after_end(root: Path) -> Expect:
    spans_of(2, lambda s: s[1].update(start=s[1]["end"] + 2))(root)
    return Expect("data", TEAM, 2, "/spans/1/start", "after end")


@case
def span_text_mismatch(root: Path) -> Expect:
    spans_of(4, lambda s: s[0].update(text="Vladimir Putn"))(root)
    return Expect("data", TEAM, 4, "/spans/0/text", "does not match")


@case
def offsets_counted_on_raw_crlf_text(root: Path) -> Expect:
    # The maintainer counted the \r of the CRLF file: one too far. Offsets refer to the normalised text.
    raw = span(CRLF_TEXT, "Bürgermeister", "accuracy/mistranslation", "major")
    raw.update(start=raw["start"] + 1, end=raw["end"] + 1)
    spans_of(2, lambda s: s.__setitem__(0, raw))(root)
    return Expect("data", TEAM, 2, "/spans/0/text", "does not match")


@case
def zero_length_span_not_omission(root: Path) -> Expect:
    spans_of(3, lambda s: s[0].update(end=s[0]["start"], text=""))(root)
    return Expect("data", TEAM, 3, "/spans/0/end", "zero-length")


@case
def duplicate_article_annotator(root: Path) -> Expect:
    append_line(root / GUESTS, json.dumps(label("multi-en", "ann-b", [], no_errors=True)).encode())
    return Expect("data", GUESTS, 3, "/annotator_id", "already labelled")


@case
def duplicate_across_label_files(root: Path) -> Expect:
    # Files are read in name order, so the second occurrence is the one in team.jsonl.
    append_line(root / GUESTS, json.dumps(label("clean-en", "ann-a", [], no_errors=True)).encode())
    return Expect("data", TEAM, 1, "/annotator_id", "guests.jsonl:3")


@case
def label_for_missing_article(root: Path) -> Expect:
    edit_lines(root / GUESTS, 2, lambda v: v.update(article_id="multi-fr"))
    return Expect("data", GUESTS, 2, "/article_id", "no article")


@case
def broken_utf8_in_label_file(root: Path) -> Expect:
    lines = (root / TEAM).read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"2026", b"\xff2026")
    (root / TEAM).write_bytes(b"\n".join(lines))
    return Expect("data", TEAM, 3, "", "UTF-8")


@case
def bom_in_jsonl(root: Path) -> Expect:
    (root / GUESTS).write_bytes(b"\xef\xbb\xbf" + (root / GUESTS).read_bytes())
    return Expect("data", GUESTS, 1, "", "byte order mark")


@case
def bad_annotator_id_characters(root: Path) -> Expect:
    edit_lines(root / GUESTS, 1, lambda v: v.update(annotator_id="ann b"))
    return Expect("data", GUESTS, 1, "/annotator_id", "does not match")


@case
def no_errors_with_spans(root: Path) -> Expect:
    edit_lines(root / TEAM, 1, lambda v: v.update(spans=[span("The council met", "council", "other", "minor")]))
    return Expect("data", TEAM, 1, "", "no_errors")


@case
def empty_spans_without_no_errors(root: Path) -> Expect:
    edit_lines(root / TEAM, 2, lambda v: v.update(spans=[]))
    return Expect("data", TEAM, 2, "", "no_errors")


@case
def no_errors_false(root: Path) -> Expect:
    edit_lines(root / TEAM, 1, lambda v: v.update(no_errors=False))
    return Expect("data", TEAM, 1, "/no_errors", "")


@case
def single_label_file_checked_alone(root: Path) -> Expect:
    spans_of(3, lambda s: s[0].update(text="203rd"))(root)
    return Expect(TEAM, TEAM, 3, "/spans/0/text", "does not match")


# Articles ----------------------------------------------------------------------------------------


@case
def broken_utf8_in_article_text(root: Path) -> Expect:
    path = root / "data/articles/emoji-en.txt"
    path.write_bytes(path.read_bytes().replace(b"minister said", b"minister \xe9 said"))
    return Expect("data", "data/articles/emoji-en.txt", 2, "", "UTF-8")


@case
def article_id_differs_from_file_name(root: Path) -> Expect:
    edit_json(root / EMOJI, lambda v: v.update(id="emoji-english"))
    return Expect("data", EMOJI, 2, "/id", "differs from the file name")


@case
def missing_article_text(root: Path) -> Expect:
    (root / "data/articles/emoji-en.txt").unlink()
    return Expect("data", EMOJI, 2, "/id", "emoji-en.txt")


@case
def missing_source_text(root: Path) -> Expect:
    (root / "data/articles/crlf-de.source.txt").unlink()
    return Expect("data", CRLF, 6, "/source_text_file", "crlf-de.source.txt")


@case
def bad_article_id_characters(root: Path) -> Expect:
    meta = json.loads((root / EMOJI).read_text(encoding="utf-8")) | {"id": "emoji en"}
    write_json(root / "data/articles/emoji en.json", meta)
    (root / "data/articles/emoji en.txt").write_text("text\n", encoding="utf-8")
    return Expect("data", "data/articles/emoji en.json", 2, "/id", "does not match")


@case
def bad_language_tag(root: Path) -> Expect:
    edit_json(root / EMOJI, lambda v: v.update(language="English"))
    return Expect("data", EMOJI, 4, "/language", "does not match")


@case
def wrong_type_in_article(root: Path) -> Expect:
    edit_json(root / EMOJI, lambda v: v.update(process=3))
    return Expect("data", EMOJI, 8, "/process", "")


@case
def malformed_article_json(root: Path) -> Expect:
    path = root / CRLF
    path.write_text(path.read_text(encoding="utf-8").replace('"title": null,', '"title": null'), encoding="utf-8")
    return Expect("data", CRLF, 4, "", "malformed JSON")


@case
def bom_in_article_json(root: Path) -> Expect:
    (root / CRLF).write_bytes(b"\xef\xbb\xbf" + (root / CRLF).read_bytes())
    return Expect("data", CRLF, 1, "", "byte order mark")


@case
def single_article_file_checked_alone(root: Path) -> Expect:
    edit_json(root / CRLF, lambda v: v.pop("license"))
    return Expect(CRLF, CRLF, 1, "", "license")


# Records -----------------------------------------------------------------------------------------


@case
def record_fails_schema(root: Path) -> Expect:
    edit_lines(root / RECORDS, 2, lambda v: v.update(text=5))
    return Expect(RECORDS, RECORDS, 2, "/text", "string")


@case
def record_derived_score_not_recomputed(root: Path) -> Expect:
    edit_lines(root / RECORDS, 4, lambda v: v.update(mqm_score=-3.0))
    return Expect(RECORDS, RECORDS, 4, "/mqm_score", "recomputation")


@case
def record_soft_labels_not_recomputed(root: Path) -> Expect:
    edit_lines(root / RECORDS, 4, lambda v: v["soft_labels"][1].update(prob=0.9))
    return Expect(RECORDS, RECORDS, 4, "/soft_labels", "recomputation")


@case
def record_gold_span_not_recomputed(root: Path) -> Expect:
    edit_lines(root / RECORDS, 4, lambda v: v["spans"][0].update(severity="minor"))
    return Expect(RECORDS, RECORDS, 4, "/spans", "recomputation")


@case
def record_annotator_score_not_recomputed(root: Path) -> Expect:
    edit_lines(root / RECORDS, 3, lambda v: v["annotations"][0].update(mqm_score=-1.0))
    return Expect(RECORDS, RECORDS, 3, "/annotations/0/mqm_score", "recomputation")


@case
def record_span_text_mismatch(root: Path) -> Expect:
    edit_lines(root / RECORDS, 3, lambda v: v["annotations"][0]["spans"][0].update(text="203rd"))
    return Expect(RECORDS, RECORDS, 3, "/annotations/0/spans/0/text", "does not match")


@case
def record_num_annotators_wrong(root: Path) -> Expect:
    edit_lines(root / RECORDS, 4, lambda v: v.update(num_annotators=2))
    return Expect(RECORDS, RECORDS, 4, "/num_annotators", "annotations")


@case
def record_soft_label_offset_as_decimal(root: Path) -> Expect:
    edit_lines(root / RECORDS, 4, lambda v: v["soft_labels"][0].update(end=39.0))
    return Expect(RECORDS, RECORDS, 4, "/soft_labels/0/end", "decimal")


@case
def record_duplicate_id(root: Path) -> Expect:
    append_line(root / RECORDS, (root / RECORDS).read_text(encoding="utf-8").splitlines()[0].encode())
    return Expect(RECORDS, RECORDS, 5, "/id", "duplicate")


@case
def record_source_span_without_source_text(root: Path) -> Expect:
    def change(v: dict[str, Any]) -> None:
        v["annotations"][0]["source_spans"] = [dict(v["annotations"][0]["spans"][0])]
        v["source_text"] = None
    edit_lines(root / RECORDS, 3, change)
    return Expect(RECORDS, RECORDS, 3, "/annotations/0/source_spans", "source_text")


@case
def record_malformed_line(root: Path) -> Expect:
    append_line(root / RECORDS, b'{"id": "x", "group_id": ')
    return Expect(RECORDS, RECORDS, 5, "", "malformed JSON")


# Predictions -------------------------------------------------------------------------------------


@case
def prediction_start_after_end(root: Path) -> Expect:
    edit_lines(root / PREDS, 2, lambda v: v["spans"][0].update(start=60))
    return Expect(PREDS, PREDS, 2, "/spans/0/start", "after end")


@case
def prediction_id_three_times(root: Path) -> Expect:
    # Every repeat points back at the first line, not at the previous repeat.
    append_line(root / PREDS, b'{"id": "multi-en", "spans": []}')
    append_line(root / PREDS, b'{"id": "multi-en", "spans": []}')
    return Expect(PREDS, PREDS, 4, "/id", "first on line 2")


@case
def record_id_three_times(root: Path) -> Expect:
    first = (root / RECORDS).read_text(encoding="utf-8").splitlines()[0].encode()
    append_line(root / RECORDS, first)
    append_line(root / RECORDS, first)
    return Expect(RECORDS, RECORDS, 6, "/id", f"{RECORDS}:1")


@case
def prediction_offset_as_decimal(root: Path) -> Expect:
    edit_lines(root / PREDS, 2, lambda v: v["spans"][0].update(end=53.0))
    return Expect(PREDS, PREDS, 2, "/spans/0/end", "decimal")


@case
def prediction_duplicate_id(root: Path) -> Expect:
    append_line(root / PREDS, b'{"id": "clean-en", "spans": []}')
    return Expect(PREDS, PREDS, 3, "/id", "duplicate")


@case
def prediction_prob_out_of_range(root: Path) -> Expect:
    edit_lines(root / PREDS, 2, lambda v: v["spans"][0].update(prob=1.5))
    return Expect(PREDS, PREDS, 2, "/spans/0/prob", "maximum")


@case
def prediction_unknown_field(root: Path) -> Expect:
    edit_lines(root / PREDS, 1, lambda v: v.update(label="bad"))
    return Expect(PREDS, PREDS, 1, "", "label")


# Running them ------------------------------------------------------------------------------------


def located(root: Path, expect: Expect) -> str:
    where = f"{root / expect.file}:{expect.line}" if expect.line is not None else str(root / expect.file)
    return f"{where}: {expect.pointer or '/'}: "


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


def test_the_unbroken_corpus_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_corpus_root(tmp_path)
    for target in ("data", TEAM, GUESTS, EMOJI, RECORDS, PREDS):
        assert main(["validate", str(root / target)]) == 0, capsys.readouterr().err
    assert "ok" in capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_input_is_reported_and_nothing_written(name: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = make_corpus_root(tmp_path)
    expect = CASES[name](root)
    before = tree_digest(root)
    status = main(["validate", str(root / expect.target)])
    out, err = capsys.readouterr()
    assert status == 2
    problems = [line for line in err.splitlines() if line.startswith(located(root, expect))]
    assert problems, f"expected {located(root, expect)!r} in:\n{err}"
    assert any(expect.words in p for p in problems), err
    assert "(fix: " in problems[0]  # every problem says how to fix it
    assert "no article" not in err or name == "label_for_missing_article"  # no misleading follow-up errors
    assert "problem(s)" in out
    assert tree_digest(root) == before


@pytest.mark.parametrize("name", ["span_text_mismatch", "broken_utf8_in_article_text",
                                  "record_derived_score_not_recomputed", "prediction_duplicate_id"])
def test_installed_command_reports_the_same(name: str, tmp_path: Path) -> None:
    root = make_corpus_root(tmp_path)
    expect = CASES[name](root)
    before = tree_digest(root)
    done = subprocess.run([str(CLI), "validate", str(root / expect.target)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 2
    assert located(root, expect) in done.stderr
    assert tree_digest(root) == before


def test_json_output_lists_located_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_corpus_root(tmp_path)
    CASES["unknown_category"](root)
    CASES["prediction_start_after_end"](root)
    assert main(["validate", "--json", "-", str(root / "data"), str(root / PREDS)]) == 2
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is False
    found = {(p["file"], p["line"], p["pointer"]) for p in result["problems"]}
    assert found == {(str(root / TEAM), 2, "/spans/0/category"), (str(root / PREDS), 2, "/spans/0/start")}
    assert all(p["text"].startswith(p["file"]) and p["hint"] for p in result["problems"])


def test_kind_flag_overrides_inference(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_corpus_root(tmp_path)
    (root / "odd.txt").write_text((root / PREDS).read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["validate", str(root / "odd.txt")]) == 2
    assert "cannot tell what kind" in capsys.readouterr().err
    assert main(["validate", "--kind", "prediction", str(root / "odd.txt")]) == 0


def test_missing_path_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nothing-here")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


# jsonschema-rs against the reference implementation ---------------------------------------------

EXAMPLES = Path(__file__).resolve().parent / "fixtures" / "examples"


def instances(root: Path) -> list[tuple[str, str, Any]]:
    """(kind, where, value) for every JSON value in a corpus folder that parses."""
    found: list[tuple[str, str, Any]] = []

    def add(kind: str, where: str, raw: bytes) -> None:
        try:
            found.append((kind, where, json.loads(raw.decode("utf-8-sig"))))
        except (UnicodeDecodeError, json.JSONDecodeError):
            pass

    for path in sorted((root / "data" / "articles").glob("*.json")):
        add("article", str(path), path.read_bytes())
    for kind, paths in (("labels", sorted((root / "data" / "labels").glob("*.jsonl"))),
                        ("record", [root / RECORDS]), ("prediction", [root / PREDS])):
        for path in paths:
            for number, raw in enumerate(path.read_bytes().split(b"\n"), 1):
                if raw.strip():
                    add(kind, f"{path}:{number}", raw)
    return found


def test_both_validators_agree_on_the_whole_corpus(tmp_path: Path) -> None:
    corpus = [(p.stem.split("-")[0], str(p), json.loads(p.read_text(encoding="utf-8")))
              for p in sorted(EXAMPLES.glob("*.json"))]
    for name, make in sorted(CASES.items()):
        root = make_corpus_root(tmp_path / name)
        make(root)
        corpus.extend(instances(root))
    invalid = 0
    for kind, where, value in corpus:
        fast = {ptr for ptr, _ in schemas.schema_errors(kind, value)}
        reference = {ptr for ptr, _ in schemas.reference_errors(kind, value)}
        assert fast == reference, (where, fast, reference)
        invalid += bool(fast)
    assert len(corpus) > 400
    assert invalid >= 35  # the comparison saw plenty of failures, not only valid instances
