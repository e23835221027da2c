"""data/release.toml: the one recipe a version is built from, checked before any work starts.

The file is checked against a JSON Schema made from the registered source kinds (each kind's own
keys, types and defaults), so a key is right or wrong per kind; schema/release.schema.json is
that schema for the kinds shipped here, for editors and other tools. Every problem names the file,
the line and the key, so a maintainer can fix the recipe without reading code; all problems are
reported at once.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jsonschema

from newserrata import schemas
from newserrata.errors import Problems
from newserrata.jsonl import BOUNDS_HINT, MAX_DEPTH
from newserrata.paths import hint, read_input
from newserrata.sources import Source, SourceKind, kinds

SEMVER = r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$"
NAME = r"^[a-z0-9][a-z0-9_-]*$"
SPLIT = r"^[a-z0-9][a-z0-9_]*$"
SHA256 = r"^[0-9a-f]{64}$"
HTTPS = r"^https://[^/\s]+/\S+$"
JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}
COMMON: dict[str, tuple[type, str]] = {
    "name": (str, "the source's name: a config of the dataset and the prefix of its ids"),
    "kind": (str, "the input format, one of the registered source kinds"),
    "license": (str, "SPDX id of the source's license"),
    "citation": (str, "BibTeX of the work to cite for this source"),
    "enabled": (bool, "false leaves the source out of every build"),
    "domain": (str, "text domain of the records"),
    "homepage": (str, "where the source is described"),
    "description": (str, "one sentence for the card"),
}
FILE_KEYS: dict[str, tuple[type, str]] = {
    "url": (str, "https address of the pinned file (local copies go through --source-file)"),
    "sha256": (str, "sha256 of the file, 64 lower-case hex digits"),
    "size": (int, "size of the file in bytes"),
}
FOLDER_KEYS: dict[str, tuple[type, str]] = {"path": (str, "a local folder, relative to the release file")}
PATTERNS = {"name": (NAME, "lower-case letters, digits, - and _"), "url": (HTTPS, "an https:// address"),
            "sha256": (SHA256, "pin the download: sha256sum FILE")}


@dataclass(frozen=True, slots=True)
class Release:
    file: Path
    name: str
    version: str
    salt: str
    pretty_name: str
    hub_repo: str
    splits: dict[str, float]
    sources: list[Source] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        """Relative source paths and data/releases/ live beside the release file."""
        return self.file.parent

    def lock_path(self) -> Path:
        return self.folder / "releases" / f"{self.version}.lock.json"

    def enabled(self) -> list[Source]:
        return [s for s in self.sources if s.enabled]


def _property(kind: type, help: str, choices: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {"type": JSON_TYPES[kind], "description": help}
    if choices:
        out["enum"] = list(choices)
    return out


def source_schema(importer: SourceKind) -> dict[str, Any]:
    """The keys one kind's [[sources]] entry takes."""
    own = FILE_KEYS if importer.input == "file" else FOLDER_KEYS
    properties = {key: _property(kind, help) for key, (kind, help) in (COMMON | own).items()}
    for key, (pattern, _) in PATTERNS.items():
        if key in properties:
            properties[key]["pattern"] = pattern
    if "size" in properties:
        properties["size"]["minimum"] = 1
    properties["kind"] = {"const": importer.name, "description": importer.description}
    required = ["name", "kind", "license", "citation", "enabled", *own]
    for role in importer.extra_files:
        for key, (kind, help) in FILE_KEYS.items():
            properties[f"{role}_{key}"] = _property(kind, f"{role} file: {help}")
            required.append(f"{role}_{key}")
        properties[f"{role}_url"]["pattern"] = HTTPS
        properties[f"{role}_sha256"]["pattern"] = SHA256
        properties[f"{role}_size"]["minimum"] = 1
    for option in importer.options:
        properties[option.name] = _property(option.type, option.help, option.choices)
        if option.default is not None:
            properties[option.name]["default"] = option.default
        if option.required:
            required.append(option.name)
    return {"type": "object", "additionalProperties": False, "required": required, "properties": properties}


