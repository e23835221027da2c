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


def weight(category: str, severity: str, source_issue_weight: float = 0.0) -> float:
    """MQM weight of one error, Google's convention (reproduces their published segment scores).

    How much a source issue weighs depends on the corpus, so it is the record's own setting (a factor
    of 0 or 1): Google's 2022-2023 scoring leaves `Source issue` out of the translation's score, while
    the 2020-2021 releases weigh `Source error` like any other error.
    """
    if severity == "neutral":
        return 0.0
    if category == SOURCE_ISSUE:
        return source_issue_weight * (5.0 if severity == "major" else 1.0)
    if category == NON_TRANSLATION:
        return 25.0
    if severity == "major":
        return 5.0
    return 0.1 if category == PUNCTUATION else 1.0


def counts_as_error(category: str, severity: str) -> bool:
    """Whether a span enters soft labels and gold spans: major or minor, and in the article itself."""
    return severity in COUNTED_SEVERITIES and category != SOURCE_ISSUE
