"""The Hub dataset card (README.md) and the built DATASHEET.md, generated from what was actually written.

Every number in either file comes from the build's own counts and the parquet files on disk, so
the documentation cannot drift from the data it describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from datasets import DatasetInfo, SplitDict, SplitInfo
from datasets.info import DatasetInfosDict
from huggingface_hub import DatasetCard, DatasetCardData

from newserrata.metrics import card_rows, card_text
from newserrata.release import Release
from newserrata.sources import Source
from newserrata.split import Duplicate
from newserrata.stats import Stats, Tally
from newserrata.taxonomy import CATEGORIES, SEVERITIES
from newserrata.write import features

STATISTICS_MARKER = "<!-- statistics -->"
SOURCES_MARKER = "<!-- sources -->"
ANNOTATION_CREATORS = {"crowd": "crowdsourced", "professional-translator": "expert-generated",
                       "professional-annotator": "expert-generated", "expert-linguist": "expert-generated",
                       "expert": "expert-generated", "maintainer": "expert-generated"}
"""The Hub's `annotations_creators` value for each annotator kind the records use (anything else: other)."""
OTHER_LICENSE_NAME = "newserrata-research-evaluation"
"""The Hub's `license_name` for sources whose license is not an SPDX id the Hub knows (see license_notes)."""
SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
                   (10_000_000, "1M<n<10M"))
OWN_CITATION = """@misc{newserrata,
  title  = {NewsErrata: a benchmark for error detection in machine-written news},
  author = {{NewsErrata maintainers}},
  year   = {2026},
  url    = {https://huggingface.co/datasets/newserrata/newserrata}
}"""


@dataclass(frozen=True, slots=True)
class SplitFiles:
    """What the card says about one (config, split): its shards, rows and sizes."""

    files: list[str]
    num_examples: int
    num_bytes: int
    download_size: int

    @classmethod
    def on_disk(cls, folder: Path, config: str, split: str) -> SplitFiles:
        """Read from the shards' parquet footers in the build folder, so the card states what was written."""
        paths = sorted((folder / "data" / config).glob(f"{split}-*.parquet"))
        rows = size = 0
        for path in paths:
            meta = pq.read_metadata(path)
            rows += meta.num_rows
            size += sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        return cls([p.relative_to(folder).as_posix() for p in paths], rows, size, sum(p.stat().st_size for p in paths))


def size_category(records: int) -> str:
    for limit, name in SIZE_CATEGORIES:
        if records < limit:
            return name
    return "n>10M"


def license_link(release: Release) -> str:
    """Where the card explains the licenses that are not SPDX ids the Hub knows."""
    return f"https://huggingface.co/datasets/{release.hub_repo}#licenses"


def corpus_citations(sources: list[Source]) -> list[str]:
    """BibTeX of the corpora the release includes (its own citation is OWN_CITATION)."""
    return sorted({s.citation.strip() for s in sources if not s.importer.original})


def hub_license(spdx: str) -> str:
    """Hub license ids are lower-case SPDX ids; anything unknown is 'other'."""
    return spdx.lower() if spdx.lower() in {"apache-2.0", "cc-by-4.0", "cc-by-sa-4.0", "mit", "cc0-1.0"} else "other"


def _dataset_info(config: str, splits: dict[str, SplitFiles]) -> dict[str, Any]:
    """One config's dataset_info through the public `DatasetInfosDict.to_dataset_card_data`, with the keys in
    the order the published cards have always had (features first, config_name kept even for default)."""
    split_dict = SplitDict()
    for name, info in splits.items():
        split_dict.add(SplitInfo(name=name, num_bytes=info.num_bytes, num_examples=info.num_examples))
    info = DatasetInfo(features=features(), splits=split_dict, config_name=config,
                      download_size=sum(s.download_size for s in splits.values()),
                      dataset_size=sum(s.num_bytes for s in splits.values()))
    holder = DatasetCardData()
    DatasetInfosDict({config: info}).to_dataset_card_data(holder)
    found = holder["dataset_info"]
    return {"features": found["features"], "config_name": config} | {
        k: v for k, v in found.items() if k not in ("features", "config_name")}


