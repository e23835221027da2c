"""The offset contract: every offset in NewsErrata refers to text normalised here."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

BOM = "\ufeff"
SURROGATE = re.compile("[\ud800-\udfff]")
ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
SURROGATE_MESSAGE = "lone surrogate (an escaped \\ud800-\\udfff without its pair): not a Unicode character"
SURROGATE_HINT = "remove the escape, or write the character itself"


class TextDecodeError(ValueError):
    """Bytes that are not UTF-8; carries the 1-based line and the byte offset."""

    def __init__(self, line: int, offset: int, reason: str) -> None:
        super().__init__(f"not valid UTF-8 at byte {offset} (line {line}): {reason}")
        self.line = line
        self.offset = offset


def decode_utf8(data: bytes) -> str:
    """Strict UTF-8 decoding; a bad byte is an error with a location, never a replacement character."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TextDecodeError(line, exc.start, exc.reason) from None


def normalize(text: str) -> str:
    """Unicode NFC, `\\n` newlines, no BOM; nothing else changes (no trimming, no collapsing)."""
    if text.startswith(BOM):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def read_text(data: bytes) -> str:
    return normalize(decode_utf8(data))


def text_digest(text: str) -> str:
    """sha256 of a text's UTF-8 bytes: how a record names a source text it does not carry, so that a copy
    attached later can be checked character for character."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lone_surrogate(value: Any, pointer: str = "") -> str | None:
    """The JSON pointer of the first string or key holding a lone surrogate, else None.

    json.loads accepts an escaped `\\ud800` without its pair, but it is no character: every later
    UTF-8 write (a parquet file, a report) would fail on it, so readers refuse it where it is read.
    """
    if isinstance(value, str):
        return pointer if SURROGATE.search(value) else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        here = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
        if isinstance(key, str) and SURROGATE.search(key):
            return here
        found = lone_surrogate(item, here)
        if found is not None:
            return found
    return None
