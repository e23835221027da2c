"""`croissant.json`: the version folder described in Croissant 1.0 JSON-LD with its Responsible AI fields.

Dataset search engines and loaders (mlcroissant, TFDS, the Hub's viewer) read this file rather than our
card, so it says what the card says in their vocabulary: every parquet file with its sha256, one record
set per config and split whose fields are the parquet columns (`write.features`), and the RAI fields
quoted from the datasheet's answers, so the two never drift. Same folder, same bytes: no timestamps.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from newserrata.atomic import write_bytes
from newserrata.card import OWN_CITATION, corpus_citations, hub_license, license_link
from newserrata.errors import Problems
from newserrata.manifest import file_digest
from newserrata.release import Release
from newserrata.sources import Source
from newserrata.write import features

FILE = "croissant.json"
CONTEXT: dict[str, Any] = {
    "@language": "en", "@vocab": "https://schema.org/", "sc": "https://schema.org/",
    "cr": "http://mlcommons.org/croissant/", "rai": "http://mlcommons.org/croissant/RAI/",
    "dct": "http://purl.org/dc/terms/", "citeAs": "cr:citeAs", "column": "cr:column",
    "conformsTo": "dct:conformsTo", "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"}, "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract", "field": "cr:field", "fileProperty": "cr:fileProperty", "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet", "format": "cr:format", "includes": "cr:includes", "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath", "key": "cr:key", "md5": "cr:md5", "parentField": "cr:parentField", "path": "cr:path",
    "recordSet": "cr:recordSet", "references": "cr:references", "regex": "cr:regex", "repeated": "cr:repeated",
    "replace": "cr:replace", "separator": "cr:separator", "source": "cr:source", "subField": "cr:subField",
    "transform": "cr:transform", "equivalentProperty": "cr:equivalentProperty", "samplingRate": "cr:samplingRate",
}
# Croissant RAI property -> the datasheet questions whose answers it quotes, in order.
RAI: dict[str, tuple[str, ...]] = {
    "rai:dataCollection": ("How was the data acquired?", "What mechanisms were used?",
                           "Over what timeframe was the data collected?"),
    "rai:dataCollectionType": ("Does the dataset contain all possible instances or is it a sample?",),
    "rai:dataPreprocessingProtocol": ("Was any preprocessing done?",),
    "rai:dataAnnotationProtocol": ("Labelling.",),
    "rai:annotatorDemographics": ("Who was involved in the data collection and how were they compensated?",),
    "rai:dataBiases": ("Are there any errors, sources of noise, or redundancies?",
                       "Is there anything about the composition that might impact future uses?"),
    "rai:dataLimitations": ("Are there tasks for which the dataset should not be used?",),
    "rai:personalSensitiveInformation": ("Does the dataset contain confidential data?",
                                         "Does the dataset identify any subpopulations, or individuals?",
                                         "Does the dataset contain sensitive personal data?"),
    "rai:dataUseCases": ("For what purpose was the dataset created?", "What tasks has the dataset been used for?"),
    "rai:dataSocialImpact": ("Does the dataset contain offensive content?",),
    "rai:dataReleaseMaintenancePlan": ("Will the dataset be updated?",),
}
TYPES = {"string": "sc:Text", "int64": "sc:Integer", "float64": "sc:Float", "bool": "sc:Boolean"}
QUESTION = re.compile(r"\*\*(.+?)\*\*\s*(.*)", re.DOTALL)


def answers(datasheet: str) -> dict[str, str]:
    """Each bold question (or heading like **License.**) of the datasheet with the paragraph that answers it."""
    found = {}
    for paragraph in datasheet.split("\n\n"):
        if match := QUESTION.match(paragraph.strip()):
            found[match.group(1).strip()] = " ".join(match.group(2).split())
    return found


def rai_fields(datasheet: str, where: str) -> dict[str, str]:
    known, problems = answers(datasheet), Problems()
    for question in sorted({q for qs in RAI.values() for q in qs} - known.keys()):
        problems.add(where, None, "", f"no answer to **{question}**", "keep every question of the datasheet "
                     "template; croissant.json quotes its answer")
    problems.raise_if_any()
    return {prop: " ".join(known[q] for q in questions) for prop, questions in RAI.items()}


def _field(record_set: str, name: str, feature: Any, files: str, parent: str | None = None) -> dict[str, Any]:
    """One column (or a member of a list of structs) as a Croissant field; a struct has a sub-field per member,
    and a list of structs repeats them. Lists nested in either (each annotator's spans) are left out: mlcroissant
    cannot read a list inside a list, and a croissant.json it cannot load would help no one."""
    source: dict[str, Any] = {"fileSet": {"@id": files}, "extract": {"column": parent or name}}
    if parent:
        source["transform"] = {"jsonPath": name}
    field_id = "/".join(p for p in (record_set, parent, name) if p)
    if isinstance(feature, dict):
        return {"@type": "cr:Field", "@id": field_id, "name": name, "source": source,
                "subField": [_field(record_set, key, sub, files, name) for key, sub in feature.items()
                             if not hasattr(sub, "feature")]}
    item = getattr(feature, "feature", None)
    if item is None:
        return {"@type": "cr:Field", "@id": field_id, "name": name, "dataType": TYPES[feature.dtype],
                "source": source}
    return {"@type": "cr:Field", "@id": field_id, "name": name, "repeated": True, "source": source,
            "subField": [_field(record_set, key, sub, files, name) for key, sub in item.items()
                         if not hasattr(sub, "feature")]}


def _license(release: Release, source: Source) -> str:
    """An SPDX page, or the card's section on the licenses it explains (those the Hub does not know)."""
    return license_link(release) if hub_license(source.license) == "other" else \
        f"https://spdx.org/licenses/{source.license}.html"


def croissant(folder: Path, release: Release, sources: list[Source]) -> dict[str, Any]:
    parquet = sorted(folder.glob("data/*/*.parquet"))
    distribution: list[dict[str, Any]] = []
    for path in parquet:
        name = path.relative_to(folder).as_posix()
        distribution.append({"@type": "cr:FileObject", "@id": name, "name": name, "contentUrl": name,
                             "encodingFormat": "application/x-parquet", "sha256": file_digest(path).sha256})
    record_sets = []
    for config, split in sorted({(p.parent.name, p.name.split("-")[0]) for p in parquet}):
        files = f"{config}/{split}/parquet-files"
        distribution.append({"@type": "cr:FileSet", "@id": files, "name": files,
                             "encodingFormat": "application/x-parquet",
                             "includes": f"data/{config}/{split}-*.parquet"})
        record_set = f"{config}/{split}"
        record_sets.append({"@type": "cr:RecordSet", "@id": record_set, "name": record_set,
                            "description": f"The {split} split of the {config} config, one record per article.",
                            "key": {"@id": f"{record_set}/id"},
                            "field": [_field(record_set, k, v, files) for k, v in features().items()]})
    citations = [OWN_CITATION, *corpus_citations(sources)]
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": ["http://mlcommons.org/croissant/1.0", "http://mlcommons.org/croissant/RAI/1.0"],
        "name": release.name,
        "alternateName": release.pretty_name,
        "description": "Machine-written news articles (translations, rewrites, summaries) with character spans "
                       "that people marked as errors, each with a category and a severity, for evaluating error "
                       "detectors. Offsets are 0-based, end-exclusive Unicode code points of the NFC text.",
        "version": release.version,
        "url": f"https://huggingface.co/datasets/{release.hub_repo}/tree/v{release.version}",
        "license": sorted({_license(release, s) for s in sources}),
        "citeAs": "\n\n".join(citations),
        "isLiveDataset": False,
        **rai_fields((folder / "DATASHEET.md").read_text(encoding="utf-8"), "DATASHEET.md"),
        "distribution": distribution,
        "recordSet": record_sets,
    }


def write_croissant(folder: Path, release: Release, sources: list[Source]) -> None:
    """Reads the folder's parquet files and DATASHEET.md, so it runs after both are written."""
    text = json.dumps(croissant(folder, release, sources), indent=2, ensure_ascii=False) + "\n"
    write_bytes(folder / FILE, text.encode("utf-8"))
