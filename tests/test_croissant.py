"""croissant.json: written by every build, valid and loadable with mlcroissant, rows equal to the parquet rows,
RAI fields quoted from the datasheet, the same bytes for the same inputs, and published with the version."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import mlcroissant as mlc
import pyarrow.parquet as pq
import pytest
from conftest import write_native_data, write_release

from newserrata.build import build
from newserrata.croissant import RAI, answers, croissant, rai_fields
from newserrata.errors import InputError
from newserrata.manifest import file_digest
from newserrata.publish import verify
from newserrata.release import load
from newserrata.write import features


def built(root: Path, *, lock: bool = False) -> Path:
    write_native_data(root / "data")
    release = write_release(root / "data" / "release.toml", data=".", salt="croissant-tests-salt-01", validation=0.5)
    return build(release, root / "dist", lock=lock, progress=False).folder


def plain(value: Any) -> Any:
    """mlcroissant's record (ids as keys, text as bytes) in the parquet row's shape."""
    if isinstance(value, dict):
        return {k.rsplit("/", 1)[-1]: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value.decode("utf-8") if isinstance(value, bytes) else value


def without_nested_lists(row: dict[str, Any]) -> dict[str, Any]:
    return row | {"annotations": [{k: v for k, v in a.items() if k not in ("spans", "source_spans")}
                                  for a in row["annotations"]],
                  "metadata": {k: v for k, v in row["metadata"].items() if k != "edit_types"}}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built(tmp_path_factory.mktemp("croissant"), lock=True)


def test_croissant_validates_and_loads_the_parquet_rows(folder: Path) -> None:
    dataset = mlc.Dataset(str(folder / "croissant.json"))
    assert not dataset.metadata.issues.errors
    record_sets = sorted(r.uuid for r in dataset.metadata.record_sets)
    parquet = sorted(folder.glob("data/*/*.parquet"))
    assert record_sets == sorted({f"{p.parent.name}/{p.name.split('-')[0]}" for p in parquet})
    for record_set in record_sets:
        config, split = record_set.split("/")
        shards = sorted(folder.glob(f"data/{config}/{split}-*.parquet"))
        rows = [r for p in shards for r in pq.read_table(p).to_pylist()]
        loaded = [plain(r) for r in dataset.records(record_set)]
        assert rows and loaded == [without_nested_lists(r) for r in rows], record_set


def test_fields_files_and_rai_come_from_the_build(folder: Path) -> None:
    document = json.loads((folder / "croissant.json").read_text(encoding="utf-8"))
    assert "http://mlcommons.org/croissant/RAI/1.0" in document["conformsTo"]
    files = {d["contentUrl"]: d["sha256"] for d in document["distribution"] if d["@type"] == "cr:FileObject"}
    assert files == {p.relative_to(folder).as_posix(): file_digest(p).sha256 for p in folder.glob("data/*/*.parquet")}
    [test_set] = [r for r in document["recordSet"] if r["@id"] == "default/test"]
    assert [f["name"] for f in test_set["field"]] == list(features())
    [annotations] = [f for f in test_set["field"] if f["name"] == "annotations"]
    assert [f["name"] for f in annotations["subField"]] == ["annotator_id", "annotator_kind", "no_errors", "mqm_score"]
    told = answers((folder / "DATASHEET.md").read_text(encoding="utf-8"))
    assert document["rai:dataCollection"].startswith(told["How was the data acquired?"])
    assert told["Does the dataset contain sensitive personal data?"] in document["rai:personalSensitiveInformation"]
    assert set(RAI) <= set(document) and all(document[k] for k in RAI)
    assert document["license"] == ["https://spdx.org/licenses/CC-BY-4.0.html"]
    assert document["citeAs"].startswith("@misc{newserrata,")


def test_the_same_inputs_give_the_same_bytes_and_the_file_is_published(folder: Path, tmp_path: Path) -> None:
    again = built(tmp_path)
    assert (again / "croissant.json").read_bytes() == (folder / "croissant.json").read_bytes()
    assert "croissant.json" in json.loads((folder / "MANIFEST.json").read_text())["files"]
    release_file = folder.parents[1] / "data" / "release.toml"
    assert "croissant.json" in [f.path for f in verify(folder, release_file).files]


def test_a_datasheet_without_an_answer_is_named() -> None:
    with pytest.raises(InputError, match=r"DATASHEET.md: /: no answer to \*\*Labelling.\*\*"):
        rai_fields("**How was the data acquired?** By hand.", "DATASHEET.md")


def test_a_license_the_hub_does_not_know_points_at_the_card_s_licenses_section(folder: Path) -> None:
    release = load(folder.parents[1] / "data" / "release.toml")
    other = replace(release.sources[0], license="other")
    document = croissant(folder, release, [other])
    assert document["license"] == [f"https://huggingface.co/datasets/{release.hub_repo}#licenses"]
