"""histpack against the validators a data engineer would pick (issue 21), run by hand, not in the tests:

    .venv/bin/pip install pandera polars dataframely     # not dependencies of histpack
    .venv/bin/python benchmarks/peers.py [--sizes 10000,100000,1000000] [--repeat 3] [--frictionless-repeat 1]

On the engine benchmark's packages (`benchmarks/engine.py`: a 10k-row parent, an N-row child) it times, in
one run, each tool in its own process (the minimum of `--repeat` runs): `histpack validate`, `histpack
load`, `frictionless validate`, pandera (its polars backend), dataframely, and bare DuckDB checking the
same rules in memory and in a database file, and loading the same typed tables with the same keys. Then,
on a copy of the largest size with one planted fault of each class (`engine.FAULTS`), it counts the
faults each tool names by row.

The rules are the same everywhere (types, required, minimum, enum, maxLength, primary key, the foreign
key) except where a tool has none: polars 2 casts no string to a date, so the peers' scripts parse dates
first (a bad date becomes null, which `required` names, and a bad optional date is not seen); pandera and dataframely have no foreign key between tables (a polars
anti-join in the same process does it) and no notion of a row's width (a short or long row is not
theirs to see: polars pads and truncates it); bare DuckDB stops at its first conversion error.

The floors measured in the same run: `histpack validate` of a one-row package and `import duckdb` (the
fixed cost of a command), and DuckDB itself naming every bad row (`NAMING`: a hand-written script, no
CLI), alone and followed by the keyed load — what any DuckDB-based validator pays at the least.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from engine import BARE_SQL, FAULTS, KEYED_SQL, generate, inject_faults, machine, run_measured  # noqa: E402

BIN = Path(sys.executable).parent
DUCKDB_FLOOR = "python -c 'import duckdb'"

# Each peer prints one JSON line: the row numbers (header = 1) it finds at fault, at most 1,000.
READ = """
import json, sys
import polars as pl
root = sys.argv[1]
def read(name):
    return pl.read_csv(f"{root}/{name}.csv", infer_schema=False,
                       truncate_ragged_lines=True).with_row_index("rn", offset=2)
parent, child = read("parent"), read("child")
# polars 2 casts no string to a date: dates are parsed first (a bad date becomes null, a required one is named)
parent = parent.with_columns(pl.col("founded").str.to_date("%Y-%m-%d", strict=False))
child = child.with_columns(pl.col("day").str.to_date("%Y-%m-%d", strict=False))
fk = child.join(parent.select(pl.col("code").alias("parent")), on="parent", how="anti")
rows = set(fk.filter(pl.col("parent").is_not_null())["rn"].to_list())
"""

PANDERA = READ + """
import pandera.polars as pa
def bad(schema, frame):
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        index = cases["index"].drop_nulls().cast(pl.Int64).unique().to_list()
        return set(frame["rn"].gather(index).to_list()) if index else set()
    return set()
common = dict(coerce=True)
parent_schema = pa.DataFrameSchema({
    "code": pa.Column(pl.Utf8, pa.Check.str_length(max_value=8), nullable=False, unique=True),
    "name": pa.Column(pl.Utf8, pa.Check.str_length(max_value=20), nullable=False),
    "founded": pa.Column(pl.Date, nullable=True),
    "area": pa.Column(pl.Float64, pa.Check.ge(0), nullable=True),
    "kind": pa.Column(pl.Utf8, pa.Check.isin(["farm", "mill", "depot", "school"]), nullable=True)}, **common)
child_schema = pa.DataFrameSchema({
    "id": pa.Column(pl.Int64, nullable=False, unique=True),
    "parent": pa.Column(pl.Utf8, nullable=False),
    "day": pa.Column(pl.Date, nullable=False),
    "amount": pa.Column(pl.Float64, pa.Check.ge(0), nullable=True),
    "status": pa.Column(pl.Utf8, pa.Check.isin(["open", "closed", "void"]), nullable=True),
    "note": pa.Column(pl.Utf8, pa.Check.str_length(max_value=30), nullable=True)}, **common)
