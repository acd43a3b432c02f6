"""Benchmark of issue 9 (run by hand, not in the test suite):

    .venv/bin/python benchmarks/engine.py [--sizes 10000,100000,1000000] [--skip-frictionless-above N]

Generates a 10k-row parent and an N-row child (primary and foreign keys, dates, numbers, enums,
required, maxLength) and times, in one run: `histpack validate`, `histpack load`, `frictionless
validate`, a bare DuckDB script doing the same checks, and a bare DuckDB script loading the same
typed tables with the same keys (ENUMs, NOT NULL, primary and foreign key) — the floor of a load that
keeps the keys; prints ratios, each process's peak memory and the load average. Then a 1M-row copy with one fault of each class: every fault must be named by its row.
Finally this package: `histpack validate` against `frictionless validate datapackage.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
KINDS = ["farm", "mill", "depot", "school"]
CACHES = Path(tempfile.gettempdir())  # where each command's own cache folder is made (main: the work folder)

PARENT_SCHEMA = {"fields": [
    {"name": "code", "type": "string", "constraints": {"required": True, "maxLength": 8}},
    {"name": "name", "type": "string", "constraints": {"required": True, "maxLength": 20}},
    {"name": "founded", "type": "date"},
    {"name": "area", "type": "number", "constraints": {"minimum": 0}},
    {"name": "kind", "type": "string", "constraints": {"enum": KINDS}}],
    "primaryKey": ["code"]}
CHILD_SCHEMA = {"fields": [
    {"name": "id", "type": "integer", "constraints": {"required": True}},
    {"name": "parent", "type": "string", "constraints": {"required": True}},
    {"name": "day", "type": "date", "constraints": {"required": True}},
    {"name": "amount", "type": "number", "constraints": {"minimum": 0}},
    {"name": "status", "type": "string", "constraints": {"enum": ["open", "closed", "void"]}},
    {"name": "note", "type": "string", "constraints": {"maxLength": 30}}],
    "primaryKey": ["id"],
    "foreignKeys": [{"fields": ["parent"], "reference": {"resource": "parent", "fields": ["code"]}}]}


def generate(root: Path, n_child: int, seed: int = 9) -> Path:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "parent.csv", "w", encoding="utf-8", newline="") as f:
        f.write("code,name,founded,area,kind\r\n")
        for i in range(10_000):
            f.write(f"P{i:05d},Unit {i},19{20 + i % 60}-{1 + i % 12:02d}-{1 + i % 28:02d},{rng.random() * 1000:.2f},"
                    f"{KINDS[i % 4]}\r\n")
    with open(root / "child.csv", "w", encoding="utf-8", newline="") as f:
        f.write("id,parent,day,amount,status,note\r\n")
        lines = []
        for i in range(1, n_child + 1):
            lines.append(f"{i},P{rng.randrange(10_000):05d},19{30 + i % 40}-{1 + i % 12:02d}-{1 + i % 28:02d},"
                         f"{rng.random() * 100:.3f},{('open', 'closed', 'void')[i % 3]},note {i % 997}\r\n")
            if len(lines) == 100_000:
                f.writelines(lines)
                lines = []
        f.writelines(lines)
    descriptor = {"name": "bench", "profile": "tabular-data-package", "resources": [
        {"name": "parent", "path": "parent.csv", "profile": "tabular-data-resource", "schema": PARENT_SCHEMA},
        {"name": "child", "path": "child.csv", "profile": "tabular-data-resource", "schema": CHILD_SCHEMA}]}
    (root / "datapackage.json").write_text(json.dumps(descriptor, indent=1), encoding="utf-8")
    return root


FAULTS = {  # row number (header = 1) → (class, how the line is changed)
    11: ("type-error", lambda cells: cells[:2] + ["1931-02-30"] + cells[3:]),
    22: ("constraint-error (enum)", lambda cells: cells[:4] + ["lost"] + cells[5:]),
    33: ("constraint-error (minimum)", lambda cells: cells[:3] + ["-1"] + cells[4:]),
    44: ("constraint-error (maxLength)", lambda cells: cells[:5] + ["x" * 31]),
    55: ("constraint-error (required)", lambda cells: cells[:2] + [""] + cells[3:]),
    66: ("primary-key", lambda cells: ["1"] + cells[1:]),
    500_000: ("foreign-key", lambda cells: cells[:1] + ["P99999"] + cells[2:]),
    700_000: ("missing-cell", lambda cells: cells[:5]),
    800_000: ("extra-cell", lambda cells: cells + ["extra"]),
    900_000: ("blank-row", lambda cells: [""] * 6),
}


def inject_faults(root: Path) -> None:
    path = root / "child.csv"
    lines = path.read_bytes().split(b"\r\n")
    for row, (_, change) in FAULTS.items():
        cells = lines[row - 1].decode().split(",")
        lines[row - 1] = ",".join(change(cells)).encode()
    path.write_bytes(b"\r\n".join(lines))


BARE_SQL = """
SET enable_progress_bar = false;
CREATE TABLE parent AS SELECT * FROM read_csv('{root}/parent.csv', header = true, auto_detect = false,
  columns = {{'code': 'VARCHAR', 'name': 'VARCHAR', 'founded': 'DATE', 'area': 'DOUBLE', 'kind': 'VARCHAR'}});
