"""How a build replaces its outputs all at once: a roll-forward journal.

1. the new outputs are written to a staging folder `.staging-<pid>-*/` in the project and validated
   there; a failure or a signal removes the folder, and the previous outputs stay as they were;
2. only a valid package is committed: the journal `.histpack-journal.json` (written whole, by a
   rename) lists the files to move into place and the stale ones to delete;
3. the files are renamed into place one by one, stale ones deleted, then the journal and the staging
   folder are removed. Signals wait until this step ends.

If the process dies during step 3 anyway (SIGKILL, power loss), the swap is unfinished: `recover`
finishes it, and it is run explicitly by the commands that write the project (`histpack build`,
`histpack recover`). A command that only reads refuses a project whose swap is unfinished
(`refuse_unfinished`), so every command sees either all the old outputs or all the new ones, and no
read renames a file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator

from histpack.project.errors import BuildError
from histpack.project.interrupts import deferred
from histpack.project.layout import FIXED_OUTPUTS
from histpack.project.locks import Busy, locked_folder

JOURNAL = ".histpack-journal.json"
STAGING_PREFIX = ".staging-"
OUTPUT_PATH = re.compile(r"^(data|schemas)/[^/\\]+$")


def checkpoint(stage: str, step: int | None = None) -> None:
    """Test hook: `HISTPACK_TEST_PAUSE_AT=swap:3` pauses here so a test can signal the process."""
    wanted = os.environ.get("HISTPACK_TEST_PAUSE_AT")
    if wanted and wanted == (stage if step is None else f"{stage}:{step}"):
        sys.stderr.write(f"histpack: paused at {wanted}\n")
        sys.stderr.flush()
        time.sleep(float(os.environ.get("HISTPACK_TEST_PAUSE_SECONDS", "30")))


def unfinished(root: Path) -> bool:
    """True when a build was stopped in the middle of its swap (its journal is still there)."""
    return (Path(root) / JOURNAL).exists()


def refuse_unfinished(root: Path) -> None:
    """For commands that only read: one line, instead of reading half-replaced outputs."""
    if unfinished(root):
        raise BuildError(JOURNAL, "a build was stopped while it replaced the outputs, which are half old, half new",
                         "run `histpack build` (or `histpack recover`) to finish it")


def write_journal(root: Path, journal: dict) -> None:
    tmp = root / f"{JOURNAL}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(journal, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, root / JOURNAL)


def roll_forward(root: Path, journal: dict) -> None:
    """Move the staged files into place and delete the stale ones; safe to run again after a crash."""
    staging = root / journal["staging"]
    for step, relative in enumerate(journal["install"], start=1):
        checkpoint("swap", step)
        source = staging / relative
        if source.exists():
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, root / relative)
    for relative in journal["remove"]:
        (root / relative).unlink(missing_ok=True)
    (root / JOURNAL).unlink()
    shutil.rmtree(staging, ignore_errors=True)


def _valid_journal(journal) -> bool:
    return (isinstance(journal, dict) and isinstance(journal.get("staging"), str)
            and journal["staging"].startswith(STAGING_PREFIX) and "/" not in journal["staging"]
            and all(isinstance(p, str) and (OUTPUT_PATH.match(p) or p in FIXED_OUTPUTS)
                    for p in journal.get("install", []) + journal.get("remove", [])))


@contextmanager
def one_writer(root: Path) -> Iterator[None]:
    """The project's write lock, held by a build and by `recover` for as long as they run: a second one
    stops at once in one line (it would find the first one's journal and staging folder half made)."""
    with ExitStack() as stack:
        try:
            stack.enter_context(locked_folder(root, wait=False))
        except Busy:
            raise BuildError(str(root), "another `histpack build` (or `histpack recover`) is writing this project "
                             "now", "wait until it ends, then run the command again") from None
        yield


def recover(root: Path) -> bool:
    """Finish an output swap a dead build left half-done, and sweep staging folders of dead builds.
    True when a swap was finished."""
    root = Path(root)
    with one_writer(root):
        return _recover(root)


def _recover(root: Path) -> bool:
    journal_path = root / JOURNAL
    finished = False
    if journal_path.exists():
        try:
            journal = json.loads(journal_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            journal = None
        if not _valid_journal(journal):
            raise BuildError(JOURNAL, "an unfinished build left a journal that cannot be read",
                             "delete it and run `histpack build`")
        with deferred():
            roll_forward(root, journal)
        finished = True
    (root / f"{JOURNAL}.tmp").unlink(missing_ok=True)
    for stale in root.glob(f"{STAGING_PREFIX}*"):
        if stale.is_dir() and not _owner_alive(stale.name):
            shutil.rmtree(stale, ignore_errors=True)
    return finished


def _owner_alive(name: str) -> bool:
    match = re.match(rf"^{re.escape(STAGING_PREFIX)}(\d+)-", name)
    return bool(match) and process_alive(int(match.group(1)))


def process_alive(pid: int) -> bool:
    """True when process `pid` runs and is not this one (whose leftovers are its own to remove)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    return True
