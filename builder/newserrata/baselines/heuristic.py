"""Rules for the failures machine-written news actually shows, each with its category and severity.

They are deliberately plain: a baseline should show what a careful regex pass finds before
any model is involved, and each rule should be readable as a claim about the text.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

Span = dict[str, Any]

# "gas and gas and gas", "the the": a word or short phrase repeated, joined by nothing, a comma or a conjunction.
LOOP = re.compile(r"\b(\w+(?:\s+\w+){0,2}?)((?:\s*,?\s*(?:and|or|und|et|y)?\s+\1\b)+)", re.IGNORECASE)
CONNECTIVES = frozenset(("and", "or", "und", "et", "y"))
# A repeat starts at most this many words after the word it repeats: three words and a connective.
REACH = 4
# A phrase of three words, a connective and the repeat: the most words one LOOP repeat spans.
WINDOW = 7
WORD = re.compile(r"\w+")
# "Putin ... with Vladimir Putin": one party named again after a word that introduces a second party.
NAME = re.compile(r"\b[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*")
POSSESSIVE = re.compile(r"['’]s?\Z")
SECOND_PARTY = {"with", "and", "to", "between", "against", "from", "by", "versus", "vs", "met", "called", "mit", "und"}
SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
# ",," ";;" "..": doubled punctuation, but not an ellipsis.
PUNCTUATION = re.compile(r"(?=[,;:.!?])(?:([,;:])\s*\1+|(?<!\.)\.\s?\.(?!\.)|([!?])\2+)")
SCRIPTS = {
    "cjk": "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff",
    "cyrillic": "\u0400-\u04ff",
    "greek": "\u0370-\u03ff",
    "arabic": "\u0600-\u06ff",
    "hebrew": "\u0590-\u05ff",
    "devanagari": "\u0900-\u097f",
}
LANGUAGE_SCRIPT = {"zh": "cjk", "ja": "cjk", "ko": "cjk", "ru": "cyrillic", "uk": "cyrillic", "bg": "cyrillic",
                   "sr": "cyrillic", "el": "greek", "ar": "arabic", "fa": "arabic", "he": "hebrew", "hi": "devanagari",
                   "mr": "devanagari"}
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def span(start: int, end: int, category: str, severity: str) -> Span:
    return {"start": start, "end": end, "severity": severity, "category": category}


def loop_starts(text: str) -> list[int]:
    """Word starts where LOOP can match, in order. Trying LOOP only there finds exactly what
    `LOOP.finditer` finds, without paying its backtracking through every prefix of every word.
    A cheap pass keeps words that come back (ignoring case) within REACH words or are glued to a
    connective ("gasy gas"); `_could_repeat` then keeps those followed by a repeat of a phrase of
    theirs. Near a word with a non-ASCII letter both are skipped, since the regex folds case more
    widely than `str.lower` (the Kelvin sign matches k)."""
    words = [(m.start(), m.group()) for m in WORD.finditer(text)]
    keys = [word.lower() for _, word in words]
    marked: set[int] = set()
    unsure: set[int] = set()
    last: dict[str, int] = {}
    before = ""
    for k, key in enumerate(keys):
        if not words[k][1].isascii():
            unsure.update(range(max(0, k - WINDOW + 1), k + 1))
        seen = last.get(key)
        if seen is not None and k - seen <= REACH:
            marked.add(seen)
        last[key] = k
        if len(key) < len(before) and _glued(before, key):
            marked.add(k - 1)
        before = key
    keep = {k for k in marked if _could_repeat(keys, k)} | unsure
    return [words[k][0] for k in sorted(keep)]


def _glued(word: str, repeat: str) -> bool:
    """`word` is `repeat` with a connective stuck to its end."""
    return len(repeat) < len(word) and word.startswith(repeat) and word[len(repeat):] in CONNECTIVES


def _could_repeat(keys: list[str], i: int) -> bool:
    """Whether the words from i on read as a phrase of one to three words, then maybe a connective,
    then the phrase again, its last word possibly glued to the connective the first time."""
    for n in (1, 2, 3):
        phrase = keys[i:i + n]
        if len(phrase) < n:
            return False
        if keys[i + n:i + 2 * n] == phrase:
            return True
        if i + n < len(keys) and keys[i + n] in CONNECTIVES and keys[i + n + 1:i + 2 * n + 1] == phrase:
            return True
        if keys[i + n:i + 2 * n - 1] == phrase[:-1] and i + 2 * n - 1 < len(keys) and _glued(phrase[-1],
                                                                                            keys[i + 2 * n - 1]):
            return True
    return False


def repetition_loops(text: str) -> list[Span]:
    """The repeats after the first occurrence; a loop of three or more is major."""
    out = []
    end = 0
    for start in loop_starts(text):
        m = LOOP.match(text, start) if start >= end else None
        if m is None:
            continue
        end = m.end()
        repeats = len(re.findall(rf"\b{re.escape(m.group(1))}\b", m.group(2), re.IGNORECASE))
        out.append(span(m.start(2), m.end(2), "fluency/repetition", "major" if repeats >= 2 else "minor"))
    return out


def repeated_party(text: str) -> list[Span]:
    """A name whose last word already named someone earlier in the sentence, introduced as a second party."""
    out = []
    for sentence in SENTENCE.finditer(text):
        seen: set[str] = set()
        for m in NAME.finditer(sentence.group()):
            surname = POSSESSIVE.sub("", m.group().split()[-1])
            before = sentence.group()[:m.start()].split()
            if surname in seen and before and before[-1].lower() in SECOND_PARTY:
                start = sentence.start() + m.start()
                out.append(span(start, start + len(m.group()), "accuracy/entity", "major"))
            seen.add(surname)
    return out


def doubled_punctuation(text: str) -> list[Span]:
    return [span(m.start(), m.end(), "fluency/punctuation", "minor") for m in PUNCTUATION.finditer(text)]


def script_of(language: str | None) -> str:
    return LANGUAGE_SCRIPT.get((language or "").split("-")[0].lower(), "latin")


def foreign_script(text: str, language: str | None, source_language: str | None) -> list[Span]:
    """Runs of a script the article's language does not use (CJK in English, Cyrillic in German...).
    Latin inside a non-Latin article is left alone: names and acronyms are normal there."""
    target = script_of(language)
    foreign = [chars for name, chars in SCRIPTS.items() if name != target]
    if target != "latin":
        source = script_of(source_language)
        foreign = [SCRIPTS[source]] if source not in ("latin", target) else []
    if not foreign:
        return []
    letters = "".join(foreign)
    pattern = re.compile(rf"[{letters}]+(?:[\s\u3000-\u303f\uff00-\uffef]*[{letters}]+)*")
    return [span(m.start(), m.end(), "accuracy/untranslated", "major") for m in pattern.finditer(text)]


def _digits(number: str) -> str:
    """Separators differ between languages (1,000 / 1.000 / 1 000), so numbers compare as digit strings."""
    return re.sub(r"\D", "", number)


def numbers(text: str, source: str | None, segments: list[dict[str, Any]]) -> list[Span]:
    """Per aligned segment (or the whole article): target numbers the source does not have are changed;
    source numbers the target lacks are omitted (an insertion point at the end of the segment)."""
    if not source:
        return []
    pairs = [(s["start"], s["end"], s["source_start"], s["source_end"]) for s in segments
             if s.get("source_start") is not None and s.get("source_end") is not None]
    if not pairs:
        pairs = [(0, len(text), 0, len(source))]
    out = []
    for start, end, source_start, source_end in pairs:
        wanted = Counter(_digits(m.group()) for m in NUMBER.finditer(source, source_start, source_end))
        for m in NUMBER.finditer(text, start, end):
            key = _digits(m.group())
            if wanted[key] > 0:
                wanted[key] -= 1
            else:
                out.append(span(m.start(), m.end(), "accuracy/number-date", "major"))
        omitted = sum(wanted.values())
        at = end if end == start or text[end - 1] not in ".!?\n" else end - 1
        out.extend(span(at, at, "accuracy/omission", "major") for _ in range(omitted))
    return out


def predict(record: dict[str, Any]) -> list[Span]:
    text = record["text"]
    spans = (repetition_loops(text) + repeated_party(text) + doubled_punctuation(text)
             + foreign_script(text, record.get("language"), record.get("source_language"))
             + numbers(text, record.get("source_text"), record.get("segments") or []))
    return sorted(spans, key=lambda s: (s["start"], s["end"]))
