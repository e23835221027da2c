"""`newserrata build` end to end on small native data written into tmp_path."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import conftest
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import article_meta, label, remote_source, span, tree_digest, write_json, write_jsonl, write_native_data

from newserrata import build as build_module
from newserrata.build import build
from newserrata.card import ANNOTATION_CREATORS
from newserrata.cli import build as cli_build
from newserrata.cli import main
from newserrata.errors import InputError
from newserrata.records import Record
from newserrata.split import assign

SALT = "test-salt-0123456789abcdef"


def write_release(root: Path, version: str = "1.0.0", extra_sources: str = "") -> Path:
    return conftest.write_release(root / "release.toml", version=version, salt=SALT, extra_sources=extra_sources)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A release folder with the shared native fixture data under data/."""
    write_native_data(tmp_path / "data")
    write_release(tmp_path)
    return tmp_path


def rows(folder: Path, config: str = "default") -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((folder / "data" / config).glob("*.parquet")):
        out.setdefault(path.name.split("-")[0], []).extend(pq.read_table(path).to_pylist())
    return out


def front_matter(card: Path) -> dict[str, Any]:
    text = card.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


LOAD_SCRIPT = """
import json, sys
from datasets import load_dataset
from datasets.info import DatasetInfo
from huggingface_hub import DatasetCard
folder = sys.argv[1]
card = DatasetCard.load(folder + "/README.md").data.to_dict()
out = {}
for entry in card["dataset_info"]:
    declared = DatasetInfo._from_yaml_dict(dict(entry)).features
    config = entry["config_name"]
    for split in entry["splits"]:
        ds = load_dataset(folder, config, split=split["name"])
        out[config + "/" + split["name"]] = {
            "same_features": ds.features == declared,
            "features": ds.features.to_dict(),
            "rows": ds.num_rows,
            "declared_rows": split["num_examples"],
            "ids": list(ds["id"]),
            "first_spans": ds[0]["spans"],
        }
print(json.dumps(out))
"""


