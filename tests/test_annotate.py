"""The Label Studio round trip: tasks out, a JSON export in Label Studio's format back, labels that validate.

tests/fixtures/labelstudio/export.json is a project export in Label Studio's JSON format, written from its
documentation: per-region severity and note results share the id of their labels region, completed_by comes
both as a user id and as a user object, and the file carries a cancelled annotation, a draft and predictions.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from conftest import write_release

from newserrata import annotate, cli, validate
from newserrata.aggregate import aggregate
from newserrata.build import build
from newserrata.errors import InputError, Problems
from newserrata.records_io import iter_records
from newserrata.sources import native
from newserrata.taxonomy import CATEGORIES, SEVERITIES

FIXTURES = Path(__file__).parent / "fixtures" / "labelstudio"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A native data folder holding the fixture articles and no labels yet."""
    shutil.copytree(FIXTURES / "articles", tmp_path / "data" / "articles")
    (tmp_path / "data" / "labels").mkdir()
    return tmp_path / "data"


def fixture_export() -> list[dict[str, Any]]:
    return json.loads((FIXTURES / "export.json").read_text(encoding="utf-8"))


def write_export(path: Path, export: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(export, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def run_import(data: Path, export: Path, out: Path | None = None) -> annotate.Summary:
    return annotate.import_export(export, annotator_kind="maintainer", out=out or data / "labels" / "batch.jsonl",
                                  articles_dir=data / "articles")


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def task_starts(path: Path) -> list[int]:
    """Lines where the tasks of a pretty-printed export begin."""
    return [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line == "  {"]


def messages(exc: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(problem) for problem in exc.value.problems]


def test_export_writes_one_task_per_article_with_normalised_text_and_hash(data: Path, tmp_path: Path) -> None:
    count = annotate.export(data / "articles", tmp_path / "tasks.json", tmp_path / "labeling.xml")

    tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    assert count == len(tasks) == 4
    assert [t["data"]["article_id"] for t in tasks] == ["lsx-budget-3", "lsx-minister-1", "lsx-pending-4",
                                                        "lsx-storm-2"]
    minister = tasks[1]["data"]
    # The file on disk is decomposed with CRLF; the task holds the normalised text the offsets refer to.
    assert b"\r\n" in (data / "articles" / "lsx-minister-1.txt").read_bytes()
    expected = ("The Foreign Minister of Frénce, Jean-Noël Barrot, arrived in Kyiv on Monday.\n"
                "He said the the talks with the 202nd delegation had gone well.\n")
    assert minister["text"] == expected
    assert minister["text_sha256"] == hashlib.sha256(expected.encode("utf-8")).hexdigest()
    assert set(minister) == {"text", "article_id", "text_sha256", "source_text"}
    assert minister["source_text"] == "", "Label Studio needs every key its config names, so unknown is empty"


def test_export_carries_the_source_text_shown_beside_the_article(data: Path, tmp_path: Path) -> None:
    meta_path = data / "articles" / "lsx-minister-1.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta |= {"source_language": "fr", "source_text_file": "lsx-minister-1.source.txt"}
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    (data / "articles" / "lsx-minister-1.source.txt").write_text("Le ministre est arrivé à Kyiv.\n", encoding="utf-8")
    annotate.export(data / "articles", tmp_path / "tasks.json", tmp_path / "labeling.xml")
    tasks = {t["data"]["article_id"]: t["data"] for t in json.loads((tmp_path / "tasks.json").read_text())}
    assert tasks["lsx-minister-1"]["source_text"] == "Le ministre est arrivé à Kyiv.\n"
    pair = ET.parse(tmp_path / "labeling.xml").getroot().find("View[@style]")
    assert pair is not None
    assert [t.get("value") for t in pair.iter("Text")] == ["$text", "$source_text"], "the source beside the text"


def test_labeling_config_holds_exactly_the_taxonomy(tmp_path: Path, data: Path) -> None:
    annotate.export(data / "articles", tmp_path / "tasks.json", tmp_path / "labeling.xml")
    view = ET.parse(tmp_path / "labeling.xml").getroot()

    assert view.tag == "View"
    labels = view.find("Labels")
    assert labels is not None and labels.get("name") == "category" and labels.get("toName") == "text"
    assert [label.get("value") for label in labels.findall("Label")] == list(CATEGORIES)
    text = view.find(".//Text[@name='text']")
    assert text is not None and text.get("name") == "text" and text.get("value") == "$text"
    severity = view.find(".//Choices[@name='severity']")
    assert severity is not None and severity.get("perRegion") == "true" and severity.get("toName") == "text"
    assert [c.get("value") for c in severity.findall("Choice")] == list(SEVERITIES) == ["major", "minor", "neutral"]
    note = view.find(".//TextArea[@name='note']")
    assert note is not None and note.get("perRegion") == "true" and note.get("toName") == "text"


def test_fixture_export_carries_the_tasks_that_export_writes(data: Path, tmp_path: Path) -> None:
    """The hand-made export is what Label Studio returns for our tasks: its data is the tasks' data, unchanged."""
    annotate.export(data / "articles", tmp_path / "tasks.json", tmp_path / "labeling.xml")
    exported = {t["data"]["article_id"]: t["data"] for t in json.loads((tmp_path / "tasks.json").read_text())}
    for task in fixture_export():
        assert task["data"] == exported[task["data"]["article_id"]]


def test_round_trip_export_import_validate_build(data: Path, tmp_path: Path) -> None:
    annotate.export(data / "articles", tmp_path / "tasks.json", tmp_path / "labeling.xml")
    summary = run_import(data, FIXTURES / "export.json")

    assert summary == annotate.Summary(tasks=4, annotations=4, spans=7, cancelled=1, drafts=1, predictions=2,
                                       unannotated=1)
    got = lines(data / "labels" / "batch.jsonl")
    assert [(v["article_id"], v["annotator_id"]) for v in got] == [
        ("lsx-budget-3", "ls-2"), ("lsx-minister-1", "ls-1"), ("lsx-minister-1", "ls-2"), ("lsx-storm-2", "ls-1")]
    assert got[0] == {"article_id": "lsx-budget-3", "annotator_id": "ls-2", "annotator_kind": "maintainer",
                      "created": "2026-11-21T11:58:30.400218Z", "spans": [], "no_errors": True}
    assert got[1]["spans"][0] == {"start": 24, "end": 30, "text": "Frénce", "category": "fluency/spelling",
                                  "severity": "minor", "note": "France"}
    assert [(s["text"], s["severity"], s["note"]) for s in got[1]["spans"]] == [
        ("Frénce", "minor", "France"), ("the the", "minor", None),
        ("202nd", "major", "the delegation was the second")]
    # Offsets after the astral-plane emoji are code points: 44 is where "30,000" starts in Python.
    storm = got[3]["spans"]
    assert [(s["start"], s["end"], s["text"], s["severity"]) for s in storm] == [
        (44, 50, "30,000", "neutral"), (95, 102, "was was", "minor")]

    problems, counted = validate.validate([data])
    assert not problems, [str(p) for p in problems]
    assert counted.items == 4 + 4

    records = {r.id: aggregate(r) for r in native.load(data, "native")}
    assert sorted(records) == ["lsx-budget-3", "lsx-minister-1", "lsx-storm-2"]
    assert records["lsx-budget-3"].has_error is False and records["lsx-budget-3"].mqm_score == 0.0
    minister = records["lsx-minister-1"]
    assert minister.num_annotators == 2
    assert [(s.text, s.severity) for s in minister.spans] == [("the the", "minor"), ("202nd", "major")]
    assert minister.mqm_score == pytest.approx(-((1 + 1 + 5) + (1 + 5)) / 2)
    assert records["lsx-storm-2"].mqm_score == pytest.approx(-1.0)

    release = write_release(data / "release.toml", version="1.1.0", data=".")
    result = build(release, tmp_path / "dist", progress=False)
    assert (result.folder.name, result.partial, result.records) == ("1.1.0", False, 3)
    problems = Problems()
    built = {row["id"]: row for _, _, row in iter_records(result.folder, problems)}
    assert not problems
    assert sorted(built) == sorted(records)
    assert [a["annotator_id"] for a in built["lsx-minister-1"]["annotations"]] == ["ls-1", "ls-2"]
    assert built["lsx-minister-1"]["spans"] == [s.to_gold_dict() for s in minister.spans]
    assert built["lsx-budget-3"]["annotations"][0]["no_errors"] is True
    assert not validate.validate([result.folder])[0]


def test_changed_text_since_export_is_refused_and_nothing_is_written(data: Path) -> None:
    out = data / "labels" / "batch.jsonl"
    out.write_text("earlier batch, untouched\n", encoding="utf-8")
    text_file = data / "articles" / "lsx-storm-2.txt"
    text_file.write_text(text_file.read_text(encoding="utf-8").replace("Storm", "The storm"), encoding="utf-8")

    with pytest.raises(InputError) as exc:
        run_import(data, FIXTURES / "export.json")

    (problem,) = exc.value.problems
    assert problem.file == str(FIXTURES / "export.json")
    assert problem.line == task_starts(FIXTURES / "export.json")[1]
    assert problem.pointer == "/1/data/text_sha256"
    assert "task 42 (#1)" in problem.message and "article 'lsx-storm-2' changed since the export" in problem.message
    assert "annotate export" in problem.hint
    assert out.read_text(encoding="utf-8") == "earlier batch, untouched\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["batch.jsonl"]


def test_changed_text_of_a_task_nobody_labelled_does_not_matter(data: Path) -> None:
    text_file = data / "articles" / "lsx-pending-4.txt"
    text_file.write_text("Markets fell on Wednesday.\n", encoding="utf-8")
    summary = run_import(data, FIXTURES / "export.json")
    assert (summary.tasks, summary.annotations, summary.unannotated) == (4, 4, 1)


def test_cli_refuses_changed_text_with_exit_2(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text_file = data / "articles" / "lsx-minister-1.txt"
    text_file.write_bytes(text_file.read_bytes() + b"Added later.\n")
    out = data / "labels" / "batch.jsonl"

    status = cli.main(["annotate", "import", str(FIXTURES / "export.json"), "--annotator-kind", "maintainer",
                       "--out", str(out), "--articles", str(data / "articles")])

    err = capsys.readouterr().err
    assert status == 2
    assert "/0/data/text_sha256" in err and "lsx-minister-1" in err and "changed since the export" in err
    assert "nothing was written" in err
    assert not out.exists()


def test_cli_reports_counts_as_json(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["annotate", "export", "--articles", str(data / "articles"), "--out", str(tmp_path / "t.json"),
                     "--config-out", str(tmp_path / "c.xml"), "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True, "tasks": 4, "out": str(tmp_path / "t.json"),
                                                   "config_out": str(tmp_path / "c.xml"), "categories": len(CATEGORIES)}
    out = data / "labels" / "b.jsonl"
    assert cli.main(["annotate", "import", str(FIXTURES / "export.json"), "--annotator-kind", "crowd",
                     "--out", str(out), "--articles", str(data / "articles"), "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True, "out": str(out), "tasks": 4, "annotations": 4,
                                                   "spans": 7, "cancelled": 1, "drafts": 1, "predictions": 2,
                                                   "unannotated": 1}
    assert {v["annotator_kind"] for v in lines(out)} == {"crowd"}


def test_cancelled_annotations_drafts_and_predictions_leave_no_trace(data: Path, tmp_path: Path) -> None:
    """A cancelled annotation of the same annotator may sit beside a real one; drafts and predictions never count."""
    export = fixture_export()
    storm = export[1]["annotations"]
    storm[1]["completed_by"] = 1  # the same user skipped once, then submitted
    export[2]["predictions"] = copy.deepcopy(export[0]["predictions"])
    export[2]["drafts"] = copy.deepcopy(export[0]["drafts"])
    summary = run_import(data, write_export(tmp_path / "export.json", export))

    assert (summary.cancelled, summary.drafts, summary.predictions) == (1, 2, 3)
    got = lines(data / "labels" / "batch.jsonl")
    assert [v["annotator_id"] for v in got if v["article_id"] == "lsx-storm-2"] == ["ls-1"]
    assert got[0]["spans"] == [] and got[0]["no_errors"] is True
    assert "Kyiv" not in {s["text"] for v in got for s in v["spans"]}
    assert "Monday" not in {s["text"] for v in got for s in v["spans"]}


def test_relations_between_regions_are_ignored(data: Path, tmp_path: Path) -> None:
    run_import(data, FIXTURES / "export.json")
    without = lines(data / "labels" / "batch.jsonl")
    export = fixture_export()
    export[0]["annotations"][0]["result"].append(
        {"from_id": "b7TnR3vWq0", "to_id": "c2Hs8JdPz5", "type": "relation", "direction": "right", "labels": []})
    run_import(data, write_export(tmp_path / "export.json", export))
    assert lines(data / "labels" / "batch.jsonl") == without


def broken(tmp_path: Path, change: Any) -> Path:
    export = fixture_export()
    change(export)
    return write_export(tmp_path / "export.json", export)


def test_region_without_severity_is_an_error_naming_task_and_region(data: Path, tmp_path: Path) -> None:
    def drop_severity(export: list[dict[str, Any]]) -> None:
        result = export[0]["annotations"][0]["result"]
        result[:] = [r for r in result if not (r["id"] == "b7TnR3vWq0" and r["type"] == "choices")]

    with pytest.raises(InputError) as exc:
        run_import(data, broken(tmp_path, drop_severity))
    (problem,) = exc.value.problems
    assert problem.pointer == "/0/annotations/0/result/3"
    assert "task 41 (#0), annotator ls-1" in problem.message
    assert "region 'b7TnR3vWq0' (fluency/repetition at [85:92] 'the the') has no severity" in problem.message
    assert not (data / "labels" / "batch.jsonl").exists()


def test_duplicate_task_annotator_is_an_error(data: Path, tmp_path: Path) -> None:
    def second_submission(export: list[dict[str, Any]]) -> None:
        export[0]["annotations"][1]["completed_by"] = 1

    with pytest.raises(InputError) as exc:
        run_import(data, broken(tmp_path, second_submission))
    assert messages(exc) == [
        f"{tmp_path / 'export.json'}:2: /0/annotations/1: task 41 (#0), annotator ls-1: ls-1 already labelled article "
        "'lsx-minister-1' in task 41 (#0) at /0/annotations/0 (fix: keep one annotation per (article, annotator): "
        "delete the other in Label Studio and export again)"]


def test_unknown_article_is_an_error(data: Path, tmp_path: Path) -> None:
    (data / "articles" / "lsx-budget-3.json").unlink()
    (data / "articles" / "lsx-budget-3.txt").unlink()
    with pytest.raises(InputError) as exc:
        run_import(data, FIXTURES / "export.json")
    (problem,) = exc.value.problems
    assert problem.pointer == "/2/data/article_id"
    assert "task 43 (#2): no article 'lsx-budget-3'" in problem.message


def test_span_text_that_differs_from_the_article_slice_is_an_error(data: Path, tmp_path: Path) -> None:
    """Counting UTF-16 units instead of code points shifts every offset after the emoji by one."""

    def utf16_offsets(export: list[dict[str, Any]]) -> None:
        for item in export[1]["annotations"][0]["result"]:
            item["value"]["start"] += 1
            item["value"]["end"] += 1

    with pytest.raises(InputError) as exc:
        run_import(data, broken(tmp_path, utf16_offsets))
    assert [(p.pointer, p.message.split(": ", 1)[1]) for p in exc.value.problems] == [
        ("/1/annotations/0/result/2/value/text",
         "span text '30,000' does not match the article at [45:51], which is '0,000 '"),
        ("/1/annotations/0/result/0/value/text",
         "span text 'was was' does not match the article at [96:103], which is 'as was '")]
    assert all("task 42 (#1), annotator ls-1" in p.message for p in exc.value.problems)


def test_label_already_in_another_batch_is_an_error(data: Path) -> None:
    run_import(data, FIXTURES / "export.json", data / "labels" / "first.jsonl")
    with pytest.raises(InputError) as exc:
        run_import(data, FIXTURES / "export.json", data / "labels" / "second.jsonl")
    assert len(exc.value.problems) == 4
    assert all("already labelled" in p.message and "first.jsonl" in p.message for p in exc.value.problems)
    assert not (data / "labels" / "second.jsonl").exists()
    # Importing the same batch again replaces it: the file being rewritten is not a duplicate of itself.
    assert run_import(data, FIXTURES / "export.json", data / "labels" / "first.jsonl").annotations == 4
    # A batch written elsewhere is still checked against the labels of the data folder.
    with pytest.raises(InputError) as exc:
        run_import(data, FIXTURES / "export.json", data.parent / "staging" / "batch.jsonl")
    assert len(exc.value.problems) == 4
    assert not (data.parent / "staging").exists()


@pytest.mark.parametrize(
    ("change", "pointer", "words"),
    [
        (lambda e: e[0]["annotations"][0]["result"][0]["value"].update(labels=["Accuracy/Mistranslation"]),
         "/0/annotations/0/result/0/value/labels", "expected exactly one taxonomy category"),
        (lambda e: e[0]["annotations"][0]["result"][1]["value"].update(choices=["critical"]),
         "/0/annotations/0/result/1/value/choices", "expected exactly one of major, minor, neutral"),
        (lambda e: e[0]["annotations"][0]["result"].append(
            {"id": "zz", "type": "choices", "from_name": "severity", "to_name": "text",
             "value": {"choices": ["minor"]}}),
         "/0/annotations/0/result/8", "belongs to no labelled region"),
        (lambda e: e[0]["annotations"][0]["result"][0].update(type="rectanglelabels"),
         "/0/annotations/0/result/0", "unexpected result"),
        (lambda e: e[0]["annotations"][0].update(completed_by={"email": "a@example.org"}),
         "/0/annotations/0/completed_by", "is not a user id"),
        (lambda e: e[0]["data"].pop("text_sha256"), "/0/data", "data needs the strings"),
        (lambda e: e[1]["annotations"][0]["result"][0]["value"].update(end=500),
         "/1/annotations/0/result/0/value", "are not inside the text"),
    ],
    ids=["category", "severity", "orphan-choice", "result-type", "completed-by", "no-hash", "offset-range"],
)
def test_malformed_results_are_located(data: Path, tmp_path: Path, change: Any, pointer: str, words: str) -> None:
    with pytest.raises(InputError) as exc:
        run_import(data, broken(tmp_path, change))
    assert [(p.pointer, words in p.message) for p in exc.value.problems] == [(pointer, True)]
    assert exc.value.problems[0].file == str(tmp_path / "export.json")


def test_json_min_and_bad_json_are_refused(data: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": 1,', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        run_import(data, bad)
    assert "malformed JSON" in messages(exc)[0]
    json_min = write_export(tmp_path / "min.json", [{"id": 41, "text": "x", "category": []}])
    with pytest.raises(InputError) as exc:
        run_import(data, json_min)
    assert "JSON-MIN drops the annotations" in messages(exc)[0]


def test_bad_annotator_kind_is_refused(data: Path) -> None:
    with pytest.raises(InputError) as exc:
        annotate.import_export(FIXTURES / "export.json", annotator_kind="Professional Translator",
                               out=data / "labels" / "b.jsonl", articles_dir=data / "articles")
    assert "is not a kind id" in messages(exc)[0]


def test_problems_in_a_compact_export_point_at_its_single_line(data: Path, tmp_path: Path) -> None:
    export = fixture_export()
    export[2]["data"]["article_id"] = "lsx-missing"
    compact = tmp_path / "compact.json"
    compact.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        run_import(data, compact)
    assert [(p.line, p.pointer) for p in exc.value.problems] == [(1, "/2/data/article_id")]


@pytest.mark.parametrize("text", ["[", "[{}", "[{} {}]", "[{}] x", "[{},]"])
def test_truncated_or_trailing_json_is_malformed(data: Path, tmp_path: Path, text: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        run_import(data, bad)
    assert "malformed JSON" in messages(exc)[0]


def test_an_empty_export_writes_an_empty_batch(data: Path, tmp_path: Path) -> None:
    summary = run_import(data, write_export(tmp_path / "empty.json", []))
    assert summary == annotate.Summary()
    assert (data / "labels" / "batch.jsonl").read_bytes() == b""
