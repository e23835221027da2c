"""How fast does the HTML report of a full release open in a browser?

Writes a synthetic release shaped like the real one (about 700 articles of 1-5 KB, most with three
annotators, two sources, ten systems, two splits) in the native format, aggregates it, writes the
report with and without predictions, opens each in headless Chromium several times and prints the
file size and the time until the page's first render has finished (navigation start to the
marker the page sets), against the 2 s floor of the issue.

    python bench/bench_report.py [--articles 700] [--runs 5] [--json]
    python bench/bench_report.py --build dist/1.0.0     # the report.html of a real build instead
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

from newserrata.aggregate import aggregate
from newserrata.report import write_report
from newserrata.sources import native
from newserrata.taxonomy import CATEGORIES

FLOOR_SECONDS = 2.0
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
WORDS = ("the minister said on tuesday that talks with the union would resume next week after a pause "
         "of three months while prices of energy and food kept rising across the region and the central "
         "bank held its rate at four percent citing weak demand exports and a slower recovery in industry").split()


def article(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.randint(3, 12)):
        sentences = []
        for _ in range(rng.randint(2, 5)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(8, 24))]
            sentences.append(" ".join(words).capitalize() + ".")
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


def spans(rng: random.Random, text: str, anchors: list[tuple[int, int]]) -> list[dict]:
    out = []
    for start, end in anchors:
        if rng.random() < 0.3:
            continue
        start = max(0, start + rng.randint(-3, 3))
        end = min(len(text), max(start + 1, end + rng.randint(-3, 3)))
        out.append({"start": start, "end": end, "text": text[start:end], "category": rng.choice(CATEGORIES[:16]),
                    "severity": rng.choice(["major", "minor", "minor"]), "note": "synthetic label"})
    return sorted(out, key=lambda s: (s["start"], s["end"]))


def synthetic_folder(folder: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    (folder / "articles").mkdir(parents=True)
    (folder / "labels").mkdir()
    lines = []
    for i in range(n):
        aid = f"doc{i // 10:03d}-sys{i % 10}"
        text = article(rng)
        (folder / "articles" / f"{aid}.txt").write_text(text, encoding="utf-8")
        meta = {"id": aid, "title": f"Synthetic report {i}", "language": "en", "source_language": "zh",
                "source_text_file": None, "system": f"system-{i % 10}", "process": "machine-translation",
                "group_id": f"doc{i // 10:03d}", "url": None, "date": "2025-01-24", "domain": "news",
                "license": "cc-by-4.0", "notes": "synthetic"}
        (folder / "articles" / f"{aid}.json").write_text(json.dumps(meta), encoding="utf-8")
        anchors = []
        for _ in range(rng.randint(0, 12)):
            start = rng.randrange(0, len(text) - 30)
            anchors.append((start, start + rng.randint(3, 30)))
        for k in range(1 if i % 7 == 0 else 3):
            found = spans(rng, text, anchors)
            line = {"article_id": aid, "annotator_id": f"rater{k + 1}", "annotator_kind": "professional-translator",
                    "created": "2026-01-01", "spans": found}
            if not found:
                line["no_errors"] = True
            lines.append(json.dumps(line))
    (folder / "labels" / "synthetic.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def release(folder: Path) -> tuple[list[dict], dict[str, str]]:
    records = [aggregate(r).to_dict() for r in native.load(folder, "synthetic")]
    for i, record in enumerate(records):
        record["source"] = "wmt-like" if i % 2 else "synthetic"
    splits = {r["id"]: "validation" if zlib.crc32(r["group_id"].encode()) % 10 < 3 else "test" for r in records}
    return records, splits


def predictions(records: list[dict]) -> dict[str, dict]:
    rng = random.Random(11)
    out = {}
    for record in records:
        found = [{"start": s["start"], "end": s["end"]} for s in record["spans"] if rng.random() < 0.6]
        if rng.random() < 0.5 and len(record["text"]) > 40:
            start = rng.randrange(0, len(record["text"]) - 30)
            found.append({"start": start, "end": start + 20})
        out[record["id"]] = {"id": record["id"], "spans": found}
    return out


def load_times(page_path: Path, runs: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(page_path.as_uri())
            page.wait_for_selector("html[data-ready='1']")
            times.append(page.evaluate("window.__reportReady") / 1000)
            page.close()
        browser.close()
    return times


def figures(articles: int, size: int, written: float | None, times: list[float]) -> dict:
    median = statistics.median(times)
    return {"articles": articles, "bytes": size, "write_seconds": None if written is None else round(written, 3),
            "load_seconds_median": round(median, 3), "load_seconds_max": round(max(times), 3),
            "floor_seconds": FLOOR_SECONDS, "ratio_to_floor": round(median / FLOOR_SECONDS, 3)}


def embedded_records(page: Path) -> int:
    """The record count the page itself states (its statistics cover every record)."""
    block = page.read_text(encoding="utf-8").split('<script type="application/json" id="data">', 1)[1]
    return json.loads(block.split("</script>", 1)[0])["summary"]["records"]


def measure_build(folder: Path, runs: int) -> dict:
    page = folder / "report.html"
    return figures(embedded_records(page), page.stat().st_size, None, load_times(page, runs))


def measure_synthetic(articles: int, runs: int) -> dict:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        synthetic_folder(folder, articles)
        records, splits = release(folder)
        for name, preds in (("release", None), ("scored", predictions(records))):
            out = Path(tmp) / f"{name}.html"
            started = time.perf_counter()
            info = write_report(records, out, title=f"synthetic {name}", predictions=preds, splits=splits)
            written = time.perf_counter() - started
            results[name] = figures(info.records, info.bytes, written, load_times(out, runs))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=700, help="synthetic articles (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=5, help="page loads per report (default: %(default)s)")
    parser.add_argument("--build", type=Path, metavar="DIR", help="measure DIR/report.html of a finished build")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if args.build:
        results = {f"build {args.build}": measure_build(args.build, args.runs)}
    else:
        results = measure_synthetic(args.articles, args.runs)
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
    else:
        for name, r in results.items():
            written = "" if r["write_seconds"] is None else f", written in {r['write_seconds']} s"
            print(f"{name}: {r['articles']} articles, {r['bytes'] / 1e6:.2f} MB{written}, opens in "
                  f"{r['load_seconds_median']} s median ({r['load_seconds_max']} s max of {args.runs}); "
                  f"{r['ratio_to_floor']:.3f} of the {FLOOR_SECONDS} s floor")
    return 0 if all(r["load_seconds_max"] < FLOOR_SECONDS for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
