"""Categories and severities, read from schema/taxonomy.schema.json so that they live in one place."""

from __future__ import annotations

from newserrata.schemas import load_schema

_DEFS = load_schema("taxonomy")["$defs"]

CATEGORIES: tuple[str, ...] = tuple(_DEFS["category"]["enum"])
SEVERITIES: tuple[str, ...] = tuple(_DEFS["severity"]["enum"])
CATEGORY_ORDER: dict[str, int] = {c: i for i, c in enumerate(CATEGORIES)}

OMISSION = "accuracy/omission"
SOURCE_ISSUE = "source-issue"
NON_TRANSLATION = "non-translation"
PUNCTUATION = "fluency/punctuation"
COUNTED_SEVERITIES = frozenset({"major", "minor"})


def weight(category: str, severity: str) -> float:
    """MQM weight of one error, Google's convention (reproduces their published segment scores).

    A source issue weighs nothing: the fault is in the text the translator was given, and Google's
    scoring (Marot's default weights) leaves it out of the translation's score.
    """
    if severity == "neutral" or category == SOURCE_ISSUE:
        return 0.0
    if category == NON_TRANSLATION:
        return 25.0
    if severity == "major":
        return 5.0
    return 0.1 if category == PUNCTUATION else 1.0


def counts_as_error(category: str, severity: str) -> bool:
    """Whether a span enters soft labels and gold spans: major or minor, and in the article itself."""
    return severity in COUNTED_SEVERITIES and category != SOURCE_ISSUE
