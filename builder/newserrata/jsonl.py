"""Reading and writing JSON Lines with the file and line of every problem."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
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
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.add(str(path), number, "", f"malformed JSON: {exc.msg} at column {exc.colno}",
                             "one complete JSON object per line")
                continue
            if not isinstance(value, dict):
                problems.add(str(path), number, "", f"expected a JSON object, got {type(value).__name__}",
                             "one JSON object per line")
                continue
            if ESCAPED_SURROGATE.search(line) and (pointer := lone_surrogate(value)) is not None:
                problems.add(str(path), number, pointer, SURROGATE_MESSAGE, SURROGATE_HINT)
                continue
            yield number, value


def read_json(path: Path, problems: Problems, within: Path | None = None) -> dict[str, Any] | None:
    """A whole-file JSON object (article metadata); with `within`, only a file inside that folder."""
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
        found = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.add(str(path), exc.lineno, "", f"malformed JSON: {exc.msg} at column {exc.colno}",
                     "fix the JSON syntax")
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
