"""Closed vocabularies: each value with what it means. Models, schemas, DuckDB ENUMs, exports and
the codebook all read them from here.

Two kinds:

- **Structural** vocabularies, the dicts below, stay in code because the builder's own logic depends
  on their values: `SOURCE_ROLE` (the build looks for the `analyzed` source), `VOICE` (an `author`
  quote has no speaker), `CITATION_KIND` (footnote references are checked against footnote numbers),
  `DATE_PRECISION` (derived by `dates.py` from the EDTF form), `PARAGRAPH_SECTION` and
  `EDITORIAL_CHANGE_KIND` (written by `canonical.py`), `PERSON_KIND` (a rule needs every `actor` to
  have a regime) and `BASIS` (an `inferred` comparison must say why). Changing one of these means
  changing code.
- **Content** vocabularies describe the history (event types, roles, phases, purge outcomes,
  themes, topics, schools, comparison dimensions …). They are the project's data:
  `annotations/vocabularies.yaml`, read with the annotations' bounded YAML reader and checked by a
  strict model. A model names the vocabulary a column uses (`content("event_type")`); the values
  come from the project whose vocabularies are in use (`use`), so another corpus brings its own,
  or, for a built package, from its schemas (`use_package`).

Either kind is a column type (`structural(...)`, `content(...)`) that checks a value and lists the
values in the column's JSON Schema, and whose `meanings()` the models' `vocabularies` expose.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Annotated

from pydantic import ConfigDict, Field, RootModel, StringConstraints, ValidationError
from pydantic_core import PydanticCustomError, core_schema

from histpack.project.errors import BuildError, echo

SOURCE_ROLE = {
    "analyzed": "The essay this dataset encodes.",
    "cited": "A work the essay cites, known only as the essay cites it.",
}

WORK_TYPE = {
    "article": "An article in a journal or magazine (`container` is the journal).",
    "legislation": "A statute, act or resolution (`container` is the series it is published in).",
    "web_page": "A page or entry of a web publication (`container` is the publication).",
    "book": "A book.",
    "chapter": "A chapter or entry in a book (`container` is the book).",
    "report": "A report of an agency, commission or other body.",
}

AUTHOR_TYPE = {
    "person": "`authors` names people (`Given Family`, several separated by `;` or ` and `).",
    "organization": "`authors` is an institution named as a whole (a parliament, an agency), never split.",
}

VOICE = {
    "author": "The essay author's own words.",
    "primary": "Words of a historical actor that the essay quotes (speech, letter, diary, memorandum).",
    "secondary": "Words of another scholar that the essay quotes.",
}

CITATION_KIND = {
    "in_text": "A parenthetical or named reference in the running text.",
    "footnote": "A reference given in a footnote.",
}

PERSON_KIND = {
    "actor": "A historical actor: leader, official, victim, witness, diarist, memoirist.",
    "scholar": "A historian or other scholar, cited or discussed as such.",
}

DATE_PRECISION = {
    "day": "The essay gives the day.",
    "month": "The essay gives the month.",
    "season": "The essay gives a season (spring, summer, autumn).",
    "year": "The essay gives the year.",
    "interval": "The essay gives a span (e.g. 1937-38, February-May 1930, winter 1932-33).",
}

BASIS = {
    "explicit": "The essay states it.",
    "inferred": "The encoder drew it from the essay's juxtaposition; `basis_note` says why.",
}

PARAGRAPH_SECTION = {
    "abstract": "The abstract printed at the head of the article.",
    "epigraph": "The epigraph (indented quotation) before the essay's body.",
    "body": "The running text of the essay.",
    "note": "A footnote, moved from the foot of its page to the notes section after the body.",
}

EDITORIAL_CHANGE_KIND = {
    "whitespace_folded": "Runs of whitespace (tabs, no-break spaces, line breaks inside a paragraph) folded to one space; one row for the rule, applied everywhere.",
    "running_head_removed": "A running head or copyright line of the printed page removed from the text.",
    "hyphen_folded": "The `-` + U+2010 pair (or a lone U+2010) of the extraction folded to `-`.",
    "line_end_hyphen_joined": "A word hyphenated at a line end joined without a space.",
    "drop_capital_restored": "The drop capital missing from the extraction restored.",
    "footnote_marker_removed": "A footnote marker removed from the body (the note is in the notes section).",
    "footnote_moved": "A footnote moved from the foot of its page to the notes section.",
}

# --- content vocabularies: data ---------------------------------------------------------------

CONTENT_FILE = "annotations/vocabularies.yaml"
VALUE_PATTERN = r"^[a-z][a-z0-9_]*$"


_Word = Annotated[str, StringConstraints(pattern=VALUE_PATTERN)]
_Meaning = Annotated[str, StringConstraints(pattern=r"\S")]


class VocabularyFile(RootModel[dict[_Word, Annotated[dict[_Word, _Meaning], Field(min_length=1)]]]):
    """`annotations/vocabularies.yaml`: vocabulary name → (value → meaning); names and values are
    lower-case words, meanings are not empty, every vocabulary has a value."""

    model_config = ConfigDict(strict=True)


def declared() -> dict[str, list[tuple[str, str, object]]]:
    """Content vocabulary name → (table, column, column default) of every column that uses it."""
    from histpack.model import models as m

    out: dict[str, list] = {}
    for model in m.MODELS:
        for name, info in model.model_fields.items():
            vocabulary = getattr(vocabulary_type(info.annotation), "content_vocabulary", None)
            if vocabulary:
                out.setdefault(vocabulary, []).append((model.table.name, name, info.default))
    return out


def _file_error(exc: ValidationError, document: dict, display: str) -> BuildError:
    """The first problem of the file, at the line of the name or value it concerns."""
    err = exc.errors()[0]
    loc = list(err["loc"])
    is_key = loc and loc[-1] == "[key]"
    parts = loc[:-1] if is_key else loc
    line, node = getattr(document, "line", 1), document
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            break
        line = getattr(node, "key_lines", {}).get(part, line)
        node = node[part]
    where = f"{display}:{line}"
    if is_key:
        return BuildError(where, f"{'vocabulary name' if len(parts) == 1 else f'value of `{parts[0]}`'} "
                                 f"{echo(parts[-1])} is not a lower-case word",
                          "write a-z, 0-9 and `_`, starting with a letter (e.g. `party_meeting`)")
    if len(parts) == 1:
        if err["type"] == "too_short":
            return BuildError(where, f"vocabulary `{parts[0]}` has no values", "list them, one `value: meaning` a line")
        return BuildError(where, f"vocabulary `{parts[0]}` is {echo(err.get('input'))}, not a mapping of values to "
                                 "their meanings", "write `  value: meaning` lines under it")
    given = err.get("input")
    what = "has no meaning" if given is None or (isinstance(given, str) and not given.strip()) else \
        f"has {echo(given)} for a meaning, not a sentence"
    return BuildError(where, f"`{parts[0]}` value `{parts[1]}` {what}", "write `value: what it means` (a sentence)")


def load(root: Path) -> dict[str, dict[str, str]]:
    """The project's content vocabularies, checked: one BuildError naming the file and line of the
    first problem (not a mapping, a bad name, value or meaning, an unknown or missing vocabulary)."""
    from histpack.annotate.annotations import load_yaml

    path = Path(root) / CONTENT_FILE
    display = CONTENT_FILE
    if not path.is_file():
        raise BuildError(display, "no content vocabularies",
                         "add annotations/vocabularies.yaml: each vocabulary the models name, with its values")
    if not path.resolve().is_relative_to(Path(root).resolve()):
        raise BuildError(f"{display}:1", "a symbolic link to a file outside the project",
                         "copy the file into annotations/; nothing is read outside the project")
    document = load_yaml(path.read_bytes(), display)
    if not isinstance(document, dict):
        raise BuildError(f"{display}:1", "the file must be a mapping of vocabulary names to their values",
                         "write `event_type:` then `  value: meaning` lines")
    try:
        VocabularyFile.model_validate(document)
    except ValidationError as exc:
        raise _file_error(exc, document, display) from None
    uses = declared()
    for name, values in document.items():
        at = f"{display}:{document.key_lines.get(name, 1)}"
        if name not in uses:
            near = difflib.get_close_matches(name, sorted(uses), n=1)
            raise BuildError(at, f"unknown vocabulary `{name}`: no column uses it",
                             f"did you mean `{near[0]}`?" if near else f"vocabularies: {', '.join(sorted(uses))}")
        for table, column, default in uses[name]:
            if isinstance(default, str) and default not in values:
                raise BuildError(at, f"vocabulary `{name}` lacks `{default}`, the value of {table}.{column} "
                                 "when a row leaves it out", f"add `{default}: <meaning>`")
    missing = sorted(set(uses) - set(document))
    if missing:
        table, column, _ = uses[missing[0]][0]
        raise BuildError(f"{display}:{getattr(document, 'line', 1)}",
                         f"vocabulary `{missing[0]}` is missing ({table}.{column} uses it)",
                         f"add `{missing[0]}:` with its values")
    return {name: dict(values) for name, values in document.items()}


_active: tuple[str, dict[str, dict[str, str]]] | None = None  # (where they come from and their digest, vocabularies)


def _digest(vocabularies: dict) -> str:
    return hashlib.sha256(repr(sorted((k, list(v.items())) for k, v in vocabularies.items())).encode()).hexdigest()


def use(root: Path) -> dict[str, dict[str, str]]:
    """Make the project at `root` the one whose content vocabularies rows, schemas and the codebook use."""
    global _active
    root = Path(root).resolve()
    path = root / CONTENT_FILE
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    if _active is None or _active[0] != f"{root}:{digest}":
        _active = (f"{root}:{digest}", load(root))
    return _active[1]


def from_package(package: Path) -> dict[str, dict[str, str]]:
    """The content vocabularies as a built package records them: each value with its meaning, from the
    `categories` of the columns that use it (a package written before `categories` gives the `enum`
    values with empty meanings). The codebook is rendered from these, so it needs nothing but the package."""
    from histpack.engine.reader import read_package

    fields = {}
    for resource in read_package(Path(package)).resources:
        for field in (resource.schema or {}).get("fields", []):
            if isinstance(field, dict):
                fields[(resource.name, field.get("name"))] = field
    out = {}
    for name, uses in declared().items():
        for table, column, _ in uses:
            field = fields.get((table, column))
            if field is None:
                continue
            values = [str(v) for v in field.get("constraints", {}).get("enum", [])]
            labels = {str(c.get("value")): str(c.get("label", "")) for c in field.get("categories", [])
                      if isinstance(c, dict)}
            out[name] = {value: labels.get(value, "") for value in values}
            break
        else:
            raise BuildError(str(package), f"the package has no column that uses the vocabulary `{name}`",
                             "rebuild it (`histpack build`)")
    return out


def use_package(package: Path) -> dict[str, dict[str, str]]:
    """Make the vocabularies a built package records (`from_package`) the ones in use."""
    global _active
    vocabularies = from_package(package)
    _active = (f"package:{Path(package).resolve()}:{_digest(vocabularies)}", vocabularies)
    return vocabularies


def use_project_of(path: Path) -> None:
    """For a package the command line was given: the vocabularies of the project it is in, else those
    the package records; a path that is neither leaves the vocabularies in use as they are."""
    from histpack.project.layout import find_root

    try:
        root = find_root(Path(path))
    except BuildError:
        root = None
    if root is not None and (root / CONTENT_FILE).is_file():
        use(root)
        return
    from histpack.engine.reader import PackageError

    try:
        use_package(path)
    except (BuildError, PackageError, OSError):  # not a package (yet): the command itself will say so
        pass


def active() -> dict[str, dict[str, str]]:
    """The content vocabularies in use: those `use` or `use_package` chose, else the project around the
    working directory (as the command line finds it)."""
    if _active is not None:
        return _active[1]
    from histpack.project.layout import find_root

    return use(find_root())


def active_key() -> str:
    """Changes whenever other vocabularies come into use (for caches of schemas)."""
    active()
    return _active[0]


class _VocabularyType(type):
    """The metaclass of a vocabulary column's type: its `__args__`, like a Literal's, are the values
    (so an error can list them), and `meanings()` says what each means."""

    @property
    def __args__(cls) -> tuple[str, ...]:
        return tuple(cls.meanings())


def _column_type(label: str, meanings: Callable[[], dict[str, str]], content_name: str | None) -> type:
    """A string type checked against `meanings()`'s values; its JSON Schema lists them as `enum`."""

    def check(value: str) -> str:
        allowed = meanings()
        if value not in allowed:
            raise PydanticCustomError("literal_error", "Input should be {expected}",
                                      {"expected": ", ".join(map(repr, allowed))})
        return value

    def core(cls, source, handler):
        return core_schema.no_info_after_validator_function(check, core_schema.str_schema())

    def json_schema(cls, schema, handler):
        return {"type": "string", "enum": list(meanings())}

    return _VocabularyType(f"Vocabulary[{label}]", (), {
        "content_vocabulary": content_name, "meanings": staticmethod(meanings),
        "__get_pydantic_core_schema__": classmethod(core), "__get_pydantic_json_schema__": classmethod(json_schema)})


