"""An LLM judge as a baseline: any OpenAI-compatible chat endpoint, GEMBA-MQM-style.

The model quotes the erroneous text rather than giving offsets, because models count characters
badly; `Placer` turns the quotes back into offsets in the order the model lists them, with the
words before a quote where the model gives them (exact, then ignoring case, then the closest
fuzzy window). Responses are cached on disk by model and prompt, so a rerun, or a crash halfway
through a split, costs nothing twice.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import sys
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock
from typing import Any

from openai import APIConnectionError, APIStatusError, OpenAI
from tqdm import tqdm

from newserrata.atomic import write_bytes
from newserrata.errors import InputError, Problem, scrub
from newserrata.jsonl import Each, kind_of, loads, shape_problems
from newserrata.paths import read_input
from newserrata.taxonomy import CATEGORIES

KEY_VARIABLES = ("NEWSERRATA_LLM_KEY", "OPENAI_API_KEY")
RETRIED_STATUSES = (408, 409, 429)  # and 5xx: what the openai client retries
FUZZY_CUTOFF = 0.8
MAX_ANCHORS = 50
SPACES = 8
"""How much white space may stand between a quote and the `before` words the reply gives for it."""
SYSTEM = (
    "You are an expert annotator of machine-written news (translations, rewrites, summaries). "
    "You mark every error in the article the way professional MQM annotators do."
)
INSTRUCTIONS = """Find the errors in the article below. For each error, copy the erroneous words exactly as they \
appear in the article (a short quote, never a whole paragraph), and classify it. List the errors in the order they \
appear in the article. When the quoted words occur more than once in the article, add "before": the few words that \
come just before the error, copied exactly, so that the right occurrence is marked.

Categories: {categories}.
Severities: major (misleads the reader or breaks the meaning), minor (noticeable, meaning intact).
Entity swaps, wrong numbers or dates, repetition loops, untranslated fragments and garbled sentences are errors.

Answer with JSON only, in this shape:
{{"errors": [{{"quote": "exact words from the article", "before": "words just before them", \
"category": "accuracy/entity", "severity": "major"}}]}}
Answer {{"errors": []}} if the article has no error.

{source}

Article ({language}):
<<<
{text}
>>>"""
SOURCE = """The article was produced from this source ({language}):
<<<
{text}
>>>"""
NO_SOURCE = """The source the article was produced from is not included. Mark only what the article itself shows: \
fluency errors, statements that contradict each other, and facts that are plainly wrong; do not guess what the \
source said."""


COMPLETION = {"choices": Each({"message": {"content": (str, type(None))}}, list)}
"""What of a chat completion is read: the first choice's text (null when the model said nothing)."""
TOKEN_COUNTS = ("prompt_tokens", "completion_tokens")


class EndpointError(Exception):
    """The endpoint failed or answered something other than a chat completion; safe to print."""


def _excerpt(text: str, limit: int = 80) -> str:
    shown = " ".join(text.split())
    return repr(shown if len(shown) <= limit else shown[:limit] + "…")


def default_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "newserrata" / "llm"


def api_key() -> tuple[str, str] | None:
    """(variable, key) of the first key variable that is set."""
    return next(((v, os.environ[v]) for v in KEY_VARIABLES if os.environ.get(v)), None)


def key_flaw(key: str) -> str | None:
    """Why a key cannot be one: an HTTP header cannot carry whitespace inside it, control characters or
    non-ASCII, and the client would retry the failed request for half a minute as if the server were down."""
    for at, char in enumerate(key, 1):
        if char.isspace() or not char.isprintable() or not char.isascii():
            name = "a newline" if char == "\n" else unicodedata.name(char, "").lower() or f"U+{ord(char):04X}"
            return f"character {at} of {len(key)} is {name}"
    return None


def messages(record: dict[str, Any]) -> list[dict[str, str]]:
    """The system and user messages for one record: the one prompt of `baseline llm`, lm-eval and Inspect.
    A record whose source is not included (`source_text` null, e.g. not hydrated yet) says so in the prompt."""
    source = NO_SOURCE
    if record.get("source_text"):
        source = SOURCE.format(language=record.get("source_language") or "unknown", text=record["source_text"])
    user = INSTRUCTIONS.format(categories=", ".join(CATEGORIES), source=source,
                               language=record.get("language") or "unknown", text=record["text"])
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def parse_errors(content: str) -> list[dict[str, Any]] | None:
    """The error list from a reply that may wrap its JSON in prose or code fences; None if there is none."""
    for candidate in (content, *re.findall(r"```(?:json)?\s*(.*?)```", content, re.DOTALL),
                      content[content.find("{"):content.rfind("}") + 1]):
        try:
            value = loads(candidate)
        except ValueError:
            continue
        errors = value.get("errors") if isinstance(value, dict) else value
        if isinstance(errors, list):
            return [e for e in errors if isinstance(e, dict) and isinstance(e.get("quote"), str) and e["quote"]]
    return None


