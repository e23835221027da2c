"""The JSON Schemas are the contract: well-formed, strict, documented, taxonomy defined once,
and the example instances in tests/fixtures/examples/ behave as their names say."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest

from newserrata import schemas
from newserrata.checks import check_record
from newserrata.errors import Problems
from newserrata.records import Record
from newserrata.taxonomy import CATEGORIES, CATEGORY_ORDER, SEVERITIES

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "schema"
PACKAGE = ROOT / "builder" / "newserrata"
EXAMPLES = ROOT / "tests" / "fixtures" / "examples"
SCHEMA_FILES = sorted(SCHEMA_DIR.glob("*.schema.json"))


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def walk(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema (any dict) with its location, descending into lists too."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            if key in ("enum", "const", "required", "examples"):
                continue
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}/{i}")


def is_condition(where: str) -> bool:
    """`if` and `not` subschemas test an instance rather than describe one; they need neither rule."""
    return any(part in ("if", "not") for part in where.split("/"))


def property_schemas(schema: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for where, node in walk(schema):
        if isinstance(node.get("properties"), dict) and not where.endswith("/properties") and not is_condition(where):
            for name, sub in node["properties"].items():
                yield f"{where}/properties/{name}", sub


def test_schema_folder_holds_exactly_the_known_kinds() -> None:
    assert sorted(p.name.removesuffix(".schema.json") for p in SCHEMA_FILES) == sorted(schemas.KINDS)
    assert schemas.schema_dir().resolve() == SCHEMA_DIR


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_schema_is_valid_draft_2020_12(path: Path) -> None:
    schema = load(path)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith("/" + path.name)
    assert isinstance(schema.get("$defs"), dict)
    assert schema.get("title") and schema.get("description")


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_jsonschema_rs_builds_schema_with_cross_file_refs(path: Path) -> None:
    registry = jsonschema_rs.Registry([(s["$id"], s) for s in map(load, SCHEMA_FILES)])
    validator = jsonschema_rs.validator_for(load(path), registry=registry)
    assert validator.is_valid({}) is (path.name == "taxonomy.schema.json")


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_object_forbids_additional_properties(path: Path) -> None:
    def closed(node: dict[str, Any]) -> bool:
        """No extra keys, a map whose values all have one schema, or a choice among closed schemas by kind."""
        extra = node.get("additionalProperties")
        return extra is False or isinstance(extra, dict) or all("then" in c for c in node.get("allOf", [{}]))

    loose = [where for where, node in walk(load(path))
             if (node.get("type") == "object" or "properties" in node) and not where.endswith("/properties")
             and not is_condition(where) and not closed(node)]
    assert loose == []


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_property_has_a_description(path: Path) -> None:
    undocumented = [where for where, sub in property_schemas(load(path))
                    if not (isinstance(sub, dict) and str(sub.get("description", "")).strip())]
    assert undocumented == []


def test_walker_finds_properties() -> None:
    # Guard against a walker that silently finds nothing and makes the checks above vacuous.
    found = [where for where, _ in property_schemas(load(SCHEMA_DIR / "record.schema.json"))]
    assert "#/properties/soft_labels" in found
    assert "#/$defs/annotation/properties/source_spans" in found
    assert len(found) > 40


def test_offsets_are_documented_as_code_points_with_a_utf16_note() -> None:
    offset = load(SCHEMA_DIR / "taxonomy.schema.json")["$defs"]["offset"]["description"]
    assert "code point" in offset and "UTF-16" in offset and "NFC" in offset


def test_taxonomy_matches_the_benchmark_definition() -> None:
    """The benchmark's 21 categories in their order, plus the two that summaries and category-less corpora
    need: intrinsic summary errors are not MT mistranslations, and an unknown category is not a guessed one."""
    benchmark = [c for c in CATEGORIES if c not in ("accuracy/distortion", "unspecified")]
    assert len(benchmark) == 21 and len(set(CATEGORIES)) == 23
    assert SEVERITIES == ("major", "minor", "neutral")
    assert benchmark[0] == "accuracy/mistranslation" and benchmark[-1] == "other"
    assert CATEGORIES[-1] == "unspecified"
    assert list(CATEGORY_ORDER) == list(CATEGORIES)
    assert all(c.count("/") <= 1 for c in CATEGORIES)


def taxonomy_values() -> set[str]:
    return set(CATEGORIES) | set(SEVERITIES)


@pytest.mark.parametrize("path", [p for p in SCHEMA_FILES if p.name != "taxonomy.schema.json"], ids=lambda p: p.name)
def test_other_schemas_reference_the_taxonomy_instead_of_copying_it(path: Path) -> None:
    schema = load(path)
    copied = [where for where, node in walk(schema)
              if set(map(str, node.get("enum", []))) & taxonomy_values()
              or node.get("const") in taxonomy_values()]
    assert copied == []
    refs = {node["$ref"] for _, node in walk(schema) if "$ref" in node}
    if '"category"' in path.read_text(encoding="utf-8"):
        assert "taxonomy.schema.json#/$defs/category" in refs
        assert "taxonomy.schema.json#/$defs/severity" in refs


def literal_collections(source: str) -> Iterator[tuple[int, list[str]]]:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            strings = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            yield node.lineno, strings


def hard_coded_lists(source: str) -> list[int]:
    """Lines of list/tuple/set literals that spell out several categories or all severities."""
    return [line for line, strings in literal_collections(source)
            if len(set(strings) & set(CATEGORIES)) >= 3 or set(SEVERITIES) <= set(strings)]


def test_hard_coded_list_detector_works() -> None:
    assert hard_coded_lists('X = ("major", "minor", "neutral")\n') == [1]
    assert hard_coded_lists('Y = ["fluency/grammar", "fluency/spelling", "other"]\n') == [1]
    assert hard_coded_lists('Z = {"major", "minor"}\nW = {"a": "other"}\n') == []


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_python_package_has_no_hard_coded_taxonomy_lists(path: Path) -> None:
    assert hard_coded_lists(path.read_text(encoding="utf-8")) == []


# Example instances -------------------------------------------------------------------------------

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))


def kind_of(path: Path) -> tuple[str, bool]:
    kind, verdict, _ = path.stem.split("-", 2)
    assert kind in schemas.KINDS and verdict in ("valid", "invalid"), path.name
    return kind, verdict == "valid"


def test_examples_cover_every_instance_kind_both_ways() -> None:
    seen = {kind_of(p) for p in EXAMPLE_FILES}
    for kind in ("article", "labels", "record", "prediction"):
        assert (kind, True) in seen and (kind, False) in seen


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_verdict(path: Path) -> None:
    kind, valid = kind_of(path)
    instance = load(path)
    fast = list(schemas.schema_errors(kind, instance))
    reference = schemas.reference_errors(kind, instance)
    assert (not fast) is valid, fast
    assert (not reference) is valid, reference
    assert schemas.is_valid(kind, instance) is valid


@pytest.mark.parametrize("path", [p for p in EXAMPLE_FILES if p.stem.startswith("record-valid")], ids=lambda p: p.stem)
def test_valid_record_examples_round_trip_and_pass_semantic_checks(path: Path) -> None:
    d = load(path)
    assert Record.from_dict(d).to_dict() == d
    assert list(Record.from_dict(d).to_dict()) == list(json.loads(json.dumps(Record.from_dict(d).to_dict())))
    problems = Problems()
    check_record(d, (path.name, 1), problems)  # derived fields in the examples were computed by hand
    assert problems == []


def test_record_to_dict_key_order_is_the_schema_order() -> None:
    d = load(EXAMPLES / "record-valid-two-annotators.json")
    assert list(Record.from_dict(d).to_dict()) == load(SCHEMA_DIR / "record.schema.json")["required"]


def test_record_to_dict_validates_for_a_fresh_record() -> None:
    from newserrata.aggregate import aggregate
    from newserrata.records import Annotation, Span

    typo = Span(6, 11, "wrold", "fluency/spelling", "minor")
    r = aggregate(Record(id="r1", group_id="g1", source="native", language="en", text="Hello wrold",
                         annotations=[Annotation("a", "maintainer", [typo])], license="CC0-1.0"))
    assert list(schemas.schema_errors("record", r.to_dict())) == []
