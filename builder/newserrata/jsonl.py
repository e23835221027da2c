"""Reading and writing JSON and JSON Lines with the file and line of every problem.

Every JSON text read anywhere goes through `loads`, which bounds what Python's reader does not:
nesting (json.loads recurses, and so do the validators after it) and integer length (Python
refuses to convert an integer of more than 4300 digits, deep inside json.loads). No file here
nests more than a few levels or holds an integer wider than a file size, so the bounds are far
from any real input and a damaged or hostile file is one located problem, never a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

from newserrata.atomic import atomic_write
from newserrata.errors import Problems
from newserrata.paths import hint, open_input, read_input
from newserrata.text import (
    BOM,
    ESCAPED_SURROGATE,
    SURROGATE_HINT,
    SURROGATE_MESSAGE,
    TextDecodeError,
    decode_utf8,
    lone_surrogate,
)

MAX_DEPTH = 64
"""Arrays and objects inside one another; a label line nests four levels."""
MAX_DIGITS = 20
"""Digits of an integer; a file size in bytes or an offset has far fewer."""
BOUNDS_HINT = "the file is damaged or not the file it should be; restore it, or write it again"
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
# The bounds are checked on the UTF-8 bytes with bytes.translate, which is many times faster than a regex:
# One pass maps every digit to 0, every opening bracket to [ and everything else to a space; the two bounds are
# then a substring test and a count on the mapped bytes.
_SCAN = bytes(48 if 48 <= b <= 57 else 91 if b in b"[{" else 32 for b in range(256))
_LONG_RUN = b"0" * (MAX_DIGITS + 1)
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class JSONError(ValueError):
    """JSON text that is malformed or past a bound, with its 1-based line and column."""

    def __init__(self, message: str, line: int, column: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.column, self.hint = message, line, column, hint


_PLAIN = json.JSONDecoder()


def _blank_strings(text: str) -> str:
    """The text with every string's characters blanked (JSON strings hold no raw newline), so that
    brackets and digits inside strings are not counted and positions still hold."""
    return _STRING.sub(lambda m: '"' + " " * (len(m[0]) - 2) + '"', text)


def _where(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def _too_deep(raw: bytes, openers: int) -> bool:
    """Whether arrays and objects nest deeper than MAX_DEPTH, counting no bracket inside a string; `openers`
    is the number of [ and { in `raw`, strings included (no deeper nesting is possible)."""
    if openers <= MAX_DEPTH:
        return False
    # Escaped backslashes, then escaped quotes, go first (pairs read left to right, as JSON reads them); of
    # what is left, quotes and brackets, every other piece between quotes is inside a string.
    quotes_and_brackets = raw.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_STRUCTURE)
    structure = b"".join(quotes_and_brackets.split(b'"')[::2])
    return bool(structure) and max(accumulate(map(_STEP.__getitem__, structure))) > MAX_DEPTH


def _too_deep_at(text: str) -> int:
    depth = 0
    for found in re.finditer(r"[\[\]{}]", _blank_strings(text)):
        depth += 1 if found[0] in "[{" else -1
        if depth > MAX_DEPTH:
            return found.start()
    return 0


def decoder_for(text: str, raw: bytes | None = None) -> json.JSONDecoder:
    """A decoder for `text` within the bounds, for readers that decode item by item (raw_decode) to know
    each item's line: JSONError now if the text nests too deep, and from decoding for an integer too long.
    `raw` is the text's UTF-8 bytes when the caller has them (a line as read), saving their encoding."""
    raw = text.encode("utf-8", "surrogatepass") if raw is None else raw
    scanned = raw.translate(_SCAN)
    if _too_deep(raw, scanned.count(b"[")):
        raise JSONError(f"arrays and objects nested deeper than {MAX_DEPTH} levels",
                        *_where(text, _too_deep_at(text)), BOUNDS_HINT)
    if _LONG_RUN not in scanned:
        return _PLAIN

    def integer(digits: str) -> int:
        if len(digits.lstrip("-")) <= MAX_DIGITS:
            return int(digits)
        found = re.search(rf"-?[0-9]{{{len(digits.lstrip('-'))}}}", _blank_strings(text))
        raise JSONError(f"an integer of {len(digits.lstrip('-'))} digits (more than {MAX_DIGITS}): "
                        f"{digits.lstrip('-')[:12]}...", *_where(text, found.start() if found else 0), BOUNDS_HINT)

    return json.JSONDecoder(parse_int=integer)


def loads(text: str, raw: bytes | None = None) -> Any:
    """json.loads within the bounds; JSONError (malformed, too deep, an integer too long) with where.
    `raw`: the text's UTF-8 bytes, when the caller already has them."""
    try:
        return decoder_for(text, raw).decode(text)
    except json.JSONDecodeError as exc:
        raise JSONError(f"malformed JSON: {exc.msg} at column {exc.colno}", exc.lineno, exc.colno) from None
    except RecursionError:  # _too_deep makes this unreachable; kept so that no input can give a traceback
        raise JSONError(f"arrays and objects nested deeper than {MAX_DEPTH} levels", 1, 1, BOUNDS_HINT) from None


_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false", dict: "an object",
          list: "an array", type(None): "null"}


@dataclass(frozen=True, slots=True)
class Each:
    """A shape for `shape_problems`: an object (or an array) whose every value has `shape`."""

    shape: Any
    container: type = dict


def kind_of(value: Any) -> str:
    """A JSON value's kind as a message says it: "an array", "null"."""
    return next((name for kind, name in _NAMES.items() if type(value) is kind), type(value).__name__)


def shape_problems(value: Any, shape: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """(pointer, message) wherever `value` is not of `shape`: a type (int is not bool; float takes an int),
    a tuple of types (any of them), a dict of required keys and their shapes (other keys are let through),
    or an Each. What passes can be taken apart by its reader without a TypeError far from the cause."""
    if isinstance(shape, tuple):
        if all(next(shape_problems(value, one), None) for one in shape):
            yield pointer, f"expected {' or '.join(_NAMES[one] for one in shape)}, got {kind_of(value)}"
    elif isinstance(shape, type):
        if not (type(value) is shape or (shape is float and type(value) is int)):
            yield pointer, f"expected {_NAMES[shape]}, got {kind_of(value)}"
    elif isinstance(shape, Each):
        if type(value) is not shape.container:
            yield pointer, f"expected {_NAMES[shape.container]}, got {kind_of(value)}"
            return
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            yield from shape_problems(item, shape.shape, f"{pointer}/{key}")
    elif not isinstance(value, dict):
        yield pointer, f"expected {_NAMES[dict]}, got {kind_of(value)}"
    else:
        for key, inner in shape.items():
            if key not in value:
                yield f"{pointer}/{key}", "missing"
            else:
                yield from shape_problems(value[key], inner, f"{pointer}/{key}")


def read_json(path: Path, problems: Problems, within: Path | None = None, *, shape: Any = dict,
              fix: str = "restore the file") -> dict[str, Any] | None:
    """A whole-file JSON object (with `within`, only a file inside that folder), None (with problems added)
    unless it is of `shape` (see shape_problems); `fix` is the hint for a wrong shape."""
    found = _read_json(path, problems, within)
    if found is None:
        return None
    wrong = list(shape_problems(found, shape))
    for pointer, message in wrong:
        problems.add(str(path), line_of_key(path, pointer), pointer, message, fix)
    return None if wrong else found


def read_lines(path: Path, problems: Problems) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) for each non-blank line; problems are collected, not raised.

    The file is streamed line by line: a release-sized records file never sits in memory whole,
    and peeking at the first line (kind inference) costs one line. A file that is not UTF-8 is
    one problem, at its first bad line.
    """
    try:
        handle = open_input(Path(path))
    except OSError as exc:
        problems.add(str(path), None, "", f"cannot read file: {exc.strerror}", hint(exc, "check the path"))
        return
    with handle:
        offset = 0
        for number, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                error = TextDecodeError(number, offset + exc.start, exc.reason)
                problems.add(str(path), number, "", str(error), "re-save the file as UTF-8")
                return
            offset += len(raw)
            if number == 1 and line.startswith(BOM):
                problems.add(str(path), 1, "", "file starts with a byte order mark", "save as UTF-8 without BOM")
                return
            if not line.strip():
                continue
            try:
                value = loads(line, raw)
            except JSONError as exc:
                problems.add(str(path), number, "", exc.message, exc.hint or "one complete JSON object per line")
                continue
            if not isinstance(value, dict):
                problems.add(str(path), number, "", f"expected a JSON object, got {type(value).__name__}",
                             "one JSON object per line")
                continue
            if ESCAPED_SURROGATE.search(line) and (pointer := lone_surrogate(value)) is not None:
                problems.add(str(path), number, pointer, SURROGATE_MESSAGE, SURROGATE_HINT)
                continue
            yield number, value


def _read_json(path: Path, problems: Problems, within: Path | None) -> dict[str, Any] | None:
    found = None
    try:
        data = read_input(path, within)
        text = decode_utf8(data)
    except OSError as exc:
        problems.add(str(path), None, "", f"cannot read file: {exc.strerror}", hint(exc, "check the path"))
        return None
    except TextDecodeError as exc:
        problems.add(str(path), exc.line, "", str(exc), "re-save the file as UTF-8")
        return None
    if text.startswith(BOM):
        problems.add(str(path), 1, "", "file starts with a byte order mark", "save as UTF-8 without BOM")
        return None
    try:
        found = loads(text)
    except JSONError as exc:
        problems.add(str(path), exc.line, "", exc.message, exc.hint or "fix the JSON syntax")
        return None
    if not isinstance(found, dict):
        problems.add(str(path), 1, "", f"expected a JSON object, got {type(found).__name__}",
                     "the file must hold one JSON object")
        return None
    if (pointer := lone_surrogate(found)) is not None:
        problems.add(str(path), line_of_key(path, pointer), pointer, SURROGATE_MESSAGE, SURROGATE_HINT)
        return None
    return found


def line_of_key(path: Path, pointer: str) -> int:
    """Best-effort line of a pointer's first key in a pretty-printed JSON file (1 if not found)."""
    key = pointer.strip("/").split("/")[0] if pointer.strip("/") else ""
    if not key:
        return 1
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            if f'"{key}"' in line:
                return number
    except (OSError, UnicodeDecodeError):
        pass
    return 1


def dumps(value: Any) -> str:
    """Canonical one-line JSON: UTF-8 text, fixed separators, key order as given."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_lines(path: Path, values: Iterable[Any]) -> None:
    with atomic_write(path) as out:
        for value in values:
            out.write((dumps(value) + "\n").encode("utf-8"))