def license_notes(sources: list[Source]) -> list[str]:
    """What `other` means, per source that has it: the Hub's `license: other` points here (`license_link`)."""
    notes = []
    for s in sources:
        if hub_license(s.license) != "other":
            continue
        if s.importer.original:
            notes.append(f"- `{s.name}` (`{s.license}`): machine rewrites of published news reports. The reports' "
                         "copyright stays with their publishers; the rewrites are redistributed for research "
                         "evaluation only, as each article's metadata (`notes`) says, and the labels on them are "
                         "given for the same use. Any other use needs the publishers' permission.")
        else:
            notes.append(f"- `{s.name}` (`{s.license}`): see {s.homepage} for its terms.")
    return notes


def annotation_creators(tally: Tally) -> list[str]:
    return sorted({ANNOTATION_CREATORS.get(kind, "other") for kind in tally.annotator_kinds}) or ["no-annotation"]


def people(sources: list[Source], stats: Stats) -> tuple[int, list[str]]:
    """Distinct annotators over the sources whose ids are people, and the sources whose ids are not."""
    counted = sum(len(stats.get("*", s.name).annotators) for s in sources if s.importer.provenance(s).ids_are_people)
    return counted, [s.name for s in sources if not s.importer.provenance(s).ids_are_people]


def card_data(release: Release, sources: list[Source], layout: dict[str, dict[str, SplitFiles]],
              stats: Stats) -> Any:
    languages = sorted(stats.get().languages) or ["en"]
    licenses = sorted({hub_license(s.license) for s in sources})
    configs = [
        {"config_name": config,
         "data_files": [{"split": split, "path": f"data/{config}/{split}-*.parquet"} for split in splits],
         **({"default": True} if config == "default" else {})}
        for config, splits in layout.items()
    ]
    return DatasetCardData(
        pretty_name=release.pretty_name,
        license=licenses[0] if len(licenses) == 1 else licenses,
        language=languages,
        multilinguality="multilingual" if len(languages) > 1 else "monolingual",
        task_categories=["token-classification", "text-classification"],
        size_categories=[size_category(stats.get().records)],
        annotations_creators=annotation_creators(stats.get()),
        language_creators=["machine-generated"],
        configs=configs,
        dataset_info=[_dataset_info(config, splits) for config, splits in layout.items()],
        **({"license_name": OTHER_LICENSE_NAME, "license_link": license_link(release)} if "other" in licenses
           else {}),
    )


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


FIELDS = [
    ("id", "stable record id"),
    ("group_id", "source-document id; the split is a function of it, so no source document crosses splits"),
    ("source", "the release source (and config) the record comes from"),
    ("domain, language, source_language", "text domain; BCP-47 language of `text` and of `source_text`"),
    ("process, system", "how the machine produced the text and which system did"),
    ("title, url, date", "article metadata, null when unknown"),
    ("text", "the machine-written article; every offset refers to it"),
    ("source_text", "the text the machine worked from, or null when the record does not carry it (not available, "
                    "or not ours to redistribute: see Source texts)"),
    ("source_id, source_sha256", "id of the source document upstream; sha256 of its exact text, against which "
                                 "a hydrated copy is checked"),
    ("segments", "segment boundaries and segment MQM scores of segment-rated corpora (WMT); empty otherwise"),
    ("spans", "gold error spans: characters marked by more than half of the annotators, as sorted runs with "
              "majority `category` and `severity`"),
    ("soft_labels", "per-character fraction of annotators marking an error, as `{start, end, prob}` runs"),
    ("annotations", "every annotator's own spans (with the corpus' `original_category` and `note`), "
                    "source-side spans, `no_errors` and the annotator's MQM score"),
    ("verdicts", "whole-text judgements (`annotator_id`, `has_error`, `original_label`) where a corpus collected "
                 "them beside the spans (XSum factuality); empty otherwise"),
    ("num_annotators, agreement", "number of annotators; mean pairwise character IoU between them"),
    ("mqm_score, source_issue_weight, has_error", "mean MQM score over annotators (0 is perfect); 1 when "
     "source-issue spans count in it (WMT 2020-2021 scoring), else 0; whether any gold span exists (for a "
     "record not localised: whether most verdicts say the text is wrong)"),
    ("localised", "false when people judged the whole text wrong but the errors' place is unknown: character "
                  "metrics skip such records"),
    ("license", "license of the record's text and labels"),
    ("metadata", "machine-side facts of the text's making (`edit_types` an LLM was said to make, the `topic` of a "
                 "topic-focused summary), never human labels"),
]

