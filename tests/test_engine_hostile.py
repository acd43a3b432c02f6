"""Hostile and odd packages of issues 20 and 21 that reached the engine: each validates and loads
correctly, or is refused in one line naming its file, exit 1, no traceback, nothing written — and
nothing is opened that is not a regular file."""

from __future__ import annotations

import json
import os

import duckdb
import pytest

FIELDS = [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]


def package(root, text="id,name\r\n1,a\r\n2,b\r\n", fields=FIELDS, name="people", data="people.csv", **resource):
    root.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode("utf-8")
    if text is not None:
        (root / data).write_bytes(text)
    entry = {"name": name, "path": data, **resource}
    if fields is not None:
        entry["schema"] = {"fields": fields}
    (root / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [entry]}), encoding="utf-8")
    return root


def refused(result, where, *words):
    output = result.stdout + result.stderr
    assert result.exit_code == 1, output
    assert "Traceback" not in output and "internal error" not in output, output
    errors = [line for line in result.errors if not line.startswith("note:")]
    assert len(errors) == 1, errors
    assert where in errors[0], errors[0]
    for word in words:
        assert word in errors[0], (word, errors[0])
    assert "SELECT" not in output and "read_csv" not in output and "/histpack-" not in output, output  # no SQL, no private path
    return errors[0]


@pytest.mark.parametrize("key", ["schema", "dialect", "path-csv", "path-json"])
def test_a_named_pipe_is_refused_before_it_is_opened(key, tmp_path, cli):
    """A FIFO would block the read for ever (issue 20, High 4): it is named, and nothing waits on it."""
    root = package(tmp_path / "pkg")
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    name = {"schema": "schema.json", "dialect": "dialect.json", "path-csv": "fifo.csv", "path-json": "fifo.json"}[key]
    os.mkfifo(root / name)
    descriptor["resources"][0][key.split("-")[0]] = name
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    line = refused(cli(tmp_path, "validate", str(root)), "datapackage.json", name, "a named pipe", "refused before reading")
    assert "missing" not in line


def test_a_schema_that_is_a_folder_is_named(tmp_path, cli):
    root = package(tmp_path / "pkg")
    (root / "schema").mkdir()
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["schema"] = "schema"
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    refused(cli(tmp_path, "validate", str(root)), "datapackage.json", "'schema' is a folder")


@pytest.mark.parametrize("encoding, words", [("latin-1", ["not UTF-8"]), ("utf-16", ["UTF-16"]),
                                             ("surrogate", ["lone surrogate"])])
def test_a_descriptor_that_is_not_utf8_json_is_one_line(encoding, words, tmp_path, cli):
    root = package(tmp_path / "pkg")
    text = (root / "datapackage.json").read_text(encoding="utf-8").replace('"p"', '"Zoë"')
    data = text.replace("Zoë", "\\ud800").encode() if encoding == "surrogate" else text.encode(encoding)
    (root / "datapackage.json").write_bytes(data)
    refused(cli(tmp_path, "validate", str(root)), "datapackage.json", *words)


@pytest.mark.parametrize("encoding", ["hex", "base64", "rot13", "zlib"])
def test_a_bytes_codec_is_no_text_encoding(encoding, tmp_path, cli):
    root = package(tmp_path / "pkg", encoding=encoding)
    refused(cli(tmp_path, "validate", str(root)), "people.csv", f"{encoding!r} is not a text encoding")


@pytest.mark.parametrize("dialect, words", [
    ({"delimiter": ";;"}, ["`delimiter`", "not one character"]),
    ({"quoteChar": "''"}, ["`quoteChar`", "not one character"]),
    ({"quoteChar": ","}, ["`quoteChar`", "also the delimiter"]),
])
def test_a_dialect_no_csv_reader_can_follow_is_one_line(dialect, words, tmp_path, cli):
    root = package(tmp_path / "pkg", text="id;;name\r\n1;;a\r\n\r\n2;;b\r\n", dialect=dialect)
    refused(cli(tmp_path, "validate", str(root)), "people.csv", *words)


def test_a_shake_hash_is_a_note_not_an_internal_error(tmp_path, cli):
    root = package(tmp_path / "pkg", hash="shake_128:abcd")
    result = cli(tmp_path, "validate", str(root))
    assert result.exit_code == 0, result.stderr
    assert "note: people.csv: hash algorithm 'shake_128' is not supported" in result.stderr


def test_an_empty_file_is_one_line_without_sql_or_advice_for_another_project(tmp_path, cli):
    root = package(tmp_path / "pkg", text=b"")
    line = refused(cli(tmp_path, "validate", str(root)), "people.csv", "the file is empty")
    assert "rebuild" not in line and "annotations" not in line


def test_a_changed_file_of_a_third_party_package_is_not_blamed_on_a_build(tmp_path, cli):
    root = package(tmp_path / "pkg", bytes=3)
    line = refused(cli(tmp_path, "validate", str(root)), "people.csv", "not the one the descriptor describes")
    assert "build" not in line and "annotations" not in line, line


