"""How long `histpack site` takes against its peer `histpack build`, on a scratch copy of the project.

Run by hand: `.venv/bin/python benchmarks/site.py`. Best of N runs each (CPU time and wall time),
so a busy machine shows in the wall time but less in the CPU time.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from histpack.pipeline.build import build  # noqa: E402
from histpack.site import build_site, render_site  # noqa: E402
from histpack.site.data import read_site_data  # noqa: E402
from histpack.checks.validate import validate_package  # noqa: E402

RUNS = int(os.environ.get("RUNS", "3"))


def best(func) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(RUNS):
        w, c = time.perf_counter(), time.process_time()
        func()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        for name in ("sources", "annotations", "data", "schemas"):
            shutil.copytree(ROOT / name, project / name)
        for name in ("datapackage.json", "pyproject.toml", "histpack.yaml"):
            shutil.copy2(ROOT / name, project / name)

        def render_only():
            data = read_site_data(project)
            try:
                render_site(data)
            finally:
                data.con.close()

        results = {
            "histpack build --no-db (peer)": best(lambda: build(project, db_path=None)),
            "histpack validate": best(lambda: validate_package(project)),
            "histpack site (validate + read + render + write)": best(lambda: build_site(project, Path(tmp) / "site")),
            "site without validation (read + render)": best(render_only),
        }
    peer_wall, peer_cpu = results["histpack build --no-db (peer)"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"load average {os.getloadavg()[0]:.1f}; best of {RUNS}")
    print("| step | wall s | CPU s | CPU vs build |")
    print("|---|---:|---:|---:|")
    for name, (wall, cpu) in results.items():
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {cpu / peer_cpu:.0%} |")


if __name__ == "__main__":
    main()
