"""The HTML report, opened in headless Chromium: highlights, filters, escaping, isolation, predictions.

Screenshots land in test-artifacts/ (not committed) so a person can look at what the tests saw.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from conftest import article_meta, label, span, write_json, write_jsonl, write_native_data
from playwright.sync_api import Browser, Page, sync_playwright

from newserrata import score
from newserrata.aggregate import aggregate, merge
from newserrata.atomic import write_bytes
from newserrata.build import build
from newserrata.cli import main
from newserrata.records import Annotation, Record, Span
from newserrata.report import System, render, report_data, write_report
from newserrata.sources import native

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

EVIL_TEXT = ('Officials said <script>window.__pwned = 1</script> before noon.\n'
             'Then </script><img src=x onerror="window.__pwned = 2"> appeared & <b>prices</b> rose.\n')
EVIL_TITLE = '<i>Breaking</i></title><script>window.__pwned = 3</script>'
EVIL_NOTE = '<img src=x onerror="window.__pwned = 4"> should not be here'
PLAIN_TEXT = "The central bank kept its rate at four percent on Monday, the bank said.\n"


def write_wire_data(root: Path) -> Path:
    """A second source: an article full of markup (in text, title and note) and a plain one."""
    articles = root / "articles"
    (articles).mkdir(parents=True)
    (articles / "evil-en.txt").write_text(EVIL_TEXT, encoding="utf-8")
    write_json(articles / "evil-en.json", article_meta("evil-en", title=EVIL_TITLE, system="evil-mt",
                                                       url="javascript:window.__pwned = 5"))
    (articles / "plain-en.txt").write_text(PLAIN_TEXT, encoding="utf-8")
    write_json(articles / "plain-en.json", article_meta("plain-en", system="other-mt"))
    write_jsonl(root / "labels" / "wire.jsonl", [
        label("evil-en", "ann-x", [
            span(EVIL_TEXT, "<script>window.__pwned = 1</script>", "fluency/encoding", "major", note=EVIL_NOTE),
            span(EVIL_TEXT, '<img src=x onerror="window.__pwned = 2">', "fluency/encoding", "minor"),
        ]),
        label("plain-en", "ann-x", [span(PLAIN_TEXT, "four percent", "accuracy/number-date", "major")]),
    ])
    return root


def fixture_records(tmp_path: Path) -> tuple[list[dict[str, Any]], dict[str, str]]:
    records = [aggregate(r).to_dict() for r in native.load(write_native_data(tmp_path / "team"), "native")]
    records += [aggregate(r).to_dict() for r in native.load(write_wire_data(tmp_path / "wire"), "wire")]
    splits = {r["id"]: "validation" if r["id"] in ("emoji-en", "plain-en") else "test" for r in records}
    return records, splits


def seed_records() -> list[dict[str, Any]]:
    """The project's own seed article with its maintainer labels."""
    return [aggregate(r).to_dict() for r in native.load(ROOT / "data", "native")]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Opened:
    """A page on a report, with every request it made and every http(s) one blocked and counted."""

    def __init__(self, browser: Browser, path: Path, hash_: str = "") -> None:
        self.requests: list[str] = []
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.page: Page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route(re.compile(r"^https?://"), self._block)
        self.page.goto(path.as_uri() + hash_)
        self.page.wait_for_selector("html[data-ready='1']")

    def _block(self, route: Any) -> None:
        self.outside.append(route.request.url)
        route.abort()

    def open(self, record_id: str, view: str | None = None) -> None:
        assert self.page.evaluate("([id, view]) => window.__report.open(id, view)", [record_id, view])

    def texts(self, selector: str) -> list[str]:
        return self.page.eval_on_selector_all(selector, "els => els.map(e => e.textContent)")

    def shot(self, name: str, full: bool = False) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        out = ARTIFACTS / name
        self.page.screenshot(path=str(out), full_page=full)
        return out