def source_texts(sources: list[Source]) -> list[str]:
    """The card's "Source texts" section: which sources leave `source_text` null and how to attach it."""
    lacking = [(s.name, s.importer.provenance(s).self_contained) for s in sources]
    lacking = [(name, said.removeprefix("no: ")) for name, said in lacking if not said.startswith("yes")]
    if not lacking:
        return []
    return ["## Source texts", "",
            "Some source documents are not ours to redistribute. Their records leave `source_text` null and name "
            "the document instead: `source_id` (its id upstream) and `source_sha256` (the sha256 of the exact text "
            "the labels were made against). Attach the texts from your own copy of the source dataset; a text is "
            "attached only when its sha256 is the record's, and the ids left without text are reported:", "",
            "```python", "import newserrata", "",
            'test = newserrata.hydrate(ds["test"], ["AggreFact-Unified-test.xlsx", "AggreFact-Unified-val.xlsx"])',
            "```", "",
            "or `newserrata hydrate dist/<version> --split test --texts FILE --out test.jsonl` (records as JSON "
            "Lines, which `newserrata score` and the harnesses take as gold). Copies read: the AggreFact-Unified "
            "workbooks, or the Hugging Face XSum test split saved by `datasets` (parquet, JSON Lines or CSV with "
            "`id` and `document`).", "",
            *[f"- `{name}`: {said}" for name, said in lacking], ""]


def card_body(release: Release, sources: list[Source], missing: list[str], layout: dict[str, dict[str, SplitFiles]],
              stats: Stats, baselines: str = "") -> str:
    splits = list(release.splits)
    total = stats.get()
    out = [f"# {release.pretty_name}", ""]
    out += [
        f"{release.pretty_name} is an evaluation benchmark for finding errors in news that a machine wrote or "
        "rewrote (machine translation, LLM paraphrase, summary). Each record is one article with character "
        "spans that people marked as errors, each with a category and a severity, every annotator's own labels, "
        "soft labels and gold spans aggregated from them, and an MQM score. It has no training split: "
        "`validation` is for thresholds and prompt tuning, `test` for reporting.",
        "",
        f"Version {release.version}: {total.records} records, {sum(total.spans.values())} gold spans, "
        f"{_people_line(sources, stats)}.",
        "",
    ]
    if missing:
        out += [f"**Partial build**: the sources {', '.join(missing)} are missing, so this folder is not a "
                "release and must not be published.", ""]
    rows = [[config] + [layout[config][s].num_examples if s in layout[config] else 0 for s in splits]
            for config in layout]
    out += ["## Loading", "", "Pin the version with its tag, so results stay comparable:", "", "```python",
            "from datasets import load_dataset", "",
            f'ds = load_dataset("{release.hub_repo}", "default", revision="v{release.version}")',
            'test = ds["test"]', "```", "",
            "Configs: `default` holds every source; each source is also its own config. A split without records "
            "is left out of a config.", "",
            "Controls: texts written by people (`process` `human-translation` for WMT reference translations, "
            "`human-summary` for XSum reference summaries) were labelled blind beside the machine output. Keep "
            "them to see how a detector treats human text, or filter them out "
            "(`ds.filter(lambda r: not r[\"process\"].startswith(\"human-\"))`) to score machine-written news "
            "only; report which you did. Human texts are not error-free: most XSum references add facts the "
            "article does not state.", "",
            _table(["config", *splits], rows), "", "## Fields", "",
            _table(["field", "meaning"], [[f"`{f}`", m] for f, m in FIELDS]), "",
            "Categories are `area/kind` ids of the NewsErrata taxonomy (" + ", ".join(f"`{c}`" for c in CATEGORIES)
            + "); severities are " + ", ".join(f"`{s}`" for s in SEVERITIES) + ".", "",
            *source_texts(sources),
            "## Offsets", "",
            "- `text` is Unicode NFC with `\\n` newlines (CRLF and CR converted, a BOM removed); nothing else is "
            "changed. All offsets refer to this stored text.",
            "- Offsets are 0-based and end-exclusive, counted in Unicode code points: Python `text[start:end]`.",
            "- Every span stores its `text`, and `text == article[start:end]` holds for every span of every record.",
            "- A zero-length span (`start == end`) is an insertion point, used only for `accuracy/omission`.",
            "- JavaScript (and Java, C#) strings index UTF-16 code units: characters outside the Basic Multilingual "
            "Plane (emoji, some CJK) take two units there, so convert offsets before slicing, e.g. "
            "`Array.from(text).slice(start, end).join('')`.", "",
            "## Metrics", "",
            "Predictions are JSON lines `{\"id\", \"spans\": [{\"start\", \"end\", \"severity\"?, \"category\"?, "
            "\"prob\"?}], \"score\"?}`; `newserrata score` reports:", "",
            _table(["metric", "definition"], [[f"`{m}`", d] for m, d in card_rows()]), "",
            *card_text(), "",
            *(["## Baselines", "", "`newserrata baseline` predictions on this release, scored by `newserrata score` "
               "(definitions in docs/scoring.md of the repository):", "", baselines, ""] if baselines else []),
            "## Sources and licenses", "",
            _table(["source", "records", "process", "languages", "labelled by", "self-contained", "license"],
                   [[s.name, stats.get("*", s.name).records, _counts(stats.get("*", s.name).processes),
                     _languages(stats.get("*", s.name)), s.importer.provenance(s).labelled_by.split(" (")[0],
                     s.importer.provenance(s).self_contained.split(":")[0], s.license] for s in sources]), "",
            "Where a source is not self-contained, its records carry `source_id` and `source_sha256` instead of "
            "the source text, which is not ours to redistribute; `newserrata hydrate` attaches the text from "
            "your own copy and checks every sha256 (see the repository's README). The datasheet "
            "(`DATASHEET.md`) has a section per source: who labelled it, the inputs and their terms, how the "
            "labels were mapped and what was dropped.", "",
            "Each record also carries its own `license`. The card's statistics and the datasheet are in "
            "`DATASHEET.md`.", "",
            *(["### Licenses", "", "Sources under a license the Hub lists as `other` "
               f"(`license_name: {OTHER_LICENSE_NAME}`):", "", *license_notes(sources), ""]
              if license_notes(sources) else []),
            "## Citation", "", "```bibtex", OWN_CITATION, "```", ""]
    citations = corpus_citations(sources)
    if citations:
        out += ["Please also cite the corpora it includes:", "", "```bibtex", "\n\n".join(citations), "```", ""]
    return "\n".join(out)