def release_schema() -> dict[str, Any]:
    """The release file's JSON Schema, made from the registered kinds."""
    registered = kinds()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://schema.newserrata.org/v1/release.schema.json",
        "title": "A release recipe (data/release.toml)",
        "description": "What `newserrata build` makes one version of the dataset from. Made from the "
                       "registered source kinds by newserrata.release.release_schema(); a test keeps this "
                       "file equal to it.",
        "type": "object",
        "additionalProperties": False,
        "required": ["dataset", "splits", "sources"],
        "properties": {
            "dataset": {
                "type": "object", "additionalProperties": False, "description": "the dataset's identity and version",
                "required": ["name", "version", "salt", "pretty_name", "hub_repo"],
                "properties": {
                    "name": {"type": "string", "description": "the dataset's name"},
                    "version": {"type": "string", "pattern": SEMVER, "description": "MAJOR.MINOR.PATCH"},
                    "salt": {"type": "string", "minLength": 16,
                             "description": "fixed for the dataset's life: splits hash (salt, group_id)"},
                    "pretty_name": {"type": "string", "description": "the card's title"},
                    "hub_repo": {"type": "string", "description": "owner/name of the dataset on the Hub"},
                },
            },
            "splits": {
                "type": "object", "minProperties": 1,
                "propertyNames": {"pattern": SPLIT},
                "additionalProperties": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                "description": "each split's share of the groups; the shares add up to 1",
            },
            "sources": {
                "type": "array", "minItems": 1, "description": "where the records come from, one entry a source",
                "items": {
                    "type": "object", "required": ["kind"],
                    "properties": {"kind": {"enum": list(registered), "description": "the registered source kinds"}},
                    "allOf": [{"if": {"properties": {"kind": {"const": name}}, "required": ["kind"]},
                               "then": {"$ref": f"#/$defs/{name}"}} for name in registered],
                },
            },
        },
        "$defs": {name: source_schema(importer) for name, importer in registered.items()},
    }


PYTHON_TYPES = {"string": "str", "boolean": "bool", "integer": "int", "number": "float", "object": "table",
                "array": "array of tables"}