def category_of(label: Any) -> str:
    """The model's label in our taxonomy: exact id, then a unique match on the kind, then the area."""
    text = str(label or "").strip().lower().replace(" ", "-")
    if text in CATEGORIES:
        return text
    kind = text.rsplit("/", 1)[-1]
    matches = [c for c in CATEGORIES if c.rsplit("/", 1)[-1] == kind]
    if len(matches) == 1:
        return matches[0]
    area = text.split("/", 1)[0]
    return f"{area}/other" if f"{area}/other" in CATEGORIES else "other"


def severity_of(label: Any) -> str:
    text = str(label or "").strip().lower()
    return "minor" if text == "minor" else "neutral" if text == "neutral" else "major"


def occurrences(haystack: str, needle: str) -> list[int]:
    """Every start of `needle` in `haystack`, overlapping ones included ("gas and gas" twice in a loop of three)."""
    found, at = [], haystack.find(needle)
    while at != -1 and needle:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


@dataclass
class Placer:
    """Turns a reply's quotes into offsets, in the order the reply lists them (docs/harnesses.md, "Where a
    quote lands"): a short quote such as " die" occurs many times in an article, and its first occurrence
    is rarely the one meant. An occurrence that an earlier identical quote took is never taken again."""

    text: str
    used: set[tuple[int, int]] = field(default_factory=set)
    previous: tuple[int, int] = (0, 0)

    def __post_init__(self) -> None:
        # Lower-casing can lengthen a text ("İ" becomes two code points); its offsets are then not the text's.
        lowered = self.text.lower()
        self.lowered = lowered if len(lowered) == len(self.text) else None

    def place(self, quote: str, before: str = "") -> tuple[int, int] | None:
        """`before` (words the reply says precede the quote) narrows the occurrences when it is found."""
        where = self._exact(quote, before.strip()) if before.strip() else None
        where = where or self._exact(quote, "") or self._fuzzy(quote)
        if where is not None:
            self.used.add(where)
            self.previous = where
        return where

    def _rank(self, start: int) -> tuple[int, int]:
        """Reading order: after the previous quote, then overlapping it, then from the article's start."""
        return (0 if start >= self.previous[1] else 1 if start >= self.previous[0] else 2, start)

    def _exact(self, quote: str, before: str) -> tuple[int, int] | None:
        """The best free occurrence of the quote; with `before`, only one that follows it (the spaces
        between the two may differ from the reply's: models drop or add them)."""
        searches = [(self.text, quote, before)]
        if self.lowered is not None:
            searches.append((self.lowered, quote.lower(), before.lower()))
        for haystack, needle, prefix in searches:
            free = [(at, at + len(needle)) for at in occurrences(haystack, needle)
                    if (at, at + len(needle)) not in self.used
                    and haystack[max(0, at - len(prefix) - SPACES):at].rstrip().endswith(prefix)]
            if free:
                return min(free, key=lambda where: self._rank(where[0]))
        return None

    def _fuzzy(self, quote: str) -> tuple[int, int] | None:
        """The most similar window around an occurrence of the longest block the quote shares with the text."""
        text = self.text
        block = difflib.SequenceMatcher(None, text, quote, autojunk=False).find_longest_match(0, len(text), 0,
                                                                                             len(quote))
        if not block.size:
            return None
        windows = []
        for found in occurrences(text, quote[block.b:block.b + block.size])[:MAX_ANCHORS]:
            start = max(0, found - block.b)
            end = min(len(text), start + len(quote))
            ratio = difflib.SequenceMatcher(None, text[start:end], quote, autojunk=False).ratio()
            if ratio >= FUZZY_CUTOFF and (start, end) not in self.used:
                windows.append((-ratio, self._rank(start), (start, end)))
        return min(windows)[2] if windows else None


