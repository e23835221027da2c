"""The record shape is declared once, in schema/record.schema.json: the parquet features, `Record.to_dict()`
and the card's field table follow it field by field, so a field added to the schema cannot go missing from
the parquet files (`pyarrow.Table.from_pylist` drops unknown keys without a word)."""

from __future__ import annotations

from typing import Any

from newserrata import schemas
from newserrata.card import FIELDS
from newserrata.records import Annotation, Metadata, Record, Segment, SoftLabel, Span, Verdict
from newserrata.write import features, to_table


def resolve(prop: dict[str, Any], base: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    if "$ref" in prop:
        file, _, path = prop["$ref"].partition("#")
        base = schemas.load_schema(file.removesuffix(".schema.json")) if file else base
        prop = base
        for part in path.strip("/").split("/"):
            prop = prop[part]
    return prop, base


def shape(prop: dict[str, Any], base: dict[str, Any]) -> Any:
    """Property names of objects (nested through arrays), in schema order; None for a scalar."""
    prop, base = resolve(prop, base)
    kind = prop.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    if "array" in kinds:
        return [shape(prop["items"], base)]
    if "object" in kinds:
        return {name: shape(p, base) for name, p in prop["properties"].items()}
    return None


def feature_shape(feature: Any) -> Any:
    if isinstance(feature, dict):
        return {name: feature_shape(f) for name, f in feature.items()}
    if hasattr(feature, "feature"):
        return [feature_shape(feature.feature)]
    return None


def value_shape(value: Any, like: Any) -> Any:
    if isinstance(value, dict):
        return {k: value_shape(v, like[k] if isinstance(like, dict) and k in like else None) for k, v in value.items()}
    if isinstance(value, list):
        return [value_shape(value[0], like[0] if like else None)] if value else like
    return None


def full_record() -> Record:
    """Every field and every nested list filled, so every key of the shape appears."""
    label = Span(0, 4, "Putn", "fluency/spelling", "minor", "Fluency/Spelling", "Putin")
    return Record(id="r1", group_id="g1", source="s", language="en", text="Putn said", license="MIT",
                  annotations=[Annotation("a1", "maintainer", [label], [Span(0, 2, "Pu", "source-issue", "minor")],
                                          False, -1.0)],
                  source_text="Putin sagte", source_id="doc-1", source_sha256="0" * 64,
                  source_language="de", system="mt1", process="machine-translation",
                  domain="news", title="T", url="https://example.org", date="2024-01-02",
                  segments=[Segment(0, 9, 0, 11, -1.0)], verdicts=[Verdict("j1", True, "no")],
                  spans=[Span(0, 4, "Putn", "fluency/spelling", "minor")],
                  soft_labels=[SoftLabel(0, 4, 1.0)], agreement=None, mqm_score=-1.0, has_error=True,
                  metadata=Metadata(("entity_modification",), "a topic"))


def record_shape() -> dict[str, Any]:
    record = schemas.load_schema("record")
    return shape(record, record)


def test_parquet_features_have_exactly_the_schema_properties_in_schema_order() -> None:
    assert feature_shape(dict(features())) == record_shape()
    assert list(features()) == list(schemas.load_schema("record")["properties"])


def test_feature_types_follow_the_json_types() -> None:
    f = features()
    assert f["id"].dtype == "string" and f["source_language"].dtype == "string" and f["date"].dtype == "string"
    assert f["num_annotators"].dtype == "int64" and f["agreement"].dtype == "float64"
    assert f["has_error"].dtype == "bool" and f["mqm_score"].dtype == "float64"
    assert f["spans"].feature["start"].dtype == "int64"
    assert f["segments"].feature["source_start"].dtype == "int64"
    assert f["annotations"].feature["spans"].feature["original_category"].dtype == "string"


def test_record_to_dict_has_exactly_the_schema_properties() -> None:
    row = full_record().to_dict()
    assert schemas.is_valid("record", row)
    assert value_shape(row, None) == record_shape()
    assert list(row) == list(schemas.load_schema("record")["properties"])


def test_no_key_of_a_record_is_dropped_on_the_way_to_parquet() -> None:
    row = full_record().to_dict()
    assert to_table([row]).to_pylist() == [row]


def test_the_card_field_table_names_every_schema_property_once_in_schema_order() -> None:
    named = [name.strip() for names, _ in FIELDS for name in names.split(",")]
    assert named == list(schemas.load_schema("record")["properties"])
