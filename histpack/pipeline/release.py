"""`histpack release`: the committed package, as its rights allow it to leave the machine, in one
versioned archive, with what changed since the previous release written into CHANGELOG.md.

Refused while an input or generated file has uncommitted changes (a release is made from a commit), while
a generated file is out of date (`histpack build` first), while the version already has a release (its
archive exists or CHANGELOG.md has its section), or while the version number contradicts the changes
since the previous release (README, "Versions").
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from histpack.checks.validate import validate_package
from histpack.db.paths import protected
from histpack.outputs import deposit, release as archive
from histpack.outputs.diff import LEVELS, PackageDiff, changelog_entry, diff_packages
from histpack.outputs.withhold import public_files
from histpack.project.errors import BuildError
from histpack.project.layout import (FIXED_OUTPUTS, GENERATED_DIRS, INPUT_DIRS, INPUT_FILES, Project, display_path,
                                     find_root)
from histpack.project.metadata import METADATA_FILE, read_metadata
from histpack.project.writer import write_bytes

DIST = Path("dist")
CHANGELOG_HEAD = ("# Changelog\n\nEvery release of the dataset, newest first, with what changed in its tables since the "
                  "one before\n(`histpack diff`; the versioning policy is in the README, “Versions”).\n\n")
RELEASED_FILES = (*INPUT_DIRS, *INPUT_FILES, *GENERATED_DIRS, *FIXED_OUTPUTS, "README.md", archive.CHANGELOG)


@dataclass
class ReleaseReport:
    archive: Path
    version: str
    previous: Path | None
    diff: PackageDiff | None
    files: list[str]
    notes: list[str] = field(default_factory=list)


def _more(files: list[str]) -> str:
    rest = len(files) - 1
    return f" (and {rest} more file{'s' if rest != 1 else ''})" if rest else ""


def uncommitted(root: Path) -> list[str]:
    """The released files with changes git has not committed (or untracked files among them)."""
    try:
        done = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=all", "--",
                               *RELEASED_FILES], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(str(root), f"git could not be run ({exc})", "a release is made from a git commit") from None
    if done.returncode != 0:
        raise BuildError(str(root), "is not a git repository", "a release is made from a commit: commit the project")
    return [line[3:] for line in done.stdout.splitlines() if line.strip()]


def required_versions(previous: str, level: str) -> list[str]:
    """The version numbers that may follow `previous` for changes of `level`: the next version at that
    level or any higher one."""
    major, minor, patch = archive.parse_version(previous)
    nexts = {"patch": f"{major}.{minor}.{patch + 1}", "minor": f"{major}.{minor + 1}.0", "major": f"{major + 1}.0.0"}
    lowest = max(LEVELS.index(level), 1)
    return [nexts[name] for name in LEVELS[lowest:]]


def check_version(diff: PackageDiff, proposed: str) -> None:
    try:
        allowed = required_versions(diff.old_version, diff.level)
    except (AttributeError, ValueError):
        raise BuildError(diff.old, f"the previous release has no version number X.Y.Z ({diff.old_version!r})",
                         "give --previous the archive of the previous release") from None
    if proposed in allowed:
        return
    why = "; ".join(diff.reasons()) or "no change to the tables"
    raise BuildError(f"{METADATA_FILE}: version {proposed}", f"does not follow {diff.old_version} for the changes "
                     f"since it ({diff.level}: {why})", f"use {' or '.join(allowed)} (README, “Versions”)")


def previous_release(dist: Path, name: str, version: str) -> Path | None:
    """The newest release archive in `dist` older than `version`."""
    current = archive.parse_version(version)
    found = [(v, p) for p in Path(dist).glob(f"{name}-*.zip") if (v := archive.release_version(p, name)) and v < current]
    return max(found)[1] if found else None


def make_release(root: Path | None = None, dist: Path | None = None, previous: Path | None = None) -> ReleaseReport:
    project = Project(find_root(root))
    meta = read_metadata(project.root)
    dist = Path(dist) if dist is not None else project.root / DIST
    target = dist / archive.archive_name(meta.name, meta.version)
    changelog_path = project.root / archive.CHANGELOG
    changelog = changelog_path.read_text(encoding="utf-8") if changelog_path.is_file() else ""
    if target.exists():
        raise BuildError(display_path(target, project.root), f"version {meta.version} already has a release",
                         f"raise `version` in {METADATA_FILE} (and `released`), rebuild and commit")
    if f"\n## {meta.version} " in f"\n{changelog}":
        raise BuildError(f"{archive.CHANGELOG}", f"version {meta.version} already has a release (its section is there)",
                         f"raise `version` in {METADATA_FILE} (and `released`), rebuild and commit")
    dirty = uncommitted(project.root)
    if dirty:
        raise BuildError(dirty[0], f"has uncommitted changes{_more(dirty)}",
                         "a release is made from a commit: commit or undo them")
    from histpack.pipeline.build import out_of_date

    stale = out_of_date(project.root)
    if stale:
        raise BuildError(stale[0], f"is out of date with the inputs{_more(stale)}",
                         "run `histpack build` and commit the result")
    previous = Path(previous) if previous is not None else previous_release(dist, meta.name, meta.version)
    files = public_files(project.root)
    diff = None
    with tempfile.TemporaryDirectory(prefix="histpack-release-") as scratch:
        for relative, data in files.items():
            (Path(scratch) / relative).parent.mkdir(parents=True, exist_ok=True)
            (Path(scratch) / relative).write_bytes(data)
        problems = validate_package(Path(scratch))  # what leaves the machine is a valid package on its own
        if problems:
            raise BuildError(f"(release) {problems[0].text()}", "the package as released fails validation",
                             "report it: the working package is valid but what its rights let out is not")
        if previous is not None:
            diff = diff_packages(previous, Path(scratch))
    if diff is not None:
        diff.new = str(target)
        check_version(diff, meta.version)
    entry = changelog_entry(diff, meta.version, meta.released.isoformat())
    body = changelog.removeprefix(CHANGELOG_HEAD) if changelog.startswith(CHANGELOG_HEAD) else changelog
    new_changelog = CHANGELOG_HEAD + entry + ("\n" + body.lstrip("\n") if body.strip() else "")
    for name in archive.DOCUMENTS:
        files[name] = (project.root / name).read_bytes()
    files[archive.CHANGELOG] = new_changelog.encode("utf-8")
    descriptor = json.loads(files["datapackage.json"])
    files[deposit.ZENODO_FILE] = deposit.zenodo_json(meta, descriptor)
    files[deposit.DATACITE_FILE] = deposit.datacite_xml(meta, descriptor)
    notes = []
    schemas = deposit.schema_folder()
    if schemas is None:
        notes.append(f"{deposit.ZENODO_FILE} and {deposit.DATACITE_FILE} were not checked against their published "
                     f"schemas: set {deposit.SCHEMAS_ENV} to the folder that holds them")
    else:
        problems = deposit.deposit_problems(files[deposit.ZENODO_FILE], files[deposit.DATACITE_FILE], schemas)
        if problems:
            raise BuildError(problems[0], "the deposit metadata breaks its published schema",
                             f"fix {METADATA_FILE}" + (f" ({len(problems) - 1} more problems)" if len(problems) > 1 else ""))
    files = archive.with_manifest(files)
    data = archive.zip_bytes(files, f"{meta.name}-{meta.version}", meta.released)
    guard = protected(project.root)
    write_bytes(target, data, protected=guard, noun="a release archive", hint="write releases under dist/")
    write_bytes(changelog_path, new_changelog.encode("utf-8"), display=archive.CHANGELOG)
    return ReleaseReport(target, meta.version, previous, diff, sorted(files), notes)