def to_spans(text: str, errors: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Predicted spans and the number of quotes that could not be found in the text."""
    placer = Placer(text)
    spans, lost = [], 0
    for error in errors:
        before = error.get("before")
        where = placer.place(error["quote"], before if isinstance(before, str) else "")
        if where is None:
            lost += 1
            continue
        spans.append({"start": where[0], "end": where[1], "severity": severity_of(error.get("severity")),
                      "category": category_of(error.get("category"))})
    return sorted(spans, key=lambda s: (s["start"], s["end"])), lost


@dataclass
class Usage:
    """What a run cost: the token report printed at the end."""

    requests: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    malformed: int = 0
    unaligned: int = 0
    lock: Lock = field(default_factory=Lock, repr=False)

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    def to_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if k != "lock"}

    def __str__(self) -> str:
        return (f"llm: {self.requests} request(s), {self.cached} cached, {self.prompt_tokens} prompt + "
                f"{self.completion_tokens} completion tokens; {self.malformed} malformed repl(ies), "
                f"{self.unaligned} quote(s) not found in the text")


@dataclass
class Judge:
    base_url: str
    model: str
    key: str
    cache: Path = field(default_factory=default_cache)
    workers: int = 4
    retries: int = 5
    timeout: float = 120.0
    usage: Usage = field(default_factory=Usage)

    def __post_init__(self) -> None:
        # The client retries 408/409/429/5xx and connection errors with exponential backoff,
        # honouring Retry-After; that is the behaviour we want, so it is not rewritten here.
        self.client = OpenAI(base_url=self.base_url, api_key=self.key, max_retries=self.retries, timeout=self.timeout)

    def cache_path(self, chat: list[dict[str, str]]) -> Path:
        key = hashlib.sha256(json.dumps({"model": self.model, "messages": chat, "temperature": 0},
                                        sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
        return self.cache / key[:2] / f"{key}.json"

    def reply(self, chat: list[dict[str, str]]) -> str:
        path = self.cache_path(chat)
        if path.exists():
            self.usage.add(cached=1)
            return self.cached(path)
        body = self.completion(chat)
        content = body["choices"][0]["message"]["content"] or ""
        usage = body.get("usage") or {}
        self.usage.add(requests=1, prompt_tokens=usage.get("prompt_tokens") or 0,
                       completion_tokens=usage.get("completion_tokens") or 0)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(path, json.dumps({"model": self.model, "content": content}, ensure_ascii=False).encode("utf-8"))
        return content

    def cached(self, path: Path) -> str:
        try:
            content = loads(read_input(path).decode("utf-8"))["content"]
        except (OSError, ValueError, KeyError, TypeError):
            content = None
        if not isinstance(content, str):
            raise InputError([Problem(str(path), None, "", "cached reply is damaged: not the JSON object this "
                                      "baseline writes", f"delete it (or the whole cache, {self.cache}) and run "
                                      "again; only its reply is asked for again")])
        return content

    def completion(self, chat: list[dict[str, str]]) -> dict[str, Any]:
        """The endpoint's reply, checked to be a chat completion whose first choice has text (or null) and
        whose token counts are numbers, or EndpointError saying what came instead; the key never appears in it.
        The body is read raw: the client builds its reply objects without checking them, so a reply of the
        wrong shape would only fail later, as a TypeError far from its cause."""
        try:
            raw = self.client.chat.completions.with_raw_response.create(model=self.model, messages=chat,
                                                                        temperature=0)
        except APIStatusError as exc:
            retried = exc.status_code in RETRIED_STATUSES or exc.status_code >= 500
            why = "refused the API key" if exc.status_code == 401 else "failed"
            tries = f" after {self.retries} retries" if retried else ""
            raise EndpointError(scrub(f"{self.base_url} {why} (HTTP {exc.status_code}{tries}): {exc.message}",
                                      self.key)) from None
        except APIConnectionError as exc:
            raise EndpointError(scrub(f"{self.base_url} cannot be reached after {self.retries} retries: {exc}",
                                      self.key)) from None
        try:
            body = loads(raw.text)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            shown = ("a body that is not JSON" if "json" in raw.headers.get("content-type", "")
                     else _excerpt(raw.text)) if body is None else f"JSON that is {kind_of(body)}"
            raise EndpointError(scrub(f"{self.base_url} answered with {shown} instead of a chat completion (is "
                                      "--base-url the API root, e.g. http://host/v1?)", self.key))
        if body.get("choices") == []:
            raise EndpointError(f"{self.base_url} answered with no choices for model {self.model!r}: an empty "
                                "completion (check the model name)")
        wrong = next(shape_problems(body, COMPLETION), None)
        usage = body.get("usage")
        if wrong is None and usage is not None:
            wrong = next(shape_problems(usage, dict, "/usage"), None) or next(
                ((f"/usage/{k}", f"expected an integer, got {kind_of(usage[k])}") for k in TOKEN_COUNTS
                 if usage.get(k) is not None and type(usage[k]) is not int), None)
        if wrong is not None:
            raise EndpointError(scrub(f"{self.base_url} answered with a malformed chat completion: {wrong[0]}: "
                                      f"{wrong[1]} (is the endpoint OpenAI-compatible?)", self.key))
        return body

    def predict(self, record: dict[str, Any]) -> list[dict[str, Any]]:
        errors = parse_errors(self.reply(messages(record)))
        if errors is None:
            self.usage.add(malformed=1)
            return []
        spans, lost = to_spans(record["text"], errors)
        self.usage.add(unaligned=lost)
        return spans

    def predict_all(self, records: list[dict[str, Any]], progress: bool = False) -> list[list[dict[str, Any]]]:
        with ThreadPoolExecutor(max_workers=max(1, self.workers)) as pool:
            return list(tqdm(pool.map(self.predict, records), total=len(records), desc="llm", unit=" records",
                             disable=not progress, file=sys.stderr))
