"""datapackage.json carries what a data repository expects, all of it true."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def descriptor() -> dict:
    return json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))


def record() -> dict:
    return yaml.safe_load((ROOT / "sources/thom-2015-ewjus.yaml").read_text(encoding="utf-8"))["record"]


def test_semantic_version_keywords_and_contributor_roles():
    d = descriptor()
    assert re.fullmatch(r"\d+\.\d+\.\d+", d["version"])
    assert len(d["keywords"]) >= 5 and "Holodomor" in d["keywords"]
    roles = {c["title"]: c["role"] for c in d["contributors"]}
    assert "author" in roles.values()
    assert roles["Françoise Thom"] != "author"  # she wrote the essay, not the dataset


def test_no_invented_homepage_or_identifier():
    d = descriptor()
    assert "homepage" not in d and "id" not in d and "doi" not in d


def test_essay_under_sources_equals_its_record():
    (source,) = descriptor()["sources"]
    r = record()
    assert source["doi"] == r["doi"] == "10.21226/T2TG6W20"
    assert source["pages"] == r["pages"] == "81-92"
    assert source["path"] == r["url"]
    assert (source["authors"], source["year"], source["container"]) == (r["authors"], r["year"], r["container"])


def test_a_licence_per_part():
    d = descriptor()
    assert [lic["name"] for lic in d["licenses"]] == ["CC-BY-4.0", "MIT"]
    assert "© 2015 Françoise Thom" in d["rights"]
    text_resources = {r["name"] for r in d["resources"] if "rights" in r}
    assert text_resources == {"paragraphs", "quotes"}
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License\n") and "Copyright (c) The thom-2015 dataset encoders" in licence
    assert "THE SOFTWARE IS PROVIDED \"AS IS\"" in licence
