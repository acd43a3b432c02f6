"""Validate a data package: the Table Schema checks of the generic engine (`histpack.engine`, columnar
DuckDB work), then ours (quotes against the text, pages against the page map, EDTF against the derived
dates, cross-table rules).

Works on any Frictionless tabular data package; our own checks (`rules.py`) run on packages whose
descriptor says they are histpack packages, on the rows the engine typed (each CSV is read once).
Frictionless itself checks only the descriptor (offline), or everything with `engine="frictionless"`.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from histpack.engine.reader import read_descriptor, read_package
from histpack.engine.report import CHANGED_KINDS
from histpack.project.interrupts import Interrupted, reraise
from histpack.project.errors import Finding, PackageError  # noqa: F401 - PackageError re-exported

def descriptor_problems(descriptor_path: Path, descriptor: dict) -> list[Finding]:
    """Frictionless's profile and metadata checks of the descriptor alone: offline, no file is read."""
    from histpack.checks.frictionless_descriptor import descriptor_errors

    return [Finding(message, descriptor_path.name, kind="descriptor-error")
            for message in descriptor_errors(descriptor, str(descriptor_path.parent))]


_descriptor_checks = 0
_LIVE_CHECKS: set = set()  # second processes and job files not yet collected: ended when the process exits


@atexit.register
def _end_leftovers() -> None:
    for check in list(_LIVE_CHECKS):
        check.abandon()


def _in_second_process() -> bool:
    return _descriptor_checks == 1 and "frictionless" not in sys.modules