def test_a_field_with_an_empty_name_is_shown_as_such(tmp_path, cli):
    root = package(tmp_path / "pkg", fields=[{"name": "", "type": "integer"}, {"name": "name", "type": "string"}])
    line = refused(cli(tmp_path, "validate", str(root)), "people.csv", "expected: (a field without a name), name")
    assert "another order" not in line


def test_labels_without_a_schema_must_name_each_column_once(tmp_path, cli):
    """Frictionless reports blank-label and duplicate-label for `id,name,,name` (issue 21, bug 5)."""
    root = package(tmp_path / "pkg", text="id,name,,name\r\n1,a,b,c\r\n", fields=None)
    db = tmp_path / "x.duckdb"
    refused(cli(tmp_path, "load", str(root), "--db", str(db)), "people.csv", "column 3 has no name", "`name` twice")
    assert not db.exists()


@pytest.mark.parametrize("resource", ["__errors", "__typed_0", "__store_0"])
def test_a_resource_named_like_an_engine_table_loads(resource, tmp_path, cli):
    root = package(tmp_path / "pkg", name=resource)
    db = tmp_path / "x.duckdb"
    result = cli(tmp_path, "load", str(root), "--db", str(db))
    assert result.exit_code == 0, result.stderr
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute(f'SELECT id, name FROM "{resource}" ORDER BY id').fetchall() == [(1, "a"), (2, "b")]
    finally:
        con.close()


@pytest.mark.parametrize("field", ["text", "enum"])
def test_a_vocabulary_column_named_like_a_type_loads(field, tmp_path, cli):
    root = package(tmp_path / "pkg", text=f"id,{field}\r\n1,a\r\n2,b\r\n",
                   fields=[{"name": "id", "type": "integer"},
                           {"name": field, "type": "string", "constraints": {"enum": ["a", "b"]}}])
    db = tmp_path / "x.duckdb"
    result = cli(tmp_path, "load", str(root), "--db", str(db))
    assert result.exit_code == 0, result.stderr
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute(f'SELECT CAST("{field}" AS VARCHAR) FROM people ORDER BY id').fetchall() == [("a",), ("b",)]
    finally:
        con.close()


def test_columns_that_differ_only_in_case_are_refused_at_load_naming_the_file(tmp_path, cli):
    root = package(tmp_path / "pkg", text="a,A\r\n1,2\r\n",
                   fields=[{"name": "a", "type": "integer"}, {"name": "A", "type": "integer"}])
    assert cli(tmp_path, "validate", str(root)).exit_code == 0
    db = tmp_path / "x.duckdb"
    refused(cli(tmp_path, "load", str(root), "--db", str(db)), "people.csv", "`a` and `A` differ only in case")
    assert not db.exists()


def test_a_thousand_columns_validate_and_load(tmp_path, cli):
    """No statement grows with the width (DuckDB's "Max expression depth" at 1,000 columns, issue 20)."""
    n = 1000
    header = ",".join(f"c{i}" for i in range(n))
    rows = "\r\n".join(",".join("true" if (i + r) % 2 else "false" for i in range(n)) for r in range(3))
    root = package(tmp_path / "pkg", text=header + "\r\n" + rows + "\r\n",
                   fields=[{"name": f"c{i}", "type": "boolean"} for i in range(n)])
    db = tmp_path / "x.duckdb"
    result = cli(tmp_path, "load", str(root), "--db", str(db))
    assert result.exit_code == 0, result.stderr
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT c0, c1, c999 FROM people").fetchall() == [(False, True, True), (True, False, False),
                                                                           (False, True, True)]
    finally:
        con.close()


def test_a_file_wider_than_the_engine_checks_is_refused_in_one_line(tmp_path, cli, monkeypatch):
    from histpack.engine import check

    monkeypatch.setattr(check, "MAX_COLUMNS", 50)
    root = package(tmp_path / "pkg", text=",".join(f"c{i}" for i in range(60)) + "\r\n", fields=None)
    refused(cli(tmp_path, "validate", str(root)), "people.csv", "60 columns", "more than the 50")


@pytest.mark.parametrize("text", ["id,name\r\n1,a\r\n2,b\n3,c\n", 'id,name\r\n1,"a\nb"\r\n2,"c\r\nd"\n'])
def test_valid_csv_that_duckdb_refuses_is_read_with_a_note(text, tmp_path, cli):
    """Mixed line ends, and line breaks inside quotes (issue 21, bug 3): every record, none merged."""
    root = package(tmp_path / "pkg", text=text)
    db = tmp_path / "x.duckdb"
    result = cli(tmp_path, "load", str(root), "--db", str(db))
    assert result.exit_code == 0, result.stderr
    assert "was read with Python's csv module, record for record" in result.stderr
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT id, name FROM people ORDER BY id").fetchall()
    finally:
        con.close()
    assert rows == ([(1, "a"), (2, "b"), (3, "c")] if "3,c" in text else [(1, "a\nb"), (2, "c\r\nd")])


