"""`newserrata report`: one self-contained HTML page to look at a release, or at a model's mistakes on it.

Records stream past once: statistics and scores are accumulated over every record, while only a
bounded sample of articles is kept for the page, so a very large build neither runs out of memory
nor produces a page no browser can open. The page's script only draws, and draws lazily (one page
of the list, one open article), which keeps a full release opening in well under two seconds. The
page fetches nothing: CSS, script and data are inline, and its content security policy forbids
every request, so it can be mailed, archived and opened offline.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from tqdm import tqdm

from newserrata import predictions as preds
from newserrata.atomic import write_bytes
from newserrata.checks import Level, check_record
from newserrata.errors import Problems
from newserrata.jsonl import loads, read_lines
from newserrata.metrics import labels, ratio
from newserrata.paths import read_input
from newserrata.predictions import Prediction
from newserrata.records import Record
from newserrata.records_io import iter_records
from newserrata.scoring import Options, RecordScore, Scored, summarize
from newserrata.scoring.session import Run
from newserrata.stats import Sample, Stats, id_key, rounded
from newserrata.taxonomy import CATEGORIES, CATEGORY_ORDER, SEVERITIES

LIMIT = 2000
SHARD = re.compile(r"(?P<split>[A-Za-z0-9_]+)-[0-9]{5}-of-[0-9]{5}\.parquet")
Pair = tuple[dict[str, Any], str]
"""A published record and its split ("" when unknown)."""


@dataclass(frozen=True)
class ReportInfo:
    path: Path
    records: int
    embedded: int
    bytes: int


# ---------------------------------------------------------------- a model's scores


def record_score(row: RecordScore) -> dict[str, Any]:
    """One record's numbers as the page shows them beside the article."""
    both = row.gold_chars + row.pred_chars
    return {"p": ratio(row.matched, row.pred_chars), "r": ratio(row.matched, row.gold_chars),
            "f1": ratio(2 * row.matched, both) if both else 1.0, "iou": row.shroom_iou, "cor": row.shroom_cor,
            "tp": row.matched, "fp": row.pred_chars - row.matched, "fn": row.gold_chars - row.matched}


def system_summary(scored: Scored, options: Options) -> dict[str, Any]:
    """A scored predictions file as the page's model tab shows it: the numbers of `newserrata score`."""
    report = summarize(scored.rows, scored.categories, gold="", missing=scored.missing, options=options,
                       ignored=scored.ignored)

    def rows(table: dict[str, dict[str, float | None]]) -> list[dict[str, Any]]:
        return [{"name": k} | {m: rounded(v) for m, v in row.items()} for k, row in table.items()]

    return {"records": report.records, "missing": report.missing, "ignored": report.ignored,
            "counts": report.counts, "metrics": {k: rounded(v) for k, v in report.metrics.items()},
            "macro": {k: rounded(v) for k, v in report.macro.items()},
            "sources": rows(report.per_source), "categories": rows(report.per_category)}


def indexed(file: str, values: dict[str, dict[str, Any]], lines: dict[str, int] | None, problems: Problems
            ) -> tuple[str, dict[str, Prediction]]:
    """Prediction lines by id, parsed and checked as the scorer reads a predictions file."""
    lines = lines or {}
    return file, preds.index(((file, lines.get(k), v) for k, v in values.items()), problems)


# ---------------------------------------------------------------- what the page embeds


def _utf16(text: str) -> Callable[[int], int]:
    """Code-point offsets to the UTF-16 offsets the page's JavaScript strings use."""
    if not text or max(text) < "\U00010000":
        return lambda i: i
    table = [0]
    for c in text:
        table.append(table[-1] + (2 if ord(c) >= 0x10000 else 1))
    return table.__getitem__


def _counts(span: dict[str, Any]) -> bool:
    """The scorer's reading of a predicted span: an error when prob > 0.5 and not neutral."""
    return span.get("prob", 1.0) > 0.5 and span.get("severity", "major") != "neutral"


