"""Defaults that follow the project's own data: the database is named after `histpack.yaml`."""

from __future__ import annotations

import json
import re
import shutil

import yaml

from builder.layout import DEFAULT_DB, database_path
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


GENERIC_FILES = ("__init__.py", "layout.py", "loadsql.py", "canonical.py", "vocabularies.py", "schema.py", "codebook.py")
DATASET_WORDS = re.compile(r"thom|2015|holodomor|stalin|ukrain|ewjus", re.IGNORECASE)


def test_generic_builder_files_name_no_dataset():
    """What is particular to the essay lives in histpack.yaml, sources/ and annotations/, not in these."""
    for name in GENERIC_FILES:
        text = (REPO / "builder" / name).read_text(encoding="utf-8")
        found = [(n, m.group()) for n, line in enumerate(text.splitlines(), start=1) for m in DATASET_WORDS.finditer(line)]
        assert found == [], f"builder/{name}: {found}"
