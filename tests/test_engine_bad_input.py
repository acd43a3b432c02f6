"""Bad inputs of issue 9 that the frictionless-based validator got wrong: each is one line naming the
file (and row), exit 1, and `load` writes nothing; a package in an oddly named folder just works."""

from __future__ import annotations

import json
import os

import duckdb
import pytest
import yaml

HEADER = "id,name,born\r\n"


def package(root, rows=("1,Ann,1901-02-03", "2,Bob,1902-12-31"), path="people.csv", **resource):
    root.mkdir(parents=True, exist_ok=True)
    if path == "people.csv":
        (root / "people.csv").write_text(HEADER + "".join(r + "\r\n" for r in rows), encoding="utf-8", newline="")
    descriptor = {"name": "people", "resources": [{
        "name": "people", "path": path,
        "schema": {"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"},
                              {"name": "born", "type": "date"}], "primaryKey": ["id"]}, **resource}]}
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return root


def one_line(result, where, *words):
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    errors = [e for e in result.errors if not e.startswith("note:")]
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"error: {where}"), errors[0]
    for word in words:
        assert word in errors[0], (word, errors[0])


@pytest.mark.parametrize("command", ["validate", "load"])
def test_a_glob_path_does_not_reach_a_file_through_a_symlink(command, tmp_path, cli):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text(HEADER + "1,SECRET,1900-01-01\r\n", encoding="utf-8")
    root = package(tmp_path / "pkg", path="data/x*/secret.csv")
    (root / "data").mkdir()
    os.symlink(outside, root / "data" / "xlink")
    db = tmp_path / "x.duckdb"
    result = cli(tmp_path, command, str(root), *(["--db", str(db)] if command == "load" else []))
    one_line(result, "data/x*/secret.csv: ", "missing")
    assert "SECRET" not in result.stdout + result.stderr
    assert not db.exists()


@pytest.mark.parametrize("folder", ["my copy [2024]", "ünïcode {a,b} *?", "[x]"])
def test_a_package_in_a_folder_with_brackets_spaces_or_non_ascii_validates_and_loads(folder, tmp_path, cli):
    root = package(tmp_path / folder)
    assert cli(tmp_path, "validate", str(root)).exit_code == 0
    db = tmp_path / folder / "out.duckdb"
    result = cli(tmp_path, "load", str(root), "--db", str(db))
    assert result.exit_code == 0, result.stderr
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT name FROM people ORDER BY id").fetchall() == [("Ann",), ("Bob",)]
    finally:
        con.close()


@pytest.mark.parametrize("key, value, reason", [
    ("profile", "https://example.com/profile.json", "is a URL"),
    ("dialect", "https://example.com/dialect.json", "is a URL"),
    ("schema", "http://example.com/schema.json", "is a URL"),
    ("schema", "../schema.json", "leaves the package folder"),
    ("dialect", "/etc/dialect.json", "is an absolute path"),
])
@pytest.mark.parametrize("command", ["validate", "load"])
def test_a_remote_or_outside_profile_dialect_or_schema_is_refused_before_any_request(
        key, value, reason, command, tmp_path, cli, monkeypatch):
    root = package(tmp_path / "pkg")
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    target = descriptor if key == "profile" else descriptor["resources"][0]
    target[key] = value
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket, "create_connection", no_network)
    db = tmp_path / "x.duckdb"
    result = cli(tmp_path, command, str(root), *(["--db", str(db)] if command == "load" else []))
    one_line(result, str(root / "datapackage.json"), key, reason, "refused before reading")
    assert not db.exists()


def test_past_a_thousand_bad_rows_every_row_is_checked_and_counted_exactly(tmp_path, cli):
    rows = [f"{i},n{i},{'1901-02-03' if i % 2 else 'not a date'}" for i in range(1, 4981)]
    rows.append("1,dup,1901-01-01")  # past frictionless's 1,000-error cap: never checked before
    root = package(tmp_path / "pkg", rows=rows)
    result = cli(tmp_path, "validate", str(root))
    assert result.exit_code == 1
    lines = result.errors
    assert lines[0] == "error: people.csv: row 3: column `born`: 'not a date' is not a valid date"
    assert "error: people.csv: … and 2,480 more rows with type-error" in lines
    assert any(line.startswith("error: people.csv: row 4982: duplicate primary key") for line in lines), lines
    assert len(lines) == 12


def test_the_project_builds_in_a_folder_with_brackets_and_spaces(tmp_path, cli):
    """The clone in `my copy [2024]` of the issue: build (with its DuckDB), then validate, there."""
    from conftest import copy_project, outputs

    root = copy_project(tmp_path / "my copy [2024]")
    before = outputs(root)
    result = cli(root, "build")
    assert result.exit_code == 0, result.stderr
    assert outputs(root) == before  # the same package as the repository's
    name = yaml.safe_load((root / "histpack.yaml").read_text(encoding="utf-8"))["name"]
    assert (root / "build" / f"{name}.duckdb").is_file()  # the default database is named after the project
    assert cli(root, "validate").exit_code == 0