def _compact(record: dict[str, Any], index: dict[str, dict[str, int]], split: str,
             prediction: dict[str, Any] | None, score: dict[str, Any] | None) -> dict[str, Any]:
    """Short keys and span arrays: the page carries every article, so every byte counts."""
    u = _utf16(record["text"])
    cat, sev = index["category"], index["severity"]
    out: dict[str, Any] = {
        "id": record["id"],
        "src": index["source"][record["source"]],
        "sys": index["system"].get(record["system"] or "", -1),
        "spl": index["split"].get(split, -1),
        "lang": record["language"],
        "x": record["text"],
        "g": [[u(s["start"]), u(s["end"]), cat[s["category"]], sev[s["severity"]]] for s in record["spans"]],
        "an": [
            [a["annotator_id"], a["annotator_kind"],
             [[u(s["start"]), u(s["end"]), cat[s["category"]], sev[s["severity"]], s.get("note"),
               s.get("original_category")] for s in a["spans"]]]
            for a in record["annotations"]
        ],
        "mqm": record["mqm_score"],
    }
    if record["num_annotators"] > 1:
        out["sl"] = [[u(s["start"]), u(s["end"]), round(s["prob"], 3)] for s in record["soft_labels"]]
        out["agr"] = rounded(record["agreement"], 3)
    for key, name in (("t", "title"), ("url", "url"), ("date", "date"), ("st", "source_text"),
                      ("sl_lang", "source_language"), ("proc", "process")):
        if record.get(name):
            out[key] = record[name]
    if prediction is not None:
        out["pr"] = [[u(s["start"]), u(s["end"]), cat.get(s.get("category") or "", -1),
                      sev.get(s.get("severity") or "", -1), s.get("prob"), int(_counts(s))]
                     for s in prediction["spans"]]
    if score is not None:
        out["sc"] = {k: rounded(v, 3) if isinstance(v, float) else v for k, v in score.items()}
    return out


@dataclass
class System:
    """Another predictions file of the leaderboard: its name, prediction lines by id, their line numbers and file."""

    name: str
    predictions: dict[str, dict[str, Any]]
    lines: dict[str, int]
    file: str


def report_data(pairs: Iterable[Pair], *, title: str, predictions: dict[str, dict[str, Any]] | None = None,
                limit: int = LIMIT, model: str = "predictions", problems: Problems | None = None,
                prediction_file: str = "<predictions>", prediction_lines: dict[str, int] | None = None,
                others: list[System] | None = None, options: Options | None = None) -> dict[str, Any]:
    """Everything the page shows, in one pass over the records. When there are more than `limit`,
    the page embeds the worst-scored (with a model) or those with the smallest hash of their id:
    deterministic, and a record once shown stays shown when records are added. `others` are scored
    for the leaderboard beside the model."""
    problems = Problems() if problems is None else problems
    options = options or Options()
    stats = Stats()
    systems = [] if predictions is None else [
        (model, indexed(prediction_file, predictions, prediction_lines, problems)),
        *((o.name, indexed(o.file, o.predictions, o.lines, problems)) for o in others or ())]
    # The page counts a record without a prediction as predicting nothing (and says how many there were).
    run = Run(options, [found for _, found in systems], problems, gold_name="the records shown", allow_missing=True)
    sample = Sample(limit)
    for record, split in pairs:
        rows = run.add(record)
        if rows is None:
            continue
        stats.add(Record.from_dict(record), split)
        score = record_score(rows[0]) if rows else None
        key: Any = (score["iou"], record["id"]) if score else id_key(record["id"])
        sample.add(key, (record, split, score))
    scored = run.finish()
    board = [(name, system_summary(s, options)) for (name, _), s in zip(systems, scored, strict=True)]
    overall = board[0][1] if board else None
    summary, facets = stats.page_summary()
    leaderboard = [{"name": name, "metrics": m["metrics"]} for name, m in board] if len(board) > 1 else None
    details = [{"name": name} | m for name, m in board[1:]]
    return page_data(title, summary, facets, sample.items(), predictions=predictions,
                     model=None if overall is None else {"name": model} | overall, leaderboard=leaderboard,
                     others=details)


def page_data(title: str, summary: dict[str, Any], facets: dict[str, list[str]],
              chosen: list[tuple[dict[str, Any], str, dict[str, Any] | None]], *,
              predictions: dict[str, dict[str, Any]] | None = None, model: dict[str, Any] | None = None,
              leaderboard: list[dict[str, Any]] | None = None, others: list[dict[str, Any]] | None = None
              ) -> dict[str, Any]:
    """The page's data from statistics over every record and the records chosen to embed."""
    index = {k: {v: i for i, v in enumerate(vs)} for k, vs in facets.items()}
    index["category"] = CATEGORY_ORDER
    index["severity"] = {s: i for i, s in enumerate(SEVERITIES)}
    return {
        "title": title,
        "categories": list(CATEGORIES),
        "severities": list(SEVERITIES),
        "sources": facets["source"],
        "systems": facets["system"],
        "splits": facets["split"],
        "summary": summary | {"embedded": len(chosen)},
        "sampled": ("worst" if model else "hash") if len(chosen) < summary["records"] else None,
        **({"leaderboard": leaderboard} if leaderboard else {}),
        **({"others": others} if others else {}),
        "model": model,
        "labels": labels(),
        "records": [
            _compact(record, index, split,
                     None if predictions is None else predictions.get(record["id"], {"spans": []}), score)
            for record, split, score in chosen
        ],
    }


