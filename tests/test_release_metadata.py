"""The release's own metadata, checked like a benchmark task's: every source says where it comes
from, under which license, how to cite it, and remote sources are pinned to exact bytes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from newserrata.release import load
from newserrata.schemas import load_schema

ROOT = Path(__file__).resolve().parents[1]
RELEASE = load(ROOT / "data" / "release.toml")
COMMIT_URL = re.compile(r"/[0-9a-f]{40}/")
SPDX_OR_OTHER = re.compile(r"^(other|[A-Za-z0-9.+-]+)$")


def test_release_version_is_semver_and_names_a_hub_repo() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", RELEASE.version)
    assert re.fullmatch(r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+", RELEASE.hub_repo)
    assert sorted(RELEASE.splits) == ["test", "validation"]
    assert sum(RELEASE.splits.values()) == pytest.approx(1.0)


@pytest.mark.parametrize("source", RELEASE.sources, ids=lambda s: s.name)
def test_every_source_has_provenance_license_and_citation(source) -> None:
    assert SPDX_OR_OTHER.fullmatch(source.license), source.license
    assert source.citation.strip().startswith("@"), "citation is BibTeX"
    assert source.homepage and source.homepage.startswith("https://")
    assert source.description
    assert source.domain == "news"


@pytest.mark.parametrize("source", [s for s in RELEASE.sources if s.url], ids=lambda s: s.name)
def test_remote_sources_are_pinned_to_a_commit_a_digest_and_a_size(source) -> None:
    for pin in source.importer.pins(source):
        assert COMMIT_URL.search(pin.url), "the URL names an immutable commit, not a branch"
        assert re.fullmatch(r"[0-9a-f]{64}", pin.sha256)
        assert pin.size > 0
    if source.kind == "wmt-mqm":
        assert source.options["source_language"] and source.options["target_language"]


@pytest.mark.parametrize("source", [s for s in RELEASE.sources if s.kind == "native"], ids=lambda s: s.name)
def test_native_articles_carry_their_license_and_provenance(source) -> None:
    metas = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((source.path / "articles").glob("*.json"))]
    assert metas, "a native source has articles"
    processes = set(load_schema("taxonomy")["$defs"]["process"]["enum"])
    for meta in metas:
        assert meta["license"] and meta["notes"], meta["id"]
        assert meta["process"] in processes