def content(name: str) -> type:
    """The type of a column whose values are the content vocabulary `name`, as the project in use has it."""
    return _column_type(name, lambda: active()[name], name)


def structural(values: dict[str, str]) -> type:
    """The type of a column whose values are one of the structural vocabularies above."""
    return _column_type(next(iter(values)) + "…", lambda: values, None)


def vocabulary_type(annotation) -> type | None:
    """The vocabulary type of a column's annotation (also inside `Optional[…]`), if it has one."""
    if isinstance(annotation, _VocabularyType):
        return annotation
    return next((a for a in getattr(annotation, "__args__", ()) if isinstance(a, _VocabularyType)), None)


class Meanings(Mapping):
    """Column → (value → meaning) of one model's vocabulary columns; a content vocabulary is left out
    while no project or package says what its values are."""

    def __init__(self, types: dict[str, type]):
        self.types = types

    def _known(self) -> dict[str, dict[str, str]]:
        out = {}
        for column, kind in self.types.items():
            try:
                out[column] = kind.meanings()
            except BuildError:
                continue
        return out

    def __getitem__(self, column: str) -> dict[str, str]:
        return self._known()[column]

    def __iter__(self) -> Iterator[str]:
        return iter(self._known())

    def __len__(self) -> int:
        return len(self._known())
