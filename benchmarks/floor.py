"""The fixed costs of `histpack validate` on a small package, against `frictionless validate` of the same
package (run by hand from the repository: `.venv/bin/python benchmarks/floor.py [--repeat 7]`).

Each command runs `--repeat` times, interleaved; the minimum wall time and the median user+system CPU
time are shown (the minimum is the least disturbed by other jobs on a shared machine). The floor of
`histpack validate` is what any run pays before checking a single row: Python, the CLI, DuckDB, and
frictionless's check of the descriptor.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
BIN = Path(PYTHON).parent

DESCRIPTOR_CHECK = ("import json; from frictionless import Package, system; "
                    "d = json.load(open('datapackage.json')); "
                    "system.use_context(trusted=False).__enter__(); "
                    "r = Package.validate_descriptor(d, basepath='.'); assert r.valid")

COMMANDS = {
    "python -c pass": [PYTHON, "-c", "pass"],
    "import duckdb": [PYTHON, "-c", "import duckdb"],
    "import the CLI (typer, its pydantic adapters)": [PYTHON, "-c", "import histpack.cli.app, typer._adapters"],
    "histpack --help": [str(BIN / "histpack"), "--help"],
    "frictionless: import + descriptor check": [PYTHON, "-c", DESCRIPTOR_CHECK],
    "histpack validate .": [str(BIN / "histpack"), "validate", "."],
    "peer: frictionless validate datapackage.json": [str(BIN / "frictionless"), "validate", "datapackage.json"],
}


def run(command: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    load_before = os.getloadavg()
    for command in COMMANDS.values():  # warm up: file cache, .pyc
        run(command)
    walls: dict[str, list[float]] = {label: [] for label in COMMANDS}
    cpus: dict[str, list[float]] = {label: [] for label in COMMANDS}
    for _ in range(args.repeat):
        for label, command in COMMANDS.items():
            wall, cpu = run(command)
            walls[label].append(wall)
            cpus[label].append(cpu)
    print(f"{os.cpu_count()} cores; load average before {load_before}, after {os.getloadavg()}")
    print("| command | min wall | median CPU |\n|---|---|---|")
    for label in COMMANDS:
        print(f"| {label} | {min(walls[label]):.2f} s | {statistics.median(cpus[label]):.2f} s |")
    peer = min(walls["peer: frictionless validate datapackage.json"])
    ours = min(walls["histpack validate ."])
    print(f"\nfrictionless / histpack validate (min wall): {peer / ours:.2f}x; 5x would need "
          f"histpack validate <= {peer / 5:.2f} s")


if __name__ == "__main__":
    main()