CREATE TABLE child AS SELECT * FROM read_csv('{root}/child.csv', header = true, auto_detect = false,
  columns = {{'id': 'BIGINT', 'parent': 'VARCHAR', 'day': 'DATE', 'amount': 'DOUBLE', 'status': 'VARCHAR',
             'note': 'VARCHAR'}});
SELECT
  (SELECT count(*) FROM (SELECT code FROM parent GROUP BY code HAVING count(*) > 1)) AS parent_pk,
  (SELECT count(*) FROM parent WHERE code IS NULL OR name IS NULL OR length(code) > 8 OR length(name) > 20
     OR area < 0 OR kind NOT IN ('farm', 'mill', 'depot', 'school')) AS parent_constraints,
  (SELECT count(*) FROM (SELECT id FROM child GROUP BY id HAVING count(*) > 1)) AS child_pk,
  (SELECT count(*) FROM child WHERE id IS NULL OR parent IS NULL OR day IS NULL OR amount < 0
     OR status NOT IN ('open', 'closed', 'void') OR length(note) > 30) AS child_constraints,
  (SELECT count(*) FROM child c WHERE NOT EXISTS (SELECT 1 FROM parent p WHERE p.code = c.parent)) AS child_fk;
"""


KEYED_SQL = """
SET enable_progress_bar = false;
CREATE TYPE kind AS ENUM ('farm', 'mill', 'depot', 'school');
CREATE TYPE status AS ENUM ('open', 'closed', 'void');
CREATE TABLE parent (code VARCHAR NOT NULL, name VARCHAR NOT NULL, founded DATE, area DOUBLE, kind kind,
  PRIMARY KEY (code));
INSERT INTO parent SELECT * FROM read_csv('{root}/parent.csv', header = true, auto_detect = false,
  columns = {{'code': 'VARCHAR', 'name': 'VARCHAR', 'founded': 'DATE', 'area': 'DOUBLE', 'kind': 'VARCHAR'}});
CREATE TABLE child (id BIGINT NOT NULL, parent VARCHAR NOT NULL, day DATE NOT NULL, amount DOUBLE, status status,
  note VARCHAR, PRIMARY KEY (id), FOREIGN KEY (parent) REFERENCES parent (code));
INSERT INTO child SELECT * FROM read_csv('{root}/child.csv', header = true, auto_detect = false,
  columns = {{'id': 'BIGINT', 'parent': 'VARCHAR', 'day': 'DATE', 'amount': 'DOUBLE', 'status': 'VARCHAR',
             'note': 'VARCHAR'}});
