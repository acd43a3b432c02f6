"""`histpack query` (and compare, timeline) without `--db` reuse a cached database keyed by what the
package holds; `histpack --help` imports nothing heavy."""

from __future__ import annotations

import subprocess
import sys

import pytest

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


# --- issue 20: the key is what was loaded, paths DuckDB reads as URLs, a cache that cannot be written --

def _farms(root, members: str = "140"):
    from test_generic_package import FARMS, _write

    return _write(root, farms=FARMS.replace("140", members))


def _sum(cli, where, package) -> tuple[int, str]:
    result = cli(where, "query", "--format", "csv", "SELECT sum(members) AS n FROM farms", "--package", str(package))
    return result.exit_code, result.stdout + result.stderr


def test_a_file_swapped_while_it_is_loaded_is_not_filed_under_the_old_key(tmp_path, cli, monkeypatch):
    """The CSV is hashed as A, replaced by B before the load reads it: the database of B is not filed under
    A's key. After A is back, `query` answers from A, never from the swapped content."""
    import histpack.db.loader

    monkeypatch.setenv("HISTPACK_CACHE_DIR", str(tmp_path / "cache"))
    package = _farms(tmp_path / "p")
    farms = package / "tables" / "farms.csv"
    original = farms.read_bytes()
    swapped = original.replace(b",140\r\n", b",9000\r\n")
    real, loads = histpack.db.loader.validate_and_load, []

    def swap_then_load(*args, **kwargs):
        if not loads:
            farms.write_bytes(swapped)  # after the key was hashed, before the load reads the file
        loads.append(farms.read_bytes())
        return real(*args, **kwargs)

    monkeypatch.setattr(histpack.db.loader, "validate_and_load", swap_then_load)
    assert _sum(cli, tmp_path, package) == (0, "n\n9038\n")  # B's rows, filed under B's key only
    assert loads == [swapped, swapped]  # the first load was of other bytes than were hashed: done again
    farms.write_bytes(original)
    assert _sum(cli, tmp_path, package) == (0, "n\n178\n")
    assert loads == [swapped, swapped, original]  # A's key was never filed: A is loaded now, not served B
    assert len(list((tmp_path / "cache").glob("*.duckdb"))) == 2
    assert not list((tmp_path / "cache").glob(".*"))  # no temporary file left


def test_a_package_that_changes_on_every_load_is_one_line(tmp_path, cli, monkeypatch):
    import histpack.db.loader

    monkeypatch.setenv("HISTPACK_CACHE_DIR", str(tmp_path / "cache"))
    package = _farms(tmp_path / "p")
    farms = package / "tables" / "farms.csv"
    real = histpack.db.loader.validate_and_load

    def touch_then_load(*args, **kwargs):
        farms.write_bytes(farms.read_bytes())  # the same bytes, written again: the file changed all the same
        return real(*args, **kwargs)

    monkeypatch.setattr(histpack.db.loader, "validate_and_load", touch_then_load)
    code, out = _sum(cli, tmp_path, package)
    assert (code, out) == (1, f"error: {package / 'datapackage.json'}: the package changed while it was being loaded "
                              "(3 times) — run the command again once nothing is writing to the package\n")
    assert not list((tmp_path / "cache").glob("*.duckdb")) and not list((tmp_path / "cache").glob(".*"))


@pytest.mark.parametrize("folder", ["cache?x=1", "cache#frag", "c?a#b"])
def test_question_marks_and_hashes_in_the_cache_and_database_paths(folder, tmp_path, cli, monkeypatch):
    """DuckDB reads `?` in a database path as URL parameters: the cache and `--db` work there all the same."""
    place = tmp_path / folder
    monkeypatch.setenv("HISTPACK_CACHE_DIR", str(place / "cache"))
    package = _farms(tmp_path / "p")
    assert _sum(cli, tmp_path, package) == (0, "n\n178\n")
    assert len(list((place / "cache").glob("*.duckdb"))) == 1
    assert _sum(cli, tmp_path, package) == (0, "n\n178\n")  # and reused
    db = place / "k.duckdb"
    loaded = cli(tmp_path, "load", str(package), "--db", str(db))
    assert loaded.exit_code == 0, loaded.stderr
    result = cli(tmp_path, "query", "--format", "csv", "SELECT count(*) AS n FROM farms", "--db", str(db))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "n\n3\n", "")
    assert sorted(p.name for p in place.iterdir()) == ["cache", "k.duckdb"]


@pytest.mark.parametrize("make", ["file", "unwritable"])
def test_a_cache_folder_that_cannot_be_used_is_only_a_cache(make, tmp_path, cli, monkeypatch):
    """A cache folder that is a file, or that cannot be created, is not an error: the database goes to a
    private folder of the process, and the file is left as it was."""
    blocker = tmp_path / "blocker"
    blocker.write_bytes(b"a file, not a folder")
    cache = blocker if make == "file" else blocker / "cache"
    monkeypatch.setenv("HISTPACK_CACHE_DIR", str(cache))
    package = _farms(tmp_path / "p")
    assert _sum(cli, tmp_path, package) == (0, "n\n178\n")
    assert blocker.read_bytes() == b"a file, not a folder"


def test_pruning_keeps_recent_and_busy_databases_and_sweeps_dead_fills(tmp_path):
    """The newest KEEP databases stay, and so does any used in the last IN_USE_SECONDS (another process may
    be about to open it); a fill's temporary files are removed only once no process holds its key."""
    import os
    import time

    from histpack.project.locks import locked

    folder = tmp_path / "cache"
    folder.mkdir()
    keys = [f"{i:064x}" for i in range(12)]
    for key in keys:
        (folder / f"{key}.duckdb").write_bytes(b"db")
        (folder / f"{key}.lock").write_bytes(b"")
    live, dead = "a" * 64, "b" * 64
    (folder / f".{live}.1234.tmp").write_bytes(b"filling")
    (folder / f".{dead}.5678.tmp").write_bytes(b"killed")
    (folder / f"..{dead}.5678.tmp.x.duckdb.tmp.wal").write_bytes(b"killed")
    (folder / f"{dead}.lock").write_bytes(b"")
    every = sorted(p.name for p in folder.iterdir())
    with locked(folder / f"{live}.lock"):  # a fill of `live` in progress (another descriptor: as another process)
        cache._forget_old(folder / f"{keys[0]}.duckdb")  # every database was used just now: none removed
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            {*every, f"{live}.lock"} - {f".{dead}.5678.tmp", f"..{dead}.5678.tmp.x.duckdb.tmp.wal", f"{dead}.lock"})
        old = time.time() - 2 * cache.IN_USE_SECONDS
        for age, key in enumerate(keys):  # keys[0] the newest
            os.utime(folder / f"{key}.duckdb", (old - age, old - age))
        cache._forget_old(folder / f"{keys[0]}.duckdb")
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*(f"{k}.{ext}" for k in keys[:cache.KEEP] for ext in ("duckdb", "lock")), f".{live}.1234.tmp", f"{live}.lock"])
