"""Hostile inputs, round three: every JSON and TOML reader bounded and shape-checked, LLM replies of the wrong
shape, release recipes that would build nothing or pass a pattern by a trailing newline, XSum CSV quirks,
unbounded Mu-SHROOM labels and values too long to quote. Each is one located problem and exit 2 (1 for an
endpoint that answers nonsense, as for every other endpoint failure), never a traceback."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import jsonschema_rs
import pytest
from conftest import remote_source, write_jsonl, write_native_data, write_release
from scoring_fixtures import native_records
from test_hostile import COMPLETION, KEY, LABEL_STUDIO, MQM, RawChatServer, run_llm

import newserrata
from newserrata import schemas
from newserrata.cli import main
from newserrata.errors import InputError
from newserrata.jsonl import MAX_DEPTH, MAX_DIGITS, JSONError, loads
from newserrata.sources import summedits
from newserrata.sources.xsum import FACTUALITY_COLUMNS, HALLUCINATION_COLUMNS, read_records

HUGE = "1" * 5000
DEEP = "[" * 100_000 + "]" * 100_000
SUMMEDITS = Path(__file__).resolve().parent / "fixtures" / "summedits" / "summedits_news.json"
CODE = Path(newserrata.__file__).resolve().parents[1]  # the code under test, in a subprocess too


def refused(argv: list[str], capsys: pytest.CaptureFixture[str], *words: str) -> str:
    """stderr of a command that must exit 2 with the closing line and every one of `words`."""
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code == 2, err
    assert err.rstrip().endswith("nothing was written"), err
    for word in words:
        assert word in err, err
    return err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_native_data(tmp_path / "data")
    write_release(tmp_path / "release.toml", validation=0.5)
    return tmp_path


def build(root: Path, *extra: str) -> list[str]:
    return ["build", "--release", str(root / "release.toml"), "--out", str(root / "dist"), *extra]


# -- JSON read anywhere: bounded nesting and integers, and the shape its reader takes apart -----------------------


def test_the_bounds_are_far_from_any_real_file() -> None:
    assert MAX_DEPTH >= 32 and MAX_DIGITS >= 19  # a label line nests 4 levels; a file size fits in 19 digits


@pytest.mark.parametrize(("value", "words"), [
    ({"version": "1.0.0", "inputs": [], "outputs": {}}, "/inputs: expected an object, got an array"),
    ({"version": "1.0.0", "inputs": {}, "outputs": {"a.parquet": 7}}, "/outputs/a.parquet: expected a string, got an"),
    ({"version": "1.0.0", "inputs": {"native": "abc"}, "outputs": {}}, "/inputs/native: expected an object, got a st"),
    ([1, 2], "expected a JSON object, got list"),
])
def test_a_lock_of_the_wrong_shape_is_named(project: Path, capsys: pytest.CaptureFixture[str], value: object,
                                            words: str) -> None:
    (project / "releases").mkdir()
    (project / "releases" / "1.0.0.lock.json").write_text(json.dumps(value), encoding="utf-8")
    err = refused(build(project), capsys, "1.0.0.lock.json", words)
    assert "restore it from version control" in err or "the file must hold one JSON object" in err
    assert not (project / "dist" / "1.0.0").exists()


@pytest.mark.parametrize(("text", "words"), [
    (f'{{"version": "1.0.0", "inputs": {{}}, "outputs": {{}}, "size": {HUGE}}}', "an integer of 5000 digits"),
    (f'{{"version": "1.0.0", "inputs": {{}}, "outputs": {DEEP}}}',
     f"arrays and objects nested deeper than {MAX_DEPTH} levels"),
])
def test_a_lock_with_a_huge_integer_or_deep_nesting_is_named(project: Path, capsys: pytest.CaptureFixture[str],
                                                             text: str, words: str) -> None:
    (project / "releases").mkdir()
    (project / "releases" / "1.0.0.lock.json").write_text(text, encoding="utf-8")
    refused(build(project), capsys, "1.0.0.lock.json:1: /: " + words, "restore it, or write it again")


@pytest.fixture
def locked(project: Path) -> Path:
    assert main(build(project, "--lock")) == 0
    return project / "dist" / "1.0.0"


def publish(folder: Path) -> list[str]:
    return ["publish", str(folder), "--repo", "newserrata/newserrata", "--dry-run",
            "--release", str(folder.parent.parent / "release.toml")]


@pytest.mark.parametrize(("change", "words"), [
    ({"files": ["data"]}, "/files: expected an object, got an array"),
    ({"files": {"README.md": "sha"}}, "/files/README.md: expected an object, got a string"),
    ({"version": 1}, "/version: expected a string, got an integer"),
    ({"version": "../../x"}, "/version: version '../../x' is not MAJOR.MINOR.PATCH"),
    ({"partial": "no"}, "/partial: expected true or false, got a string"),
    ({"missing_sources": None}, "/missing_sources: expected an array, got null"),
])
def test_a_manifest_of_the_wrong_shape_is_named(locked: Path, capsys: pytest.CaptureFixture[str], change: dict,
                                                words: str) -> None:
    manifest = json.loads((locked / "MANIFEST.json").read_text(encoding="utf-8"))
    (locked / "MANIFEST.json").write_text(json.dumps(manifest | change, indent=2), encoding="utf-8")
    refused(publish(locked), capsys, "MANIFEST.json", words)


@pytest.mark.parametrize(("tail", "words"), [(HUGE, "an integer of 5000 digits"),
                                             (DEEP, f"arrays and objects nested deeper than {MAX_DEPTH} levels")])
def test_a_manifest_with_a_huge_integer_or_deep_nesting_is_named(locked: Path, capsys: pytest.CaptureFixture[str],
                                                                 tail: str, words: str) -> None:
    (locked / "MANIFEST.json").write_text('{"version": "1.0.0",\n"x": ' + tail + "}", encoding="utf-8")
    refused(publish(locked), capsys, "MANIFEST.json:2: /: " + words)


@pytest.fixture
def label_data(tmp_path: Path) -> Path:
    shutil.copytree(LABEL_STUDIO / "articles", tmp_path / "data" / "articles")
    (tmp_path / "data" / "labels").mkdir()
    return tmp_path / "data"


def export_command(data: Path) -> list[str]:
    return ["annotate", "export", "--articles", str(data / "articles"), "--out", str(data.parent / "tasks.json"),
            "--config-out", str(data.parent / "config.xml")]


def import_command(data: Path, export: Path) -> list[str]:
    return ["annotate", "import", str(export), "--annotator-kind", "maintainer",
            "--out", str(data / "labels" / "batch.jsonl"), "--articles", str(data / "articles")]


@pytest.mark.parametrize(("tail", "words"), [(HUGE, "an integer of 5000 digits"),
                                             (DEEP, f"arrays and objects nested deeper than {MAX_DEPTH} levels")])
def test_annotate_export_and_import_name_an_article_with_a_huge_integer_or_deep_nesting(
        label_data: Path, capsys: pytest.CaptureFixture[str], tail: str, words: str) -> None:
    meta = sorted((label_data / "articles").glob("*.json"))[0]
    text = meta.read_text(encoding="utf-8").rstrip().removesuffix("}")
    meta.write_text(text + ',\n"extra": ' + tail + "}\n", encoding="utf-8")
    line = text.count("\n") + 2
    refused(export_command(label_data), capsys, f"{meta}:{line}: /: {words}")
    refused(import_command(label_data, LABEL_STUDIO / "export.json"), capsys, f"{meta}:{line}: /: {words}")
    assert not (label_data.parent / "tasks.json").exists() and not (label_data / "labels" / "batch.jsonl").exists()


@pytest.mark.parametrize(("tail", "words"), [(HUGE, "an integer of 5000 digits"),
                                             (DEEP, f"arrays and objects nested deeper than {MAX_DEPTH} levels")])
def test_annotate_import_names_an_export_with_a_huge_integer_or_deep_nesting(
        label_data: Path, capsys: pytest.CaptureFixture[str], tail: str, words: str) -> None:
    export = label_data.parent / "export.json"
    tasks = (LABEL_STUDIO / "export.json").read_text(encoding="utf-8").rstrip().removesuffix("]")
    export.write_text(tasks + ",\n" + tail + "]\n", encoding="utf-8")
    refused(import_command(label_data, export), capsys, f"{export}:{tasks.count(chr(10)) + 2}: /: {words}")


@pytest.mark.parametrize(("tail", "words"), [(HUGE, "an integer of 5000 digits"),
                                             (DEEP, f"arrays and objects nested deeper than {MAX_DEPTH} levels")])
def test_validate_names_an_article_with_a_huge_integer_or_deep_nesting(
        project: Path, capsys: pytest.CaptureFixture[str], tail: str, words: str) -> None:
    meta = project / "data" / "articles" / "clean-en.json"
    meta.write_text('{"id": "clean-en",\n"notes": ' + tail + "}\n", encoding="utf-8")
    code = main(["validate", str(meta)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert f"{meta}:2: /: {words}" in err


@pytest.mark.parametrize(("line", "words"), [
    ('{"id": "x", "spans": [], "score": ' + HUGE + "}", "an integer of 5000 digits"),
    ('{"id": "x", "spans": [], "score": ' + "9" * 400 + "}", "an integer of 400 digits"),
    ('{"id": "x", "spans": ' + DEEP + "}", f"arrays and objects nested deeper than {MAX_DEPTH} levels"),
])
def test_predictions_with_a_huge_integer_or_deep_nesting_are_named(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str],
                                                                   line: str, words: str) -> None:
    predictions = tmp_path / "p.jsonl"
    predictions.write_text('{"id": "y", "spans": []}\n' + line + "\n", encoding="utf-8")
    code = main(["validate", "--kind", "prediction", str(predictions)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert f"{predictions}:2: /: {words}" in err


def test_digits_inside_strings_are_not_integers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    predictions = tmp_path / "p.jsonl"
    line = {"id": "x", "spans": [{"start": 0, "end": 1, "text": "1" * 5000 + "[" * 200}]}
    predictions.write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert main(["validate", "--kind", "prediction", str(predictions)]) == 0, capsys.readouterr().err


@pytest.mark.parametrize(("tail", "words"), [(HUGE, "an integer of 5000 digits"),
                                             (DEEP, f"arrays and objects nested deeper than {MAX_DEPTH} levels")])
def test_a_summedits_file_with_a_huge_integer_or_deep_nesting_is_named(tmp_path: Path, tail: str,
                                                                       words: str) -> None:
    path = tmp_path / "summedits_news.json"
    items = SUMMEDITS.read_text(encoding="utf-8").rstrip().removesuffix("]")
    path.write_text(items + ",\n" + tail + "]\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        list(summedits.read_records(path, source="se", license="Apache-2.0", domain="news", counts=Counter()))
    [problem] = [str(p) for p in caught.value.problems]
    assert f"{path}:{items.count(chr(10)) + 2}: " in problem and words in problem


def test_a_summedits_id_with_a_trailing_newline_is_refused(tmp_path: Path) -> None:
    items = json.loads(SUMMEDITS.read_text(encoding="utf-8"))
    items[0]["id"] += "\n"
    path = tmp_path / "summedits_news.json"
    path.write_text(json.dumps(items, indent=2), encoding="utf-8")
    with pytest.raises(InputError, match="is not a SummEdits item id"):
        list(summedits.read_records(path, source="se", license="Apache-2.0", domain="news", counts=Counter()))


def test_an_mqm_metadata_cell_nested_deeply_is_read_as_no_metadata(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    ratings = tmp_path / "ratings.tsv"
    text = MQM.read_text(encoding="utf-8")
    assert '"note":"should be: opened"' in text
    ratings.write_text(text.replace('"note":"should be: opened"', '"note":' + "[" * 5000 + "]" * 5000),
                       encoding="utf-8")
    assert main(["import", "mqm", str(ratings), "--out", str(tmp_path / "records.jsonl")]) == 0
    assert "Traceback" not in capsys.readouterr().err


def nested(depth: int, inner: object = 1) -> object:
    value = inner
    for level in range(depth - 1):
        value = [value] if level % 2 else {"k": value}
    return value


@pytest.mark.parametrize("inner", ["plain", "[[[[", "]]]]]]]]", '\\"]]]]]]', "\\\\", '\\\\"', "{" * 100])
def test_nesting_is_counted_outside_strings_only(inner: str) -> None:
    for depth in (MAX_DEPTH - 1, MAX_DEPTH):
        text = json.dumps(nested(depth, [inner, inner]))
        assert loads(text) == json.loads(text)
    with pytest.raises(JSONError, match=f"nested deeper than {MAX_DEPTH} levels"):
        loads(json.dumps(nested(MAX_DEPTH + 1, [inner, inner])))
    with pytest.raises(JSONError, match=f"nested deeper than {MAX_DEPTH} levels"):
        loads(json.dumps([inner, "]" * 200, nested(MAX_DEPTH + 1)]))


@pytest.mark.parametrize(("value", "words"), [("size = " + HUGE, "an integer of more than 4300 digits"),
                                              ("notes = " + "[" * 5000 + "]" * 5000,
                                               f"arrays or tables nested deeper than {MAX_DEPTH} levels")])
def test_a_release_file_with_a_huge_integer_or_deep_nesting_is_named(project: Path,
                                                                     capsys: pytest.CaptureFixture[str],
                                                                     value: str, words: str) -> None:
    release = project / "release.toml"
    text = release.read_text(encoding="utf-8")
    release.write_text(text + value + "\n", encoding="utf-8")
    refused(build(project), capsys, f"{release}:{text.count(chr(10)) + 1}: /: {words}")


def test_a_model_reply_nested_deeply_counts_as_malformed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    reply = json.dumps({**COMPLETION, "choices": [{"index": 0, "message": {"role": "assistant", "content": DEEP}}]})
    code, output, _ = run_llm(tmp_path, 200, "application/json", reply, monkeypatch, capsys)
    assert code == 0 and "1 malformed repl(ies)" in output


# -- LLM endpoint replies of the wrong shape, and a key that cannot be one --------------------------------------


def completion(choices: object, **extra: object) -> str:
    return json.dumps({**COMPLETION, "choices": choices, **extra})


MESSAGE = {"role": "assistant", "content": '{"errors": []}'}


@pytest.mark.parametrize(("body", "words"), [
    (completion([{"index": 0, "message": None}]), "/choices/0/message: expected an object, got null"),
    (completion([{"index": 0, "message": {"role": "assistant", "content": ["a", "b"]}}]),
     "/choices/0/message/content: expected a string or null, got an array"),
    (completion([{"index": 0, "message": {"role": "assistant", "content": 7}}]),
     "/choices/0/message/content: expected a string or null, got an integer"),
    (completion([{"index": 0, "message": MESSAGE}], usage={"prompt_tokens": "many", "completion_tokens": 1}),
     "/usage/prompt_tokens: expected an integer, got a string"),
    (completion([{"index": 0, "message": MESSAGE}], usage=[1, 2]), "/usage: expected an object, got an array"),
    (completion("abc"), "/choices: expected an array, got a string"),
    (completion(["abc"]), "/choices/0: expected an object, got a string"),
    (json.dumps([COMPLETION]), "answered with JSON that is an array instead of a chat completion"),
])
def test_a_reply_of_the_wrong_shape_names_the_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str], body: str, words: str) -> None:
    code, output, requests = run_llm(tmp_path, 200, "application/json", body, monkeypatch, capsys)
    assert (code, requests) == (1, 1)
    assert words in output and KEY not in output
    assert not list((tmp_path / "cache").rglob("*.json")), "a malformed reply is not cached"


def test_a_reply_with_null_content_and_no_usage_is_an_empty_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    body = completion([{"index": 0, "message": {"role": "assistant", "content": None}}], usage=None)
    code, output, _ = run_llm(tmp_path, 200, "application/json", body, monkeypatch, capsys)
    assert code == 0 and "1 request(s), 0 cached, 0 prompt + 0 completion tokens; 1 malformed" in output


@pytest.mark.parametrize(("key", "words"), [(KEY + "\n", f"character {len(KEY) + 1} of {len(KEY) + 1} is a newline"),
                                            ("sk test", "character 3 of 7 is space"),
                                            ("sk-\x7f", "character 4 of 4 is U+007F"),
                                            ("sk-ключ", "character 4 of 7 is cyrillic small letter ka")])
def test_a_key_that_cannot_be_a_key_is_refused_before_any_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str], key: str,
                                                                   words: str) -> None:
    gold = tmp_path / "gold.jsonl"
    write_jsonl(gold, native_records(tmp_path)[:1])
    server = RawChatServer(200, "application/json", completion([{"index": 0, "message": MESSAGE}]))
    monkeypatch.setenv("NEWSERRATA_LLM_KEY", key)
    try:
        started = time.monotonic()
        err = refused(["baseline", "llm", "--gold", str(gold), "--out", str(tmp_path / "o.jsonl"), "--base-url",
                       server.url, "--model", "m", "--cache", str(tmp_path / "cache")], capsys,
                      "environment: NEWSERRATA_LLM_KEY: the API key is not a key: " + words, "tr -d")
        assert time.monotonic() - started < 10 and server.requests == 0
        assert key not in err and not (tmp_path / "o.jsonl").exists()
    finally:
        server.close()


# -- release recipes ----------------------------------------------------------------------------------------------


def test_a_release_whose_sources_are_all_disabled_is_refused(project: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    release = project / "release.toml"
    release.write_text(release.read_text(encoding="utf-8").replace("enabled = true", "enabled = false"),
                       encoding="utf-8")
    refused(build(project, "--lock"), capsys, "sources: every source is disabled", "set enabled = true")
    assert not (project / "dist").exists() and not (project / "releases").exists()


@pytest.mark.parametrize(("old", "new", "words"), [
    ("test = ", '"test\\n" = ', "split names are lower-case letters"),
    ('version = "1.0.0"', 'version = "9.9.9\\n"', "'9.9.9\\n' is not MAJOR.MINOR.PATCH"),
    ('version = "1.0.0"', 'version = "１.0.0"', "'１.0.0' is not MAJOR.MINOR.PATCH"),
    ('name = "native"', 'name = "native\\n"', "is not a valid config name"),
    ("validation = 0.5", "validation = nan", "splits.validation: fraction nan is not a number in (0, 1]"),
    ("validation = 0.5", "validation = inf", "splits.validation: fraction inf is not a number in (0, 1]"),
    ("validation = 0.5", "validation = -nan", "fraction nan is not a number"),
])
def test_release_values_that_only_look_right_are_refused(project: Path, capsys: pytest.CaptureFixture[str],
                                                         old: str, new: str, words: str) -> None:
    release = project / "release.toml"
    text = release.read_text(encoding="utf-8")
    assert old in text
    release.write_text(text.replace(old, new, 1), encoding="utf-8")
    refused(build(project), capsys, words)
    assert not (project / "dist").exists()


def patterns(value: object) -> list[str]:
    if isinstance(value, dict):
        own = [value["pattern"]] if isinstance(value.get("pattern"), str) else []
        return own + [p for v in value.values() for p in patterns(v)]
    return [p for v in value for p in patterns(v)] if isinstance(value, list) else []


EXAMPLES = ("1.0.0", "native", "test", "a" * 64, "https://example.org/f.tsv", "2025-01-24", "2025-01-24T10:00:00Z",
            "en", "zh-Hant", "professional-translator", "x.txt", "ls-1")


@pytest.mark.parametrize("kind", ["article", "labels", "record", "prediction", "taxonomy", "release"])
def test_no_schema_pattern_takes_a_trailing_newline_or_foreign_digits(kind: str) -> None:
    """JSON Schema patterns are ECMA-262: jsonschema-rs (every schema) and schemas.ECMAValidator (the release
    file) give `$` and `\\d` that meaning; Python's own would take "1.0.0\\n" and "１.0.0"."""
    found = patterns(schemas.load_schema(kind))
    for pattern in found:
        schema = {"type": "string", "pattern": pattern}
        fast, reference = jsonschema_rs.validator_for(schema), schemas.ECMAValidator(schema)
        matching = [e for e in EXAMPLES if fast.is_valid(e)]
        assert matching, f"no example matches {pattern}"
        for example in matching:
            assert reference.is_valid(example)
            for bad in (example + "\n", example.replace("1", "１").replace("2", "٢")):
                if bad != example:
                    assert not fast.is_valid(bad) and not reference.is_valid(bad), (pattern, bad)


