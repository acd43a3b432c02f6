"""Read a Frictionless tabular data package descriptor, refusing anything that would reach outside it.

Every path is literal: it is checked here once (no URL, no absolute path, no `..`, no symbolic link
leaving the package) and later handed to DuckDB only under a private, glob-free name (see `staging`).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from histpack.project.errors import Finding, PackageError


DEFAULT_MISSING_VALUES = [""]


def unsafe(path_value, root: Path) -> str | None:
    """Why `path_value` may not be read from the package at `root`, or None if it may."""
    if not isinstance(path_value, str) or not path_value:
        return "is not a relative file path"
    if "://" in path_value or path_value.startswith(("http:", "https:", "ftp:", "file:", "data:")):
        return "is a URL; only files inside the package folder are read"
    if os.path.isabs(path_value) or path_value.startswith(("/", "\\")):
        return "is an absolute path; only files inside the package folder are read"
    if ".." in Path(path_value).parts:
        return "leaves the package folder ('..')"
    resolved = (root / path_value).resolve()
    if not resolved.is_relative_to(root.resolve()):
        return "leaves the package folder (through a symbolic link)"
    return None


def not_regular(path: Path) -> str | None:
    """What `path` is when it exists but is no regular file (a named pipe, a folder, a device …), else
    None: only regular files are opened, so nothing can block a read or read a device."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    kinds = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a device"),
             (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))
    return next((kind for test, kind in kinds if test(mode)), "not a regular file")


def json_text(data: bytes, what: str, where: str, hint: str = "save it as UTF-8") -> str:
    """JSON text (RFC 8259: UTF-8, a byte-order mark allowed), or one line saying why it is not."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        encoding = "UTF-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "not UTF-8"
        raise PackageError(Finding(f"{what} is {encoding} (byte {exc.start + 1}); JSON is read as UTF-8", where,
                                   hint=hint)) from None
    return text


def json_value(text: str, what: str, where: str):
    """The value of JSON `text`; refused in one line when it is not JSON or holds an escape of half a
    UTF-16 pair (`\\ud800`), which is no character."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PackageError(Finding(f"{what} is not valid JSON ({exc.msg})", where, line=exc.lineno)) from None
    except RecursionError:
        raise PackageError(Finding(f"{what} is nested too deeply to read", where)) from None
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise PackageError(Finding(f"{what} holds an escaped lone surrogate (such as \\ud800), which is no "
                                   "character", where, hint="remove the escape or write the character it "
                                   "was meant to be")) from None
    return value


@dataclass
class Resource:
    """One resource, with everything the engine needs already resolved and checked."""

    name: str
    paths: list[str]            # as written in the descriptor (for messages)
    files: list[Path]           # the real files, checked to lie inside the package
    data: list | None           # inline rows
    schema: dict | None
    dialect: dict
    encoding: str
    bytes: int | None = None
    hash: str | None = None
    descriptor: dict = field(default_factory=dict)

    @property
    def place(self) -> str:
        return self.paths[0] if len(self.paths) == 1 else (", ".join(self.paths) if self.paths else self.name)

    @property
    def fields(self) -> list[dict]:
        return list((self.schema or {}).get("fields", []))

    @property
    def missing_values(self) -> list[str]:
        values = (self.schema or {}).get("missingValues", DEFAULT_MISSING_VALUES)
        return [str(v) for v in values] if isinstance(values, list) else DEFAULT_MISSING_VALUES


