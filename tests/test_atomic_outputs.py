"""A build ends with all the old outputs or all the new ones, whatever stops it (issue 10).

Real `histpack build` processes are paused at a stage by the test hook `HISTPACK_TEST_PAUSE_AT`
and signalled there: while resolving, while writing the staging folder, and between the renames
of the output swap (SIGTERM, and SIGKILL, which no handler can catch: the journal is rolled forward
by the next command)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, edit, outputs

NEW_NAME = "Mao Zedong"


def _new_build_differs(root: Path) -> None:
    edit(root / "annotations" / "persons.yaml", "    name: Mao\n", f"    name: {NEW_NAME}\n")
    (root / "data" / "README.md").write_text("My notes on the tables.\n", encoding="utf-8")


def _paused_build(root: Path, stage: str, seconds: float = 120) -> subprocess.Popen:
    env = {**os.environ, "HISTPACK_TEST_PAUSE_AT": stage, "HISTPACK_TEST_PAUSE_SECONDS": str(seconds)}
    env.pop("HISTPACK_DEBUG", None)
    proc = subprocess.Popen([sys.executable, "-m", "histpack.cli.console", "build", "--no-db"], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    marker = proc.stderr.readline()
    assert marker.strip() == f"histpack: paused at {stage}", marker + proc.stderr.read()
    return proc


def _committed_outputs() -> dict:
    return outputs(REPO)


def _valid(root: Path, cli) -> None:
    result = cli(root, "validate")
    assert result.exit_code == 0, result.stderr
    assert not list(root.glob(".staging-*")) and not (root / ".histpack-journal.json").exists()
    assert (root / "data" / "README.md").read_text(encoding="utf-8") == "My notes on the tables.\n"


@pytest.mark.parametrize("stage, sig, code, line", [
    ("resolve", signal.SIGINT, 130, "error: interrupted"),
    ("write:5", signal.SIGTERM, 143, "error: terminated"),
])
def test_signal_before_the_swap_keeps_the_old_outputs(stage, sig, code, line, project, cli):
    _new_build_differs(project)
    before = outputs(project)
    proc = _paused_build(project, stage)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code
    assert err.strip().splitlines() == [line]  # one line, no traceback
    assert outputs(project) == before
    assert {k: v for k, v in before.items() if k != "data/README.md"} == _committed_outputs()  # valid, as committed
    assert not list(project.glob(".staging-*")) and not (project / ".histpack-journal.json").exists()


def test_sigterm_during_the_swap_finishes_it(project, cli):
    _new_build_differs(project)
    proc = _paused_build(project, "swap:3", seconds=1)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143 and err.strip().splitlines() == ["error: terminated"]
    assert NEW_NAME in (project / "data" / "persons.csv").read_text(encoding="utf-8")
    _valid(project, cli)


def test_killed_during_the_swap_is_rolled_forward_by_the_next_command(project, cli):
    _new_build_differs(project)
    proc = _paused_build(project, "swap:3")
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    journal = json.loads((project / ".histpack-journal.json").read_text(encoding="utf-8"))
    assert len(journal["install"]) > 3  # killed half-way: two files renamed, the rest still staged
    assert list(project.glob(".staging-*"))
    refused = cli(project, "validate")  # a read never renames a file: it says what to do
    assert refused.exit_code == 1 and refused.errors == [
        "error: .histpack-journal.json: a build was stopped while it replaced the outputs, which are half old, "
        "half new — run `histpack build` (or `histpack recover`) to finish it"]
    assert list(project.glob(".staging-*"))
    recovered = cli(project, "recover")
    assert recovered.exit_code == 0 and recovered.stdout == "finished the interrupted swap of the outputs\n"
    assert not list(project.glob(".staging-*")) and not (project / ".histpack-journal.json").exists()
    _valid(project, cli)
    assert NEW_NAME in (project / "data" / "persons.csv").read_text(encoding="utf-8")


def test_a_second_build_at_once_is_refused_in_one_line(project, cli):
    """Two builds of one project at once used to meet in each other's journal (an internal
    FileNotFoundError about 1 run in 5): the second one now stops at once, and so does `recover`."""
    _new_build_differs(project)
    before = outputs(project)
    proc = _paused_build(project, "resolve")
    try:
        refusal = (f"error: {project.resolve()}: another `histpack build` (or `histpack recover`) is writing this "
                   "project now — wait until it ends, then run the command again")
        for command in (["build", "--no-db"], ["recover"]):
            result = cli(project, *command)
            assert (result.exit_code, result.errors, result.stdout) == (1, [refusal], ""), command
        assert outputs(project) == before
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    assert proc.returncode == 130 and outputs(project) == before
    assert cli(project, "build", "--no-db").exit_code == 0  # the lock went with the process
    assert NEW_NAME in (project / "data" / "persons.csv").read_text(encoding="utf-8")


# The pieces, in-process: cheap checks of the journal, the sweep and the deferral of signals.
def test_stale_staging_folders_are_swept_and_live_ones_kept(project):
    from histpack.project.journal import recover

    dead = project / ".staging-999999999-abc"
    legacy = project / ".staging-xyz"
    live = project / f".staging-{os.getppid()}-def"
    for folder in (dead, legacy, live):
        (folder / "data").mkdir(parents=True)
    recover(project)
    assert not dead.exists() and not legacy.exists() and live.exists()


def test_journal_installs_new_files_and_removes_only_stale_managed_ones(project):
    from histpack.project.journal import JOURNAL, recover

    staging = project / ".staging-999999999-x"
    (staging / "data").mkdir(parents=True)
    (staging / "data" / "persons.csv").write_text("new\n")
    (project / "data" / "old_table.csv").write_text("stale\n")
    (project / "data" / "README.md").write_text("mine\n")
    (project / JOURNAL).write_text(json.dumps({"staging": staging.name, "install": ["data/persons.csv"],
                                               "remove": ["data/old_table.csv"]}))
    recover(project)
    assert (project / "data" / "persons.csv").read_text() == "new\n"
    assert not (project / "data" / "old_table.csv").exists() and (project / "data" / "README.md").exists()
    assert not staging.exists() and not (project / JOURNAL).exists()


def test_a_journal_naming_paths_outside_the_outputs_is_refused(project, cli):
    from histpack.project.journal import JOURNAL

    (project / JOURNAL).write_text(json.dumps({"staging": ".staging-1-x", "install": ["../outside"], "remove": []}))
    result = cli(project, "build", "--no-db")
    assert result.exit_code == 1 and result.errors == [
        f"error: {JOURNAL}: an unfinished build left a journal that cannot be read — delete it and run `histpack build`"]


def test_signals_wait_until_a_deferred_block_ends():
    from histpack.project.interrupts import Interrupted, deferred, install

    saved = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    install()
    steps = []
    try:
        with pytest.raises(Interrupted) as caught:
            with deferred():
                os.kill(os.getpid(), signal.SIGTERM)
                steps.append("after the signal")
        assert steps == ["after the signal"] and caught.value.exit_code == 143
    finally:
        signal.signal(signal.SIGINT, saved[0])
        signal.signal(signal.SIGTERM, saved[1])


def test_ctrl_c_during_imports_is_one_line(tmp_path):
    """The console entry point handles SIGINT before the heavy imports (typer, duckdb, frictionless)."""
    proc = subprocess.Popen([sys.executable, "-X", "importtime", "-m", "histpack.cli.console", "--help"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:  # import times arrive as modules load; interrupt while they do
        if "histpack.project.interrupts" in line:
            proc.send_signal(signal.SIGINT)
            break
    out, err = proc.communicate(timeout=60)
    lines = [x for x in err.splitlines() if not x.startswith("import time:")]
    assert proc.returncode == 130 and lines == ["error: interrupted"], err[-2000:]