def _pointer(path: list[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out


def _schema_problems(error: jsonschema.ValidationError, file: str, problems: Problems) -> None:
    """One jsonschema error as release-file problems worded for a maintainer, each naming its key."""
    where, value, rule = _pointer(list(error.absolute_path)), error.instance, error.validator
    key = where.rsplit(".", 1)[-1].split("[")[0]
    table = "[[sources]] entry" if where.startswith("sources[") else f"[{where}]" if where else "the file"
    if rule == "required":
        for missing in [k for k in error.validator_value if k not in value]:
            if not where:
                problems.add(file, None, missing, f"missing [{missing}] table",
                             "add [dataset], [splits] and at least one [[sources]] block")
            else:
                problems.add(file, None, f"{where}.{missing}", "missing", f"add {missing} to this {table}")
    elif rule == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        for extra in [k for k in value if k not in allowed]:
            if not where:
                problems.add(file, None, extra, f"unknown table {extra!r}", "allowed: [dataset], [splits], [[sources]]")
            else:
                kind = f"a {value['kind']!r} source" if where.startswith("sources[") else table
                problems.add(file, None, f"{where}.{extra}", f"unknown key {extra!r}",
                             f"{kind} takes {', '.join(allowed)}")
    elif rule == "type":
        expected = PYTHON_TYPES.get(str(error.validator_value), str(error.validator_value))
        problems.add(file, None, where, f"expected {expected}, got {type(value).__name__}", "fix the value's type")
    elif rule == "enum" and key == "kind":
        problems.add(file, None, where, f"unknown kind {value!r}",
                     f"one of {', '.join(error.validator_value)} (a new kind is a module in newserrata/sources/)")
    elif rule == "enum":
        problems.add(file, None, where, f"{value!r} is not one of {', '.join(map(str, error.validator_value))}",
                     "pick one of them")
    elif rule == "pattern" and key == "version":
        problems.add(file, None, where, f"{value!r} is not MAJOR.MINOR.PATCH", 'e.g. version = "1.0.0"')
    elif rule == "pattern" and key.rsplit("_", 1)[-1] in PATTERNS:
        key = key.rsplit("_", 1)[-1]
        problems.add(file, None, where, f"{value!r} is not {'a valid config name' if key == 'name' else 'valid'}"
                     + (" (release files pin https downloads only)" if key == "url" else ""),
                     PATTERNS[key][1] + ("; use --source-file NAME=PATH for a local copy" if key == "url" else ""))
    elif rule == "pattern" and where == "splits":
        problems.add(file, None, f"splits.{value}",
                     "split names are lower-case letters, digits and _ (no -, so that no split's file pattern "
                     "matches another split's files)", "rename the split")
    elif rule == "minLength" and key == "salt":
        problems.add(file, None, where, "too short to be a random salt", "use 16 or more random characters")
    elif rule in ("exclusiveMinimum", "maximum") and where.startswith("splits."):
        problems.add(file, None, where, f"fraction {value!r} is not a number in (0, 1]",
                     "give each split its share of the groups")
    elif rule == "minimum" and key == "size":
        problems.add(file, None, where, f"size {value} is not a file size in bytes", "stat -c %s FILE")
    elif rule in ("minItems", "minProperties"):
        problems.add(file, None, where, f"no {'[[sources]] entries' if where == 'sources' else 'splits'}",
                     "add at least one [[sources]] block" if where == "sources" else "e.g. validation = 0.3")
    else:
        problems.add(file, None, where, error.message, "see schema/release.schema.json")


def _source(data: dict[str, Any], folder: Path) -> Source:
    importer = kinds()[data["kind"]]
    common = {k: v for k, v in data.items() if k in COMMON or k in FILE_KEYS or k in FOLDER_KEYS}
    if "path" in common:
        common["path"] = (folder / common["path"]).resolve()
    options = {o.name: data.get(o.name, o.default) for o in importer.options}
    options |= {f"{role}_{key}": data[f"{role}_{key}"] for role in importer.extra_files for key in FILE_KEYS}
    return Source(**common, options=MappingProxyType(options))


def load(path: Path) -> Release:
    """The release recipe, or InputError listing every problem with its file:line and key."""
    path = Path(path)
    file = str(path)
    problems = Problems()
    try:
        raw = read_input(path)
        if raw.startswith(b"\xef\xbb\xbf"):
            problems.add(file, 1, "", "starts with a byte-order mark (BOM)", "save the file as UTF-8 without a BOM")
            problems.raise_if_any()
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        problems.add(file, None, "", f"cannot read release file: {exc.strerror}", hint(exc, "pass --release PATH"))
        problems.raise_if_any()
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.add(file, line, "", f"not valid UTF-8: {exc.reason}", "re-save the file as UTF-8")
        problems.raise_if_any()
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"at line (\d+)", str(exc))
        problems.add(file, int(at[1]) if at else None, "", f"not valid TOML: {exc}", "fix the syntax")
        problems.raise_if_any()
    except (ValueError, RecursionError) as exc:  # an integer past Python's 4300 digits, arrays nested past its stack
        long = isinstance(exc, ValueError)
        at = re.search(r"\d{4300}" if long else r"(?:[\[{]\s*){" + str(MAX_DEPTH) + "}", text)
        problems.add(file, text.count("\n", 0, at.start()) + 1 if at else None, "",
                     "an integer of more than 4300 digits" if long else
                     f"arrays or tables nested deeper than {MAX_DEPTH} levels", BOUNDS_HINT)
        problems.raise_if_any()
    _check(data, file, problems)
    problems[:] = [p if p.line is not None else replace(p, line=key_line(text, p.pointer)) for p in problems]
    problems.raise_if_any()
    dataset = data["dataset"]
    return Release(path.resolve(), dataset["name"], dataset["version"], dataset["salt"], dataset["pretty_name"],
                   dataset["hub_repo"], {k: float(v) for k, v in data["splits"].items()},
                   [_source(s, path.parent) for s in data["sources"]])


def _check(data: dict[str, Any], file: str, problems: Problems) -> None:
    """The schema's verdict, then what a schema cannot say: shares that add up, unique names."""
    validator = schemas.ECMAValidator(release_schema())
    found = Problems()
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        _schema_problems(error, file, found)
    problems.extend(dict.fromkeys(found))  # a key several schema branches require is missing once
    splits = data.get("splits")
    if isinstance(splits, dict) and splits and all(isinstance(v, int | float) for v in splits.values()):
        finite = [name for name, share in splits.items() if not math.isfinite(share)]
        for name in finite:  # TOML has nan and inf; every comparison with nan is false, so the schema lets it by
            problems.add(file, None, f"splits.{name}", f"fraction {splits[name]!r} is not a number in (0, 1]",
                         "give each split its share of the groups")
        if not finite and not abs(sum(splits.values()) - 1) <= 1e-9:
            problems.add(file, None, "splits", f"fractions sum to {sum(splits.values())}, not 1",
                         "make them add up to 1")
    entries = data.get("sources")
    if isinstance(entries, list) and entries and all(isinstance(s, dict) and s.get("enabled") is False
                                                     for s in entries):
        problems.add(file, None, "sources", "every source is disabled: the release would have no records",
                     "set enabled = true for at least one [[sources]] entry")
    seen: set[str] = set()
    for i, source in enumerate(data.get("sources") or []):
        name = source.get("name") if isinstance(source, dict) else None
        if isinstance(name, str) and (name in seen or name == "default"):
            problems.add(file, None, f"sources[{i}].name", f"name {name!r} is taken",
                         "source names are unique and not 'default' (they become config names)")
        seen.add(name)


def key_line(text: str, pointer: str) -> int | None:
    """The line of a key such as `sources[1].url` (or of its table when the key is missing), so that a
    problem reads file:line like every other input error. Plain `key = value` lines only: enough for
    a hand-written recipe; anything else falls back to the table's header."""
    found = re.fullmatch(r"([A-Za-z0-9_-]+)(?:\[(\d+)\])?(?:\.([A-Za-z0-9_-]+))?", pointer)
    if found is None:
        return None
    table, index, key = found.groups()
    lines = text.split("\n")
    header = re.compile(rf"\s*\[\[?\s*{re.escape(table)}\s*\]\]?\s*(#.*)?")
    starts = [n for n, line in enumerate(lines) if header.fullmatch(line)]
    if index is not None:
        starts = starts[int(index):int(index) + 1]
    if not starts:
        return None
    if key is not None:
        assignment = re.compile(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for n in range(starts[0] + 1, len(lines)):
            if lines[n].lstrip().startswith("["):
                break
            if assignment.match(lines[n]):
                return n + 1
    return starts[0] + 1