def test_nan_shares_do_not_fool_the_sum_check(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    release = project / "release.toml"
    release.write_text(release.read_text(encoding="utf-8").replace("validation = 0.5", "validation = nan\nx = nan"),
                       encoding="utf-8")
    err = refused(build(project), capsys, "splits.validation: fraction nan", "splits.x: fraction nan")
    assert "sum to" not in err


def test_sources_naming_no_source_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for value in (",", " , ", ""):
        refused(build(project, "--sources", value), capsys, "--sources: /: names no source", "native")
    assert not (project / "dist").exists()


@pytest.fixture
def two_kinds(tmp_path: Path) -> Path:
    """A native source and an MQM source pinned to a fixture file."""
    write_native_data(tmp_path / "data")
    write_release(tmp_path / "release.toml", validation=0.5, extra_sources=remote_source("wmt", "wmt-mqm", MQM))
    return tmp_path


@pytest.mark.parametrize(("value", "words", "hint"), [
    ("wmt:factuallity={mqm}", "'wmt:factuallity' is not a file of source 'wmt'", "source 'wmt' (wmt-mqm) takes "
     "--source-file wmt=PATH"),
    ("native:bogus={data}", "'native:bogus' is not a file of source 'native'", "source 'native' (native) takes "
     "--source-file native=PATH"),
])
def test_a_source_file_role_the_source_does_not_have_is_refused(two_kinds: Path, capsys: pytest.CaptureFixture[str],
                                                                value: str, words: str, hint: str) -> None:
    spec = value.format(mqm=MQM, data=two_kinds / "data")
    refused(build(two_kinds, "--source-file", spec, "--source-file", f"wmt={MQM}"), capsys,
            "--source-file: /: " + words, hint)
    assert not (two_kinds / "dist").exists()


def test_source_file_roles_are_named_in_the_refusal(two_kinds: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(build(two_kinds, "--source-file", f"wmt:factuallity={MQM}"), capsys)
    assert "takes --source-file wmt=PATH" in err
    assert main(build(two_kinds, "--source-file", f"wmt={MQM}", "--json", "-")) == 0


# -- XSum CSV -----------------------------------------------------------------------------------------------------


def xsum_file(path: Path, header: str, rows: list[str], newline: str = "\n") -> Path:
    path.write_bytes(newline.join([header, *rows, ""]).encode("utf-8"))
    return path


SUMMARY = "the mayor opened a new bridge on monday ."


def hallucination_row(start: str = "5", end: str = "10", worker: str = "wid_0") -> str:
    return f"10000001,BERTS2S,{SUMMARY},extrinsic,mayor,{start},{end},{worker}"


def xsum_problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        list(read_records(path, None, source="xs", license="CC-BY-4.0", domain="news", counts=Counter()))
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(("start", "end"), [("1_6", "2_3"), ("٥", "١٠"), ("５", "10"), (" 5", "10"), ("+5", "10"),
                                            ("9" * 5000, "10")])
def test_xsum_offsets_are_ascii_digits(tmp_path: Path, start: str, end: str) -> None:
    path = xsum_file(tmp_path / "h.csv", ",".join(HALLUCINATION_COLUMNS), [hallucination_row(start, end)])
    [problem] = xsum_problems(path)
    assert f"{path}:2: hallucinated_span_start: offsets" in problem and "are not whole numbers" in problem
    assert len(problem) < 1000


def test_xsum_a_column_named_twice_is_refused(tmp_path: Path) -> None:
    path = xsum_file(tmp_path / "h.csv", ",".join([*HALLUCINATION_COLUMNS, "bbcid"]),
                     [hallucination_row() + ",2"])
    [problem] = xsum_problems(path)
    assert f"{path}:1: header: column bbcid is named 2 times" in problem
    path = xsum_file(tmp_path / "f.csv", ",".join([*FACTUALITY_COLUMNS, "worker_id"]), [])
    with pytest.raises(InputError, match="column worker_id is named 2 times"):
        list(read_records(xsum_file(tmp_path / "h2.csv", ",".join(HALLUCINATION_COLUMNS), [hallucination_row()]),
                          path, source="xs", license="CC-BY-4.0", domain="news", counts=Counter()))


def test_xsum_malformed_rows_are_not_called_missing_rows(tmp_path: Path) -> None:
    path = xsum_file(tmp_path / "h.csv", ",".join(HALLUCINATION_COLUMNS), ["1,2,3", "4,5"])
    hint = '(fix: quote a cell that holds a comma or a quote: "a, ""b""")'
    assert xsum_problems(path) == [f"{path}:{n}: /: {cells} cells, expected 8 {hint}" for n, cells in ((2, 3), (3, 2))]
    empty = xsum_file(tmp_path / "e.csv", ",".join(HALLUCINATION_COLUMNS), [])
    assert xsum_problems(empty) == [f"{empty}: /: no rows after the header (fix: use the file as published)"]


def test_xsum_cr_only_line_ends_get_advice_a_user_can_act_on(tmp_path: Path) -> None:
    path = xsum_file(tmp_path / "h.csv", ",".join(HALLUCINATION_COLUMNS), [hallucination_row()], newline="\r")
    [problem] = xsum_problems(path)
    assert "lines end in CR alone" in problem and "download it again" in problem
    assert "universal-newline" not in problem
    crlf = xsum_file(tmp_path / "crlf.csv", ",".join(HALLUCINATION_COLUMNS), [hallucination_row()], newline="\r\n")
    assert len(list(read_records(crlf, None, source="xs", license="CC-BY-4.0", domain="news", counts=Counter()))) == 1


def test_xsum_worker_id_with_a_trailing_newline_is_refused(tmp_path: Path) -> None:
    path = xsum_file(tmp_path / "h.csv", ",".join(HALLUCINATION_COLUMNS), [hallucination_row(worker='"wid_0\n"')])
    [problem] = xsum_problems(path)
    assert "'wid_0\\n' is not a worker id" in problem


# -- Mu-SHROOM labels and long values -----------------------------------------------------------------------------


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_AS"), reason="needs RLIMIT_AS")
def test_convert_a_huge_hard_label_in_bounded_time_and_memory(tmp_path: Path) -> None:
    submission = tmp_path / "sub.jsonl"
    write_jsonl(submission, [{"id": "a", "soft_labels": [{"start": 0, "end": 200_000_000, "prob": 0.9}],
                              "hard_labels": [[0, 200_000_000]]},
                             {"id": "b", "soft_labels": [{"start": 0, "end": 200_000_000, "prob": 0.9}],
                              "hard_labels": [[0, 100_000_000]]}])
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "newserrata", "convert", "mushroom-to-predictions", str(submission),
                           "--out", str(tmp_path / "p.jsonl")], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(CODE)}, preexec_fn=_cap_memory)
    assert time.monotonic() - started < 60
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert f"{submission}:2: /hard_labels: the hard labels are not the soft labels" in done.stderr


def test_a_very_long_value_is_not_echoed_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = tmp_path / "gold.jsonl"
    gold = native_records(tmp_path)
    write_jsonl(records, gold)
    long = "x" * 3_000_000
    predictions = tmp_path / "p.jsonl"
    write_jsonl(predictions, [{"id": r["id"], "spans": [{"start": 0, "end": 1, "text": long}]} for r in gold])
    err = refused(["score", "--gold", str(records), "--predictions", str(predictions)], capsys,
                  f"span text '{'x' * 200}...' (3000000 characters) does not match")
    assert len(err) < 10_000
