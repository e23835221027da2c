"""The reference points every table needs: predicting nothing, predicting everything, and length alone."""

from __future__ import annotations

from typing import Any


def empty(record: dict[str, Any]) -> list[dict[str, Any]]:
    return []


def everything(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The whole text as one major error: char recall 1 by construction, precision = error density."""
    if not record["text"]:
        return []
    return [{"start": 0, "end": len(record["text"]), "severity": "major", "category": "other"}]


def length(record: dict[str, Any]) -> dict[str, Any]:
    """No span, and the text's length (code points) as the document score: what a document metric credits to
    length alone, since longer texts collect more errors."""
    return {"spans": [], "score": len(record["text"])}
