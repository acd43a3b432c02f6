"""datapackage.json carries what a data repository expects, all of it true."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from conftest import REPO



def descriptor() -> dict:
    return json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))


def record() -> dict:
    return yaml.safe_load((REPO / "sources/thom-2015-ewjus.yaml").read_text(encoding="utf-8"))["record"]


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
    r = record()
    (source,) = [s for s in descriptor()["sources"] if s["path"] == r["url"]]
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
    licence = (REPO / "LICENSE").read_text(encoding="utf-8")
    authors = [c["title"] for c in d["contributors"] if c["role"] == "author"]
    assert licence.startswith("MIT License\n") and f"Copyright (c) 2026 {authors[0]}\n" in licence
    assert "THE SOFTWARE IS PROVIDED \"AS IS\"" in licence


def test_project_metadata_lives_in_histpack_yaml_only():
    """The builder reads the dataset's name, title, keywords, people and licences; it types none."""
    meta = yaml.safe_load((REPO / "histpack.yaml").read_text(encoding="utf-8"))
    d = descriptor()
    assert (d["name"], d["title"], d["version"], d["keywords"]) == (meta["name"], meta["title"], meta["version"],
                                                                   meta["keywords"])
    assert d["created"].startswith(meta["released"].isoformat())
    strings = [meta["name"], meta["title"], meta["description"][:40], meta["text_rights"][:40],
               *(c["title"] for c in meta["contributors"]), str(meta["keywords"][:2])[1:-1]]
    for path in (REPO / "histpack").rglob("*.py"):
        code = path.read_text(encoding="utf-8")
        for s in strings:
            assert s not in code, f"{path.name} hard-codes {s!r}: it belongs in histpack.yaml"


def test_a_broken_histpack_yaml_is_one_error_line(project, cli):
    from conftest import edit, outputs

    before = outputs(project)
    edit(project / "histpack.yaml", "released: 2026-11-27", "released: someday")
    result = cli(project, "build", "--no-db")
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.errors) == 1 and "histpack.yaml" in result.errors[0] and "released" in result.errors[0]
    assert outputs(project) == before


def test_an_alias_bomb_in_histpack_yaml_is_one_line_not_a_hang(tmp_path):
    from histpack.project.errors import BuildError
    from histpack.project.metadata import read_metadata

    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]" for i in range(6)]
    (tmp_path / "histpack.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        read_metadata(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'histpack.yaml'}:2: YAML aliases (`*name`) expand to more than")
