"""`newserrata report`: one self-contained HTML page to look at a release, or at a model's mistakes on it.

Python does all the counting, over every record, so the statistics stay exact when a very large
build embeds only a sample of its articles. The page's script only draws, and draws lazily (one
page of the list, one open article), which is what keeps a full release opening in well under
two seconds. The page fetches nothing: CSS, script and data are inline, and its content security
policy forbids every request, so it can be mailed, archived and opened offline.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from newserrata.aggregate import Alpha
from newserrata.atomic import write_bytes
from newserrata.errors import Problems
from newserrata.records import Record
from newserrata.taxonomy import CATEGORIES, CATEGORY_ORDER, SEVERITIES

LIMIT = 2000
SHARD = re.compile(r"^(?P<split>[A-Za-z0-9_]+)-\d{5}-of-\d{5}\.parquet$")


@dataclass(frozen=True)
class ReportInfo:
    path: Path
    records: int
    embedded: int
    bytes: int


# ---------------------------------------------------------------- a model's scores


def score_records(records: list[dict[str, Any]], predictions: dict[str, dict[str, Any]]
                  ) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Per-record and overall numbers from the benchmark's own scorer, so the page never
    disagrees with `newserrata score`; records without a prediction count as predicting nothing."""
    from newserrata import predictions as preds
    from newserrata.score import Gold, score_record, summarize

    problems = Problems()
    categories: dict[str, Counter[str]] = {k: Counter() for k in
                                           ("gold_chars", "found_chars", "predicted_chars", "predicted_in_gold")}
    rows, per_record = [], {}
    for number, record in enumerate(records, 1):
        value = predictions.get(record["id"], {"id": record["id"], "spans": []})
        prediction = preds.parse("<predictions>", number, value, problems)
        if prediction is None:
            continue
        row = score_record(Gold.from_dict(record), prediction, categories)
        rows.append(row)
        per_record[record["id"]] = {
            "p": _ratio(row.matched, row.pred_chars), "r": _ratio(row.matched, row.gold_chars),
            "f1": _ratio(2 * row.matched, row.gold_chars + row.pred_chars) if row.gold_chars + row.pred_chars else 1.0,
            "iou": row.shroom_iou, "cor": row.shroom_cor,
            "tp": row.matched, "fp": row.pred_chars - row.matched, "fn": row.gold_chars - row.matched,
        }
    problems.raise_if_any()
    missing = sum(r["id"] not in predictions for r in records)
    report = summarize(rows, categories, gold="", missing=missing)
    overall = {
        "records": report.records, "missing": report.missing,
        "metrics": {k: _round(v) for k, v in report.metrics.items()},
        "counts": report.counts,
        "sources": [{"name": k} | {m: _round(v) for m, v in row.items()} for k, row in report.per_source.items()],
        "categories": [{"name": k} | {m: _round(v) for m, v in row.items()} for k, row in report.per_category.items()],
    }
    return per_record, overall


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits) + 0.0


# ---------------------------------------------------------------- statistics over all records


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarise(records: list[dict[str, Any]], splits: dict[str, str]) -> dict[str, Any]:
    """Release-level numbers: per source, per split, and span counts for the charts."""
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_source[record["source"]].append(record)
    annotators: set[str] = set()
    sources = []
    for name in sorted(by_source):
        group = by_source[name]
        alpha = Alpha()
        ids: set[str] = set()
        for record in group:
            ids.update(a["annotator_id"] for a in record["annotations"])
            if record["num_annotators"] > 1:
                alpha.add(Record.from_dict(record))
        annotators |= {f"{name}\0{i}" for i in ids}
        agreements = [r["agreement"] for r in group if r["agreement"] is not None]
        sources.append({
            "name": name,
            "records": len(group),
            "annotators": len(ids),
            "per_record": _round(_mean([r["num_annotators"] for r in group]), 2),
            "spans": sum(len(r["spans"]) for r in group),
            "with_errors": sum(bool(r["has_error"]) for r in group),
            "agreement": _round(_mean(agreements)),
            "alpha": _round(alpha.value()),
            "mqm": _round(_mean([r["mqm_score"] for r in group]), 2),
            "languages": sorted({r["language"] for r in group}),
        })
    split_counts = Counter(splits.get(r["id"], "") for r in records)
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for record in records:
        split = splits.get(record["id"], "")
        for span in record["spans"]:
            counts[(record["source"], split, span["category"], span["severity"])] += 1
    agreements = [r["agreement"] for r in records if r["agreement"] is not None]
    return {
        "records": len(records),
        "spans": sum(len(r["spans"]) for r in records),
        "with_errors": sum(bool(r["has_error"]) for r in records),
        "annotators": len(annotators),
        "multi": sum(r["num_annotators"] > 1 for r in records),
        "agreement": _round(_mean(agreements)),
        "characters": sum(len(r["text"]) for r in records),
        "sources": sources,
        "splits": [{"name": k, "records": split_counts[k]} for k in sorted(split_counts)],
        "counts": [[*key, n] for key, n in sorted(counts.items())],
    }


