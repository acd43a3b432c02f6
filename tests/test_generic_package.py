"""`validate` and `load` work on any Frictionless tabular data package, not only ours."""

from __future__ import annotations

import json

import duckdb
import pytest

FARMS = "farm_code,region,area_ha,collectivized,founded,members\r\nf-01,Poltava,1250.5,true,1929-11-07,140\r\nf-02,Kharkiv,830,false,1930-03-02,\r\nf-03,Poltava,99.75,true,1931-01-15,38\r\n"
REGIONS = "region,oblast_rank\r\nPoltava,1\r\nKharkiv,2\r\n"


def _write(root, farms=FARMS, regions=REGIONS):
    (root / "tables").mkdir(parents=True, exist_ok=True)
    (root / "tables" / "farms.csv").write_text(farms, encoding="utf-8", newline="")
    (root / "tables" / "regions.csv").write_text(regions, encoding="utf-8", newline="")
    descriptor = {
        "name": "kolkhoz-sample", "profile": "tabular-data-package",
        "resources": [
            {"name": "regions", "path": "tables/regions.csv", "profile": "tabular-data-resource",
             "schema": {"fields": [{"name": "region", "type": "string", "constraints": {"required": True}},
                                   {"name": "oblast_rank", "type": "integer"}],
                        "primaryKey": ["region"]}},
            {"name": "farms", "path": "tables/farms.csv", "profile": "tabular-data-resource",
             "description": "Collective farms",
             "schema": {"fields": [
                 {"name": "farm_code", "type": "string", "constraints": {"required": True}},
                 {"name": "region", "type": "string", "constraints": {"enum": ["Poltava", "Kharkiv"]}},
                 {"name": "area_ha", "type": "number", "description": "Area in hectares"},
                 {"name": "collectivized", "type": "boolean"},
                 {"name": "founded", "type": "date"},
                 {"name": "members", "type": "integer"}],
                 "primaryKey": ["farm_code"],
                 "foreignKeys": [{"fields": ["region"], "reference": {"resource": "regions", "fields": ["region"]}}]}},
        ],
    }
    (root / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    return root


@pytest.fixture
def package(tmp_path):
    return _write(tmp_path / "kolkhoz")


def test_validate_and_load_a_third_party_package(package, cli, tmp_path):
    result = cli(tmp_path, "validate", str(package))
    assert result.exit_code == 0, result.stderr
    db = tmp_path / "k.duckdb"
    result = cli(tmp_path, "load", str(package), "--db", str(db))
    assert result.exit_code == 0, result.stderr

    con = duckdb.connect(str(db), read_only=True)
    try:
        types = dict(con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'farms'").fetchall())
        assert types["area_ha"] == "DOUBLE" and types["collectivized"] == "BOOLEAN"
        assert types["founded"] == "DATE" and types["members"] == "BIGINT" and types["farm_code"] == "VARCHAR"
        assert types["region"] == "VARCHAR"  # an ENUM cannot reference VARCHAR in DuckDB: a CHECK keeps the enum
        not_null = dict(con.execute("SELECT column_name, is_nullable FROM duckdb_columns() "
                                    "WHERE table_name = 'farms'").fetchall())
        assert not_null["farm_code"] is False and not_null["members"] is True
        kinds = {row[0] for row in con.execute(
            "SELECT constraint_type FROM duckdb_constraints() WHERE table_name = 'farms'").fetchall()}
        assert {"PRIMARY KEY", "FOREIGN KEY", "NOT NULL", "CHECK"} <= kinds
        rows = con.execute("SELECT f.farm_code, f.area_ha, f.collectivized, f.founded, f.members, r.oblast_rank "
                           "FROM farms f JOIN regions r USING (region) ORDER BY 1").fetchall()
        assert [r[0] for r in rows] == ["f-01", "f-02", "f-03"]
        assert rows[0][1] == 1250.5 and rows[0][2] is True and str(rows[0][3]) == "1929-11-07"
        assert rows[1][4] is None and rows[2][5] == 1
        comment = con.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 'farms' "
                              "AND column_name = 'area_ha'").fetchone()[0]
        assert comment == "Area in hectares"
    finally:
        con.close()

    result = cli(tmp_path, "query", "--db", str(db), "--format", "json",
                 "SELECT region, sum(area_ha) AS area FROM farms GROUP BY region ORDER BY region")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [{"region": "Kharkiv", "area": 830.0}, {"region": "Poltava", "area": 1350.25}]


@pytest.mark.parametrize("farms, where, words", [
    (FARMS.replace("f-03,Poltava", "f-01,Poltava"), "tables/farms.csv: row 4", ["duplicate primary key"]),
    (FARMS.replace("f-03,Poltava", "f-03,Odesa"), "tables/farms.csv: row 4", ["column `region`", "'Odesa'", "enum"]),
    (FARMS.replace("1930-03-02", "2 March 1930"), "tables/farms.csv: row 3", ["column `founded`", "not a valid date"]),
    (FARMS.replace(",true,1929", ",yes please,1929"), "tables/farms.csv: row 2", ["column `collectivized`", "boolean"]),
    (FARMS.replace("830,", "lots,"), "tables/farms.csv: row 3", ["column `area_ha`", "not a valid number"]),
])
def test_a_broken_third_party_package_is_one_line_per_problem(farms, where, words, tmp_path, cli):
    package = _write(tmp_path / "bad", farms=farms)
    for args in (("validate", str(package)), ("load", str(package), "--db", str(tmp_path / "x.duckdb"))):
        result = cli(tmp_path, *args)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert len(result.errors) == 1, result.errors
        assert result.errors[0].startswith(f"error: {where}: "), result.errors[0]
        for word in words:
            assert word in result.errors[0], (word, result.errors[0])
    assert not (tmp_path / "x.duckdb").exists()


def test_a_dangling_foreign_key_in_a_third_party_package(tmp_path, cli):
    package = _write(tmp_path / "bad", regions=REGIONS.replace("Kharkiv,2\r\n", ""))
    result = cli(tmp_path, "validate", str(package))
    assert result.exit_code == 1
    assert result.errors == ['error: tables/farms.csv: row 3: dangling foreign key: for "region": values "Kharkiv" '
                             'not found in the lookup table "regions" as "region"']
