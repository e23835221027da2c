"""The card's metadata for the repository's own release: Hub-valid license fields, no made-up source
dataset ids, the native license explained, and the WMT23 campaign paper cited beside the MQM study."""

from __future__ import annotations

from pathlib import Path

import yaml

from newserrata.card import OTHER_LICENSE_NAME, card_body, card_data
from newserrata.release import load
from newserrata.stats import Stats

RELEASE = load(Path(__file__).resolve().parents[1] / "data" / "release.toml")


def test_yaml_has_license_name_and_link_for_other_and_no_source_datasets() -> None:
    data = yaml.safe_load(card_data(RELEASE, RELEASE.sources, {}, Stats()).to_yaml())
    assert "other" in data["license"] and "apache-2.0" in data["license"]
    assert data["license_name"] == OTHER_LICENSE_NAME
    assert data["license_link"] == f"https://huggingface.co/datasets/{RELEASE.hub_repo}#licenses"
    assert "source_datasets" not in data, "none of the sources is a Hub dataset"


def test_body_explains_the_native_license_and_cites_wmt23_findings() -> None:
    body = card_body(RELEASE, RELEASE.sources, [], {}, Stats())
    licenses = body.split("### Licenses", 1)[1].split("## Citation", 1)[0]
    assert "`native` (`other`)" in licenses and "research evaluation only" in licenses
    assert OTHER_LICENSE_NAME in licenses
    cited = body.split("Please also cite", 1)[1]
    assert "freitag-etal-2021-experts" in cited and "kocmi-etal-2023-findings" in cited
    assert "Findings of the 2023 Conference on Machine Translation ({WMT}23)" in cited
    assert cited.count("kocmi-etal-2023-findings") == 1, "one entry for both WMT23 sources"