# ---------------------------------------------------------------- the embedded data


def _utf16(text: str) -> Callable[[int], int]:
    """Code-point offsets to the UTF-16 offsets the page's JavaScript strings use."""
    if all(ord(c) < 0x10000 for c in text):
        return lambda i: i
    table = [0]
    for c in text:
        table.append(table[-1] + (2 if ord(c) >= 0x10000 else 1))
    return table.__getitem__


def _choose(records: list[dict[str, Any]], limit: int, scores: dict[str, dict[str, Any]] | None
            ) -> list[dict[str, Any]]:
    """Which records to embed when there are too many: the worst-scored when a model is shown,
    otherwise a sample by hash of id (deterministic, and stable when records are added)."""
    if len(records) <= limit:
        return records
    if scores is not None:
        keep = {r["id"] for r in sorted(records, key=lambda r: (scores[r["id"]]["iou"], r["id"]))[:limit]}
    else:
        keep = set(sorted((r["id"] for r in records), key=lambda i: hashlib.sha256(i.encode()).digest())[:limit])
    return [r for r in records if r["id"] in keep]


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
        out["agr"] = _round(record["agreement"], 3)
    for key, field in (("t", "title"), ("url", "url"), ("date", "date"), ("st", "source_text"),
                       ("sl_lang", "source_language"), ("proc", "process")):
        if record.get(field):
            out[key] = record[field]
    if prediction is not None:
        out["pr"] = [[u(s["start"]), u(s["end"]), cat.get(s.get("category") or "", -1),
                      sev.get(s.get("severity") or "", -1), s.get("prob"), int(_counts(s))]
                     for s in prediction["spans"]]
    if score is not None:
        out["sc"] = {k: _round(v, 3) if isinstance(v, float) else v for k, v in score.items()}
    return out


def _counts(span: dict[str, Any]) -> bool:
    """The scorer's reading of a predicted span: an error when prob > 0.5 and not neutral."""
    return span.get("prob", 1.0) > 0.5 and span.get("severity", "major") != "neutral"


def report_data(records: list[dict[str, Any]], *, title: str, predictions: dict[str, dict[str, Any]] | None = None,
                splits: dict[str, str] | None = None, limit: int = LIMIT, model: str = "predictions"
                ) -> dict[str, Any]:
    splits = splits or {}
    scores, overall = score_records(records, predictions) if predictions is not None else (None, None)
    chosen = _choose(records, limit, scores)
    facets = {
        "source": sorted({r["source"] for r in records}),
        "system": sorted({r["system"] for r in records if r["system"]}),
        "split": sorted({s for s in splits.values() if s}),
    }
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
        "summary": summarise(records, splits) | {"embedded": len(chosen)},
        "sampled": ("worst" if scores is not None else "hash") if len(chosen) < len(records) else None,
        "model": None if overall is None else {"name": model} | overall,
        "records": [
            _compact(r, index, splits.get(r["id"], ""),
                     None if predictions is None else predictions.get(r["id"], {"spans": []}),
                     None if scores is None else scores[r["id"]])
            for r in chosen
        ],
    }


# ---------------------------------------------------------------- the page


def _asset(name: str) -> str:
    return resources.files("newserrata").joinpath("report_assets", name).read_text(encoding="utf-8")


