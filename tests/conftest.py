"""Shared fixtures: a small native data folder that exercises every corner of the offset contract.

The folder is written fresh into each test's tmp_path, so a test may break it at will.
Offsets are computed against the *normalised* text, the way a maintainer's tool would,
while the bytes on disk keep CRLF, a BOM and decomposed accents where the contract says
they must be accepted.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

EMOJI_TEXT = (
    "Zürich, 24 January 🎉: the 202nd summit of naïve ministers opened today.\n"
    "The minister said the the talks went well, and 🇺🇦 delegates agreed.\n"
)
# Stored decomposed (NFD) with CRLF newlines and a BOM; the contract turns it into CRLF_TEXT.
CRLF_TEXT = "Café in Köln.\nDer Bürgermeister eröffnete das Café am Montag.\nEnde.\n"
CRLF_SOURCE = "Cafe in Cologne.\nThe mayor opened the cafe on Monday.\nEnd.\n"
MULTI_TEXT = "Putin has asked for a direct line with Vladimir Putin. Oil was $60 per cap, and gas and gas and gas.\n"
CLEAN_TEXT = "The council met on Tuesday and approved the budget.\n"


def span(text: str, needle: str, category: str, severity: str, occurrence: int = 0, **extra: Any) -> dict[str, Any]:
    """A label span located by searching the normalised text, so fixtures never carry hand-typed offsets."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return {"start": start, "end": start + len(needle), "text": needle, "category": category,
            "severity": severity, **extra}


def omission(at: int, severity: str = "minor") -> dict[str, Any]:
    return {"start": at, "end": at, "text": "", "category": "accuracy/omission", "severity": severity}


def article_meta(article_id: str, **overrides: Any) -> dict[str, Any]:
    meta = {
        "id": article_id,
        "title": None,
        "language": "en",
        "source_language": None,
        "source_text_file": None,
        "system": "test-mt",
        "process": "machine-translation",
        "group_id": f"group-{article_id}",
        "url": None,
        "date": "2025-01-24",
        "license": "CC-BY-4.0",
        "notes": None,
    }
    meta.update(overrides)
    return meta


def label(article_id: str, annotator_id: str, spans: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    line = {"article_id": article_id, "annotator_id": annotator_id, "annotator_kind": "maintainer",
            "created": "2026-01-02", "spans": spans}
    line.update(extra)
    return line


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_jsonl(path: Path, values: list[Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(json.dumps(v, ensure_ascii=False).encode("utf-8") + b"\n" for v in values))


TEAM_LABELS = [
    label("clean-en", "ann-a", [], no_errors=True),
    label("crlf-de", "ann-a", [
        span(CRLF_TEXT, "Bürgermeister", "accuracy/mistranslation", "major", note="should be Oberbürgermeister"),
        span(CRLF_TEXT, "Café", "fluency/spelling", "minor", occurrence=1),
    ]),
    label("emoji-en", "ann-a", [
        span(EMOJI_TEXT, "202nd", "accuracy/number-date", "major"),
        span(EMOJI_TEXT, "the the", "fluency/repetition", "minor"),
        span(EMOJI_TEXT, "🇺🇦", "fluency/encoding", "neutral"),
        omission(EMOJI_TEXT.index(" opened")),
    ]),
    label("multi-en", "ann-a", [
        span(MULTI_TEXT, "Vladimir Putin", "accuracy/entity", "major"),
        span(MULTI_TEXT, "per cap", "accuracy/number-date", "major"),
        span(MULTI_TEXT, " and gas and gas", "fluency/repetition", "major"),
    ]),
]
GUEST_LABELS = [
    label("multi-en", "ann-b", [
        span(MULTI_TEXT, "Vladimir Putin", "accuracy/entity", "minor"),
        span(MULTI_TEXT, "$60 per cap", "accuracy/number-date", "major"),
        span(MULTI_TEXT, "Oil", "source-issue", "major"),
    ]),
    label("multi-en", "ann-c", [
        span(MULTI_TEXT, "line with Vladimir", "accuracy/mistranslation", "major"),
        span(MULTI_TEXT, "gas and gas and gas", "fluency/repetition", "minor"),
        span(MULTI_TEXT, "asked", "style/awkward", "neutral"),
    ], annotator_kind="crowd"),
]


def write_native_data(root: Path) -> Path:
    """Write the fixture folder (articles/ and labels/) under root and return root."""
    articles = root / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    (articles / "emoji-en.txt").write_bytes(EMOJI_TEXT.encode("utf-8"))
    write_json(articles / "emoji-en.json", article_meta("emoji-en", title="Zürich summit 🎉"))
    raw = "\ufeff" + unicodedata.normalize("NFD", CRLF_TEXT).replace("\n", "\r\n")
    (articles / "crlf-de.txt").write_bytes(raw.encode("utf-8"))
    (articles / "crlf-de.source.txt").write_bytes(CRLF_SOURCE.replace("\n", "\r\n").encode("utf-8"))
    write_json(articles / "crlf-de.json", article_meta("crlf-de", language="de", source_language="en",
                                                       source_text_file="crlf-de.source.txt"))
    (articles / "multi-en.txt").write_bytes(MULTI_TEXT.encode("utf-8"))
    write_json(articles / "multi-en.json", article_meta("multi-en", process="llm-rewrite", system=None))
    (articles / "clean-en.txt").write_bytes(CLEAN_TEXT.encode("utf-8"))
    write_json(articles / "clean-en.json", article_meta("clean-en", process="summary", domain="politics"))
    write_jsonl(root / "labels" / "team.jsonl", TEAM_LABELS)
    write_jsonl(root / "labels" / "guests.jsonl", GUEST_LABELS)
    return root


@pytest.fixture
def native_data(tmp_path: Path) -> Path:
    """A small valid native data folder: an emoji article, a CRLF+BOM+NFD article with a source text,
    a three-annotator article (with source-issue and neutral spans) and a no_errors article."""
    return write_native_data(tmp_path / "data")



def write_release(path: Path, *, version: str = "1.0.0", data: str = "data", source: str = "native",
                  validation: float = 0.3, salt: str = "test-salt-0123456789abcdef",
                  hub_repo: str = "newserrata/newserrata", extra_sources: str = "") -> Path:
    """A release recipe with one native source at `data` (relative to the recipe), as tests build it."""
    path.write_text(f"""[dataset]
name = "newserrata"
version = "{version}"
salt = "{salt}"
pretty_name = "NewsErrata test"
hub_repo = "{hub_repo}"

[splits]
validation = {validation}
test = {round(1 - validation, 6)}

[[sources]]
name = "{source}"
kind = "native"
path = "{data}"
domain = "news"
license = "CC-BY-4.0"
citation = "@misc{{newserrata-test, title = {{Test articles}}}}"
enabled = true
{extra_sources}""", encoding="utf-8")
    return path


def remote_source(name: str, kind: str, data: Path, *, license: str = "Apache-2.0", citation: str | None = None,
                  url: str | None = None, extra: str = "") -> str:
    """A [[sources]] entry pinning `data` (a fixture file) as if it were downloaded from `url`; tests supply the
    file with --source-file or --sources-dir, so nothing is fetched."""
    blob = data.read_bytes()
    return f"""
[[sources]]
name = "{name}"
kind = "{kind}"
url = "{url or f"https://example.org/{data.name}"}"
sha256 = "{hashlib.sha256(blob).hexdigest()}"
size = {len(blob)}
domain = "news"
license = "{license}"
citation = "{citation or f"@misc{{{name}, title = {{{name}}}}}"}"
enabled = true
{extra}"""


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every file under root, to show a command left a folder byte-identical."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}
