"""The JSON Schemas in schema/ are the single source of truth for every file we read or write.

Validation runs on jsonschema-rs (draft 2020-12, about a hundred times faster than the
pure-Python validator) because every built record is validated; `reference_errors` runs the
same schemas on `jsonschema` so tests can show that both give the same verdicts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
from referencing import Registry, Resource

KINDS = ("taxonomy", "article", "labels", "record", "prediction", "release")


def schema_dir() -> Path:
    """schema/ ships inside the wheel; in a source checkout it is the repository's top-level folder."""
    packaged = Path(str(resources.files("newserrata"))) / "schema"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "schema"


@cache
def load_schema(kind: str) -> dict[str, Any]:
    if kind not in KINDS:
        raise ValueError(f"unknown schema kind {kind!r}; expected one of {', '.join(KINDS)}")
    return json.loads((schema_dir() / f"{kind}.schema.json").read_text(encoding="utf-8"))


def all_schemas() -> dict[str, dict[str, Any]]:
    return {kind: load_schema(kind) for kind in KINDS}


@cache
def _validator(kind: str) -> jsonschema_rs.Validator:
    registry = jsonschema_rs.Registry([(s["$id"], s) for s in all_schemas().values()])
    return jsonschema_rs.validator_for(load_schema(kind), registry=registry, validate_formats=True)


def pointer(path: Any) -> str:
    """RFC 6901 JSON pointer of an instance path."""
    parts = (str(p).replace("~", "~0").replace("/", "~1") for p in path)
    return "/" + "/".join(parts) if path else ""


def schema_errors(kind: str, instance: Any) -> Iterator[tuple[str, str]]:
    """(JSON pointer, message) for every schema violation; nothing when valid."""
    validator = _validator(kind)
    if validator.is_valid(instance):
        return
    for error in validator.iter_errors(instance):
        yield pointer(list(error.instance_path)), _short(_message(error))


def _message(error: jsonschema_rs.ValidationError) -> str:
    """An anyOf (a value or null) only says that no branch matched; its branches say why."""
    context = getattr(error.kind, "context", None)
    if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.AnyOf) and context:
        return "; ".join(e.message for branch in context for e in branch)
    return error.message


def _short(message: str, limit: int = 240) -> str:
    """Some messages quote the whole failing instance (a label line can be kilobytes); the pointer says where."""
    return message if len(message) <= limit else message[:limit] + " …"


def is_valid(kind: str, instance: Any) -> bool:
    return _validator(kind).is_valid(instance)


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[jsonschema.ValidationError]:
    """JSON Schema patterns are ECMA-262 regular expressions, where a final `$` matches at the very end and
    `\\d` is an ASCII digit. Python's `$` also matches before a final newline and its `\\d` takes any script's
    digits, so `jsonschema` alone would let "9.9.9\\n" or "１.0.0" pass `^(0|[1-9]\\d*)...$`."""
    if not validator.is_type(instance, "string"):
        return
    ecma = pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith("\\$") else pattern
    if not re.search(ecma, instance, re.ASCII):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


ECMAValidator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _ecma_pattern})
"""The pure-Python validator with JSON Schema's own pattern semantics (jsonschema-rs has them already)."""


def reference_errors(kind: str, instance: Any) -> list[tuple[str, str]]:
    """Same check on the reference implementation `jsonschema`; slow, for cross-checking."""
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in all_schemas().values()
    )
    validator = ECMAValidator(load_schema(kind), registry=registry,
                              format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return [(pointer(list(e.absolute_path)), e.message) for e in validator.iter_errors(instance)]
