"""CODEBOOK.md is current, complete, and every column and vocabulary value is explained."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys

import pytest

from histpack.model import models as m
from histpack.engine.reader import Package
from histpack.outputs.codebook import render
from histpack.model.tables import table_schema
from conftest import REPO

VOCABULARIES = m.load_vocabularies(REPO)


@pytest.fixture(scope="module")
def codebook() -> str:
    return (REPO / "CODEBOOK.md").read_text(encoding="utf-8")


def section(text: str, table: str) -> str:
    match = re.search(rf"^## {re.escape(table)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"no section for {table}"
    return match.group(1)


def test_committed_codebook_is_current(codebook):
    assert codebook == render(Package.open(REPO))


def test_every_table_with_rows_keys_and_every_column(codebook):
    for model in m.MODELS:
        t = model.table
        body = section(codebook, t.name)
        with open(REPO / f"data/{t.name}.csv", encoding="utf-8", newline="") as f:
            rows = sum(1 for _ in csv.DictReader(f))
        assert f"- Rows: {rows}\n" in body
        assert "- Primary key: " + ", ".join(f"`{k}`" for k in t.primary_key) in body
        for column, target in t.foreign_keys.items():
            assert f"`{column}` → `{target}." in body
        for col in table_schema(model, VOCABULARIES).fields:
            assert re.search(rf"^\| `{col.name}` \| {col.type} \| (yes|no) \|", body, re.MULTILINE), (t.name, col.name)


def test_every_vocabulary_value_has_a_meaning(codebook):
    for model in m.MODELS:
        body = section(codebook, model.table.name)
        for col in table_schema(model, VOCABULARIES).fields:
            if not col.enum:
                continue
            meanings = m.meanings(model, VOCABULARIES).get(col.name, {})
            assert set(meanings) == set(col.enum), f"{model.table.name}.{col.name}: values without meaning"
            for value in col.enum:
                assert f"| `{value}` | {meanings[value]} |" in body


def test_every_field_and_resource_in_the_package_has_a_description():
    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["resources"]
    for resource in descriptor["resources"]:
        assert resource.get("description", "").strip(), resource["name"]
        schema = json.loads((REPO / resource["schema"]).read_text(encoding="utf-8"))
        assert schema["fields"]
        for field in schema["fields"]:
            assert field.get("description", "").strip(), f"{resource['name']}.{field['name']}"


def test_codebook_check_fails_on_a_stale_file(tmp_path):
    for name in ("data", "schemas"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy2(REPO / "datapackage.json", tmp_path / "datapackage.json")
    shutil.copy2(REPO / "CODEBOOK.md", tmp_path / "CODEBOOK.md")
    cmd = [sys.executable, "-m", "histpack.cli.app", "codebook", "--package", str(tmp_path)]
    ok = subprocess.run([*cmd, "--check"], cwd=REPO, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    (tmp_path / "CODEBOOK.md").write_text("stale\n", encoding="utf-8")
    stale = subprocess.run([*cmd, "--check"], cwd=REPO, capture_output=True, text=True)
    assert stale.returncode == 1
    assert len(stale.stderr.strip().splitlines()) == 1 and "out of date" in stale.stderr
    rewritten = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert rewritten.returncode == 0
    assert (tmp_path / "CODEBOOK.md").read_text(encoding="utf-8") == (REPO / "CODEBOOK.md").read_text(encoding="utf-8")


def test_every_edtf_form_in_the_data_is_explained_with_a_real_example(codebook):
    from histpack.outputs.codebook import edtf_form

    dates = section(codebook, "Dates (EDTF)")
    rows = {}
    for line in dates.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 5 and cells[0].startswith("`"):
            rows[cells[0]] = cells
    seen: dict[str, set[str]] = {}
    for path in sorted((REPO / "data").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                for column, value in row.items():
                    if column.endswith("_edtf") and value:
                        seen.setdefault(edtf_form(value), set()).add(value)
    assert set(rows) == set(seen) and any("-21" in form for form in seen)
    for form, (_, reading, count, example, _) in rows.items():
        assert example.strip("`") in seen[form] and reading
    assert "Open ends" in dates and "Winter (`-24`)" in dates


def test_codebook_out_writes_or_prints_it_elsewhere_and_never_over_the_package(tmp_path, cli):
    expected = (REPO / "CODEBOOK.md").read_text(encoding="utf-8")
    target = tmp_path / "docs" / "codebook.md"
    written = cli(REPO, "codebook", "--out", str(target))
    assert written.exit_code == 0, written.stderr
    assert target.read_text(encoding="utf-8") == expected
    assert cli(REPO, "codebook", "--check", "--out", str(target)).exit_code == 0
    printed = cli(REPO, "codebook", "--out", "-")
    assert printed.exit_code == 0 and printed.stdout == expected
    before = (REPO / "data" / "events.csv").read_bytes()
    refused = cli(REPO, "codebook", "--out", str(REPO / "data" / "events.csv"))
    assert refused.exit_code == 1 and len(refused.errors) == 1 and "refused as an output" in refused.errors[0]
    assert (REPO / "data" / "events.csv").read_bytes() == before
