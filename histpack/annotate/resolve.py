"""Annotations resolved against the canonical text → validated model rows for every table.

A person types ids, words and dates; this module finds the words (offsets, pages, context),
derives the dates, expands the nested shorthands (`persons:` of an event, `sides:` of a
comparison …), and checks each row and its id. Every problem becomes one line naming the
annotation file and line. References and cross-table rules are `rules.py`'s, run by the build
on the written tables.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from pydantic import ValidationError

from histpack.model import models as m
from histpack.model.vocabularies import Vocabularies
from histpack.annotate.annotations import RawRow
from histpack.text.canonical import CanonicalText
from histpack.annotate.dates import DateError, derive_dates
from histpack.project.errors import BuildError, BuildErrors
from histpack.annotate.quotes import QuoteError, ResolvedQuote, resolve_quote

ANNOTATED_TABLES = m.ANNOTATED_TABLES
Where = tuple[str, "int | None"]  # the annotation file and line a row was typed at (no line: a generated row)
# Nested shorthands: key in a parent row → (child table, how to expand), as the child models declare them.
NESTED = {(model.table.shorthand.parent, model.table.shorthand.key):
          (model.table.name, model.table.shorthand.shape, model.table.shorthand.column, model.table.shorthand.attr)
          for model in m.MODELS if model.table.shorthand}
QUOTE_KEYS = {"text", "occurrence", "prefix", "voice", "speaker", "citation"}


@dataclass
class _QuoteClaim:
    resolved: ResolvedQuote
    source_id: str
    voice: str | None
    speaker_id: str | None
    citation_id: str | None
    where: Where


@dataclass
class Resolution:
    """Rows of every table, in primary-key order, plus where each annotated row was typed."""

    rows: dict[str, list[m.Row]]
    where: dict[tuple[str, tuple], Where] = field(default_factory=dict)
    vocabularies: Vocabularies = field(default_factory=dict)  # the content vocabularies the rows were checked against


def _pk(model: type[m.Row], values: dict) -> tuple:
    return tuple(_hashable(values.get(k)) for k in model.table.primary_key)


def _hashable(value):
    """A key value as typed, or its repr when YAML gave a list or mapping (the model then refuses it)."""
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _slug(words: str, n: int = 5) -> str:
    tokens = re.findall(r"[a-z0-9]+", words.lower())
    return "-".join(tokens[:n]) or "quote"


def _pydantic_lines(exc: ValidationError, model: type[m.Row], where: Where, label: str) -> list[BuildError]:
    fields = sorted(model.model_fields)
    out = []
    errors = exc.errors()
    typed = {"quote_id": "quote"}  # a column the annotator writes under another name
    suggested = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            near = difflib.get_close_matches(".".join(map(str, err["loc"])), fields + ["quote"], n=1)
            err["near"] = near[0] if near else None
            suggested |= {err["near"], *(k for k, v in typed.items() if v == err["near"])}
    others = [e for e in errors if not (e["type"] == "missing" and e["loc"][0] in model.table.derived)]
    for err in errors:
        loc = ".".join(str(x) for x in err["loc"])
        kind = err["type"]
        if kind == "missing" and (loc in suggested or (loc in model.table.derived and others)):
            continue  # reported as the typo, or as the column it is derived from
        if kind == "extra_forbidden":
            near = err["near"]
            hint = f"did you mean `{near}`?" if near else f"columns: {', '.join(fields)}"
            out.append(BuildError.at(*where, f"{label}: unknown column `{loc}`", hint))
        elif kind == "missing":
            hint = "add `quote:` with the essay's words" if loc in typed else "add it"
            out.append(BuildError.at(*where, f"{label}: missing required column `{typed.get(loc, loc)}`", hint))
        elif kind == "string_pattern_mismatch" and loc.endswith("_id"):
            out.append(BuildError.at(*where, f"{label}: `{loc}` {err['input']!r} is not an id",
                                  "ids are lower-case slugs: a-z, 0-9, `-` and `_`, starting with a letter or digit"))
        elif kind == "literal_error":
            expected = str((err.get("ctx") or {}).get("expected", "")).replace("'", "")
            out.append(BuildError.at(*where, f"{label}: `{loc}` is {err['input']!r}, not one of the allowed values",
                                  f"allowed: {expected}"))
        else:
            msg = err["msg"].removeprefix("Value error, ")
            where_col = f"`{loc}`: " if loc else ""
            out.append(BuildError.at(*where, f"{label}: {where_col}{msg}"))
    return out


class _Resolver:
    def __init__(self, canonicals: dict[str, CanonicalText]):
        self.canonicals = canonicals
        self.errors: list[BuildError] = []
        self.values: dict[str, list[tuple[dict, str]]] = defaultdict(list)
        self.quote_claims: list[_QuoteClaim] = []
        self.files_without_source: set[str] = set()

    def error(self, where: Where, message: str, hint: str = "") -> None:
        self.errors.append(BuildError.at(*where, message, hint))

    def default_source(self, raw: RawRow) -> str | None:
        if raw.source_id:
            if raw.source_id not in self.canonicals:
                self.error(raw.at, f"`source: {raw.source_id}` names no essay in sources/",
                           f"essays: {', '.join(sorted(self.canonicals))}")
                return None
            return raw.source_id
        if len(self.canonicals) == 1:
            return next(iter(self.canonicals))
        if raw.file not in self.files_without_source:  # said once per file, not once per row
            self.files_without_source.add(raw.file)
            self.error(raw.at, "several analysed sources: the file must say which one its quotes are from",
                       f"add a top-level `source:` line (one of {', '.join(sorted(self.canonicals))})")
        return None

    def place(self, raw: RawRow, label: str, spec, defaults: dict) -> tuple[ResolvedQuote, str] | None:
        """Resolve a `quote:` value (words, or a mapping with text/occurrence/prefix/voice/…)."""
        source_id = self.default_source(raw)
        if source_id is None:
            return None
        if isinstance(spec, str):
            spec = {"text": spec}
        if not isinstance(spec, dict) or "text" not in spec:
            self.error(raw.at, f"{label}: `quote` must be the words, or a mapping with `text:`")
            return None
        unknown = set(spec) - QUOTE_KEYS
        if unknown:
            self.error(raw.at, f"{label}: unknown key `{sorted(unknown)[0]}` in `quote`",
                       f"allowed: {', '.join(sorted(QUOTE_KEYS))}")
            return None
        occurrence, prefix = spec.get("occurrence"), spec.get("prefix")
        if occurrence is not None and (isinstance(occurrence, bool) or not isinstance(occurrence, int)):
            self.error(raw.at, f"{label}: `occurrence` is {occurrence!r}, not a number",
                       "write `occurrence: N` (1 = the first time the words occur)")
            return None
        if prefix is not None and not isinstance(prefix, str):
            self.error(raw.at, f"{label}: `prefix` must be the words just before the quote")
            return None
        if not isinstance(spec["text"], str):
            self.error(raw.at, f"{label}: `quote` must be the words, or a mapping with `text:`")
            return None
        try:
            found = resolve_quote(self.canonicals[source_id], spec["text"], occurrence, prefix)
        except QuoteError as exc:
            self.error(raw.at, f"{label}: {exc}")
            return None
        claim = _QuoteClaim(found, source_id, spec.get("voice", defaults.get("voice")),
                            spec.get("speaker", defaults.get("speaker")),
                            spec.get("citation", defaults.get("citation")),
                            (raw.file, getattr(spec, "line", raw.line)))  # a `quote: {…}` mapping's own line
        self.quote_claims.append(claim)
        return found, source_id

    def add(self, table: str, values: dict, where: Where) -> None:
        self.values[table].append((values, where))

    def expand(self, raw: RawRow) -> None:
        model = m.BY_TABLE[raw.table]
        values = dict(raw.values)
        pk = model.table.primary_key
        label = f"{raw.table} row" + (f" `{values.get(pk[0])}`" if len(pk) == 1 and values.get(pk[0]) else "")
        typed_derived = [k for k in (*model.table.derived, "quote_id") if k in values]
        if typed_derived == ["quote_id"] and "quote_id" in model.model_fields:
            self.error(raw.at, f"{label}: `quote_id` is computed by the builder",
                       "remove it, and name the evidence by the essay's words with `quote:`")
            return
        if typed_derived:
            self.error(raw.at, f"{label}: `{typed_derived[0]}` is computed by the builder", "remove it")
            return
        for (parent, key), (child, shape, column, attr) in NESTED.items():
            if parent != raw.table or key not in values:
                continue
            nested = values.pop(key)
            parent_key = {k: values.get(k) for k in pk}
            if shape == "mapping" and isinstance(nested, dict):
                for person, role in nested.items():
                    self.expand(RawRow(child, {**parent_key, column: person, attr: role}, raw.file,
                                       getattr(nested, "line", raw.line), raw.source_id))
            elif shape == "list" and isinstance(nested, list):
                for person in nested:
                    self.expand(RawRow(child, {**parent_key, column: person}, raw.file, raw.line, raw.source_id))
            elif shape == "rows" and isinstance(nested, list) and all(isinstance(r, dict) for r in nested):
                for side in nested:
                    self.expand(RawRow(child, {**parent_key, **side}, raw.file, getattr(side, "line", raw.line),
                                       raw.source_id))
            else:
                self.error(raw.at, f"{label}: `{key}` has the wrong shape",
                           {"mapping": "write `person_id: value` pairs", "list": "write a list of person ids",
                            "rows": "write a list of mappings"}[shape])
        if "quote" in values and "quote_id" in model.model_fields:
            defaults = {}
            if raw.table == "rhetoric":
                defaults = {"voice": "primary", "speaker": values.get("speaker_id"),
                            "citation": values.get("citation_id")}
            placed = self.place(raw, label, values.pop("quote"), defaults)
            if placed is None:
                return
            values["quote_id"] = placed
            if "source_id" in model.table.derived:
                values["source_id"] = placed[1]
            if raw.table == "terms":  # a term's own quote is its first occurrence
                self.add("term_occurrences", {"term_id": values.get("term_id"), "quote_id": placed,
                                              "source_id": placed[1]}, raw.at)
        if raw.table == "citations":
            if not self._citation(raw, label, values):
                return
        for column, targets in m.DATE_COLUMNS.items():
            if column in values and values[column] in (None, ""):
                del values[column]  # an empty date is a missing date: one error, not one per derived column
            if column in model.model_fields and values.get(column) not in (None, ""):
                try:
                    derived = derive_dates(str(values[column]))
                except DateError as exc:
                    self.error(raw.at, f"{label}: `{column}`: {exc}")
                    return
                values[column] = derived.edtf
                for target, value in zip(targets, (derived.start, derived.end, derived.precision)):
                    values[target] = value
        basis = model.model_fields.get(m.DATE_BASIS_COLUMN)
        if basis is not None and values.get(m.DATE_BASIS_COLUMN) is None:
            values.pop(m.DATE_BASIS_COLUMN, None)
            if "date_edtf" in values or basis.is_required():  # a date the source states, unless typed otherwise
                values[m.DATE_BASIS_COLUMN] = "explicit"
        self.add(raw.table, values, raw.at)

    def _citation(self, raw: RawRow, label: str, values: dict) -> bool:
        placed = self.place(raw, label, {"text": values.get("cited_as", ""),
                                         **{k: values.pop(k) for k in ("occurrence", "prefix") if k in values}},
                            {})
        if placed is None:
            return False
        found, source_id = placed
        self.quote_claims.pop()  # a reference's words are located, not quoted
        canonical = self.canonicals[source_id]
        values.update(citing_source_id=source_id, char_start=found.char_start, char_end=found.char_end, page=found.page_start,
                      cited_as=found.text)
        if found.section == "note":
            values["kind"] = values.get("kind", "footnote")
            values["footnote"] = int(canonical.paragraphs[found.paragraph_seq - 1].text.split(" ")[0])
        else:
            values["kind"] = values.get("kind", "in_text")
        return True


def _text_rows(canonical: CanonicalText) -> dict[str, list[dict]]:
    sid = canonical.source_id
    paragraphs = [dict(paragraph_id=f"{sid}-p{p.seq:03d}", source_id=sid, seq=p.seq, section=p.section,
                       char_start=p.char_start, char_end=p.char_end, page_start=p.page_start,
                       page_end=p.page_end, text=p.text) for p in canonical.paragraphs]
    spans = [dict(source_id=sid, char_start=s, char_end=e, page=page) for s, e, page in canonical.page_spans]
    changes = [dict(change_id=f"{sid}-c{i:03d}", source_id=sid, kind=c.kind, description=c.description,
                    raw_line=c.raw_line, char_offset=None if c.char_offset < 0 else c.char_offset)
               for i, c in enumerate(canonical.changes, start=1)]
    return {"paragraphs": paragraphs, "page_spans": spans, "editorial_changes": changes}


def _quote_rows(resolver: _Resolver) -> tuple[list[tuple[dict, str]], dict[int, str]]:
    """One quote row per distinct span; claims on the same span must agree."""
    by_span: dict[tuple, list[_QuoteClaim]] = defaultdict(list)
    for claim in resolver.quote_claims:
        by_span[(claim.source_id, claim.resolved.char_start, claim.resolved.char_end)].append(claim)
    ids: dict[tuple, str] = {}
    spans = sorted(by_span.items())
    base_of = {span: f"q{claims[0].resolved.page_start}-{_slug(claims[0].resolved.text)}" for span, claims in spans}
    base_counts = Counter(base_of.values())
    with_offsets = Counter(f"{base_of[span]}-{span[1]}-{span[2]}" for span, _ in spans)
    rows = []
    for (sid, start, end), claims in spans:
        r = claims[0].resolved
        base = base_of[(sid, start, end)]
        quote_id = base if base_counts[base] == 1 else f"{base}-{start}-{end}"
        if with_offsets[quote_id] > 1:  # the same words at the same offsets of two sources
            quote_id = f"{quote_id}-{sid}"
        ids[(sid, start, end)] = quote_id
        merged = {}
        for attr in ("voice", "speaker_id", "citation_id"):
            given = {getattr(c, attr) for c in claims if getattr(c, attr) is not None}
            if len(given) > 1:
                resolver.error(claims[-1].where, f"quote “{r.text[:60]}” is used elsewhere with another {attr} "
                               f"({', '.join(sorted(map(str, given)))})", f"first used at {_text(claims[0].where)}")
            merged[attr] = min(given) if given else None
        rows.append((dict(quote_id=quote_id, source_id=sid, text=r.text,
                          text_sha256=hashlib.sha256(r.text.encode("utf-8")).hexdigest(), char_start=r.char_start,
                         char_end=r.char_end, page_start=r.page_start, page_end=r.page_end, prefix=r.prefix,
                         suffix=r.suffix, voice=merged["voice"] or "author", speaker_id=merged["speaker_id"],
                         citation_id=merged["citation_id"],
                         paragraph_id=f"{sid}-p{r.paragraph_seq:03d}"), claims[0].where))
    return rows, ids


def resolve(raw_rows: list[RawRow], canonicals: dict[str, CanonicalText], records: dict[str, dict],
            vocabularies: Vocabularies) -> Resolution:
    """Every table's rows, validated by their models (content vocabularies against `vocabularies`)."""
    resolver = _Resolver(canonicals)
    for raw in raw_rows:
        resolver.expand(raw)
    quote_rows, quote_ids = _quote_rows(resolver)
    for items in resolver.values.values():
        for values, _ in items:
            placed = values.get("quote_id")
            if isinstance(placed, tuple):
                found, sid = placed
                values["quote_id"] = quote_ids[(sid, found.char_start, found.char_end)]

    table_values: dict[str, list[tuple[dict, str]]] = defaultdict(list)
    for sid, record in sorted(records.items()):
        table_values["sources"].append(({"source_id": sid, **record}, (f"sources/{sid}.yaml", None)))
    for canonical in canonicals.values():
        for table, rows in _text_rows(canonical).items():
            table_values[table] += [(r, (f"(generated {table})", None)) for r in rows]
    table_values["quotes"] += quote_rows  # at the first annotation that quotes the words
    for table, items in resolver.values.items():
        table_values[table] += items

    result = Resolution({}, vocabularies=vocabularies)
    seen: dict[tuple[str, tuple], Where] = {}
    for model in m.MODELS:
        name = model.table.name
        built = []
        for values, where in table_values.get(name, []):
            pk = _pk(model, values)
            label = f"{name} row `{'/'.join(map(str, pk))}`"
            if (name, pk) in seen:
                resolver.error(where, f"duplicate id: {label} is already defined at {_text(seen[(name, pk)])}",
                               "give this row another id, or merge the two")
                continue
            seen[(name, pk)] = where
            try:
                built.append(m.validate_row(model, values, vocabularies))
            except ValidationError as exc:
                resolver.errors += _pydantic_lines(exc, model, where, label)
                continue
            except TypeError as exc:
                resolver.error(where, f"{label}: {exc}")
                continue
            result.where[(name, pk)] = where
        result.rows[name] = sorted(built, key=lambda r: tuple(str(getattr(r, k)) for k in model.table.primary_key))
    if resolver.errors:
        raise BuildErrors(sorted(resolver.errors, key=error_order))
    return result


def error_order(error: BuildError) -> tuple:
    return error.finding.sort_key()


def _text(where: Where) -> str:
    file, line = where
    return file if line is None else f"{file}:{line}"
