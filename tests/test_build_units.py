"""The build's parts on their own: release file errors, split stability, the sorted parquet writer."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from conftest import tree_digest

from newserrata import write
from newserrata.aggregate import Alpha, aggregate
from newserrata.errors import InputError, Problems
from newserrata.manifest import Digest, check_lock
from newserrata.records import Annotation, Record, Span
from newserrata.release import load
from newserrata.split import LeakCheck, assign, bucket
from newserrata.stats import alpha_of

GOOD = """
[dataset]
name = "newserrata"
version = "1.2.3"
salt = "0123456789abcdef0123"
pretty_name = "x"
hub_repo = "o/x"

[splits]
validation = 0.3
test = 0.7

[[sources]]
name = "native"
kind = "native"
path = "."
license = "other"
citation = "c"
enabled = true
"""


def test_release_file_loads_and_resolves_paths(tmp_path: Path) -> None:
    path = tmp_path / "release.toml"
    path.write_text(GOOD, encoding="utf-8")
    release = load(path)
    assert release.version == "1.2.3" and release.splits == {"validation": 0.3, "test": 0.7}
    assert release.sources[0].path == tmp_path and release.lock_path() == tmp_path / "releases" / "1.2.3.lock.json"


@pytest.mark.parametrize(("edit", "key", "message"), [
    (('version = "1.2.3"', 'version = "1.2"'), "dataset.version", "MAJOR.MINOR.PATCH"),
    (('test = 0.7', 'test = 0.6'), "splits", "sum to"),
    (('hub_repo = "o/x"\n', ""), "dataset.hub_repo", "missing"),
    (('path = "."', 'path = "."\nurl = "https://127.0.0.1/x"'), "sources[0].url", "unknown key"),
    (('kind = "native"\npath = "."', 'kind = "wmt-mqm"\nurl = "https://h/x.tsv"\nsize = 3'), "sources[0].sha256",
     "missing"),
    (('kind = "native"\npath = "."', f'kind = "wmt-mqm"\nurl = "file:///x.tsv"\nsize = 3\nsha256 = "{"0" * 64}"'),
     "sources[0].url", "https"),
    (('kind = "native"\npath = "."', 'kind = "wmt-mqm"\npath = "."'), "sources[0].path", "unknown key"),
    (('validation = 0.3', 'test-b = 0.3'), "splits.test-b", "no -"),
    (('enabled = true', 'enabled = "yes"'), "sources[0].enabled", "expected bool"),
    (('kind = "native"', 'kind = "csv"'), "sources[0].kind", "unknown kind"),
    (('license = "other"', 'licence = "other"'), "sources[0].licence", "unknown key"),
    (('name = "native"', 'name = "default"'), "sources[0].name", "is taken"),
    (('[splits]', '[split]'), "split", "unknown table"),
])
def test_release_errors_name_the_file_and_the_key(tmp_path: Path, edit: tuple[str, str], key: str,
                                                  message: str) -> None:
    path = tmp_path / "release.toml"
    path.write_text(GOOD.replace(*edit), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load(path)
    found = [p for p in caught.value.problems if p.pointer == key]
    assert found, caught.value
    assert found[0].file == str(path) and message in found[0].message and found[0].hint
    line = path.read_text(encoding="utf-8").split("\n")[found[0].line - 1]
    assert key.split(".")[-1].split("[")[0] in line or line.startswith("[")


def test_a_missing_key_is_one_problem_however_many_schema_branches_require_it(tmp_path: Path) -> None:
    path = tmp_path / "release.toml"
    path.write_text(GOOD.replace('kind = "native"\npath = "."', 'kind = "xsum-hallucinations"\nurl = "https://h/x.csv"'),
                    encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load(path)
    pointers = [p.pointer for p in caught.value.problems]
    assert "sources[0].factuality_url" in pointers and len(pointers) == len(set(pointers))


def test_release_file_with_a_bom_is_named(tmp_path: Path) -> None:
    path = tmp_path / "release.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    with pytest.raises(InputError) as caught:
        load(path)
    assert caught.value.problems[0].line == 1 and "byte-order mark" in caught.value.problems[0].message


def test_release_syntax_error_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "release.toml"
    path.write_text("[dataset\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML") as caught:
        load(path)
    assert caught.value.problems[0].line == 1


def test_split_is_a_pure_function_of_salt_and_group() -> None:
    fractions = {"validation": 0.3, "test": 0.7}
    groups = [f"doc-{n}" for n in range(20000)]
    first = {g: assign("salt-a", g, fractions) for g in groups}
    shuffled = groups[:]
    random.Random(1).shuffle(shuffled)
    assert {g: assign("salt-a", g, fractions) for g in shuffled} == first
    share = Counter(first.values())["validation"] / len(groups)
    assert 0.28 < share < 0.32
    other_salt = sum(first[g] != assign("salt-b", g, fractions) for g in groups)
    assert other_salt > 5000
    assert 0 <= bucket("s", "g") < 1


def test_leak_check_reports_groups_and_ids_in_two_places_and_names_duplicate_texts() -> None:
    problems = Problems()
    leaks = LeakCheck()
    assert leaks.add("a", "g1", "text one", "test", "f", problems) is None
    assert leaks.add("b", "g1", "text two", "validation", "f", problems) is None
    assert leaks.add("c", "g2", "text one", "validation", "f", problems) == "a", "a later text twin is a duplicate"
    leaks.add("a", "g3", "text three", "test", "f", problems)
    messages = [p.message for p in problems]
    assert any("group 'g1' is in both test and validation" in m for m in messages)
    assert any("duplicate record id 'a'" in m for m in messages)
    assert len(problems) == 2


def make_row(n: int) -> dict[str, Any]:
    text = f"Article {n}: the the minister spoke 🎉 on day {n}."
    start = text.index("the the")
    spans = [Span(start, start + 7, "the the", "fluency/repetition", "minor", "Fluency/Grammar", None)]
    record = Record(id=f"r-{n:04d}", group_id=f"g-{n}", source="s", language="en", text=text,
                    annotations=[Annotation("a", "maintainer", spans), Annotation("b", "maintainer", [])],
                    license="other")
    return aggregate(record).to_dict()


def write_split(folder: Path, ids: list[int]) -> list[Path]:
    sorter = write.SortedSplit(folder, "test", folder / ".work")
    for n in ids:
        sorter.add(make_row(n))
    return sorter.close()


def test_sorted_and_shuffled_input_give_identical_shards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny row groups, shards and runs force every path: direct writing, spilling, merging and sharding."""
    monkeypatch.setattr(write, "ROW_GROUP", 3)
    monkeypatch.setattr(write, "SHARD_ROWS", 9)
    monkeypatch.setattr(write, "RUN_BYTES", 1)
    monkeypatch.setattr(write, "MERGE_BATCH", 2)
    ids = list(range(40))
    shuffled = ids[:]
    random.Random(3).shuffle(shuffled)
    half_sorted = ids[:20] + sorted(ids[20:], reverse=True)
    direct = write_split(tmp_path / "direct", ids)
    assert [p.name for p in direct] == [f"test-{i:05d}-of-00005.parquet" for i in range(5)]
    for order, name in ((shuffled, "shuffled"), (half_sorted, "half")):
        files = write_split(tmp_path / name, order)
        assert not (tmp_path / name / ".work").exists() or not any((tmp_path / name / ".work").iterdir())
        assert tree_digest(tmp_path / name) == tree_digest(tmp_path / "direct")
        assert [p.name for p in files] == [p.name for p in direct]
    rows = [r for path in direct for r in pq.read_table(path).to_pylist()]
    assert [r["id"] for r in rows] == [f"r-{n:04d}" for n in ids]
    assert rows[5] == make_row(5)
    assert [pq.read_metadata(direct[0]).row_group(i).num_rows for i in range(3)] == [3, 3, 3]