SELECT count(*) FROM child
"""


def run_measured(args: list[str], cwd: Path | None = None, cache: Path | None = None) -> tuple[float, float, int, str]:
    """Wall time, peak memory (MB), exit status and output of one command. `cache` is histpack's cache
    folder: a fresh one for each command unless given, so that no run profits from an earlier one."""
    env = dict(os.environ, HISTPACK_CACHE_DIR=str(cache or tempfile.mkdtemp(prefix="cache-", dir=CACHES)))
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, text=True, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        out.seek(0)
        text = out.read()
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), text


def bare_duckdb(root: Path, db: Path, sql: str = BARE_SQL) -> list[str]:
    statements = [s for s in sql.format(root=root).split(";") if s.strip()]
    script = ("import duckdb, sys\n"
              f"con = duckdb.connect({str(db)!r})\n"
              f"for statement in {statements!r}:\n"
              "    result = con.execute(statement).fetchall()\n"
              "print(result)\n")
    return [sys.executable, "-c", script]


def machine() -> str:
    mem = next((line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")), "?")
    import duckdb
    import frictionless
    return (f"{platform.platform()}; nproc {os.cpu_count()}; memory {int(mem) // 1024} MB; "
            f"Python {platform.python_version()}; duckdb {duckdb.__version__}; frictionless {frictionless.__version__}; "
            f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--skip-frictionless-above", type=int, default=10**9)
    parser.add_argument("--no-faults", action="store_true")
    options = parser.parse_args()
    print(f"machine: {machine()}\n")
    global CACHES
    work = Path(tempfile.mkdtemp(prefix="histpack-bench-"))
    CACHES = work
    histpack = str(BIN / "histpack")
    frictionless = str(BIN / "frictionless")
    try:
        print("| child rows | histpack validate | validate again | histpack load | frictionless validate | bare DuckDB "
              "| DuckDB keyed load | validate vs frictionless | validate vs DuckDB | load vs DuckDB | load vs keyed load "
              "| peak MB (validate / load / frictionless / DuckDB / keyed) | load average |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for size in map(int, options.sizes.split(",")):
            root = generate(work / f"n{size}", size)
            cache = Path(tempfile.mkdtemp(prefix="cache-", dir=CACHES))
            v = run_measured([histpack, "validate", str(root)], cache=cache)  # first: frictionless checks the descriptor
            assert v[2] == 0, v[3]
            again = run_measured([histpack, "validate", str(root)], cache=cache)  # the descriptor is known
            assert again[2] == 0, again[3]
            load = run_measured([histpack, "load", str(root), "--db", str(work / f"n{size}.duckdb")])
            assert load[2] == 0, load[3]
            bare = run_measured(bare_duckdb(root, work / f"bare{size}.duckdb"))
            assert bare[2] == 0, bare[3]
            keyed = run_measured(bare_duckdb(root, work / f"keyed{size}.duckdb", KEYED_SQL))
            assert keyed[2] == 0, keyed[3]
            if size <= options.skip_frictionless_above:
                fl = run_measured([frictionless, "validate", str(root / "datapackage.json")])
                fl_text, ratio = f"{fl[0]:.1f} s", f"{fl[0] / v[0]:.0f}×"
                fl_mem = f"{fl[1]:.0f}"
            else:
                fl_text, ratio, fl_mem = "skipped", "—", "—"
            print(f"| {size:,} | {v[0]:.2f} s | {again[0]:.2f} s | {load[0]:.2f} s | {fl_text} | {bare[0]:.2f} s | {keyed[0]:.2f} s "
                  f"| {ratio} faster | {v[0] / bare[0]:.1f}× | {load[0] / bare[0]:.1f}× | {load[0] / keyed[0]:.1f}× "
                  f"| {v[1]:.0f} / {load[1]:.0f} / {fl_mem} / {bare[1]:.0f} / {keyed[1]:.0f} "
                  f"| {' '.join(f'{x:.1f}' for x in os.getloadavg())} |", flush=True)
            shutil.rmtree(root)
            for db in work.glob("*.duckdb"):
                db.unlink()
        if not options.no_faults:
            size = max(map(int, options.sizes.split(",")))
            root = generate(work / "faults", size)
            inject_faults(root)
            v = run_measured([histpack, "validate", str(root)])
            print(f"\nfaults at {size:,} rows: exit {v[2]}, {v[0]:.2f} s")
            for row, (kind, _) in FAULTS.items():
                found = [line for line in v[3].splitlines() if f"child.csv: row {row}:" in line]
                print(f"- row {row:,} {kind}: {'FOUND: ' + found[0] if found else 'NOT FOUND'}")
        print("\nthis package:")
        cache = Path(tempfile.mkdtemp(prefix="cache-", dir=CACHES))
        v = run_measured([histpack, "validate", str(REPO)], cache=cache)
        again = run_measured([histpack, "validate", str(REPO)], cache=cache)
        fl = run_measured([frictionless, "validate", str(REPO / "datapackage.json")])
        print(f"histpack validate {v[0]:.2f} s (exit {v[2]}), again {again[0]:.2f} s, frictionless validate "
              f"{fl[0]:.2f} s (exit {fl[2]}): {fl[0] / v[0]:.1f}× ({fl[0] / again[0]:.1f}× again)")
        print(f"\nafter: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
