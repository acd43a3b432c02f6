"""Time `histpack build`, `histpack validate` and `histpack query` on this package against peers
measured in the same run: `frictionless validate` of the same package and, with `--baseline DIR`,
the same commands on another checkout (e.g. `git archive main | tar -x -C DIR`).

Run by hand from the repository: `.venv/bin/python benchmarks/this_package.py [--baseline DIR]`.
Each command runs `--repeat` times (default 5) in turn with its peers; the median wall time is shown.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
FRICTIONLESS = str(Path(PYTHON).with_name("frictionless"))


def timed(command: list[str], cwd: Path, env: dict) -> float:
    if env.get("FRESH_CACHE"):  # a command that must not find what an earlier run left in the cache
        shutil.rmtree(env["HISTPACK_CACHE_DIR"], ignore_errors=True)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another checkout to time the same commands on")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="histpack-bench-"))
    trees = {"this": ROOT}
    if args.baseline:
        trees["baseline"] = args.baseline.resolve()
    copies = {}
    for name, tree in trees.items():  # builds write their outputs: time them on copies
        copies[name] = work / name
        shutil.copytree(tree, copies[name], ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info"))
    cache = work / "cache"
    query = "SELECT count(*) FROM quotes"
    commands = {}
    for name, copy in copies.items():
        env = {**os.environ, "PYTHONPATH": str(copy), "HISTPACK_CACHE_DIR": str(cache / name)}
        cli = [PYTHON, "-m", "histpack.cli.app"]
        commands[f"{name}: histpack build"] = (cli + ["build"], copy, env)
        commands[f"{name}: histpack validate"] = (cli + ["validate", "."], copy, env)
        if name == "this":  # without the descriptor verdict a previous run left in the cache
            cold = {**env, "HISTPACK_CACHE_DIR": str(cache / "cold"), "FRESH_CACHE": "1"}
            commands[f"{name}: histpack validate (cold)"] = (cli + ["validate", "."], copy, cold)
        commands[f"{name}: histpack query (no --db)"] = (cli + ["query", query], copy, env)
        commands[f"{name}: histpack --help"] = (cli + ["--help"], copy, env)
    commands["peer: frictionless validate"] = ([FRICTIONLESS, "validate", "datapackage.json"], copies["this"], dict(os.environ))
    load_before = os.getloadavg()
    for command, cwd, env in commands.values():  # warm up: file cache, .pyc, the query cache
        timed(command, cwd, env)
    times: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(args.repeat):
        for label, (command, cwd, env) in commands.items():
            times[label].append(timed(command, cwd, env))
    print(f"machine: {os.cpu_count()} cores; load before: {load_before}")
    medians = {label: statistics.median(values) for label, values in times.items()}
    for label, value in medians.items():
        print(f"{label:40s} {value:6.2f} s  (min {min(times[label]):.2f})")
    peer = medians["peer: frictionless validate"]
    print(f"validate: frictionless / histpack = {peer / medians['this: histpack validate']:.1f}x "
          f"({peer / medians['this: histpack validate (cold)']:.1f}x with an empty cache)")
    if args.baseline:
        for what in ("build", "validate", "query (no --db)", "--help"):
            ratio = medians[f"baseline: histpack {what}"] / medians[f"this: histpack {what}"]
            print(f"{what}: baseline / this = {ratio:.1f}x")
    print(f"load after: {os.getloadavg()}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
