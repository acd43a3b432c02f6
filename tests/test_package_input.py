"""A broken package given to `validate` or `load`: one line per problem naming the file (and row),
exit 1, no traceback; `load` writes no database; unsafe paths are refused before any file is read."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from conftest import file_hash


def _rewrite_csv(path: Path, change) -> None:
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(change(rows))
    path.write_bytes(out.getvalue().encode("utf-8"))


def _replace(path: Path, old: str, new: str) -> None:
    data = path.read_bytes()
    assert old.encode() in data
    path.write_bytes(data.replace(old.encode(), new.encode(), 1))


def _described(root, name):
    resource = next(r for r in json.loads((root / "datapackage.json").read_text(encoding="utf-8"))["resources"]
                    if r["name"] == name)
    return resource["bytes"], resource["hash"].removeprefix("sha256:")


def hand_edited(root):
    size, _ = _described(root, "persons")
    _replace(root / "data/persons.csv", "Hitler", "Hitlr")
    return "data/persons.csv", [f"{size - 1} bytes, the descriptor says {size}", "sha256",
                                "edited or damaged after the build"]


def hand_edited_same_length(root):
    _, digest = _described(root, "persons")
    _replace(root / "data/persons.csv", "Hitler", "HitleR")
    return "data/persons.csv", ["sha256", f"the descriptor says {digest[:12]}"]


def missing_column(root):
    _rewrite_csv(root / "data/persons.csv", lambda rows: [r[:-1] for r in rows])
    return "data/persons.csv: row 1", ["header row does not match the schema", "missing column `editorial_note`"]


def extra_column(root):
    _rewrite_csv(root / "data/persons.csv", lambda rows: [r + (["born"] if i == 0 else [""]) for i, r in enumerate(rows)])
    return "data/persons.csv: row 1", ["extra column `born`"]


def reordered_columns(root):
    _rewrite_csv(root / "data/persons.csv", lambda rows: [[r[1], r[0], *r[2:]] for r in rows])
    return "data/persons.csv: row 1", ["columns in another order", "expected: person_id, name, role"]


def truncated_last_row(root):
    path = root / "data/persons.csv"
    lines = path.read_bytes().split(b"\r\n")
    last = len([line for line in lines if line])
    final = [line for line in lines if line][-1]
    keep = final.index(b",", final.index(b",", final.index(b",") + 1) + 1)  # the first three cells
    path.write_bytes(path.read_bytes()[:-(len(final) + 2 - keep)])
    # the cut falls inside a quoted cell: DuckDB's reader names the unclosed quote (frictionless's reader
    # would report the cells after it as missing)
    return f"data/persons.csv: row {last}", ["unterminated quote", "cut short", "the file was changed after the build"]


def _row_of(path: Path, text: str) -> int:
    """Row number (the header is row 1) of the first line holding `text`."""
    return next(n for n, line in enumerate(path.read_bytes().split(b"\r\n"), start=1) if text.encode() in line)


def dangling_foreign_key(root):
    row = _row_of(root / "data/persons.csv", ",nazi_germany,")
    _replace(root / "data/persons.csv", ",nazi_germany,", ",nazi_germani,")
    return f"data/persons.csv: row {row}", ['dangling foreign key', '"nazi_germani" not found', '"regimes"']


def duplicate_primary_key(root):
    path = root / "data/persons.csv"
    rows = path.read_bytes().split(b"\r\n")
    path.write_bytes(path.read_bytes() + rows[1] + b"\r\n")  # the first data row once more
    return f"data/persons.csv: row {len(rows)}", ["duplicate primary key", "row at position 2"]


def unparsable_date(root):
    row = _row_of(root / "data/events.csv", "1943-11-14,1943-11-14")
    _replace(root / "data/events.csv", "1943-11-14,1943-11-14", "1943-11-14,1943-11-31")
    return f"data/events.csv: row {row}", ["column `date_start`", "'1943-11-31' is not a valid date"]


def missing_csv(root):
    os.unlink(root / "data/persons.csv")
    return "data/persons.csv", ["the file is missing"]


CASES = [hand_edited, hand_edited_same_length, missing_column, extra_column, reordered_columns, truncated_last_row,
         dangling_foreign_key, duplicate_primary_key, unparsable_date, missing_csv]


def _check_one_line(result, where: str, words: list[str]) -> None:
    assert result.exit_code == 1, result.stdout + result.stderr
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stdout + result.stderr
    assert len(result.errors) == 1, result.errors
    assert result.errors[0].startswith(f"error: {where}: "), result.errors[0]
    for word in words:
        assert word in result.errors[0], (word, result.errors[0])


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_validate_names_the_one_problem(case, project, cli):
    where, words = case(project)
    _check_one_line(cli(project, "validate", "."), where, words)


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_load_refuses_a_broken_package_and_writes_nothing(case, project, cli, tmp_path):
    where, words = case(project)
    db = tmp_path / "out.duckdb"
    _check_one_line(cli(project, "load", ".", "--db", str(db)), where, words)
    assert not db.exists()
    assert not list(tmp_path.glob(".load-*"))


def test_load_keeps_an_existing_database_when_the_package_is_broken(project, cli, tmp_path):
    db = tmp_path / "out.duckdb"
    first = cli(project, "load", ".", "--db", str(db))
    assert first.exit_code == 0 and "replaced" not in first.stdout
    again = cli(project, "load", ".", "--db", str(db))
    assert again.exit_code == 0 and again.stdout.strip().endswith("(replaced the database that was there)")
    before = file_hash(db)
    dangling_foreign_key(project)
    assert cli(project, "load", ".", "--db", str(db)).exit_code == 1
    assert file_hash(db) == before


def test_not_utf8_csv(project, cli):
    path = project / "data/persons.csv"
    line = next(i for i, row in enumerate(path.read_bytes().split(b"\r\n"), start=1) if b"Hitler" in row)
    path.write_bytes(path.read_bytes().replace(b"Hitler", b"Hitl\xe9r"))
    for args in (("validate", "."), ("load", ".", "--db", "x.duckdb")):
        _check_one_line(cli(project, *args), f"data/persons.csv: row {line}", ["not UTF-8"])


def _set_path(root: Path, resource: str, value) -> None:
    path = root / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    next(r for r in descriptor["resources"] if r["name"] == resource)["path"] = value
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize("value, reason", [
    ("../secret.csv", "leaves the package folder ('..')"),
    ("data/../../secret.csv", "leaves the package folder ('..')"),
    ("/etc/passwd", "is an absolute path"),
    ("https://example.com/persons.csv", "is a URL"),
    ("file:///etc/passwd", "is a URL"),
])
@pytest.mark.parametrize("command", ["validate", "load"])
def test_unsafe_paths_are_refused_before_reading(value, reason, command, project, cli, monkeypatch):
    (project.parent / "secret.csv").write_text("person_id\nx\n")
    _set_path(project, "persons", value)
    opened = []
    real_open = open

    def spy(file, *args, **kwargs):  # nothing but the descriptor may be read
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spy)
    result = cli(project, command, ".", *(["--db", "x.duckdb"] if command == "load" else []))
    monkeypatch.undo()
    _check_one_line(result, "datapackage.json", ["resource `persons`", reason, "refused before reading"])
    assert not [f for f in opened if f.endswith((".csv", "passwd"))], opened
    assert not (project / "x.duckdb").exists()


@pytest.mark.parametrize("command", ["validate", "load"])
def test_symlink_out_of_the_package_is_refused(command, project, cli, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_bytes((project / "data/persons.csv").read_bytes())
    os.unlink(project / "data/persons.csv")
    os.symlink(outside, project / "data/persons.csv")
    result = cli(project, command, ".", *(["--db", "x.duckdb"] if command == "load" else []))
    _check_one_line(result, "datapackage.json", ["path 'data/persons.csv' leaves the package folder",
                                                 "symbolic link", "refused"])


@pytest.mark.parametrize("content, words", [
    (None, ["no datapackage.json here"]),
    (b"", ["datapackage.json is empty"]),
    (b"   \n", ["datapackage.json is empty"]),
    (b'{"resources": [,]}', ["not valid JSON"]),
    (b'{"name": "x"}', ["no `resources` list"]),
])
@pytest.mark.parametrize("command", ["validate", "load"])
def test_missing_or_empty_descriptor(content, words, command, project, cli):
    path = project / "datapackage.json"
    if content is None:
        path.unlink()
    else:
        path.write_bytes(content)
    result = cli(project, command, ".", *(["--db", "x.duckdb"] if command == "load" else []))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert len(result.errors) == 1, result.errors
    assert "datapackage.json" in result.errors[0]
    for word in words:
        assert word in result.errors[0]


def test_the_committed_package_is_valid_and_loads(project, cli, tmp_path):
    assert cli(project, "validate", ".").exit_code == 0
    result = cli(project, "load", ".", "--db", str(tmp_path / "ok.duckdb"))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "ok.duckdb").is_file()