def _people_line(sources: list[Source], stats: Stats) -> str:
    counted, slots = people(sources, stats)
    line = f"labels by {counted} identified annotators"
    if slots:
        line += (f" and by the annotators of {', '.join(slots)}, whose annotation ids are not people (per-item "
                 "slots, or several raters' shares of one document; see each source's section)")
    return line


def card(release: Release, sources: list[Source], missing: list[str], layout: dict[str, dict[str, SplitFiles]],
         stats: Stats, baselines: str = "") -> str:
    data = card_data(release, sources, layout, stats)
    body = card_body(release, sources, missing, layout, stats, baselines)
    return str(DatasetCard(f"---\n{data.to_yaml()}\n---\n\n{body}"))


def datasheet_template() -> str:
    """The repository's DATASHEET.md (packaged copy in a wheel, top-level file in a checkout)."""
    packaged = Path(str(resources.files("newserrata"))) / "DATASHEET.md"
    path = packaged if packaged.is_file() else Path(__file__).resolve().parents[2] / "DATASHEET.md"
    return path.read_text(encoding="utf-8")


def _counts(counter: Any) -> str:
    return ", ".join(f"{k} ({v})" for k, v in sorted(counter.items()))


def _languages(tally: Tally) -> str:
    text = ", ".join(sorted(tally.text_languages))
    source = ", ".join(sorted(tally.source_languages - tally.text_languages))
    return f"{text} (from {source})" if source else text


def sources_section(sources: list[Source], stats: Stats, logs: dict[str, dict[str, Any]] | None,
                    duplicates: list[Duplicate]) -> str:
    """A part per source: the kind's declared provenance beside what the records and the importer's log show."""
    out: list[str] = []
    for source in sources:
        facts = source.importer.provenance(source)
        tally = stats.get("*", source.name)
        annotators = (f"distinct ids: {len(tally.annotators)}" if facts.ids_are_people
                      else "annotation ids are not people: not counted")
        out += [f"### {source.name}", "", *([source.description, ""] if source.description else []),
                f"- **Labelled by:** {facts.labelled_by}.",
                f"- **People:** {facts.people} ({annotators}; annotator kinds in the records: "
                f"{', '.join(sorted(tally.annotator_kinds)) or 'none'}).",
                f"- **Records:** {tally.records} ({_counts(tally.processes)}); with an error: {tally.with_error}"
                + (f"; not localised (a verdict without a place): {tally.not_localised}" if tally.not_localised
                   else "") + ".",
                f"- **Languages:** {_languages(tally) or 'none'}.",
                f"- **Self-contained:** {facts.self_contained}.",
                f"- **License of the records:** {source.license}; homepage {source.homepage}.", "",
                _table(["input", "license or terms"], [list(i) for i in facts.inputs]), ""]
        if facts.mapping:
            out += [_table(["the corpus' label", "in NewsErrata"], [list(m) for m in facts.mapping]), ""]
        out += [f"- {note}" for note in facts.notes] + ([""] if facts.notes else [])
        met = (logs or {}).get(source.name, {})
        twins = sum(d.source == source.name for d in duplicates)
        if met or twins:
            rows = [[k, v] for k, v in met.items()] + ([["duplicate texts left out", twins]] if twins else [])
            out += ["What the importer met (counted, never guessed at):", "", _table(["what", "count"], rows), ""]
    return "\n".join(out).rstrip("\n")