# ---------------------------------------------------------------- the page


def _asset(name: str) -> str:
    return resources.files("newserrata").joinpath("report_assets", name).read_text(encoding="utf-8")


def _embed(value: Any) -> str:
    """JSON that cannot end its <script> element: every '<' becomes \\u003c."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")


def render(data: dict[str, Any]) -> str:
    """The template with its CSS, script and data inlined; the script is pinned by its hash in the
    content security policy, so nothing else can run and nothing can be fetched."""
    script = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    values = {
        "title": html.escape(data["title"]),
        "csp": f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{digest}'",
        "style": _asset("report.css"),
        "data": _embed(data),
        "script": script,
    }
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], _asset("report.html"))


def _write(data: dict[str, Any], out: Path) -> ReportInfo:
    page = render(data).encode("utf-8")
    write_bytes(Path(out), page)
    return ReportInfo(Path(out), data["summary"]["records"], len(data["records"]), len(page))


def write_report(records: Iterable[dict[str, Any]], out: Path, *, title: str,
                 predictions: dict[str, dict[str, Any]] | None = None, splits: dict[str, str] | None = None,
                 limit: int = LIMIT, model: str = "predictions") -> ReportInfo:
    """Write the page for published-shape records (Record.to_dict()); `splits` maps id to split and
    `predictions` id to a prediction line. The bytes depend only on the arguments."""
    splits = splits or {}
    pairs = ((r, splits.get(r["id"], "")) for r in records)
    return _write(report_data(pairs, title=title, predictions=predictions, limit=limit, model=model), out)


def write_build_report(folder: Path, *, title: str, stats: Stats, sample: list[Pair]) -> ReportInfo:
    """report.html of a build folder from what the build gathered while writing it: statistics over
    every record, and its sample (the LIMIT records with the smallest hash of their id, in the order of
    the default config), which is what `report_data` would embed from the same records."""
    summary, facets = stats.page_summary()
    chosen = [(record, split, None) for record, split in sample]
    return _write(page_data(title, summary, facets, chosen), Path(folder) / "report.html")


# ---------------------------------------------------------------- reading inputs


def checked_records(path: Path, problems: Problems, config: str = "default", split: str | None = None
                    ) -> Iterator[Pair]:
    """Schema-valid records with their split (from the shard name of a build folder, else --split);
    problems are collected, so every bad record is named before anything is written."""
    seen: dict[str, str] = {}
    for file, line, record in _progress(iter_records(path, problems, config, split), "report"):
        if not check_record(record, (file, line), problems, Level.BUILT, seen):
            continue
        shard = SHARD.fullmatch(Path(file).name)
        yield record, shard["split"] if shard else split or ""
    if not seen and not problems:
        problems.add(str(path), None, "", "no records", "point at dist/<version> or a records .jsonl / .parquet")


def read_predictions(path: Path, problems: Problems) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
    """Prediction lines by id, and the line of each; schema and duplicate ids are checked here,
    offsets and unknown ids against the records as they stream past."""
    lines = [(str(path), number, value) for number, value in read_lines(path, problems)]
    indexed = preds.index(lines, problems)
    values = {v["id"]: v for _, _, v in lines if v.get("id") in indexed}
    return values, {k: p.line for k, p in indexed.items() if p.line is not None}


def _progress(items: Iterable[Any], what: str) -> Iterable[Any]:
    return tqdm(items, desc=what, unit=" records", file=sys.stderr, disable=None, leave=False)


def default_title(path: Path) -> str:
    manifest = Path(path) / "MANIFEST.json"
    if manifest.is_file():
        try:
            meta = loads(read_input(manifest).decode("utf-8"))
            return f"{meta['name']} {meta['version']}" + (" (partial)" if meta.get("partial") else "")
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return Path(path).resolve().name