@dataclass
class Package:
    descriptor_path: Path
    descriptor: dict
    resources: list[Resource]

    def inlined(self) -> dict:
        """The descriptor with each schema and dialect given by path replaced by the file's content:
        what frictionless's descriptor check must see (a path it would leave unchecked)."""
        out = dict(self.descriptor)
        resources = []
        for raw, resource in zip(self.descriptor["resources"], self.resources):
            raw = dict(raw)
            if isinstance(raw.get("schema"), str) and resource.schema is not None:
                raw["schema"] = resource.schema
            if isinstance(raw.get("dialect"), str):
                raw["dialect"] = resource.dialect
            resources.append(raw)
        out["resources"] = resources
        return out

    @property
    def root(self) -> Path:
        return self.descriptor_path.parent

    @classmethod
    def open(cls, package: Path) -> "Package":
        return read_package(package)

    def rows(self, table: str) -> list[dict]:
        """The rows of a one-file resource, as the text its CSV holds (column → cell)."""
        import csv

        resource = next((r for r in self.resources if r.name == table), None)
        if resource is None or len(resource.files) != 1:
            raise PackageError(Finding(f"the package has no `{table}` table", str(self.descriptor_path),
                                       hint="rebuild it (`histpack build`)"))
        with open(resource.files[0], encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    def fields(self) -> dict[tuple[str, str], dict]:
        """(resource name, field name) → the field's Table Schema, for every resource with a schema."""
        return {(resource.name, str(f.get("name"))): f for resource in self.resources for f in resource.fields
                if isinstance(f, dict)}

    def database_schema(self):
        """The typed schema model of the package's resources (`histpack.model.schema.PackageSchema`)."""
        from histpack.model.schema import PackageSchema

        return PackageSchema.from_resources((r.name, r.schema, r.descriptor) for r in self.resources)


def read_descriptor(package: Path) -> tuple[Path, dict]:
    """The descriptor, after refusing any path that would read outside the package folder."""
    package = Path(package)
    descriptor_path = package / "datapackage.json" if package.is_dir() else package
    root = descriptor_path.parent
    kind = not_regular(descriptor_path)
    if kind:
        raise PackageError(Finding(f"the descriptor is {kind}, not a file; refused before reading",
                                   str(descriptor_path)))
    project = (root / "histpack.yaml").is_file()  # advice about building only where there is a project to build
    if not descriptor_path.is_file():
        raise PackageError(Finding("no datapackage.json here", str(descriptor_path),
                                   hint="build the package first (`histpack build`)" if project
                                   else "give the folder of a data package, or its datapackage.json"))
    text = json_text(descriptor_path.read_bytes(), "datapackage.json", str(descriptor_path))
    if not text.strip():
        raise PackageError(Finding("datapackage.json is empty", str(descriptor_path),
                                   hint="rebuild it (`histpack build`)" if project else ""))
    descriptor = json_value(text, "datapackage.json", str(descriptor_path))
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise PackageError(Finding("not a data package descriptor (no `resources` list)", str(descriptor_path)))
    _refuse_remote(descriptor_path, "package", descriptor.get("profile"), "profile", root)
    for i, resource in enumerate(descriptor["resources"]):
        if not isinstance(resource, dict):
            raise PackageError(Finding(f"resource #{i + 1} is not an object", str(descriptor_path)))
        name = resource.get("name", f"#{i + 1}")
        paths = resource.get("path")
        if paths is not None or "data" not in resource:
            for value in (paths if isinstance(paths, list) else [paths]):
                reason = unsafe(value, root) or _special(root, value)
                if reason:
                    raise PackageError(Finding(f"resource `{name}`: path {value!r} {reason}; refused before reading",
                                               str(descriptor_path)))
        for key in ("schema", "dialect", "profile"):
            _refuse_remote(descriptor_path, f"resource `{name}`", resource.get(key), key, root)
    return descriptor_path, descriptor


_STANDARD_PROFILES = {"data-package", "tabular-data-package", "fiscal-data-package", "data-resource",
                      "tabular-data-resource"}


def resource_schema(root: Path, resource: dict) -> dict:
    """A resource's Table Schema, inline or read from the package (`read_descriptor` has refused any
    schema path that leaves the package); `{}` when it has none."""
    schema = resource.get("schema", {})
    if isinstance(schema, str):
        path = Path(root) / schema
        schema = json_value(json_text(path.read_bytes(), "the schema", schema), "the schema", schema)
    return schema if isinstance(schema, dict) else {}


def _special(root: Path, value: str) -> str | None:
    kind = not_regular(root / value)
    return f"is {kind}, not a file" if kind else None


def _refuse_remote(descriptor_path: Path, owner: str, value, key: str, root: Path) -> None:
    if not isinstance(value, str) or (key == "profile" and value in _STANDARD_PROFILES):
        return
    reason = unsafe(value, root) or _special(root, value)
    if reason:
        raise PackageError(Finding(f"{owner}: {key} {value!r} {reason}; refused before reading", str(descriptor_path)))


def _json_file(descriptor_path: Path, value, what: str, owner: str):
    if not isinstance(value, str):
        return value
    path = descriptor_path.parent / value
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PackageError(Finding(f"{owner}: {what} file {value!r} is missing", str(descriptor_path))) from None
    except OSError as exc:
        raise PackageError(Finding(f"{owner}: {what} file {value!r} cannot be read ({exc.strerror})",
                                   str(descriptor_path))) from None
    return json_value(json_text(data, f"the {what} of {owner}", str(value)), f"the {what} of {owner}", str(value))


def read_package(package: Path) -> Package:
    """The descriptor and its resources, with schemas and dialects read from their (checked) files."""
    descriptor_path, descriptor = read_descriptor(Path(package))
    root = descriptor_path.parent
    resources = []
    for i, raw in enumerate(descriptor["resources"]):
        name = str(raw.get("name", f"resource{i + 1}"))
        owner = f"resource `{name}`"
        paths = raw.get("path")
        paths = [] if paths is None else (paths if isinstance(paths, list) else [paths])
        schema = _json_file(descriptor_path, raw.get("schema"), "schema", owner)
        dialect = _json_file(descriptor_path, raw.get("dialect"), "dialect", owner) or {}
        if schema is not None and not isinstance(schema, dict):
            raise PackageError(Finding(f"{owner}: schema is not an object", str(descriptor_path)))
        if not isinstance(dialect, dict):
            raise PackageError(Finding(f"{owner}: dialect is not an object", str(descriptor_path)))
        data = raw.get("data") if not paths else None
        tsv = str(raw.get("format") or "").lower() == "tsv" or (
            paths and all(str(p).lower().removesuffix(".gz").removesuffix(".zip").endswith(".tsv") for p in paths))
        if tsv and "delimiter" not in dialect:  # frictionless reads a tsv resource with tabs
            dialect = {**dialect, "delimiter": "\t"}
        resources.append(Resource(
            name=name, paths=[str(p) for p in paths], files=[(root / p).resolve() for p in paths],
            data=data if isinstance(data, list) else None, schema=schema, dialect=dialect,
            encoding=str(raw.get("encoding") or "utf-8"),
            bytes=raw.get("bytes") if isinstance(raw.get("bytes"), int) else None,
            hash=raw.get("hash") if isinstance(raw.get("hash"), str) and raw.get("hash") else None,
            descriptor=raw))
    return Package(descriptor_path, descriptor, resources)


def hash_named_files(digest, root: Path, descriptor: dict, keys: tuple[str, ...]) -> None:
    """Feed `digest` the bytes of every file the descriptor names under `keys` (the package's own
    `profile`, each resource's `keys`), so that a key changes when any of them does."""
    resources = descriptor.get("resources") if isinstance(descriptor.get("resources"), list) else []
    for owner in [descriptor, *resources]:
        if not isinstance(owner, dict):
            continue
        for key in keys if owner is not descriptor else ("profile",):
            values = owner.get(key)
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, str):
                    path = root / value
                    digest.update(f"\n{key} {value} ".encode())
                    try:
                        digest.update(hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"missing")
                    except OSError:
                        digest.update(b"unreadable")


def package_files(package: Path) -> list[Path]:
    """The descriptor and every file it names (data, schemas, dialects) of the package at `package`,
    as paths inside it; empty when `package` is not a readable package."""
    try:
        descriptor_path, descriptor = read_descriptor(Path(package))
    except PackageError:
        return []
    root = descriptor_path.parent
    out = [descriptor_path]
    for resource in descriptor.get("resources", []):
        if not isinstance(resource, dict):
            continue
        for key in ("path", "schema", "dialect"):
            values = resource.get(key)
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, str) and not unsafe(value, root):
                    out.append(root / value)
    return out
