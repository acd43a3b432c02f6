"""Closed vocabularies: each value with what it means. Models, schemas, DuckDB ENUMs, exports and
the codebook all read them from here.

Two kinds:

- **Structural** vocabularies, the dicts below, stay in code because the builder's own logic depends
  on their values: `SOURCE_ROLE` (the build looks for the `analyzed` source), `VOICE` (an `author`
  quote has no speaker), `CITATION_KIND` (footnote references are checked against footnote numbers),
  `DATE_PRECISION` (derived by `dates.py` from the EDTF form), `PARAGRAPH_SECTION` and
  `EDITORIAL_CHANGE_KIND` (written by `canonical.py`), `REDISTRIBUTION` (what a release carries of a text,
  `project/rights.py`), `PERSON_KIND` (a rule needs every `actor` to have a regime), `BASIS` (an
  `inferred` comparison must say why) and `DATE_BASIS` (an `inferred` date must say why; the builder
  derives `explicit`). Changing one of these means
  changing code.
- **Content** vocabularies describe the history (event types, roles, phases, purge outcomes,
  themes, topics, schools, comparison dimensions …). They are the project's data:
  `annotations/vocabularies.yaml`, read with the bounded YAML reader and checked by a strict model
  (`load`), or, for a built package, read back from its schemas (`from_fields`). A model names the
  vocabulary a column uses (`content("event_type")`); the values are passed to whatever needs them —
  a row's validation gets them in pydantic's validation context (`context={"vocabularies": …}`), a
  schema as an argument — so no process-wide state decides which project's values are in force.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated

from pydantic import ConfigDict, Field, RootModel, StringConstraints, ValidationError
from pydantic_core import PydanticCustomError, core_schema

from histpack.project.errors import BuildError, echo
from histpack.project.rights import REDISTRIBUTION  # noqa: F401 - structural: what a release may carry of a text
from histpack.project.yaml import load_yaml

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

DATE_BASIS = {
    "explicit": "The source states the date of this very thing, in the row's words or in the text around them "
                "(the year of an earlier sentence, “at the same time” as a dated event, a note); derived when "
                "nothing is typed.",
    "inferred": "The source gives this thing no date (or no bound): the date is the encoder's reading of where the "
                "source places it, or a bound drawn from the dated steps around it; `editorial_note` says why.",
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


Vocabularies = dict[str, dict[str, str]]
"""Content vocabulary name → (value → meaning)."""
Uses = dict[str, list[tuple[str, str, object]]]
"""Content vocabulary name → (table, column, column default) of every column that uses it."""
CONTEXT = "vocabularies"  # the key of pydantic's validation context that holds the content vocabularies


def load(root: Path, uses: Uses) -> Vocabularies:
    """The project's content vocabularies, checked against the columns that `uses` them: one BuildError
    naming the file and line of the first problem (not a mapping, a bad name, value or meaning, an
    unknown or missing vocabulary)."""
    path = Path(root) / CONTENT_FILE
    display = CONTENT_FILE
    if not path.is_file():
        raise BuildError(display, "no content vocabularies",
                         "add annotations/vocabularies.yaml: each vocabulary the models name, with its values")
    if not path.resolve().is_relative_to(Path(root).resolve()):
        raise BuildError.at(display, 1, "a symbolic link to a file outside the project",
                         "copy the file into annotations/; nothing is read outside the project")
    document = load_yaml(path.read_bytes(), display)
    if not isinstance(document, dict):
        raise BuildError.at(display, 1, "the file must be a mapping of vocabulary names to their values",
                         "write `event_type:` then `  value: meaning` lines")
    try:
        VocabularyFile.model_validate(document)
    except ValidationError as exc:
        raise _file_error(exc, document, display) from None
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
        raise BuildError.at(display, getattr(document, 'line', 1), f"vocabulary `{missing[0]}` is missing ({table}.{column} uses it)",
                         f"add `{missing[0]}:` with its values")
    return {name: dict(values) for name, values in document.items()}


def from_fields(fields: dict[tuple[str, str], dict], uses: Uses, where: str) -> Vocabularies:
    """The content vocabularies as a built package records them: each value with its meaning, from the
    `categories` of the columns that use it (a package written before `categories` gives the `enum`
    values with empty meanings). `fields` is (table, column) → the column's Table Schema field."""
    out = {}
    for name, columns in uses.items():
        for table, column, _ in columns:
            field = fields.get((table, column))
            if field is None:
                continue
            values = [str(v) for v in (field.get("constraints") or {}).get("enum", [])]
            labels = {str(c.get("value")): str(c.get("label", "")) for c in field.get("categories", [])
                      if isinstance(c, dict)}
            out[name] = {value: labels.get(value, "") for value in values}
            break
        else:
            raise BuildError(where, f"the package has no column that uses the vocabulary `{name}`",
                             "rebuild it (`histpack build`)")
    return out


class _VocabularyType(type):
    """The metaclass of a vocabulary column's type (`content_vocabulary`: the content vocabulary it
    uses, else None; `values`: a structural vocabulary's values and meanings)."""


def _column_type(label: str, values: dict[str, str] | None, content_name: str | None) -> type:
    """A string type checked against `values` (a structural vocabulary) or against the content vocabulary
    `content_name` of the validation context; its JSON Schema lists a structural vocabulary's values as
    `enum` and names a content vocabulary (`x-vocabulary`), whose values a schema gets from the project."""

    def allowed(info) -> dict[str, str]:
        if values is not None:
            return values
        given = (info.context or {}).get(CONTEXT) if info is not None else None
        if given is None:
            raise PydanticCustomError("vocabulary_missing", "no content vocabularies to check `{name}` against "
                                      "(validate with context={{'vocabularies': …}})", {"name": content_name})
        return given.get(content_name, {})

    def check(value: str, info) -> str:
        known = allowed(info)
        if value not in known:
            raise PydanticCustomError("literal_error", "Input should be {expected}",
                                      {"expected": ", ".join(map(repr, known))})
        return value

    def core(cls, source, handler):
        return core_schema.with_info_after_validator_function(check, core_schema.str_schema())

    def json_schema(cls, schema, handler):
        if values is not None:
            return {"type": "string", "enum": list(values)}
        return {"type": "string", "x-vocabulary": content_name}

    return _VocabularyType(f"Vocabulary[{label}]", (), {
        "content_vocabulary": content_name, "values": values,
        "__get_pydantic_core_schema__": classmethod(core), "__get_pydantic_json_schema__": classmethod(json_schema)})


def content(name: str) -> type:
    """The type of a column whose values are the content vocabulary `name` (given at validation)."""
    return _column_type(name, None, name)


def structural(values: dict[str, str]) -> type:
    """The type of a column whose values are one of the structural vocabularies above."""
    return _column_type(next(iter(values)) + "…", values, None)


def vocabulary_type(annotation) -> type | None:
    """The vocabulary type of a column's annotation (also inside `Optional[…]`), if it has one."""
    if isinstance(annotation, _VocabularyType):
        return annotation
    return next((a for a in getattr(annotation, "__args__", ()) if isinstance(a, _VocabularyType)), None)