def _tally_rows(pairs: list[tuple[str, Tally]]) -> list[list[Any]]:
    return [[name, t.records, t.characters, t.with_error, sum(t.spans.values()), t.annotator_spans,
             len(t.annotators), _fmt(t.agreement), _fmt(t.alpha.value())] for name, t in pairs]


def statistics(release: Release, sources: list[Source], missing: list[str], stats: Stats,
               duplicates: list[Duplicate] | None = None) -> str:
    splits = list(release.splits)
    names = [s.name for s in sources]
    header = ["", "records", "characters", "with error", "gold spans", "annotator spans", "annotator ids",
              "mean pairwise IoU", "Krippendorff alpha"]
    out = [f"Generated by `newserrata build` for version {release.version}.", ""]
    if missing:
        out += [f"Partial build: missing sources {', '.join(missing)}.", ""]
    out += ["### Per split", "", _table(header, _tally_rows([(s, stats.get(s)) for s in splits]
                                                             + [("all", stats.get())])), "",
            "### Per source and split", "",
            _table(header, _tally_rows([(f"{n} / {s}", stats.get(s, n)) for n in names for s in splits]
                                       + [(f"{n} / all", stats.get("*", n)) for n in names])),
            "", "Agreement: mean pairwise character IoU over records with two or more annotators; Krippendorff's "
            "alpha is nominal, at character level (marked as a major or minor error or not). Annotator ids are "
            "pseudonyms scoped to their source; where a corpus gives per-item slots instead of people, or an "
            "annotation joins several raters' shares of a document, its ids are not people (see Annotators).", "",
            "### Gold spans by category and severity", ""]
    total = stats.get()
    rows = [[c] + [total.spans[(c, s)] for s in SEVERITIES] for c in CATEGORIES if any(
        total.spans[(c, s)] for s in SEVERITIES)]
    out += [_table(["category", *SEVERITIES], rows) if rows else "No gold spans.", "", "### Annotators", ""]
    out += [_table(["source", "distinct annotators", "kinds"],
                   [[s.name, len(stats.get("*", s.name).annotators) if s.importer.provenance(s).ids_are_people
                     else "not counted (annotation ids are not people)",
                     ", ".join(sorted(stats.get("*", s.name).annotator_kinds))] for s in sources]), ""]
    counted, slots = people(sources, stats)
    out += [f"In all: {counted} identified annotators" + (f", plus those of {', '.join(slots)} (see each "
                                                          "source's section)" if slots else "") + ".", ""]
    dropped = duplicates or []
    out += ["### Duplicate texts", "",
            f"{len(dropped)} record(s) left out because an earlier record has the identical text (no two records "
            "share a text: the first in release order is kept; MANIFEST.json lists each pair).", ""]
    if dropped:
        out += [_table(["source", "left out", "kept"], [[d.source, d.dropped, d.kept] for d in dropped]), ""]
    return "\n".join(out)


def datasheet(release: Release, sources: list[Source], missing: list[str], stats: Stats,
              logs: dict[str, dict[str, Any]] | None = None, duplicates: list[Duplicate] | None = None) -> str:
    template = datasheet_template()
    generated = statistics(release, sources, missing, stats, duplicates)
    parts = sources_section(sources, stats, logs, duplicates or [])
    if SOURCES_MARKER not in template:
        template = f"{template.rstrip()}\n\n## Sources\n\n{SOURCES_MARKER}\n"
    if STATISTICS_MARKER not in template:
        template = f"{template.rstrip()}\n\n## Statistics\n\n{STATISTICS_MARKER}\n"
    return template.replace(SOURCES_MARKER, parts).replace(STATISTICS_MARKER, generated)
