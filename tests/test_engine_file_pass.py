"""The engine's one pass over each file (`check._files`) reads it in chunks: an empty line or a
multi-byte character split across two chunks is found exactly as in one chunk, and a row with one cell
too many is named in the same read as the others (the spare column)."""

from __future__ import annotations

import json

import pytest

from histpack.engine import check
from histpack.engine.check import check_package

FIELDS = [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}]


def package(root, body: bytes, encoding: str = "utf-8"):
    root.mkdir(parents=True, exist_ok=True)
    (root / "t.csv").write_bytes(body)
    (root / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [{
        "name": "t", "path": "t.csv", "encoding": encoding, "schema": {"fields": FIELDS}}]}), encoding="utf-8")
    return root


def findings(root) -> list[tuple]:
    checked = check_package(root)
    try:
        return sorted((e.type, e.row, e.cell) for e in checked.errors())
    finally:
        checked.close()


BODIES = {
    "empty lines, LF": b"id,name\n1,a\n\n2,b\nx,y\n",
    "empty lines, CRLF": b"id,name\r\n1,a\r\n\r\n2,b\r\nx,y\r\n",
    "an empty line first": b"\nid,name\n1,a\n",
    "non-ASCII names": "id,name\n1,Ærøskøbing\n2,Київ\n3,Ἀθῆναι\nz,ok\n".encode(),
    "a bad byte after non-ASCII": "id,name\n1,Київ\n2,".encode() + b"\xff" + b"\n",
    "an extra cell": b"id,name\n1,a\n2,b,c\n3,d\n",
    "two extra cells": b"id,name\n1,a\n2,b,c,d\n3,d\n",
}


@pytest.mark.parametrize("name", BODIES)
@pytest.mark.parametrize("chunk", [1, 2, 3, 5])
def test_small_chunks_find_what_one_chunk_finds(name, chunk, tmp_path, monkeypatch):
    root = package(tmp_path / "p", BODIES[name])
    whole = findings(root)
    monkeypatch.setattr(check, "CHUNK", chunk)
    assert findings(root) == whole


def test_what_the_pass_finds(tmp_path):
    """The reference the chunked reads are held to is itself right."""
    assert findings(package(tmp_path / "a", BODIES["empty lines, CRLF"])) == [
        ("blank-row", 3, None), ("type-error", 5, "x")]
    assert findings(package(tmp_path / "b", BODIES["non-ASCII names"])) == [("type-error", 5, "z")]
    assert [e[:2] for e in findings(package(tmp_path / "c", BODIES["a bad byte after non-ASCII"]))] == [
        ("encoding-error", 3)]
    assert findings(package(tmp_path / "d", BODIES["an extra cell"])) == [("extra-cell", 3, "c")]
    assert findings(package(tmp_path / "e", BODIES["two extra cells"])) == [
        ("extra-cell", 3, "c"), ("extra-cell", 3, "d")]


def test_one_extra_cell_is_read_in_one_pass(tmp_path, monkeypatch):
    reads = []
    read_raw = check._read_raw
    monkeypatch.setattr(check, "_read_raw", lambda *a, **k: reads.append(1) or read_raw(*a, **k))
    assert findings(package(tmp_path / "p", BODIES["an extra cell"])) == [("extra-cell", 3, "c")]
    assert len(reads) == 1
