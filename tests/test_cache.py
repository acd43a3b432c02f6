"""`histpack query` (and compare, timeline) without `--db` reuse a cached database keyed by what the
package holds; `histpack --help` imports nothing heavy."""

from __future__ import annotations

import subprocess
import sys

from histpack.db import cache
from conftest import REPO, edit

HEAVY = ("duckdb", "frictionless", "pydantic", "matplotlib", "pyarrow", "yaml", "edtf", "pandas")


def test_the_command_line_imports_nothing_heavy():
    script = ("import histpack.cli.app, sys; "
              f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == "[]"
    help_text = subprocess.run([sys.executable, "-m", "histpack.cli.app", "--help"], capture_output=True, text=True,
                               cwd=REPO, check=True).stdout
    assert "query" in help_text and "validate" in help_text


def _count_validations(monkeypatch) -> list:
    """Calls of the one pass that validates a package and types its rows for loading."""
    import histpack.db.loader

    calls = []
    real = histpack.db.loader.check
    monkeypatch.setattr(histpack.db.loader, "check", lambda p, *a, **k: calls.append(p) or real(p, *a, **k))
    return calls


def test_query_validates_and_loads_once_then_reuses_the_database(project, cli, monkeypatch, tmp_path):
    monkeypatch.setenv("HISTPACK_CACHE_DIR", str(tmp_path / "cache"))
    calls = _count_validations(monkeypatch)
    first = cli(project, "query", "--format", "csv", "SELECT count(*) AS n FROM quotes")
    assert first.exit_code == 0, first.stderr
    assert len(calls) == 1
    stored = list((tmp_path / "cache").glob("*.duckdb"))
    assert len(stored) == 1 and not list(project.rglob("*.duckdb"))  # outside the package
    second = cli(project, "query", "--format", "csv", "SELECT count(*) AS n FROM quotes")
    assert second.stdout == first.stdout and len(calls) == 1  # no second validation, no second load
    assert cli(project, "compare", "ussr", "prc").exit_code == 0 and len(calls) == 1
    assert list((tmp_path / "cache").glob("*.duckdb")) == stored
    stored[0].write_bytes(b"not a database")  # damaged: validated and built again, not trusted
    third = cli(project, "query", "--format", "csv", "SELECT count(*) AS n FROM quotes")
    assert third.exit_code == 0, third.stderr
    assert third.stdout == first.stdout and len(calls) == 2


def test_a_changed_file_is_a_different_key(project, cli, monkeypatch):
    """The descriptor was not rebuilt, but the CSV changed: the cached database is not used."""
    calls = _count_validations(monkeypatch)
    assert cli(project, "query", "SELECT 1").exit_code == 0  # the session's cache, built here or before
    before = len(calls)  # 0 if an earlier test of the session cached this package, else 1
    assert before <= 1
    edit(project / "data/persons.csv", ",nazi_germany,", ",nazi_germani,")
    result = cli(project, "query", "SELECT count(*) FROM persons")
    assert result.exit_code == 1
    assert len(result.errors) == 1 and "dangling foreign key" in result.errors[0]
    assert len(calls) == before + 1  # validated again: a new key


def test_the_key_covers_the_version_the_descriptor_and_each_file(project, monkeypatch):
    from histpack.checks.validate import read_descriptor

    descriptor_path, descriptor = read_descriptor(project)
    key = cache.package_key(descriptor_path, descriptor)
    assert key == cache.package_key(descriptor_path, descriptor)
    edit(project / "schemas/persons.json", "Identifier of the person.", "Identifier of a person.")
    changed_schema = cache.package_key(descriptor_path, descriptor)
    monkeypatch.setattr(cache, "_version", lambda: "999")
    assert len({key, changed_schema, cache.package_key(descriptor_path, descriptor)}) == 3


def test_a_build_files_its_database_so_the_next_query_loads_nothing(project, cli, monkeypatch, tmp_path):
    from histpack.pipeline.build import build

    monkeypatch.setenv("HISTPACK_CACHE_DIR", str(tmp_path / "cache"))
    report = build(project)  # with its DuckDB load
    stored = list((tmp_path / "cache").glob("*.duckdb"))
    assert len(stored) == 1 and stored[0].read_bytes() == report.db_path.read_bytes()
    calls = _count_validations(monkeypatch)
    result = cli(project, "query", "--format", "csv", "SELECT count(*) AS n FROM quotes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == str(len((project / "data/quotes.csv").read_text().splitlines()) - 1)
    assert calls == []  # the build's database was opened as it is


def test_a_changed_dialect_file_is_a_different_key(tmp_path, cli, monkeypatch):
    """A dialect given by path is part of the key: changed alone, the cached database is not used, and
    query and export refuse the package the change broke (they read the cached database)."""
    import json

    monkeypatch.setenv("HISTPACK_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "p"
    root.mkdir()
    (root / "t.csv").write_text("a;b\n1;x\n2;y\n", encoding="utf-8")
    (root / "dialect.json").write_text(json.dumps({"delimiter": ";"}), encoding="utf-8")
    (root / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [
        {"name": "t", "path": "t.csv", "dialect": "dialect.json",
         "schema": {"fields": [{"name": "a", "type": "integer"}, {"name": "b", "type": "string"}]}}]}), encoding="utf-8")
    assert cli(root, "query", "SELECT count(*) FROM t", "--package", ".").exit_code == 0
    assert cli(root, "export", "--format", "csv", "--out", str(tmp_path / "out1"), "--package", ".").exit_code == 0
    (root / "dialect.json").write_text(json.dumps({"delimiter": ","}), encoding="utf-8")
    for args in (["query", "SELECT count(*) FROM t"], ["export", "--format", "csv", "--out", str(tmp_path / "out2")]):
        result = cli(root, *args, "--package", ".")
        assert result.exit_code == 1 and len(result.errors) == 1, (args, result.errors)
        assert result.errors[0].startswith("error: t.csv: row 1: "), result.errors[0]
    assert not (tmp_path / "out2").exists()
