"""Two builds — different hash seeds, different working directories, different project paths — give
byte-identical data/, schemas/ and datapackage.json, equal to the committed ones."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO, copy_project, outputs


def _build(root, cwd, seed: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("HISTPACK_DEBUG", "PYTHONHASHSEED")}
    env.update(PYTHONHASHSEED=seed, PYTHONPATH=str(REPO), LC_ALL="C", TZ="Pacific/Kiritimati")
    return subprocess.run([sys.executable, "-m", "histpack.cli.app", "build", "--no-db"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_builds_are_byte_identical(tmp_path):
    first = copy_project(tmp_path / "one")
    second = copy_project(tmp_path / "elsewhere" / "two")
    for path in (*first.glob("data/*"), *first.glob("schemas/*"), first / "datapackage.json"):
        path.unlink()  # the first build writes everything from nothing
    a = _build(first, first, "1")
    b = _build(second, second / "annotations", "4242")
    assert a.returncode == 0, a.stderr
    assert b.returncode == 0, b.stderr
    assert outputs(first) == outputs(second) == outputs(REPO)
    assert len(outputs(first)) == 1 + 2 * len(list(REPO.glob("data/*.csv")))


def test_error_lines_do_not_depend_on_the_working_directory(tmp_path):
    root = copy_project(tmp_path / "p")
    path = root / "annotations" / "persons.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("nazi_germany", "nazi_germani", 1), encoding="utf-8")
    from_root = _build(root, root, "0")
    from_sub = _build(root, root / "annotations", "7")
    assert from_root.returncode == from_sub.returncode == 1
    assert from_root.stderr == from_sub.stderr
    assert from_root.stderr.startswith("error: annotations/persons.yaml:")