class _DescriptorCheck:
    """Frictionless's descriptor check, started before the engine and read after it.

    A descriptor frictionless has passed before (the same bytes, the same files it names, the same
    frictionless) is not checked again (`descriptor_cache`). Otherwise a one-shot process (the first
    check, frictionless not imported yet) runs it in a second Python process beside the engine, so
    importing frictionless (most of its cost) and checking overlap the DuckDB work; a long-lived
    process checks in-process, where frictionless is imported once. Either way the verdict is
    frictionless's."""

    def __init__(self, descriptor_path: Path, descriptor: dict):
        global _descriptor_checks
        from histpack.checks import descriptor_cache

        self.descriptor_path, self.descriptor = descriptor_path, descriptor
        self.child = self.job = None
        self.key = descriptor_cache.key(descriptor_path, descriptor)
        self.passed = descriptor_cache.passed(self.key)
        _descriptor_checks += 1
        if not self.passed and _in_second_process():
            script = Path(__file__).with_name("frictionless_descriptor.py")
            _LIVE_CHECKS.add(self)
            try:
                fd, self.job = tempfile.mkstemp(prefix="histpack-descriptor-", suffix=".json")
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump({"basepath": str(descriptor_path.parent), "descriptor": descriptor}, handle)
                self.child = subprocess.Popen([sys.executable, "-P", str(script), self.job, str(os.getpid())],
                                              stdin=subprocess.DEVNULL,
                                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            except OSError:
                self.child = None
                self._forget_job()

    def abandon(self) -> None:
        """Stop the second process and remove its job (the check was interrupted: Ctrl-C, an error)."""
        child, self.child = self.child, None
        if child is not None:
            with contextlib.suppress(OSError):
                child.kill()
                child.communicate()
        self._forget_job()

    def _forget_job(self) -> None:
        if self.child is None:
            _LIVE_CHECKS.discard(self)
        if self.job:
            with contextlib.suppress(OSError):
                os.unlink(self.job)
            self.job = None

    def problems(self) -> list[Finding]:
        from histpack.checks import descriptor_cache

        if self.passed:
            return []
        found = None
        if self.child is not None:
            child, self.child = self.child, None
            try:
                out, _ = child.communicate()
                if child.returncode == 0:
                    found = [Finding(message, self.descriptor_path.name, kind="descriptor-error")
                             for message in json.loads(out)]
            except (OSError, ValueError):
                pass  # the second process failed: check here instead
            finally:
                self._forget_job()
        if found is None:
            found = descriptor_problems(self.descriptor_path, self.descriptor)
        if not found:
            descriptor_cache.remember(self.key)
        return found


def engine_problems(package: Path, con=None, then=None):
    """The Table Schema problems of every resource, and the engine's result (its DuckDB connection holds
    the typed rows, `__h$typed_N`, for loading) — or None when the descriptor itself is wrong.

    `then(checked, problems, broken)` returns further problems (our rules); it runs while frictionless
    still checks the descriptor beside it, and its findings are dropped if the descriptor is wrong."""
    from histpack.engine.check import check_package
    from histpack.engine.report import problems as report

    pkg = read_package(Path(package))
    descriptor_check = _DescriptorCheck(pkg.descriptor_path, pkg.inlined())
    checked = None
    try:
        checked = check_package(pkg, con)
        problems, broken = report(checked)
        if then is not None:
            problems = problems + then(checked, problems, broken)
    except BaseException as exc:
        stop = _interruption(exc) if isinstance(exc, Exception) else exc
        if stop is not None:  # Ctrl-C, a signal: no second process or job file is left behind
            descriptor_check.abandon()
            if checked is not None:
                checked.close()
            if stop is exc:
                raise
            raise stop from None
        metadata = descriptor_check.problems()  # a wrong descriptor may break the engine: say what is wrong
        if checked is not None:
            checked.close()
        if metadata:
            return metadata, set(), None
        raise
    metadata = descriptor_check.problems()
    if metadata:
        checked.close()
        return metadata, set(), None
    return problems, broken, checked


def _interruption(exc: Exception):
    """The `Interrupted` that `exc` stands for (DuckDB's "Query interrupted" after a signal), or None."""
    try:
        reraise(exc)
    except Interrupted as stop:
        return stop
    return None


def frictionless_problems(descriptor_path: Path) -> list[Finding]:
    """The reference implementation's findings (`--engine frictionless`), one line per error."""
    from frictionless import Package, system

    with system.use_context(trusted=False):
        report = Package(str(descriptor_path)).validate()
    out = [Finding(error.message, descriptor_path.name, kind=error.type) for error in report.errors]
    for task in report.tasks:
        for error in task.errors:
            out.append(Finding(f"{error.type}: {error.note or error.message}", task.place,
                               row=getattr(error, "row_number", None) or None, kind=error.type))
    return out


def project_checks(checked, descriptor: dict) -> list[Finding]:
    """Our own rules (`rules.py`) on the rows the engine typed, as tables named after the resources
    (rows in file order, no key constraints), dropped again afterwards."""
    from histpack.project.sql import ident
    from histpack.checks.rules import create_rule_tables, project_problems, withheld_texts
    from histpack.model.conventions import is_histpack_package

    if not is_histpack_package(descriptor):
        return []
    made: list[str] = []
    try:
        made = create_rule_tables(checked.con, checked)
        found = project_problems(checked.con, descriptor, checked.package.database_schema())
        for source_id in withheld_texts(checked.con):
            checked.notes.append(f"the text of `{source_id}` is withheld by its rights (a release): its quotes were "
                                 f"checked by offsets, pages and hashes, not against the text — restore it from your "
                                 f"own copy with `histpack verify-text {source_id} FILE`")
        return found
    finally:
        for name in made:
            checked.con.execute(f"DROP TABLE IF EXISTS {ident(name)}")


def check(package: Path, con=None, engine: str = "duckdb"):
    """(problems, the engine's result or None, notes): the engine's result keeps its DuckDB connection,
    with the typed rows of every resource, for `histpack.db.loader` to load without reading the CSVs again."""
    descriptor_path, descriptor = read_descriptor(Path(package))
    if engine == "frictionless":
        return frictionless_problems(descriptor_path), None, []
    def rules(checked, problems, broken) -> list[Finding]:
        # rules run on rows the engine found sound: a rule broken by a bad cell would only repeat it
        if not broken and all(p.kind in CHANGED_KINDS for p in problems):
            return project_checks(checked, descriptor)
        return []

    problems, broken, checked = engine_problems(descriptor_path, con, then=rules)
    if checked is None:
        return problems, None, []
    from histpack.model.conventions import is_histpack_package

    return _one_line_per_problem(problems, is_histpack_package(descriptor)), checked, checked.notes


def validate_package(package: Path, notes: list[str] | None = None, engine: str = "duckdb") -> list[Finding]:
    """All problems of the package at `package` (a folder or its datapackage.json); empty if valid.

    One line per problem: a problem our own checks find again (the same file and row) or that follows
    from another (rows of an unreadable file) is not reported twice. What the engine does not check
    (an unsupported option) is added to `notes`."""
    problems, checked, found_notes = check(package, engine=engine)
    if checked is not None:
        checked.close()
        checked.con.close()
    if notes is not None:
        notes.extend(found_notes)
    return problems


def _one_line_per_problem(problems: list[Finding], own: bool = True) -> list[Finding]:
    """A changed file that also has a precise problem (a bad row, a bad header) is reported by that
    problem alone, which then says the file was changed: one problem, one line."""
    changed = {p.file for p in problems if p.kind in CHANGED_KINDS}
    specific = {p.file for p in problems if p.kind not in CHANGED_KINDS}
    out = []
    for p in problems:
        if p.kind in CHANGED_KINDS and p.file in specific:
            continue
        if p.file in changed and p.kind not in CHANGED_KINDS and not p.hint:
            p = p.with_hint("the file was changed after the build: restore it or rebuild" if own else
                            "the file is not the one the descriptor describes (its bytes or hash differ)")
        out.append(p)
    return out
