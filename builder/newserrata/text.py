"""The offset contract: every offset in NewsErrata refers to text normalised here."""

from __future__ import annotations

import unicodedata

BOM = "\ufeff"


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