bad(parent_schema, parent)
rows |= bad(child_schema, child)
print(json.dumps(sorted(rows)[:1000]))
"""

DATAFRAMELY = READ + """
import dataframely as dy
class Parent(dy.Schema):
    rn = dy.UInt32()
    code = dy.String(primary_key=True, max_length=8)
    name = dy.String(nullable=False, max_length=20)
    founded = dy.Date(nullable=True)
    area = dy.Float64(nullable=True, min=0)
    kind = dy.Enum(["farm", "mill", "depot", "school"], nullable=True)
class Child(dy.Schema):
    rn = dy.UInt32()
    id = dy.Int64(primary_key=True)
    parent = dy.String(nullable=False)
    day = dy.Date(nullable=False)
    amount = dy.Float64(nullable=True, min=0)
    status = dy.Enum(["open", "closed", "void"], nullable=True)
    note = dy.String(nullable=True, max_length=30)
Parent.filter(parent, cast=True)
_, failure = Child.filter(child, cast=True)
rows |= set(failure.invalid()["rn"].to_list())
print(json.dumps(sorted(rows)[:1000]))
"""

FRICTIONLESS = """
import json, sys
from frictionless import Package, system
with system.use_context(trusted=False):
    report = Package(sys.argv[1] + "/datapackage.json").validate(limit_errors=1000)
rows = {getattr(e, "row_number", None) for task in report.tasks for e in task.errors}
print(json.dumps(sorted(r for r in rows if r)))
"""

# The floor of naming every fault by row with DuckDB itself: a hand-written script (no CLI, no descriptor,
# no file pass, no frictionless grammar: DuckDB's own casts) that reads the cells as text with one spare
# column, casts them and selects every row that breaks a rule, the keys included. With `THEN_LOAD`, the same
# process then loads the typed tables with their keys, as `KEYED_SQL` does: the floor of a load that names
# every bad row before it writes.
NAMING = """
import duckdb, json, sys
root = sys.argv[1]
con = duckdb.connect(sys.argv[2] if len(sys.argv) > 2 else ":memory:")
con.execute("SET enable_progress_bar = false")
def raw(name, n):
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n + 1)) + "}"
    con.execute(f"CREATE TEMP TABLE raw_{name} AS SELECT * FROM read_csv('{root}/{name}.csv', header = false, "
                f"auto_detect = false, columns = {columns}, null_padding = true, nullstr = '\\x01', strict_mode = false)")
