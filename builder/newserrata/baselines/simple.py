"""The two reference points every table needs: predicting nothing and predicting everything."""

from __future__ import annotations

from typing import Any


def empty(record: dict[str, Any]) -> list[dict[str, Any]]:
    return []


def everything(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The whole text as one major error: char recall 1 by construction, precision = error density."""
    if not record["text"]:
        return []
    return [{"start": 0, "end": len(record["text"]), "severity": "major", "category": "other"}]