def test_a_quote_left_open_after_the_fallback_is_one_line(tmp_path, cli):
    root = package(tmp_path / "pkg", text='id,name\r\n1,a\n2,"b\r\n3,c\r\n')
    refused(cli(tmp_path, "validate", str(root)), "people.csv")


@pytest.mark.parametrize("quoted", [False, True], ids=["one-line", "line-breaks-in-quotes"])
def test_a_row_longer_than_duckdbs_line_limit_is_read(quoted, tmp_path, cli):
    """A 5 MB row is a valid row (issue 20, High 2: rows of 33 MB and more vanished; tests/
    test_engine_signals.py holds the 40 MB case)."""
    cell = ("x" * 99 + "\n") * 50_000 if quoted else "x" * (5 << 20)
    text = "id,name\n1,a\n2," + (f'"{cell}"' if quoted else cell) + "\n3,c\n"
    root = package(tmp_path / "pkg", text=text)
    db = tmp_path / "x.duckdb"
    result = cli(tmp_path, "load", str(root), "--db", str(db))
    assert result.exit_code == 0, result.stderr
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT id, length(name) FROM people ORDER BY id").fetchall() == [(1, 1), (2, len(cell)),
                                                                                            (3, 1)]
    finally:
        con.close()


@pytest.mark.parametrize("path, compression", [("people.csv.gz", None), ("people.csv", "gz"), ("people.csv.zip", None)])
def test_a_compressed_csv_is_read(path, compression, tmp_path, cli):
    import gzip
    import zipfile

    root = tmp_path / "pkg"
    root.mkdir()
    text = b"id,name\r\n1,a\r\n2,b\r\n"
    if path.endswith(".zip"):
        with zipfile.ZipFile(root / path, "w") as archive:
            archive.writestr("people.csv", text)
    else:
        (root / path).write_bytes(gzip.compress(text))
    extra = {"compression": compression} if compression else {}
    package(root, text=None, data=path, **extra)
    db = tmp_path / "x.duckdb"
    result = cli(tmp_path, "load", str(root), "--db", str(db))
    assert result.exit_code == 0, result.stderr
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT id, name FROM people ORDER BY id").fetchall() == [(1, "a"), (2, "b")]
    finally:
        con.close()


@pytest.mark.parametrize("path, content, words", [
    ("people.jsonl", b'{"id": 1, "name": "a"}\n', ["format 'jsonl' is not supported"]),
    ("people.ndjson", b'{"id": 1, "name": "a"}\n', ["format 'ndjson' is not supported"]),
    ("people.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), ["format 'xls' is not supported"]),
    ("people.csv", b"\x1f\x8b\x08\x00" + bytes(40), ["gzip-compressed data, not CSV text"]),
    ("people.csv", b"PK\x03\x04" + bytes(40), ["a zip archive"]),
])
def test_another_format_is_named_never_called_not_utf8(path, content, words, tmp_path, cli):
    root = package(tmp_path / "pkg", text=content, data=path)
    line = refused(cli(tmp_path, "validate", str(root)), path, *words)
    assert "UTF-8" not in line


def test_keys_of_later_specs_are_ignored_with_a_note(tmp_path, cli):
    root = package(tmp_path / "pkg", dialect={"headerRows": [1], "csv": {"delimiter": ";"}}, extrapaths=["x.csv"])
    result = cli(tmp_path, "validate", str(root))
    assert result.exit_code == 0, result.stderr
    for key in ("dialect `headerRows`", "dialect `csv`", "resource `extrapaths`"):
        assert f"note: people.csv: {key} is not a Data Package v1 key; ignored" in result.stderr, result.stderr


def test_a_folder_without_a_descriptor_is_not_told_to_build(tmp_path, cli):
    (tmp_path / "pkg").mkdir()
    line = refused(cli(tmp_path, "validate", str(tmp_path / "pkg")), "datapackage.json", "no datapackage.json here")
    assert "build" not in line, line


def test_a_multipart_file_that_repeats_the_header_is_a_row_with_a_note(tmp_path, cli):
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "a.csv").write_text("id,name\r\n1,a\r\n", encoding="utf-8")
    (root / "b.csv").write_text("id,name\r\n2,b\r\n", encoding="utf-8")
    descriptor = {"name": "p", "resources": [{"name": "people", "path": ["a.csv", "b.csv"],
                                              "schema": {"fields": FIELDS}}]}
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    result = cli(tmp_path, "validate", str(root))
    assert result.exit_code == 1
    assert "note: b.csv: repeats the header of a.csv" in result.stderr
    assert "row 3: column `id`: 'id' is not a valid integer" in result.stderr, result.stderr
