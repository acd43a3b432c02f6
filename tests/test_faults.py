"""Fault injection on real processes (issue 20): many processes filling the cache at once, Ctrl-C, SIGTERM
and SIGKILL at the expensive moments (the cache fill, the build's database and output swap).

A command is paused at a moment by the test hook `HISTPACK_TEST_PAUSE_AT` (`histpack.project.journal.
checkpoint`) and signalled there; it must exit with 130 (SIGINT) or 143 (SIGTERM, as the README says)
within 2 seconds, in one line, leaving no process, no temporary file and no half-written output behind.

Slow (about 2 minutes on 2 busy cores), so marked `faults`: the default run leaves them out, `.ci/run`
runs them (`python -m pytest -m faults`).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import file_hash, outputs
from test_generic_package import FARMS, _write

pytestmark = pytest.mark.faults

PROCESSES = 12


def _histpack(cwd: Path, *args: str, cache: Path, pause: str | None = None, seconds: float = 30) -> subprocess.Popen:
    env = {**os.environ, "HISTPACK_CACHE_DIR": str(cache)}
    env.pop("HISTPACK_DEBUG", None)
    if pause:
        env |= {"HISTPACK_TEST_PAUSE_AT": pause, "HISTPACK_TEST_PAUSE_SECONDS": str(seconds)}
    return subprocess.Popen([sys.executable, "-m", "histpack.cli.console", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _paused(proc: subprocess.Popen, stage: str) -> None:
    marker = proc.stderr.readline()
    assert marker.strip() == f"histpack: paused at {stage}", marker + proc.stderr.read()


def _signalled(proc: subprocess.Popen, sig: int) -> tuple[int, str, float]:
    """Send `sig`; (exit status, the rest of stderr, seconds until the process had exited)."""
    start = time.monotonic()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err, time.monotonic() - start


def _query(package: Path) -> tuple[str, ...]:
    return ("query", "--format", "csv", "SELECT sum(members) AS n FROM farms", "--package", str(package))


def _packages(root: Path, count: int) -> list[tuple[Path, str]]:
    """`count` packages, each of its own key, with the answer `_query` must give."""
    made = []
    for i in range(count):
        made.append((_write(root / f"p{i}", farms=FARMS.replace(",140\r\n", f",{1000 + i}\r\n")), f"n\n{1038 + i}\n"))
    return made


def _debris(cache: Path) -> list[str]:
    """What a fill may not leave behind: temporary files (dot files) and lock files."""
    return sorted(p.name for p in cache.iterdir() if p.name.startswith(".") or p.suffix == ".lock")


# --- the cache: many processes at once ------------------------------------------------------------

def test_twelve_processes_filling_one_key_fill_it_once(tmp_path):
    """One process fills a key; the other eleven wait for it and use its database (the pause shows who
    loads: it is printed once)."""
    cache = tmp_path / "cache"
    (package, answer), = _packages(tmp_path, 1)
    procs = [_histpack(tmp_path, *_query(package), cache=cache, pause="load", seconds=1) for _ in range(PROCESSES)]
    results = [proc.communicate(timeout=300) for proc in procs]
    assert [p.returncode for p in procs] == [0] * PROCESSES, results
    assert [out for out, _ in results] == [answer] * PROCESSES
    assert sorted(err for _, err in results) == [""] * (PROCESSES - 1) + ["histpack: paused at load\n"]
    assert len(list(cache.glob("*.duckdb"))) == 1 and _debris(cache) == []


def test_twelve_processes_filling_twelve_keys_all_succeed_every_round(tmp_path):
    """Twelve keys filled at once into a cache already full of old databases, so every fill prunes while
    the others fill and open theirs: every process answers, every round (4 of 12 failed before)."""
    cache = tmp_path / "cache"
    packages = _packages(tmp_path, PROCESSES)
    seed = _histpack(tmp_path, *_query(packages[0][0]), cache=tmp_path / "seed")
    assert seed.communicate(timeout=300)[0] == packages[0][1]
    seed_db, = (tmp_path / "seed").glob("*.duckdb")
    for round_ in range(3):
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir()
        old = time.time() - 7200
        for i in range(PROCESSES):  # old databases of other keys, for the fills to prune
            stale = cache / f"{round_:02x}{i:062x}.duckdb"
            shutil.copyfile(seed_db, stale)
            os.utime(stale, (old + i, old + i))
        procs = [_histpack(tmp_path, *_query(package), cache=cache) for package, _ in packages]
        results = [proc.communicate(timeout=300) for proc in procs]
        assert [p.returncode for p in procs] == [0] * PROCESSES, (round_, results)
        assert [out for out, _ in results] == [answer for _, answer in packages], round_
        assert _debris(cache) == [], round_
        assert len(list(cache.glob("*.duckdb"))) >= PROCESSES  # the new ones are all kept: just used


# --- the cache: signals during a fill --------------------------------------------------------------

@pytest.mark.parametrize("sig, code, line", [(signal.SIGINT, 130, "error: interrupted"),
                                             (signal.SIGTERM, 143, "error: terminated")])
def test_a_signal_during_a_cache_fill_stops_it_and_leaves_nothing(sig, code, line, tmp_path):
    cache = tmp_path / "cache"
    (package, answer), = _packages(tmp_path, 1)
    proc = _histpack(tmp_path, *_query(package), cache=cache, pause="load")
    _paused(proc, "load")
    assert _debris(cache)  # the fill's database is being written, under its lock
    returncode, err, seconds = _signalled(proc, sig)
    assert (returncode, err.splitlines()) == (code, [line])
    assert seconds < 2, seconds
    assert _debris(cache) == [] and not list(cache.glob("*.duckdb"))
    again = _histpack(tmp_path, *_query(package), cache=cache)
    assert again.communicate(timeout=300) == (answer, "")


def test_a_fill_killed_outright_is_swept_by_the_next_one(tmp_path):
    """SIGKILL leaves the fill's temporary database and lock file; the next fill (of any key) removes them,
    since no process holds that key any more, and the killed key is filled again when asked for."""
    cache = tmp_path / "cache"
    (killed, answer), (other, other_answer) = _packages(tmp_path, 2)
    proc = _histpack(tmp_path, *_query(killed), cache=cache, pause="load")
    _paused(proc, "load")
    proc.kill()
    proc.communicate(timeout=60)
    left = _debris(cache)
    assert left and not list(cache.glob("*.duckdb"))
    after = _histpack(tmp_path, *_query(other), cache=cache)
    assert after.communicate(timeout=300) == (other_answer, "")
    assert _debris(cache) == []
    again = _histpack(tmp_path, *_query(killed), cache=cache)
    assert again.communicate(timeout=300) == (answer, "")
    assert len(list(cache.glob("*.duckdb"))) == 2 and _debris(cache) == []


# --- the build: its database and output swap -------------------------------------------------------

def _build_state(root: Path, db: Path) -> dict:
    state = outputs(root)
    state["db"] = file_hash(db) if db.exists() else None
    state["build/"] = sorted(p.name for p in db.parent.iterdir())
    state["journal"] = sorted(p.name for p in root.iterdir() if p.name.startswith("."))
    return state


@pytest.mark.parametrize("sig, code, line", [(signal.SIGINT, 130, "error: interrupted"),
                                             (signal.SIGTERM, 143, "error: terminated")])
def test_a_signal_before_the_build_commits_keeps_the_old_package_and_database(sig, code, line, project, tmp_path):
    """Paused after the new database was loaded beside the old one, before the swap: stopped there, the
    package and the database are the old ones, byte for byte, and the new database is gone."""
    db = project / "build" / "thom-2015-holodomor.duckdb"
    first = _histpack(project, "build", cache=tmp_path / "cache")
    assert first.communicate(timeout=300)[1] == "" and first.returncode == 0
    (project / "annotations" / "persons.yaml").write_text(
        (project / "annotations" / "persons.yaml").read_text(encoding="utf-8").replace("    name: Mao\n",
                                                                                        "    name: Mao Zedong\n"),
        encoding="utf-8")
    before = _build_state(project, db)
    proc = _histpack(project, "build", cache=tmp_path / "cache", pause="commit")
    _paused(proc, "commit")
    assert [p.name for p in db.parent.iterdir() if p.name.endswith(".incoming.tmp")]  # the new one, beside it
    returncode, err, seconds = _signalled(proc, sig)
    assert (returncode, err.splitlines()) == (code, [line])
    assert seconds < 2, seconds
    assert _build_state(project, db) == before


def test_a_signal_during_the_swap_finishes_it_with_the_database(project, tmp_path):
    """SIGINT in the middle of the output swap waits for the swap (one second here) to end: the new package
    and the new database, together, and exit 130."""
    import duckdb

    db = project / "build" / "thom-2015-holodomor.duckdb"
    (project / "annotations" / "persons.yaml").write_text(
        (project / "annotations" / "persons.yaml").read_text(encoding="utf-8").replace("    name: Mao\n",
                                                                                        "    name: Mao Zedong\n"),
        encoding="utf-8")
    proc = _histpack(project, "build", cache=tmp_path / "cache", pause="swap:3", seconds=1)
    _paused(proc, "swap:3")
    returncode, err, seconds = _signalled(proc, signal.SIGINT)
    assert (returncode, err.splitlines()) == (130, ["error: interrupted"])
    assert seconds < 2, seconds
    assert "Mao Zedong" in (project / "data" / "persons.csv").read_text(encoding="utf-8")
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM persons WHERE name = 'Mao Zedong'").fetchone() == (1,)
    finally:
        con.close()
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name]
    assert not [p.name for p in project.iterdir() if p.name.startswith(".")]


# --- a full disk ----------------------------------------------------------------------------------------------

def _file_limit(limit: int):
    import resource

    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def _limited(cwd: Path, *args: str, cache: Path, limit: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "HISTPACK_CACHE_DIR": str(cache)}
    env.pop("HISTPACK_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "histpack.cli.console", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, preexec_fn=_file_limit(limit), timeout=600)


def test_a_full_disk_during_a_cache_fill_caches_nothing(project, tmp_path):
    """Under `ulimit -f` the fill fails in one line and files nothing: once space returns, the query
    loads the package and answers (an empty database was once filed and served for ever)."""
    cache = tmp_path / "cache"
    query = ("query", "--format", "csv", "SELECT count(*) AS n FROM quotes")
    full = _limited(project, *query, cache=cache, limit=1_500_000)
    assert full.returncode == 1 and full.stdout == "", (full.stdout, full.stderr)
    assert len(full.stderr.splitlines()) == 1 and "could not be written" in full.stderr, full.stderr
    assert "free some disk space" in full.stderr
    assert sorted(p.name for p in cache.iterdir() if p.name != "descriptors") == []
    rows = len((project / "data" / "quotes.csv").read_text(encoding="utf-8").splitlines()) - 1
    again = _histpack(project, *query, cache=cache)
    assert again.communicate(timeout=300) == (f"n\n{rows}\n", "")


def test_a_full_disk_during_a_build_leaves_the_old_outputs_and_database(project, tmp_path):
    db = project / "build" / "thom-2015-holodomor.duckdb"
    first = _histpack(project, "build", cache=tmp_path / "cache")
    assert first.communicate(timeout=300)[1] == "" and first.returncode == 0
    (project / "annotations" / "persons.yaml").write_text(
        (project / "annotations" / "persons.yaml").read_text(encoding="utf-8").replace("    name: Mao\n",
                                                                                        "    name: Mao Zedong\n"),
        encoding="utf-8")
    before = _build_state(project, db)
    full = _limited(project, "build", cache=tmp_path / "cache", limit=1_500_000)
    assert full.returncode == 1, (full.stdout, full.stderr)
    assert full.stderr.splitlines() == [full.stderr.strip()] and full.stderr.startswith(
        "error: build/thom-2015-holodomor.duckdb: could not be written: "), full.stderr
    assert _build_state(project, db) == before