raw("parent", 5)
raw("child", 6)
rows = con.execute(\"\"\"
WITH p AS (SELECT rowid + 1 AS rn, * FROM raw_parent WHERE rowid > 0),
c AS (SELECT rowid + 1 AS rn, *, TRY_CAST(c0 AS BIGINT) AS id FROM raw_child WHERE rowid > 0),
bad AS (
  SELECT rn FROM p WHERE c5 IS NOT NULL OR c4 IS NULL OR coalesce(c0, '') = '' OR coalesce(c1, '') = ''
    OR length(c0) > 8 OR length(c1) > 20 OR (c2 <> '' AND TRY_CAST(c2 AS DATE) IS NULL)
    OR (c3 <> '' AND (TRY_CAST(c3 AS DOUBLE) IS NULL OR TRY_CAST(c3 AS DOUBLE) < 0))
    OR (c4 <> '' AND c4 NOT IN ('farm', 'mill', 'depot', 'school'))
  UNION ALL
  SELECT rn FROM (SELECT rn, lag(rn) OVER (PARTITION BY c0 ORDER BY rn) AS previous FROM p) WHERE previous IS NOT NULL
  UNION ALL
  SELECT rn FROM c WHERE c6 IS NOT NULL OR c5 IS NULL OR coalesce(c0, '') = '' OR coalesce(c1, '') = ''
    OR coalesce(c2, '') = '' OR (c0 <> '' AND id IS NULL) OR TRY_CAST(c2 AS DATE) IS NULL
    OR (c3 <> '' AND (TRY_CAST(c3 AS DOUBLE) IS NULL OR TRY_CAST(c3 AS DOUBLE) < 0))
    OR (c4 <> '' AND c4 NOT IN ('open', 'closed', 'void')) OR length(c5) > 30
  UNION ALL
  SELECT rn FROM c SEMI JOIN (SELECT id FROM c GROUP BY id HAVING count(*) > 1) d USING (id)
  UNION ALL
  SELECT rn FROM c WHERE c1 <> '' AND c1 NOT IN (SELECT c0 FROM p))
SELECT DISTINCT rn FROM bad ORDER BY rn LIMIT 1000\"\"\").fetchall()
print(json.dumps([r[0] for r in rows]))
"""
THEN_LOAD = """
if not rows:
    for statement in KEYED.split(";"):
        if statement.strip():
            con.execute(statement)
"""


def python(script: str, root: Path, *args: str) -> list[str]:
    return [sys.executable, "-c", script, str(root), *args]


def naming_then_load(root: Path, database: Path) -> list[str]:
    if database.exists():
        database.unlink()
    keyed = KEYED_SQL.format(root=root)
    return python(NAMING + f"KEYED = {keyed!r}\n" + THEN_LOAD, root, str(database))


def bare(root: Path, database: str, sql: str = BARE_SQL) -> list[str]:
    statements = [s for s in sql.format(root=root).split(";") if s.strip()]
    script = ("import duckdb, os\n"
              f"if {database!r} != ':memory:' and os.path.exists({database!r}): os.remove({database!r})\n"
              f"con = duckdb.connect({database!r})\n"
              f"for statement in {statements!r}:\n"
              "    result = con.execute(statement).fetchall()\n"
              "print(result)\n")
    return [sys.executable, "-c", script]


def best(args, repeat: int, cache: Path | None = None) -> tuple[float, float, str]:
    """(minimum wall time, peak MB of that run, output); `args` is a command, or a function of the run's
    number giving one; a failed run stops the benchmark."""
    runs = [run_measured(args(i) if callable(args) else args, cache=cache) for i in range(repeat)]
    wall, peak, status, text = min(runs, key=lambda r: r[0])
    if status != 0:
        raise SystemExit(f"a run failed ({status}): {text[-2000:]}")
    return wall, peak, text


def named_rows(tool: str, text: str) -> set[int]:
    if tool.startswith("histpack"):
        return {int(m) for m in re.findall(r"child\.csv: row ([0-9]+):", text)}
    if tool.startswith("bare DuckDB") and "naming" not in tool:
        return {int(m) for m in re.findall(r"Line: ([0-9]+)", text)}
    lines = [line for line in text.splitlines() if line.startswith("[")]
    return set(json.loads(lines[-1])) if lines else set()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--frictionless-repeat", type=int, default=1)
    parser.add_argument("--frictionless-above", type=int, default=10**9, help="skip frictionless above this size")
    options = parser.parse_args()
    print(f"machine: {machine()}\n")
    work = Path(tempfile.mkdtemp(prefix="histpack-peers-"))
    histpack = str(BIN / "histpack")
    try:
        # the floors: what each command pays before a row (Python, imports, the CLI; a one-row package)
        tiny = generate(work / "tiny", 1)
        cache = Path(tempfile.mkdtemp(prefix="cache-", dir=work))
        run_measured([histpack, "validate", str(tiny)], cache=cache)
        steady = max(7, options.repeat)  # a fraction of a second each: the minimum of more runs, steadier
        floors = {"histpack validate, one row": best([histpack, "validate", str(tiny)], steady, cache)[0],
                  DUCKDB_FLOOR: best([sys.executable, "-c", "import duckdb"], steady)[0],
                  "python -c 'import polars, pandera.polars'":
                      best([sys.executable, "-c", "import polars, pandera.polars"], steady)[0]}
        print("floors: " + "; ".join(f"{k} {v:.2f} s" for k, v in floors.items()), flush=True)
        tools = {}
        for size in map(int, options.sizes.split(",")):
            root = generate(work / f"n{size}", size)
            cache = Path(tempfile.mkdtemp(prefix="cache-", dir=work))
            run_measured([histpack, "validate", str(root)], cache=cache)  # the descriptor check, once: remembered
            times = {
                "histpack validate": best([histpack, "validate", str(root)], options.repeat, cache),
                "histpack load": best(lambda i: [histpack, "load", str(root), "--db", str(work / f"h{i}.duckdb")],
                                      options.repeat, cache),
                "pandera (polars)": best(python(PANDERA, root), options.repeat),
                "dataframely": best(python(DATAFRAMELY, root), options.repeat),
                "bare DuckDB, in memory": best(bare(root, ":memory:"), options.repeat),
                "bare DuckDB, file": best(bare(root, str(work / "b.duckdb")), options.repeat),
                "bare DuckDB keyed load": best(bare(root, str(work / "k.duckdb"), KEYED_SQL), options.repeat),
                "bare DuckDB naming every row": best(python(NAMING, root), options.repeat),
                "bare DuckDB naming every row, then keyed load":
                    best(lambda i: naming_then_load(root, work / f"n{i}.duckdb"), options.repeat),
            }
            if size <= options.frictionless_above:
                times["frictionless"] = best(python(FRICTIONLESS, root), options.frictionless_repeat)
            for db in work.glob("*.duckdb"):
                db.unlink()
            tools[size] = times
            shutil.rmtree(root)
            print(f"{size:,} rows: " + "; ".join(f"{k} {v[0]:.2f} s ({v[1]:.0f} MB)" for k, v in times.items()),
                  f"| load {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)

        sizes = sorted(tools)
        names = list(tools[sizes[0]])
        print("\n| tool | " + " | ".join(f"{s:,} rows" for s in sizes) + " |")
        print("|---|" + "---|" * len(sizes))
        for name in names:
            print(f"| {name} | " + " | ".join(f"{tools[s][name][0]:.2f} s" if name in tools[s] else "—"
                                             for s in sizes) + " |")
        for s in sizes:
            t = {k: v[0] for k, v in tools[s].items()}
            faster = min(t["pandera (polars)"], t["dataframely"])
            print(f"\n{s:,} rows: validate / faster of pandera and dataframely {t['histpack validate'] / faster:.2f}×; "
                  f"validate / pandera {t['histpack validate'] / t['pandera (polars)']:.2f}×; "
                  f"validate / bare DuckDB in memory {t['histpack validate'] / t['bare DuckDB, in memory']:.2f}×; "
                  f"load / bare DuckDB keyed load {t['histpack load'] / t['bare DuckDB keyed load']:.2f}×")
            naming, naming_load = t["bare DuckDB naming every row"], t["bare DuckDB naming every row, then keyed load"]
            cli = floors["histpack validate, one row"] - floors[DUCKDB_FLOOR]  # what the CLI adds to Python and DuckDB
            print(f"  floors: DuckDB naming every row {naming:.2f} s (/ bare DuckDB in memory "
                  f"{naming / t['bare DuckDB, in memory']:.2f}×, / faster of pandera and dataframely {naming / faster:.2f}×); "
                  f"with the CLI's fixed cost ({cli:.2f} s) {naming + cli:.2f} s: validate / that "
                  f"{t['histpack validate'] / (naming + cli):.2f}×; naming then keyed load {naming_load:.2f} s "
                  f"(+ CLI {naming_load + cli:.2f} s): load / that {t['histpack load'] / (naming_load + cli):.2f}×")
            ours, theirs = t["histpack validate"] - floors["histpack validate, one row"], \
                t["bare DuckDB, in memory"] - floors[DUCKDB_FLOOR]
            if ours > 0.1 and theirs > 0.1:  # below that the difference is the noise of a shared machine
                print(f"  above the floors: validate {ours:.2f} s, bare DuckDB in memory {theirs:.2f} s: "
                      f"{ours / theirs:.2f}×")

        size = max(sizes)
        if size <= max(FAULTS):
            return  # the planted faults need more rows
        root = generate(work / "faults", size)
        inject_faults(root)
        runs = {
            "histpack validate": run_measured([histpack, "validate", str(root)]),
            "pandera (polars)": run_measured(python(PANDERA, root)),
            "dataframely": run_measured(python(DATAFRAMELY, root)),
            "bare DuckDB, in memory": run_measured(bare(root, ":memory:")),
            "bare DuckDB naming every row": run_measured(python(NAMING, root)),
        }
        if size <= options.frictionless_above:
            runs["frictionless"] = run_measured(python(FRICTIONLESS, root))
        print(f"\nplanted faults named by row at {size:,} rows ({len(FAULTS)} faults):")
        for tool, (wall, _, status, text) in runs.items():
            rows = named_rows(tool, text)
            found = [row for row in FAULTS if row in rows or (FAULTS[row][0] == "primary-key" and 2 in rows)]
            missed = [FAULTS[row][0] for row in FAULTS if row not in found]
            print(f"- {tool}: {len(found)}/{len(FAULTS)} in {wall:.2f} s (exit {status})"
                  + (f"; not named: {', '.join(missed)}" if missed else ""))
        print(f"\nafter: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
