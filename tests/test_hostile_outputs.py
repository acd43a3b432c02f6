"""Hostile and awkward input to the outputs (issue 20): numbers JSON cannot hold, the SQLite export's
vocabularies and what it may replace, citations, the timeline, the site's page names, and the messages of
`query`. Each case is the exact input, one clear line (or the correct output), the exit code, and what must
stay unchanged, compared byte for byte."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from conftest import file_hash


def _package(root: Path, csv: str, fields: list[dict], name: str = "t", **schema) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{name}.csv").write_text(csv, encoding="utf-8", newline="")
    (root / "datapackage.json").write_text(json.dumps({"name": "hostile", "resources": [
        {"name": name, "path": f"{name}.csv", "schema": {"fields": fields, **schema}}]}), encoding="utf-8")
    return root


def _one_line(result) -> str:
    assert result.exit_code == 1 and len(result.errors) == 1, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return result.errors[0]


def _strict_json(text: str):
    """json.loads that refuses NaN and Infinity, as every other JSON reader does."""
    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


NUMBERS = "id,x\n1,NaN\n2,INF\n3,1e400\n4,-INF\n5,1.5\n"
NUMBER_FIELDS = [{"name": "id", "type": "integer"}, {"name": "x", "type": "number"}]


# --- JSON output is JSON ---------------------------------------------------------------------------------

def test_query_json_writes_nan_and_infinities_as_null(tmp_path, cli):
    package = _package(tmp_path / "p", NUMBERS, NUMBER_FIELDS)
    result = cli(tmp_path, "query", "--format", "json", "--package", str(package),
                 "SELECT id, x, [x] AS xs, {'x': x} AS s FROM t ORDER BY id")
    assert result.exit_code == 0, result.stderr
    rows = _strict_json(result.stdout)
    assert [(r["id"], r["x"], r["xs"], r["s"]) for r in rows] == [
        (1, None, [None], {"x": None}), (2, None, [None], {"x": None}), (3, None, [None], {"x": None}),
        (4, None, [None], {"x": None}), (5, 1.5, [1.5], {"x": 1.5})]


def test_jsonl_export_writes_nan_and_infinities_as_null(tmp_path, cli):
    package = _package(tmp_path / "p", NUMBERS, NUMBER_FIELDS)
    out = tmp_path / "out"
    result = cli(tmp_path, "export", "--format", "jsonl", "--out", str(out), "--package", str(package))
    assert result.exit_code == 0, result.stderr
    lines = (out / "t.jsonl").read_text(encoding="utf-8").splitlines()
    assert [_strict_json(line) for line in lines] == [
        {"id": 1, "x": None}, {"id": 2, "x": None}, {"id": 3, "x": None}, {"id": 4, "x": None}, {"id": 5, "x": 1.5}]