@pytest.fixture
def fixture_report(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    records, splits = fixture_records(tmp_path)
    out = tmp_path / "report.html"
    write_report(records, out, title="fixture build", splits=splits)
    return out, records


def test_every_gold_span_is_highlighted_with_its_text(browser: Browser, fixture_report: Any) -> None:
    path, records = fixture_report
    page = Opened(browser, path)
    assert sum(len(r["spans"]) for r in records) > 5
    for record in records:
        page.open(record["id"], "gold")
        assert page.texts("#text-gold mark.gold") == [s["text"] for s in record["spans"]], record["id"]
        assert "".join(page.texts("#text-gold")) == record["text"]
    page.open("emoji-en", "gold")
    tips = page.page.eval_on_selector_all("#text-gold mark.gold", "els => els.map(e => e.dataset.tip)")
    assert tips[0].startswith("accuracy/number-date · major") and "ann-a" in tips[0]
    assert page.page.locator("#text-gold .ins").count() == 1, "the omission is shown as an insertion point"
    assert page.errors == []


def test_multi_annotator_record_shows_soft_labels_and_each_annotator(browser: Browser, fixture_report: Any) -> None:
    path, records = fixture_report
    multi = next(r for r in records if r["id"] == "multi-en")
    page = Opened(browser, path)
    page.open("multi-en", "soft")
    heat = page.page.eval_on_selector_all("#text-soft mark.heat", "els => els.map(e => [e.textContent, e.dataset.tip])")
    expected = [(multi["text"][s["start"]:s["end"]], round(s["prob"] * 3)) for s in multi["soft_labels"]]
    assert [(text, int(tip.split(" of ")[0])) for text, tip in heat] == expected
    buttons = page.texts(".views button")
    assert buttons[:2] == [f"Gold spans ({len(multi['spans'])})", "Soft labels"]
    for annotation in multi["annotations"]:
        page.page.click(f".views button:text-is('{annotation['annotator_id']} ({len(annotation['spans'])})')")
        covered = merge([(s["start"], s["end"]) for s in annotation["spans"]])
        assert "".join(page.texts("#text-annotator mark")) == "".join(multi["text"][a:b] for a, b in covered)
        assert len(page.texts(".spans-table tbody tr")) == len(annotation["spans"])
    page.page.click(".views button:text-is('Soft labels')")
    page.shot("report-soft-labels.png")


def test_filters_and_search_narrow_the_list(browser: Browser, fixture_report: Any) -> None:
    path, records = fixture_report
    page = Opened(browser, path)
    page.page.click(".tabs [data-tab=articles]")
    assert len(page.texts("#list li")) == len(records)
    page.page.select_option("#f-source", label="wire")
    assert sorted(page.page.eval_on_selector_all("#list li", "els => els.map(e => e.dataset.id)")) == \
        ["evil-en", "plain-en"]
    page.page.select_option("#f-system", label="other-mt")
    assert page.page.eval_on_selector_all("#list li", "els => els.map(e => e.dataset.id)") == ["plain-en"]
    page.page.select_option("#f-source", value="")
    page.page.select_option("#f-system", value="")
    page.page.select_option("#f-split", label="validation")
    assert sorted(page.page.eval_on_selector_all("#list li", "els => els.map(e => e.dataset.id)")) == \
        ["emoji-en", "plain-en"]
    page.page.select_option("#f-split", value="")
    page.page.select_option("#f-category", label="accuracy/entity")
    assert page.page.eval_on_selector_all("#list li", "els => els.map(e => e.dataset.id)") == ["multi-en"]
    page.page.select_option("#f-category", value="")
    page.page.fill("#q", "bürgermeister")
    page.page.wait_for_function("() => document.querySelectorAll('#list li').length === 1")
    assert page.page.eval_on_selector_all("#list li", "els => els.map(e => e.dataset.id)") == ["crlf-de"]
    assert page.texts("#count") == [f"1 of {len(records)} articles match"]


def test_markup_in_the_data_is_shown_as_text_and_never_runs(browser: Browser, fixture_report: Any) -> None:
    path, _ = fixture_report
    page = Opened(browser, path, "#a=evil-en")
    for view in ("gold", "a0"):
        page.open("evil-en", view)
        assert page.page.evaluate("window.__pwned") is None
    page.open("evil-en", "gold")
    assert "".join(page.texts("#text-gold")) == EVIL_TEXT
    assert page.texts("#text-gold mark.gold")[0] == "<script>window.__pwned = 1</script>"
    assert page.page.locator("#article h2").text_content() == EVIL_TITLE
    assert page.page.title() == "fixture build"
    assert page.page.locator("script").count() == 2, "only the data block and the page's own script"
    assert page.page.locator("#article img, #article a, #article .text b, #article .text i").count() == 0
    page.page.hover("#text-gold mark.gold >> nth=0")
    assert EVIL_NOTE in page.page.locator("#tip").text_content()
    page.page.click("#list li[data-id=evil-en]")
    assert page.page.evaluate("window.__pwned") is None
    assert page.errors == []
    page.shot("report-escaped-markup.png")
    titled = path.with_name("titled.html")
    write_report([], titled, title=EVIL_TITLE)
    page = Opened(browser, titled)
    assert page.page.title() == EVIL_TITLE == page.page.locator("#title").text_content()
    assert page.page.evaluate("window.__pwned") is None
    assert page.errors == [] and page.texts("#count") == ["0 articles"]


def test_nothing_is_fetched_from_outside_the_file(browser: Browser, fixture_report: Any) -> None:
    path, records = fixture_report
    page = Opened(browser, path)
    for tab in ("overview", "articles"):
        page.page.click(f".tabs [data-tab={tab}]")
    for record in records:
        page.open(record["id"])
        for button in page.page.locator(".views button").all():
            button.click()
    page.page.hover("#list li >> nth=0")
    assert page.outside == []
    assert all(url.startswith(("file:", "data:", "about:")) for url in page.requests), page.requests
    csp = page.page.get_attribute("meta[http-equiv=Content-Security-Policy]", "content")
    assert csp is not None and csp.startswith("default-src 'none'")
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"(src|href)=[\"']?https?:", html)
    data = html.split('<script type="application/json" id="data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data, "every '<' of the embedded data is escaped"


def simple_predictions(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A tiny rule-based system: numbers with ordinal suffixes, repeated words and loops, dollars."""
    pattern = re.compile(r"\b\d+(?:st|nd|rd|th)\b|\b(\w+)(?: and \1)+\b|\b(\w+) \2\b|\$\d+")
    return {r["id"]: {"id": r["id"], "spans": [{"start": m.start(), "end": m.end(), "severity": "major"}
                                               for m in pattern.finditer(r["text"])]} for r in records}


def test_predictions_show_hits_false_alarms_and_misses(browser: Browser, tmp_path: Path) -> None:
    records, splits = fixture_records(tmp_path)
    multi = next(r for r in records if r["id"] == "multi-en")
    gold = multi["spans"][0]
    oil = multi["text"].index("Oil was")
    predictions = {
        "multi-en": {"id": "multi-en", "spans": [
            {"start": gold["start"], "end": gold["end"], "severity": "major"},
            {"start": oil, "end": oil + 7, "severity": "minor", "category": "accuracy/other"},
            {"start": 0, "end": 5, "prob": 0.2},
        ]},
        "clean-en": {"id": "clean-en", "spans": []},
        "plain-en": {"id": "plain-en", "spans": [{"start": 0, "end": len(PLAIN_TEXT)}]},
    }
    out = tmp_path / "scored.html"
    write_report(records, out, title="scored", splits=splits, predictions=predictions, model="fixture-model")
    page = Opened(browser, out)
    page.open("multi-en")
    assert page.texts("#text-gold-side mark.hit") == [gold["text"]]
    assert "".join(page.texts("#text-gold-side mark.miss")) == "".join(s["text"] for s in multi["spans"][1:])
    assert page.texts("#text-pred-side mark.fa") == ["Oil was"]
    assert page.texts("#text-pred-side mark.weak") == [multi["text"][:5]], "p <= 0.5 is shown but not scored"
    matched, predicted = len(gold["text"]), len(gold["text"]) + 7
    cards = dict(zip(page.texts(".scores .card .k"), page.texts(".scores .card .v"), strict=True))
    assert cards["Precision"] == f"{matched / predicted:.2f}"
    assert cards["False alarm chars"] == "7"
    page.shot("report-predictions-fixture.png")

    order = page.page.eval_on_selector_all("#list li", "els => els.map(e => e.dataset.id)")
    assert order[-1] == "clean-en", "an error-free record left error-free scores IoU 1 and comes last"
    assert set(order[:3]) == {"crlf-de", "emoji-en", "evil-en"}, "records with gold but no prediction come first"
    official = score(records, list(predictions.values()), allow_missing=True).metrics
    page.page.click(".tabs [data-tab=model]")
    model = dict(zip(page.texts("#model .card .k"), page.texts("#model .card .v"), strict=True))
    assert model["Char F1"] == f"{official['char_f1']:.3f}"
    assert model["Mu-SHROOM IoU"] == f"{official['shroom_iou']:.3f}"
    assert "3 records had no prediction" in page.page.locator("#model .notice").text_content()
    assert page.errors == []


def test_seed_article_with_its_errors_highlighted(browser: Browser, tmp_path: Path) -> None:
    records = seed_records()
    seed = records[0]
    out = tmp_path / "seed.html"
    write_report(records, out, title="NewsErrata seed article", splits={seed["id"]: "test"})
    page = Opened(browser, out, f"#a={seed['id']}")
    assert page.page.locator("#text-gold mark.gold").count() == len(seed["spans"]) > 40
    assert page.texts("#text-gold mark.gold")[:3] == [s["text"] for s in seed["spans"][:3]]
    page.page.hover("#text-gold mark.gold >> nth=2")
    assert "accuracy/entity · major" in page.page.locator("#tip").text_content()
    assert page.shot("report-seed-article.png").stat().st_size > 50_000
    page.page.click(".tabs [data-tab=overview]")
    page.shot("report-seed-overview.png", full=True)
    assert page.outside == [] and page.errors == []


def test_scored_baseline_on_the_seed_article(browser: Browser, tmp_path: Path) -> None:
    records, splits = fixture_records(tmp_path)
    seed = seed_records()[0]
    records.insert(0, seed)
    splits[seed["id"]] = "test"
    predictions = simple_predictions(records)
    out = tmp_path / "baseline.html"
    write_report(records, out, title="NewsErrata fixtures and seed · rule baseline", predictions=predictions,
                 splits=splits, model="rule-baseline")
    page = Opened(browser, out, f"#a={seed['id']}")
    for kind in ("#text-gold-side mark.hit", "#text-gold-side mark.miss", "#text-pred-side mark.fa"):
        assert page.page.locator(kind).count() > 0, kind
    assert "202nd" in page.texts("#text-pred-side mark.hit")
    page.shot("report-baseline-article.png")
    page.page.locator("#text-pred-side mark.hit >> nth=1").scroll_into_view_if_needed()
    page.page.evaluate("() => window.scrollBy(0, 250)")
    page.shot("report-baseline-hits.png")
    page.page.click(".tabs [data-tab=model]")
    official = score(records, list(predictions.values())).metrics
    model = dict(zip(page.texts("#model .card .k"), page.texts("#model .card .v"), strict=True))
    assert model["AUROC"] == f"{official['auroc']:.3f}"
    page.shot("report-baseline-model.png", full=True)
    assert page.errors == []


def tiny_record(n: int) -> dict[str, Any]:
    text = f"Report {n}: the the council met.\n"
    start = text.index("the the")
    spans = [Span(start, start + 7, "the the", "fluency/repetition", "minor")]
    record = Record(id=f"r{n:05d}", group_id=f"g{n}", source="bulk", language="en", text=text,
                    annotations=[Annotation("ann-a", "crowd", spans)], license="CC-BY-4.0")
    return aggregate(record).to_dict()


def test_a_large_input_embeds_a_fixed_sample_and_counts_everything(browser: Browser, tmp_path: Path) -> None:
    records = [tiny_record(n) for n in range(300)]
    data = report_data(((r, "test") for r in records), title="bulk", limit=40)
    smallest = sorted(records, key=lambda r: hashlib.sha256(r["id"].encode()).digest())[:40]
    assert [r["id"] for r in data["records"]] == sorted(r["id"] for r in smallest)
    assert data["summary"]["records"] == 300 and data["summary"]["spans"] == 300
    more = report_data(((r, "test") for r in [*records, *(tiny_record(n) for n in range(300, 400))]),
                       title="bulk", limit=40)
    kept = {r["id"] for r in data["records"]} & {r["id"] for r in more["records"]}
    newcomers = {r["id"] for r in more["records"]} - kept
    assert all(int(i[1:]) >= 300 for i in newcomers), "adding records only lets new records in"
    out = tmp_path / "bulk.html"
    info = write_report(records, out, title="bulk", limit=40)
    first = out.read_bytes()
    assert (info.records, info.embedded) == (300, 40)
    write_report(records, out, title="bulk", limit=40)
    assert out.read_bytes() == first, "same input, same bytes"
    page = Opened(browser, out)
    assert "300 records" in page.page.locator("#notice").text_content()
    assert page.texts("#cards .card .v")[0] == "300"
    page.page.click(".tabs [data-tab=articles]")
    assert page.texts("#count") == ["40 articles"]
    assert page.texts("#page") == ["1–40 of 40"]


def test_cli_writes_a_report_and_refuses_bad_predictions(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    records, _ = fixture_records(tmp_path)
    path = tmp_path / "records.jsonl"
    write_jsonl(path, records)
    out = tmp_path / "report.html"
    assert main(["report", str(path), "--out", str(out), "--json", "-"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["records"] == len(records) == result["embedded"]
    before = out.read_bytes()
    bad = tmp_path / "bad.jsonl"
    write_jsonl(bad, [{"id": "multi-en", "spans": [{"start": 5, "end": 5000}]},
                      {"id": "nope", "spans": []},
                      {"id": "clean-en", "spans": [{"start": 0}]}])
    assert main(["report", str(path), "--predictions", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:1: /spans/0/end: end 5000 is past the end of the text" in err
    assert f"{bad}:2: /id: no record 'nope'" in err
    assert f"{bad}:3: " in err and '"end" is a required property' in err
    assert out.read_bytes() == before, "a refused report leaves the earlier one untouched"
    assert main(["report", str(tmp_path / "missing"), "--out", str(out)]) == 2
    assert "no such records file or folder" in capsys.readouterr().err


def test_build_writes_the_report_into_the_version_folder(browser: Browser, tmp_path: Path) -> None:
    write_native_data(tmp_path / "data")
    release = tmp_path / "release.toml"
    release.write_text('[dataset]\nname = "newserrata"\nversion = "1.0.0"\nsalt = "report-test-salt"\n'
                       'pretty_name = "NewsErrata"\nhub_repo = "newserrata/newserrata"\n\n'
                       '[splits]\nvalidation = 0.3\ntest = 0.7\n\n[[sources]]\nname = "native"\nkind = "native"\n'
                       'path = "data"\nlicense = "CC-BY-4.0"\ncitation = "@misc{x, title={x}}"\nenabled = true\n',
                       encoding="utf-8")
    result = build(release, tmp_path / "dist", progress=False)
    report = result.folder / "report.html"
    manifest = json.loads((result.folder / "MANIFEST.json").read_text(encoding="utf-8"))
    assert manifest["files"]["report.html"]["sha256"] == hashlib.sha256(report.read_bytes()).hexdigest()
    page = Opened(browser, report)
    assert page.page.title() == "newserrata 1.0.0"
    assert page.texts("#cards .card .v")[0] == str(result.records)
    page.page.click(".tabs [data-tab=articles]")
    split_of = {r["id"]: path.name.split("-")[0] for path in (result.folder / "data" / "default").glob("*.parquet")
                for r in pq.read_table(path).to_pylist()}
    for record_id, split in split_of.items():
        page.open(record_id)
        assert f"Split{split}" in page.page.locator("#article .facts").text_content()
    assert page.outside == [] and page.errors == []


def test_every_predictions_file_gets_its_detail_view(browser: Browser, tmp_path: Path) -> None:
    records, splits = fixture_records(tmp_path)
    first = {r["id"]: {"id": r["id"], "spans": []} for r in records}
    second = simple_predictions(records)
    out = tmp_path / "two.html"
    data = report_data(((r, splits[r["id"]]) for r in records), title="two models", predictions=first,
                       model="nothing", others=[System("rules", second, {}, "rules.jsonl")])
    write_bytes(out, render(data).encode("utf-8"))
    assert [o["name"] for o in data["others"]] == ["rules"]
    page = Opened(browser, out)
    page.page.click(".tabs [data-tab=model]")
    assert page.texts("#model-detail h2")[0].startswith("nothing on ")
    page.page.select_option("#model-choice", "1")
    assert page.texts("#model-detail h2")[0].startswith("rules on ")
    official = score(records, list(second.values())).metrics
    cards = dict(zip(page.texts("#model-detail .card .k"), page.texts("#model-detail .card .v"), strict=True))
    assert cards["Char F1"] == f"{official['char_f1']:.3f}"
    assert "Per source, document level" in page.texts("#model-detail h2")
    assert page.errors == []