def test_the_descriptor_check_in_a_second_process_is_frictionless_verdict(tmp_path, monkeypatch):
    """`histpack validate` checks the descriptor in a second process beside the engine (a one-shot
    command); its verdict is, line for line, that of the check in-process."""
    from histpack.checks import validate

    monkeypatch.setenv("HISTPACK_CACHE_DIR", str(tmp_path / "empty-cache"))  # no verdict is known yet

    base = {"name": "p", "resources": [{"name": "t", "path": "t.csv", "schema": {
        "fields": [{"name": "id", "type": "integer"}], "primaryKey": ["id"]}}]}
    broken = [
        base,
        {**base, "resources": [{"path": "t.csv", "schema": base["resources"][0]["schema"]}]},
        {**base, "resources": [{"name": "t", "path": "t.csv", "schema": {"fields": [{"name": "id", "type": "int"}]}}]},
        {**base, "resources": [{"name": "t", "path": "t.csv", "schema": {
            "fields": [{"name": "id", "type": "integer"}], "primaryKey": ["nope"]}}]},
        {**base, "name": "Not A Name!", "profile": "tabular-data-package"},
    ]
    monkeypatch.setattr(validate, "_in_second_process", lambda: True)
    verdicts = []
    for i, descriptor in enumerate(broken):
        path = tmp_path / str(i) / "datapackage.json"
        path.parent.mkdir()
        (path.parent / "t.csv").write_text("id\n1\n", encoding="utf-8")
        check = validate._DescriptorCheck(path, descriptor)
        assert check.child is not None
        verdicts.append(check.problems())
        assert verdicts[-1] == validate.descriptor_problems(path, descriptor), descriptor
    assert verdicts[0] == [] and all(verdicts[1:])


def test_a_descriptor_frictionless_passed_is_not_checked_again(tmp_path, monkeypatch):
    """The verdict cache: the same descriptor, the same files it names and the same frictionless are
    not checked a second time; a changed schema file, another frictionless or a descriptor frictionless
    refused are checked again, and a refusal is never remembered."""
    from histpack.checks import frictionless_descriptor
    from histpack.checks import validate

    monkeypatch.setenv("HISTPACK_CACHE_DIR", str(tmp_path / "cache"))
    calls = []
    real = frictionless_descriptor.descriptor_errors

    def counted(descriptor, basepath):
        calls.append(basepath)
        return real(descriptor, basepath)

    monkeypatch.setattr(frictionless_descriptor, "descriptor_errors", counted)
    monkeypatch.setattr(validate, "_in_second_process", lambda: False)  # in-process, so the calls are seen
    root = tmp_path / "p"
    root.mkdir()
    (root / "t.csv").write_text("id\n1\n", encoding="utf-8")
    (root / "t.schema.json").write_text(json.dumps({"fields": [{"name": "id", "type": "integer"}]}), encoding="utf-8")
    descriptor = {"name": "p", "resources": [{"name": "t", "path": "t.csv", "schema": "t.schema.json"}]}
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")

    def verdict():
        return validate.validate_package(root)

    assert verdict() == [] and len(calls) == 1
    assert verdict() == [] and len(calls) == 1  # remembered
    (root / "t.schema.json").write_text(json.dumps({"fields": [{"name": "id", "type": "int"}]}), encoding="utf-8")
    wrong = verdict()
    assert wrong and len(calls) == 2 and all(p.where == "datapackage.json" for p in wrong)
    assert verdict() == wrong and len(calls) == 3  # a refusal is checked, and said, every time
    (root / "t.schema.json").write_text(json.dumps({"fields": [{"name": "id", "type": "integer"}]}), encoding="utf-8")
    assert verdict() == [] and len(calls) == 3  # the same bytes as the first time: known
    monkeypatch.setattr(frictionless_descriptor, "frictionless_version", lambda: "0.0-other")
    assert verdict() == [] and len(calls) == 4  # another frictionless checks again
    from histpack.checks import descriptor_cache

    monkeypatch.setattr(descriptor_cache, "_distribution", lambda module: f"{module}-0.0-other.dist-info")
    assert verdict() == [] and len(calls) == 5  # so does another jsonschema under it


def test_an_interrupted_check_leaves_no_second_process_or_job_file(tmp_path, monkeypatch):
    """Ctrl-C during the engine's work: the descriptor check's second process is stopped and its job
    file removed."""
    import tempfile

    from histpack.checks import validate
    from histpack.engine import check as engine_check

    monkeypatch.setenv("HISTPACK_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the job file is made here
    monkeypatch.setattr(validate, "_in_second_process", lambda: True)
    started = []
    real_popen = validate.subprocess.Popen

    def popen(*args, **kwargs):
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(validate.subprocess, "Popen", popen)
    monkeypatch.setattr(engine_check, "check_package", interrupted)
    (tmp_path / "t.csv").write_text("id\n1\n", encoding="utf-8")
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [
        {"name": "t", "path": "t.csv", "schema": {"fields": [{"name": "id", "type": "integer"}]}}]}), encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        validate.validate_package(tmp_path)
    assert len(started) == 1 and started[0].poll() is not None  # stopped, and waited for
    assert not list(tmp_path.glob("histpack-descriptor-*"))


def test_a_failed_check_gives_the_connection_its_threads_back(tmp_path, monkeypatch):
    """A small package is checked on one DuckDB thread; when the check fails midway (here the project's
    rules raise), the caller's connection gets its thread count back."""
    import duckdb

    from histpack.checks import validate

    monkeypatch.setenv("HISTPACK_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "t.csv").write_text("id\n1\n", encoding="utf-8")
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [
        {"name": "t", "path": "t.csv", "schema": {"fields": [{"name": "id", "type": "integer"}]}}]}), encoding="utf-8")
    con = duckdb.connect()
    con.execute("SET threads = 2")

    def boom(*args):
        raise RuntimeError("a rule broke")

    with pytest.raises(RuntimeError):
        validate.engine_problems(tmp_path / "datapackage.json", con, then=boom)
    assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 2
    con.close()
