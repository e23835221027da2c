"""The safety net for refactoring: a fixture release mixing every source kind, built and compared file by
file with a committed digest. A change that alters a released byte fails here; when the change is meant
(new fields, new rules), regenerate the digest with `NEWSERRATA_WRITE_DIGEST=1 pytest tests/test_release_digest.py`
and say why in the commit."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from conftest import remote_source, tree_digest, write_native_data, write_release

from newserrata.build import build

FIXTURES = Path(__file__).parent / "fixtures"
DIGEST = FIXTURES / "release-digest.json"
MQM = FIXTURES / "mqm" / "sxs_mqm_fixture_zhen.tsv"
XSUM = FIXTURES / "xsum" / "hallucination_annotations_xsum_summaries.csv"
FACTUALITY = FIXTURES / "xsum" / "factuality_annotations_xsum_summaries.csv"
SUMMEDITS = FIXTURES / "summedits" / "summedits_news.json"
TOFUEVAL = FIXTURES / "tofueval" / "mediasum_factual_eval_dev.csv"
TOFUEVAL_TEST = FIXTURES / "tofueval" / "mediasum_factual_eval_test.csv"
WMTQE = FIXTURES / "wmtqe" / "2021_en-de_fixture_processed.tsv"


def pin(role: str, path: Path) -> str:
    """The release keys of a source's further pinned file ROLE."""
    blob = path.read_bytes()
    return (f'{role}_url = "https://example.org/{path.name}"\n{role}_sha256 = "{hashlib.sha256(blob).hexdigest()}"\n'
            f"{role}_size = {len(blob)}\n")
ARTICLES = {"articles_test": FIXTURES / "xsum" / "AggreFact-Unified-test.xlsx",
            "articles_val": FIXTURES / "xsum" / "AggreFact-Unified-val.xlsx"}


def build_fixture_release(root: Path) -> Path:
    write_native_data(root / "data")
    extra = pin("factuality", FACTUALITY) + "".join(pin(role, path) for role, path in ARTICLES.items())
    sources = (remote_source("wmt-fix", "wmt-mqm", MQM, extra='source_language = "zh"\ntarget_language = "en"\n')
               + remote_source("xsum-fix", "xsum-hallucinations", XSUM, extra=extra)
               + remote_source("summedits-fix", "summedits", SUMMEDITS)
               + remote_source("tofueval-fix", "tofueval", TOFUEVAL, extra=pin("test", TOFUEVAL_TEST))
               + remote_source("wmtqe-fix", "wmt-qe-mqm", WMTQE))
    release = write_release(root / "release.toml", salt="digest-salt-0123456789abcdef", extra_sources=sources)
    result = build(release, root / "dist", sources_dir=FIXTURES, offline=True, progress=False)
    assert not result.partial and set(result.counts["test"]) == {"native", "wmt-fix", "xsum-fix", "summedits-fix",
                                                                  "tofueval-fix", "wmtqe-fix"}
    assert all(sum(result.counts[s][name] for s in result.counts) for name in result.counts["test"])
    return result.folder


def test_fixture_release_is_byte_identical_to_the_committed_digest(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSERRATA_CACHE", str(tmp_path / "cache"))
    digest = tree_digest(build_fixture_release(tmp_path))
    if os.environ.get("NEWSERRATA_WRITE_DIGEST") == "1":
        DIGEST.write_text(json.dumps(digest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(DIGEST.read_text(encoding="utf-8"))
    differing = sorted(k for k in expected.keys() | digest.keys() if expected.get(k) != digest.get(k))
    assert not differing, f"released bytes changed: {differing}"