def test_lock_check_names_changed_outputs_and_tolerates_input_only_changes(tmp_path: Path) -> None:
    lock = {"version": "1.0.0", "inputs": {"native": {"sha256": "a", "size": 1}},
            "outputs": {"README.md": "x", "data/default/test-00000-of-00001.parquet": "y"}}
    same_outputs = {"version": "1.0.0", "inputs": {"native": Digest("b", 1).to_dict()}, "outputs": lock["outputs"]}
    assert check_lock(tmp_path / "l.json", lock, same_outputs) == ["input native changed, outputs unchanged"]
    changed = dict(same_outputs, outputs={"README.md": "x", "data/default/test-00000-of-00001.parquet": "z",
                                          "data/default/validation-00000-of-00001.parquet": "w"})
    with pytest.raises(InputError) as caught:
        check_lock(tmp_path / "l.json", lock, changed)
    text = str(caught.value)
    assert "test-00000-of-00001.parquet changed" in text and "validation-00000-of-00001.parquet added" in text
    assert "bump the version" in text


def test_alpha_from_soft_labels_equals_alpha_from_annotations() -> None:
    rng = random.Random(5)
    text = "x" * 300
    categories = ["accuracy/entity", "fluency/grammar", "source-issue"]
    fast, slow = Alpha(), Alpha()
    for n in range(200):
        annotations = []
        for a in range(rng.choice([1, 2, 3, 4])):
            spans = []
            for _ in range(rng.randrange(5)):
                start = rng.randrange(300)
                end = min(300, start + rng.randrange(40))
                spans.append(Span(start, end, text[start:end], rng.choice(categories),
                                  rng.choice(["major", "minor", "neutral"])))
            annotations.append(Annotation(f"a{a}", "maintainer", spans))
        record = aggregate(Record(f"r{n}", f"g{n}", "s", "en", text, annotations, "other"))
        slow.add(record)
        part = alpha_of(record)
        fast.pairable += part.pairable
        fast.ones += part.ones
        fast.disagreement += part.disagreement
    assert fast.pairable == slow.pairable and fast.ones == slow.ones
    assert fast.disagreement == pytest.approx(slow.disagreement, rel=1e-12)
    assert fast.value() == pytest.approx(slow.value(), rel=1e-12)
