"""Defaults that follow the project's own data: the database is named after `histpack.yaml`."""

from __future__ import annotations

import json
import re
import shutil

import yaml

from histpack.db.paths import DEFAULT_DB, database_path
from conftest import REPO


def test_default_database_is_named_after_histpack_yaml(tmp_path):
    meta = yaml.safe_load((REPO / "histpack.yaml").read_text(encoding="utf-8"))
    meta["name"] = "another-corpus"
    (tmp_path / "histpack.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    assert database_path(DEFAULT_DB, tmp_path).as_posix() == "build/another-corpus.duckdb"
    assert database_path(tmp_path / "mine.duckdb", tmp_path) == tmp_path / "mine.duckdb"  # a given path stays


def test_a_package_without_histpack_yaml_names_its_database_after_the_descriptor(tmp_path):
    shutil.copy2(REPO / "datapackage.json", tmp_path / "datapackage.json")
    name = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))["name"]
    assert database_path(DEFAULT_DB, tmp_path / "datapackage.json").as_posix() == f"build/{name}.duckdb"


DATASET_WORDS = re.compile(r"thom|2015|holodomor|stalin|ukrain|ewjus|ussr|\bprc\b|nazi|jacobin|bolshevik|soviet|"
                           r"\bmao\b|goebbels|bauman|danilov|rykov|canada|factbook", re.IGNORECASE)


def test_the_builder_names_no_dataset():
    """What is particular to a dataset lives in histpack.yaml, sources/ and annotations/, never in histpack/:
    every source, script and stylesheet of the builder is free of the names of this dataset's sources,
    regimes and actors."""
    files = sorted(p for p in (REPO / "histpack").rglob("*") if p.suffix in (".py", ".js", ".css", ".html"))
    assert len(files) > 30
    for path in files:
        text = path.read_text(encoding="utf-8")
        found = [(n, m.group()) for n, line in enumerate(text.splitlines(), start=1) for m in DATASET_WORDS.finditer(line)]
        assert found == [], f"{path.relative_to(REPO)}: {found}"