def load_offline(folder: Path, tmp_path: Path) -> dict[str, Any]:
    """Load every config and split with `datasets`, offline, in a fresh interpreter with its own HF_HOME."""
    env = dict(os.environ, HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path / "hf-home"))
    done = subprocess.run([sys.executable, "-c", LOAD_SCRIPT, str(folder)], env=env, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_config_and_split_loads_offline_with_the_card_features(project: Path, tmp_path: Path) -> None:
    result = build(project / "release.toml", project / "dist", progress=False)
    folder = project / "dist" / "1.0.0"
    assert result.folder == folder and not result.partial and result.records == 4
    loaded = load_offline(folder, tmp_path)
    card = front_matter(folder / "README.md")
    expected = {f"{c['config_name']}/{s['split']}" for c in card["configs"] for s in c["data_files"]}
    assert set(loaded) == expected
    assert {key.split("/")[0] for key in loaded} == {"default", "native"}
    for key, found in loaded.items():
        assert found["same_features"], key
        assert found["rows"] == found["declared_rows"] > 0
        assert found["ids"] == sorted(found["ids"])
        spans = found["features"]["spans"]
        assert spans["_type"] == "List" and set(spans["feature"]) == {"start", "end", "text", "category", "severity"}
        assert found["features"]["annotations"]["feature"]["spans"]["_type"] == "List"
        split = key.split("/")[1]
        for record in rows(folder, key.split("/")[0])[split]:
            assert assign(SALT, record["group_id"], {"validation": 0.3, "test": 0.7}) == split
    total = sum(v["rows"] for k, v in loaded.items() if k.startswith("default/"))
    assert total == 4


def test_card_yaml_declares_what_was_written(project: Path) -> None:
    build(project / "release.toml", project / "dist", progress=False)
    folder = project / "dist" / "1.0.0"
    card = front_matter(folder / "README.md")
    assert card["pretty_name"] == "NewsErrata test"
    assert card["license"] == "cc-by-4.0"
    rows = [r for f in sorted((folder / "data" / "default").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    languages = {r["language"] for r in rows} | {r["source_language"] for r in rows if r["source_language"]}
    kinds = {a["annotator_kind"] for r in rows for a in r["annotations"]}
    assert card["language"] == sorted(languages) == ["de", "en"]
    assert card["size_categories"] == ["n<1K"]
    assert card["annotations_creators"] == sorted({ANNOTATION_CREATORS[k] for k in kinds})
    assert kinds == {"crowd", "maintainer"} and card["annotations_creators"] == ["crowdsourced", "expert-generated"]
    assert "source_datasets" not in card, "no source is a Hub dataset: no made-up ids"
    assert "token-classification" in card["task_categories"]
    body = (folder / "README.md").read_text(encoding="utf-8")
    assert 'load_dataset("newserrata/newserrata", "default", revision="v1.0.0")' in body
    assert "UTF-16" in body and "code points" in body
    for info in card["dataset_info"]:
        for split in info["splits"]:
            files = sorted((folder / "data" / info["config_name"]).glob(f"{split['name']}-*.parquet"))
            assert split["num_examples"] == sum(pq.read_metadata(f).num_rows for f in files)
            assert split["num_bytes"] > 0
        assert info["download_size"] == sum(f.stat().st_size for f in (folder / "data" / info["config_name"]).iterdir())
    manifest = json.loads((folder / "MANIFEST.json").read_text(encoding="utf-8"))
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {"MANIFEST.json"}
    assert set(manifest["files"]) == on_disk
    assert manifest["partial"] is False and manifest["missing_sources"] == []
    assert set(manifest["inputs"]) == {"release.toml", "native"}
    datasheet = (folder / "DATASHEET.md").read_text(encoding="utf-8")
    assert "Motivation" in datasheet and "Krippendorff alpha" in datasheet and "<!-- statistics -->" not in datasheet
    sources = datasheet.split("\n## Sources\n", 1)[1].split("\n## Statistics\n", 1)[0]
    assert "### native" in sources and "<!-- sources -->" not in datasheet
    assert f"annotator kinds in the records: {', '.join(sorted(kinds))}" in sources
    assert f"**Languages:** {', '.join(sorted({r['language'] for r in rows}))}" in sources


def test_two_builds_are_byte_identical(project: Path) -> None:
    build(project / "release.toml", project / "one", progress=False)
    build(project / "release.toml", project / "two", progress=False)
    one, two = tree_digest(project / "one"), tree_digest(project / "two")
    assert one == two and len(one) >= 5


def change_a_label(project: Path) -> None:
    labels = project / "data" / "labels" / "team.jsonl"
    lines = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        for s in line["spans"]:
            if s["text"] == "202nd":
                s["severity"] = "minor"
    write_jsonl(labels, lines)


def test_locked_version_that_changes_fails_until_the_version_is_bumped(project: Path) -> None:
    result = build(project / "release.toml", project / "dist", lock=True, progress=False)
    lock = json.loads((project / "releases" / "1.0.0.lock.json").read_text(encoding="utf-8"))
    assert result.locked and lock["version"] == "1.0.0"
    assert "data/default/test-00000-of-00001.parquet" in lock["outputs"] or lock["outputs"]
    assert build(project / "release.toml", project / "again", progress=False).folder.exists()

    change_a_label(project)
    with pytest.raises(InputError) as caught:
        build(project / "release.toml", project / "fresh", progress=False)
    message = str(caught.value)
    assert "bump the version" in message and "changed" in message and ".parquet" in message
    assert "input native changed" in message
    assert not (project / "fresh").exists()

    write_release(project, version="2.0.0")
    assert build(project / "release.toml", project / "fresh", progress=False).folder == project / "fresh" / "2.0.0"


def split_of(folder: Path) -> dict[str, str]:
    return {r["id"]: split for split, records in rows(folder).items() for r in records}


def add_articles(data: Path, count: int) -> None:
    for n in range(count):
        article_id = f"extra-{n:03d}"
        text = f"Extra report number {n} says the the council met on day {n}.\n"
        (data / "articles" / f"{article_id}.txt").write_text(text, encoding="utf-8")
        write_json(data / "articles" / f"{article_id}.json", article_meta(article_id))
    write_jsonl(data / "labels" / "extra.jsonl", [
        label(f"extra-{n:03d}", "ann-a", [span(f"Extra report number {n} says the the council met on day {n}.\n",
                                               "the the", "fluency/repetition", "minor")])
        for n in range(count)])


def test_adding_records_keeps_every_old_record_in_its_split(project: Path) -> None:
    build(project / "release.toml", project / "dist", progress=False)
    before = split_of(project / "dist" / "1.0.0")
    add_articles(project / "data", 40)
    write_release(project, version="1.1.0")
    build(project / "release.toml", project / "dist", progress=False)
    after = split_of(project / "dist" / "1.1.0")
    assert len(after) == len(before) + 40
    assert {k: after[k] for k in before} == before
    assert set(after.values()) == {"validation", "test"}


def twins(project: Path, groups: tuple[str, str]) -> None:
    data = project / "data"
    text = "Same words, written twice.\n"
    for article_id, group in zip(("twin-a", "twin-b"), groups, strict=True):
        (data / "articles" / f"{article_id}.txt").write_text(text, encoding="utf-8")
        write_json(data / "articles" / f"{article_id}.json", article_meta(article_id, group_id=group))
    spans = [span(text, "twice", "fluency/grammar", "minor")]
    write_jsonl(data / "labels" / "twins.jsonl", [label("twin-a", "ann-a", spans), label("twin-b", "ann-a", [],
                                                                                           no_errors=True)])


def test_a_duplicate_text_in_its_group_is_left_out_and_listed(project: Path) -> None:
    twins(project, ("same-doc", "same-doc"))
    result = build(project / "release.toml", project / "dist", progress=False)
    assert result.duplicates == [{"source": "native", "dropped": "twin-b", "kept": "twin-a", "group_id": "same-doc"}]
    ids = [r["id"] for rows_ in rows(result.folder).values() for r in rows_]
    assert "twin-a" in ids and "twin-b" not in ids
    manifest = json.loads((result.folder / "MANIFEST.json").read_text(encoding="utf-8"))
    assert manifest["duplicates_left_out"] == result.duplicates
    datasheet = (result.folder / "DATASHEET.md").read_text(encoding="utf-8")
    assert "1 record(s) left out" in datasheet and "| native | twin-b | twin-a |" in datasheet
    assert "duplicate texts left out 1" in cli_build.summary(result)


def test_the_same_text_in_two_splits_is_kept_once(project: Path) -> None:
    """Identical texts in groups of different splits would leak one text's gold across splits."""
    splits = {"validation": 0.3, "test": 0.7}
    first = assign(SALT, "g0", splits)
    other = next(f"g{n}" for n in range(1, 100) if assign(SALT, f"g{n}", splits) != first)
    twins(project, ("g0", other))
    result = build(project / "release.toml", project / "dist", progress=False)
    assert [d["dropped"] for d in result.duplicates] == ["twin-b"]
    by_split = {split: [r["id"] for r in records] for split, records in rows(result.folder).items()}
    assert "twin-a" in by_split[first] and not any("twin-b" in ids for ids in by_split.values())


def test_partial_build_is_marked_and_cannot_be_locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    write_native_data(tmp_path / "data")
    remote = """
[[sources]]
name = "wmt-test"
kind = "wmt-mqm"
url = "https://127.0.0.1:9/none.tsv.tar.gz"
sha256 = "%s"
size = 10
license = "Apache-2.0"
citation = "@misc{y, title={y}}"
enabled = true
""" % ("0" * 64)
    release = write_release(tmp_path, extra_sources=remote)
    monkeypatch.setenv("NEWSERRATA_CACHE", str(tmp_path / "cache"))
    status = main(["build", "--release", str(release), "--out", str(tmp_path / "dist"), "--offline"])
    captured = capsys.readouterr()
    assert status == 0
    assert "PARTIAL" in captured.err
    assert "--source-file wmt-test=PATH" in captured.err and "https://127.0.0.1:9/none.tsv.tar.gz" in captured.err
    folder = tmp_path / "dist" / "1.0.0-partial"
    manifest = json.loads((folder / "MANIFEST.json").read_text(encoding="utf-8"))
    assert manifest["partial"] is True and manifest["missing_sources"] == ["wmt-test"]
    assert not (tmp_path / "dist" / "1.0.0").exists()
    assert "Partial build" in (folder / "README.md").read_text(encoding="utf-8")

    before = tree_digest(tmp_path)
    status = main(["build", "--release", str(release), "--out", str(tmp_path / "dist"), "--offline", "--lock"])
    assert status == 2 and "cannot be locked" in capsys.readouterr().err
    assert tree_digest(tmp_path) == before and not (tmp_path / "releases").exists()

    result = build(release, tmp_path / "subset", sources=["native"], progress=False)
    assert result.partial and result.missing_sources == {"wmt-test": "left out by --sources"}


def test_bad_input_exits_2_and_leaves_dist_untouched(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["build", "--release", str(project / "release.toml"), "--out", str(project / "dist")]
    assert main(args) == 0
    capsys.readouterr()
    before = tree_digest(project / "dist")
    labels = project / "data" / "labels" / "team.jsonl"
    labels.write_text(labels.read_text(encoding="utf-8").replace('"text": "202nd"', '"text": "203rd"'),
                      encoding="utf-8")
    write_release(project, version="1.0.1")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "team.jsonl" in err and "203rd" in err and "nothing was written" in err
    assert tree_digest(project / "dist") == before
    assert [p.name for p in (project / "dist").iterdir()] == ["1.0.0"]

    (project / "data" / "articles" / "clean-en.json").unlink()
    assert main(["build", "--release", str(project / "release.toml"), "--out", str(project / "new-dist")]) == 2
    assert not (project / "new-dist").exists()


def test_existing_version_folder_is_only_replaced_by_identical_content(project: Path) -> None:
    first = build(project / "release.toml", project / "dist", progress=False)
    before = tree_digest(project / "dist")
    again = build(project / "release.toml", project / "dist", progress=False)
    assert again.unchanged and not first.unchanged and tree_digest(project / "dist") == before
    change_a_label(project)
    with pytest.raises(InputError) as caught:
        build(project / "release.toml", project / "dist", progress=False)
    assert "already exists with different content" in str(caught.value)
    assert "bump the version" in str(caught.value)
    assert tree_digest(project / "dist") == before
    assert sorted(p.name for p in (project / "dist").iterdir()) == ["1.0.0"]


def test_json_output_and_summary(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["build", "--release", str(project / "release.toml"), "--out", str(project / "dist")]
    assert main([*args, "--json", "-"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["partial"] is False and result["records"] == 4
    assert sum(result["counts"]["validation"].values()) + sum(result["counts"]["test"].values()) == 4
    assert result["statistics"]["sources"]["native"]["total"]["annotators"] == 3
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "native" in out and "Krippendorff alpha" in out and "unchanged" in out


MQM_FIXTURE = Path(__file__).parent / "fixtures" / "mqm" / "sxs_mqm_fixture_zhen.tsv"


def test_native_and_mqm_sources_build_into_one_default_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pinned remote source supplied by hand (--source-file) makes a complete, lockable build; the default
    config merges both sources sorted by id."""
    write_native_data(tmp_path / "data")
    sources = remote_source("wmt-fix", "wmt-mqm", MQM_FIXTURE, url="https://127.0.0.1:9/sxs_mqm_fixture_zhen.tsv",
                            citation="@article{freitag, title={Experts, Errors, and Context}}",
                            extra='source_language = "zh"\ntarget_language = "en"\n')
    release = write_release(tmp_path, extra_sources=sources)
    monkeypatch.setenv("NEWSERRATA_CACHE", str(tmp_path / "cache"))
    offline = build(release, tmp_path / "dist", offline=True, progress=False)
    assert offline.partial and "wmt-fix" in offline.missing_sources

    assert (tmp_path / "dist" / "1.0.0-partial").is_dir()
    result = build(release, tmp_path / "dist", source_files={"wmt-fix": MQM_FIXTURE}, lock=True, progress=False)
    assert not (tmp_path / "dist" / "1.0.0-partial").exists(), "a full build removes the stale partial one"
    folder = tmp_path / "dist" / "1.0.0"
    assert result.folder == folder and not result.partial and result.locked
    per_source = {name: sum(result.counts[s].get(name, 0) for s in result.counts) for name in ("native", "wmt-fix")}
    assert result.counts["test"]["native"] and result.counts["test"]["wmt-fix"], "both sources meet in one split"
    assert per_source["native"] == 4 and per_source["wmt-fix"] > 0
    default = rows(folder)
    for split, records in default.items():
        assert [r["id"] for r in records] == sorted(r["id"] for r in records)
        expected = sorted(r["id"] for config in ("native", "wmt-fix") for r in rows(folder, config).get(split, []))
        assert [r["id"] for r in records] == expected
    loaded = load_offline(folder, tmp_path)
    assert {k.split("/")[0] for k in loaded} == {"default", "native", "wmt-fix"}
    assert all(v["same_features"] and v["rows"] == v["declared_rows"] for v in loaded.values())
    card = front_matter(folder / "README.md")
    assert card["license"] == ["apache-2.0", "cc-by-4.0"] and "zh" in card["language"]
    assert "Experts, Errors, and Context" in (folder / "README.md").read_text(encoding="utf-8")
    manifest = json.loads((folder / "MANIFEST.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["wmt-fix"]["size"] == MQM_FIXTURE.stat().st_size


def test_an_interrupted_build_leaves_no_version_folder(project: Path) -> None:
    """Ctrl-C in the middle of the records: the half-written folder beside dist/ is removed."""
    from newserrata.build import Stream, pipeline
    from newserrata.release import load
    from newserrata.sources import native

    release = load(project / "release.toml")
    build(project / "release.toml", project / "dist", progress=False)
    before = tree_digest(project / "dist")

    def interrupted() -> Iterator[Record]:
        records = native.load(project / "data", "native")
        yield from records[:2]
        raise KeyboardInterrupt

    for out in (project / "dist", project / "fresh"):
        with pytest.raises(KeyboardInterrupt):
            pipeline(release, out, [Stream(release.sources[0], "data", interrupted())], progress=False)
    assert tree_digest(project / "dist") == before
    assert [p.name for p in (project / "dist").iterdir()] == ["1.0.0"]
    assert not (project / "fresh").exists()


def page_data(page: Path) -> dict[str, Any]:
    html = page.read_text(encoding="utf-8")
    return json.loads(html.split('<script type="application/json" id="data">', 1)[1].split("</script>", 1)[0])


def baseline_rows(card: str) -> list[list[str]]:
    table = card.split("## Baselines", 1)[1].split("\n## ", 1)[0]
    return [line.strip("| ").split(" | ") for line in table.splitlines() if line.startswith("| ")][1:]


def test_build_report_is_the_report_of_the_written_release(project: Path, tmp_path: Path) -> None:
    """The build gathers the page's statistics and articles while it writes; `newserrata report` reads
    the written release back. Both give the same bytes, and the card says its baselines cover every record."""
    add_articles(project / "data", 20)
    folder = build(project / "release.toml", project / "dist", progress=False).folder
    out = tmp_path / "report.html"
    assert main(["report", str(folder), "--out", str(out), "--json", "-"]) == 0
    assert out.read_bytes() == (folder / "report.html").read_bytes()
    assert page_data(out)["sampled"] is None
    counts = {split: len(records) for split, records in rows(folder).items()}
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert (f"Computed on all {counts['test']} records of the test split and all {counts['validation']} records of "
            "the validation split.") in card
    assert {(r[0], r[2]) for r in baseline_rows(card)} == {(s, str(n)) for s, n in counts.items()}


def test_a_large_build_samples_the_page_and_scores_the_baselines_on_every_record(project: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the report's limit the page embeds the records with the smallest sha256 of their id (what
    `newserrata report --limit` picks), while the statistics and the card's baselines still cover every
    record."""
    monkeypatch.setattr(build_module, "LIMIT", 10)
    add_articles(project / "data", 30)
    folder = build(project / "release.toml", project / "dist", progress=False).folder
    out = tmp_path / "report.html"
    assert main(["report", str(folder), "--out", str(out), "--limit", "10", "--json", "-"]) == 0
    assert out.read_bytes() == (folder / "report.html").read_bytes()
    written = split_of(folder)
    data = page_data(out)
    assert (data["summary"]["records"], data["summary"]["embedded"], data["sampled"]) == (len(written), 10, "hash")
    chosen = sorted(written, key=lambda i: hashlib.sha256(i.encode("utf-8")).digest())[:10]
    assert sorted(r["id"] for r in data["records"]) == sorted(chosen)
    card = (folder / "README.md").read_text(encoding="utf-8")
    for split in ("test", "validation"):
        taken = sum(written[i] == split for i in chosen)
        total = sum(s == split for s in written.values())
        assert taken < total
        assert f"all {total} records of the {split} split" in card
        assert {r[2] for r in baseline_rows(card) if r[0] == split} == {str(total)}