def _embed(value: Any) -> str:
    """JSON that cannot end its <script> element: every '<' becomes \\u003c."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")


def render(data: dict[str, Any]) -> str:
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


def write_report(records: list[dict[str, Any]], out: Path, *, title: str,
                 predictions: dict[str, dict[str, Any]] | None = None, splits: dict[str, str] | None = None,
                 limit: int = LIMIT, model: str = "predictions") -> ReportInfo:
    """Write the page for published-shape records (Record.to_dict()); `splits` maps id to split,
    `predictions` maps id to a prediction line. The bytes depend only on the arguments."""
    data = report_data(records, title=title, predictions=predictions, splits=splits, limit=limit, model=model)
    page = render(data).encode("utf-8")
    write_bytes(Path(out), page)
    return ReportInfo(Path(out), len(records), len(data["records"]), len(page))


# ---------------------------------------------------------------- reading inputs


def read_records(path: Path, config: str = "default", split: str | None = None
                 ) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Schema-valid records and the split of each (from the shard name of a build folder)."""
    from newserrata import schemas
    from newserrata.checks import check_spans
    from newserrata.records_io import iter_records

    problems = Problems()
    records: list[dict[str, Any]] = []
    splits: dict[str, str] = {}
    seen: dict[str, str] = {}
    for file, line, record in _progress(iter_records(path, problems, config, split), "reading records"):
        found = len(problems)
        for ptr, message in schemas.schema_errors("record", record):
            problems.add(file, line, ptr, message, "see schema/record.schema.json; `newserrata validate` "
                         "checks records")
        if len(problems) > found:
            continue
        check_spans(record["spans"], record["text"], (file, line), "/spans", problems)
        for i, annotation in enumerate(record["annotations"]):
            check_spans(annotation["spans"], record["text"], (file, line), f"/annotations/{i}/spans", problems)
        if record["id"] in seen:
            problems.add(file, line, "/id", f"duplicate id {record['id']!r}, first at {seen[record['id']]}",
                         "record ids are unique")
        seen[record["id"]] = f"{file}:{line}"
        shard = SHARD.match(Path(file).name)
        if shard:
            splits[record["id"]] = shard["split"]
        elif split:
            splits[record["id"]] = split
        records.append(record)
    if not records and not problems:
        problems.add(str(path), None, "", "no records", "point at dist/<version> or a records .jsonl/.parquet")
    problems.raise_if_any()
    return records, splits


def read_predictions(path: Path, records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Prediction lines by id, checked as the scorer checks them (schema, duplicate and unknown ids,
    offsets inside the text); records without a line are shown as predicting nothing."""
    from newserrata import predictions as preds
    from newserrata.jsonl import read_lines

    problems = Problems()
    lines = [(str(path), number, value) for number, value in read_lines(path, problems)]
    indexed = preds.index(lines, problems)
    matcher = preds.Matcher(indexed, problems, file=str(path), allow_missing=True, gold="the records shown")
    for record in records:
        matcher.take(record["id"], record["text"])
    matcher.finish()
    problems.raise_if_any()
    return {value["id"]: value for _, _, value in lines}


def _progress(items: Iterable[Any], what: str) -> Iterable[Any]:
    from tqdm import tqdm

    return tqdm(items, desc=what, unit=" records", file=sys.stderr, disable=None, leave=False)


def default_title(path: Path) -> str:
    manifest = Path(path) / "MANIFEST.json"
    if manifest.is_file():
        try:
            meta = json.loads(manifest.read_text(encoding="utf-8"))
            return f"{meta['name']} {meta['version']}" + (" (partial)" if meta.get("partial") else "")
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return Path(path).resolve().name


def run(args: argparse.Namespace) -> int:
    path = Path(args.records)
    problems = Problems()
    for given, what in ((path, "records"), (Path(args.predictions or path), "predictions")):
        if not given.exists():
            problems.add(str(given), None, "", f"no such {what} file or folder", "check the path")
    problems.raise_if_any()
    records, splits = read_records(path, args.config, args.split)
    predictions = read_predictions(Path(args.predictions), records) if args.predictions else None
    title = args.title or default_title(path)
    if args.split:
        title += f" · {args.split}"
    model = Path(args.predictions).stem if args.predictions else "predictions"
    info = write_report(records, Path(args.out), title=title, predictions=predictions, splits=splits,
                        limit=args.limit, model=model)
    result = {"out": str(info.path), "records": info.records, "embedded": info.embedded, "bytes": info.bytes}
    if args.json:
        print(json.dumps(result))
    else:
        shown = "" if info.embedded == info.records else f" ({info.embedded} embedded)"
        print(f"report: {info.records} record(s){shown}, {info.bytes / 1e6:.2f} MB -> {info.path}")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="write a self-contained HTML report of a build or of a scored model",
        description="Write one HTML file (no external resources) with the release summary, charts of span "
                    "categories and severities, and an article browser with the error spans highlighted. "
                    "With --predictions, gold and predicted spans side by side and per-record scores, "
                    "worst first.")
    p.add_argument("records", metavar="BUILD_OR_RECORDS",
                   help="a build folder (dist/<version>) or a records .jsonl / .parquet file")
    p.add_argument("--predictions", metavar="PRED.jsonl", help="a model's predictions to compare with the gold spans")
    p.add_argument("--split", help="only this split of a build folder (validation, test)")
    p.add_argument("--config", default="default", help="build configuration to read (default: %(default)s)")
    p.add_argument("--out", required=True, help="the HTML file to write")
    p.add_argument("--title", help="page title (default: name and version from MANIFEST.json)")
    p.add_argument("--limit", type=int, default=LIMIT,
                   help="embed at most this many articles; statistics still cover all (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="print a machine-readable result")
    p.set_defaults(func=run)
