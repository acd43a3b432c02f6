"""The one safe output writer (`histpack.project.writer`): every command that writes a file or folder
refuses links, special files, input and package files and names that leave the output folder, and
writes whole or not at all. Each case is the input an attacker or a slip would give, one clear line,
exit status 1, and everything that must stay unchanged compared byte for byte."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys

import pytest

from conftest import REPO, file_hash, outputs
from histpack.project.errors import BuildError
from histpack.project.writer import Protected, atomic_file, check_target, write_bytes
from test_generic_package import _write as write_farms

TEXT = "sources/thom-2015-ewjus.txt"


def _refused(result) -> str:
    assert result.exit_code == 1 and len(result.errors) == 1, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    return result.errors[0]


def test_export_refuses_a_resource_name_that_leaves_the_output_folder(tmp_path, cli):
    package = write_farms(tmp_path / "kolkhoz")
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "persons.csv").write_text("keep me\n")
    descriptor = json.loads((package / "datapackage.json").read_text())
    descriptor["resources"][1]["name"] = "../../victim/persons"
    (package / "datapackage.json").write_text(json.dumps(descriptor))
    out = tmp_path / "a" / "out"
    for fmt in ("csv", "jsonl", "parquet"):
        message = _refused(cli(tmp_path, "export", "--package", str(package), "--format", fmt, "--out", str(out)))
        assert "would be written outside the output folder" in message, message
        assert (victim / "persons.csv").read_text() == "keep me\n"
        assert sorted(p.name for p in victim.iterdir()) == ["persons.csv"]


def test_export_refuses_to_overwrite_a_third_party_package(tmp_path, cli):
    package = write_farms(tmp_path / "kolkhoz")
    before = {p.name: file_hash(p) for p in (package / "tables").iterdir()}
    message = _refused(cli(tmp_path, "export", "--package", str(package), "--format", "csv",
                           "--out", str(package / "tables")))
    assert "refused as an output" in message and "a file of the package" in message, message
    message = _refused(cli(tmp_path, "export", "--package", str(package), "--format", "sqlite",
                           "--out", str(package / "tables" / "farms.csv")))
    assert "a file of the package" in message, message
    assert {p.name: file_hash(p) for p in (package / "tables").iterdir()} == before
    assert cli(tmp_path, "validate", str(package)).exit_code == 0


@pytest.mark.parametrize("target", ["sources/x.svg", "annotations/x.html", "data/x.png", "schemas/x.svg"])
def test_timeline_refuses_the_project_inputs_and_package(target, project, cli):
    before, text = outputs(project), (project / TEXT).read_bytes()
    inputs = sorted(p.name for p in (project / "annotations").iterdir())
    message = _refused(cli(project, "timeline", "--out", target))
    assert "refused as an output" in message, message
    assert (project / TEXT).read_bytes() == text and outputs(project) == before
    assert sorted(p.name for p in (project / "annotations").iterdir()) == inputs


def test_timeline_refuses_to_write_through_a_link_onto_the_source_text(project, cli, tmp_path):
    text = (project / TEXT).read_bytes()
    link = tmp_path / "picture.svg"
    link.symlink_to(project / TEXT)
    message = _refused(cli(project, "timeline", "--out", str(link)))
    assert message == f"error: {link}: is a symbolic link: refused to write through it — give the path of a new or " \
                      "regular file"
    assert (project / TEXT).read_bytes() == text and link.is_symlink()


@pytest.mark.parametrize("command", [["load", "--db"], ["export", "--format", "sqlite", "--out"],
                                     ["timeline", "--out"], ["build", "--db"]])
def test_links_and_pipes_are_refused_as_targets(command, project, cli, tmp_path):
    """`/dev/stdout` is a link to a device: a link and a FIFO stand in for it here, so that a regression
    cannot replace the machine's own."""
    kept = tmp_path / "kept.duckdb"
    kept.write_bytes(b"not replaced")
    link = tmp_path / ("link.svg" if command[0] == "timeline" else "link.duckdb")
    link.symlink_to(kept)
    fifo = tmp_path / ("pipe.svg" if command[0] == "timeline" else "pipe.duckdb")
    os.mkfifo(fifo)
    for target, words in ((link, "is a symbolic link"), (fifo, "is a named pipe (FIFO)")):
        message = _refused(cli(project, *command, str(target)))
        assert words in message, message
    assert kept.read_bytes() == b"not replaced" and link.is_symlink()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_the_writer_refuses_devices_and_folders(tmp_path):
    with pytest.raises(BuildError, match="is a device"):
        check_target("/dev/null")
    with pytest.raises(BuildError, match="is a folder"):
        check_target(tmp_path)
    with pytest.raises(BuildError, match="is a file, not a folder"):
        (tmp_path / "f").write_text("x")
        check_target(tmp_path / "f", folder=True)
    guard = Protected([(tmp_path / "package", "a file of the package")])
    with pytest.raises(BuildError, match="holds a file of the package"):
        check_target(tmp_path, folder=True, protected=guard)


def test_a_failed_write_leaves_the_target_as_it_was(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_file(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("stopped halfway")
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]
    with pytest.raises(BuildError, match="was written empty"):
        with atomic_file(target) as tmp:
            tmp.write_bytes(b"")
    assert target.read_bytes() == b"old"
    write_bytes(target, b"new")
    assert target.read_bytes() == b"new" and sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


def _file_limit(limit: int):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.parametrize("command", [["load", "--db", "full.duckdb"],
                                     ["export", "--format", "sqlite", "--out", "full.sqlite"]])
def test_a_full_disk_is_an_error_never_an_empty_success(command, tmp_path):
    """Under `ulimit -f` (a full disk, as the process sees it) the command fails in one line, exit 1, and
    leaves no database and no temporary file."""
    env = {**os.environ, "HISTPACK_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-m", "histpack", *command, "--package", str(REPO)], cwd=tmp_path,
                            env=env, capture_output=True, text=True, preexec_fn=_file_limit(300_000), timeout=300)
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"error: {command[-1]}: could not be written: "), result.stderr
    assert "free some disk space" in result.stderr
    assert "loaded" not in result.stdout and "wrote" not in result.stdout
    assert not [p.name for p in tmp_path.iterdir() if p.name not in ("cache",)], list(tmp_path.iterdir())
