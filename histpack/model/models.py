"""One pydantic model per table: the single source of truth for columns, types, constraints
and descriptions. Table Schemas, the descriptor, DuckDB DDL and the codebook are rendered
from these classes (`histpack.model.tables` makes them the typed schema model of `schema.py`).

A row of a column with a content vocabulary is validated against the project's vocabularies, given in
pydantic's validation context: `Event.model_validate(values, context={"vocabularies": vocabularies})`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Annotated, ClassVar, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from histpack.model import vocabularies as v
from histpack.model.conventions import DATE_BASIS_COLUMN, DATE_COLUMNS, ENTITY_COLUMNS  # noqa: F401 - part of the models' vocabulary

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


def vocab(values: dict[str, str]):
    """The type of a column with a structural vocabulary (in code); a content vocabulary is data:
    `v.content(name)`."""
    return v.structural(values)


@dataclass(frozen=True)
class Table:
    """What a model is as a table: name, purpose, keys. Foreign keys name the target table;
    the target column is that table's primary key."""

    name: str
    title: str
    description: str
    primary_key: tuple[str, ...]
    foreign_keys: dict[str, str] = field(default_factory=dict)
    derived: tuple[str, ...] = ()  # columns the builder computes; nobody types them
    generated: bool = False  # made from the source texts by the builder, never annotated
    shorthand: "Shorthand | None" = None  # how a parent row's key in annotations expands into rows of this table


@dataclass(frozen=True)
class Shorthand:
    """A child table typed inside its parent row: `persons: {<person_id>: <role>}` in an event → event_persons.

    shape `mapping`: `{id: value}` pairs give `column` and `attr`; `list`: ids give `column`;
    `rows`: a list of mappings, each a row."""

    parent: str
    key: str
    shape: str
    column: str | None = None
    attr: str | None = None




def Id(description: str, **kw):
    return Field(description=description, pattern=ID_PATTERN, max_length=80, **kw)


def Text(description: str, **kw):
    return Field(description=description, min_length=1, **kw)


EditorialNote = Annotated[Optional[str], Field(
    description="What the encoder notes about this row: where the essay conflicts with the historical record "
                "(the essay's statement is kept in the row), or what the encoding inferred beyond the essay.")]
"""The one declaration of every table's `editorial_note` column."""

EvidenceSource = Annotated[str, Field(
    pattern=ID_PATTERN, max_length=80, json_schema_extra={"derived_from": "quote_id"},
    description="The analysed source the row's evidence comes from: the source of its `quote_id` (derived).")]
"""The one declaration of the `source_id` of a table whose rows rest on a quote: in a corpus of
several sources, every row of evidence says which source it is from."""


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)
    table: ClassVar[Table]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs):
        """Date columns derive their start, end and precision; an evidence table's `source_id` is
        derived and names a row of `sources`."""
        super().__pydantic_init_subclass__(**kwargs)
        dates = tuple(d for column, derived in DATE_COLUMNS.items() if column in cls.model_fields
                      for d in derived if d not in cls.table.derived)
        if dates:
            cls.table = replace(cls.table, derived=(*cls.table.derived, *dates))
        source = cls.model_fields.get("source_id")
        if source is not None and (source.json_schema_extra or {}).get("derived_from") == "quote_id":
            table = cls.table  # an evidence table: its source_id is derived, and names a row of `sources`
            cls.table = replace(table, foreign_keys={**table.foreign_keys, "source_id": "sources"},
                                derived=(*table.derived, "source_id"))


class DatedRow(Row):
    """Rows with an EDTF date: start, end and precision are derived from it; its basis says whether the
    source states it (`explicit`, the default) or the encoder inferred it (then the note says why)."""

    @model_validator(mode="after")
    def _dates_ordered(self):
        start, end = getattr(self, "date_start", None), getattr(self, "date_end", None)
        if start and end and start > end:
            raise ValueError(f"date_start {start} is after date_end {end}")
        return self

    @model_validator(mode="after")
    def _date_basis(self):
        basis, date = getattr(self, DATE_BASIS_COLUMN, None), getattr(self, "date_edtf", None)
        if basis is not None and date is None:
            raise ValueError(f"`{DATE_BASIS_COLUMN}` is given but the row has no date")
        if basis is None and date is not None:
            raise ValueError(f"`{DATE_BASIS_COLUMN}` is missing for the date {date}")
        if basis == "inferred" and not getattr(self, "editorial_note", None):
            raise ValueError("an inferred date needs `editorial_note` saying how it was inferred")
        return self


def _date_fields(required: bool, what: str, stated_by: str = "the essay"):
    """date_edtf, the three columns derived from it and its basis; required together or optional together."""
    opt = (lambda t: t) if required else (lambda t: Optional[t])
    default = ... if required else None
    return (
        Annotated[opt(str), Field(default, description=f"Date of {what}, as precisely as {stated_by} states it (EDTF, ISO 8601-2).")],
        Annotated[opt(dt.date), Field(default, description="Earliest day covered by `date_edtf` (derived).")],
        Annotated[opt(dt.date), Field(default, description="Latest day covered by `date_edtf` (derived).")],
        Annotated[opt(vocab(v.DATE_PRECISION)), Field(default, description="Precision of `date_edtf` (derived).")],
        Annotated[opt(vocab(v.DATE_BASIS)), Field(default, description=(
            f"Whether {stated_by} states the date (`explicit`, derived when nothing is typed) or the encoder "
            "inferred it from where the source places the thing, or bounded it (`inferred`: `editorial_note` says "
            "how); empty with the date."))],
    )


class Source(Row):
    table: ClassVar[Table] = Table(
        "sources", "Sources",
        "The essay and every work it cites, as it cites them; unknown details stay empty.",
        ("source_id",))
    source_id: str = Id("Identifier of the work.")
    role: vocab(v.SOURCE_ROLE) = Field(description="Whether the work is the analyzed essay or a work it cites.")
    cited_as: str = Text("Name of the work as the essay cites it (often the author's surname).")
    authors: Optional[str] = Field(None, description="Authors as the essay names them; empty if it does not.")
    author_type: Optional[vocab(v.AUTHOR_TYPE)] = Field(None, description=(
        "Whether `authors` names people or one institution; empty means people."))
    work_type: Optional[vocab(v.WORK_TYPE)] = Field(None, description=(
        "What kind of work it is, for citation formats; empty means an article if it has a container."))
    year: Optional[int] = Field(None, ge=1000, le=2100, description="Year of publication, only if the essay gives it.")
    title: Optional[str] = Field(None, description="Title, only if the essay gives it.")
    container: Optional[str] = Field(None, description="Journal, collection or series, only if the essay gives it.")
    volume: Optional[str] = Field(None, description="Volume, only if the essay gives it for the work as a whole.")
    issue: Optional[str] = Field(None, description="Issue number.")
    pages: Optional[str] = Field(None, description="Page range of the work.")
    doi: Optional[str] = Field(None, pattern=r"^10\.\d{4,9}/\S+$", description="Digital Object Identifier.")
    issn: Optional[str] = Field(None, pattern=r"^\d{4}-\d{3}[\dX]$", description="ISSN of the container.")
    url: Optional[str] = Field(None, pattern=r"^https?://", description="Where the work can be read.")
    license: Optional[str] = Field(None, description="Rights in the work's text.")
    redistribution: Optional[vocab(v.REDISTRIBUTION)] = Field(None, description=(
        "For an analysed source: what of its text may be redistributed (its `sources/<source_id>.yaml` states "
        "it). A release and the published site withhold the rest; empty for a cited work, whose text is not here."))
    text_sha256: Optional[str] = Field(None, pattern=r"^[0-9a-f]{64}$", description=(
        "For an analysed source: SHA-256 of its canonical text (UTF-8; the paragraphs joined with blank lines). "
        "Where the text is withheld, a reader's own copy is checked against it (`histpack verify-text`)."))
    editorial_note: EditorialNote = None


class Paragraph(Row):
    table: ClassVar[Table] = Table(
        "paragraphs", "Paragraphs of the canonical text",
        "The canonical text of the essay, one row per paragraph; joined with blank lines they give the text "
        "every offset refers to. Generated from the source text, never typed.",
        ("paragraph_id",), {"source_id": "sources"},
        derived=("paragraph_id", "source_id", "seq", "section", "char_start", "char_end", "page_start", "page_end", "text"), generated=True)
    paragraph_id: str = Id("Identifier: `p` and the paragraph's position, zero-padded.")
    source_id: str = Id("The essay.")
    seq: int = Field(ge=1, description="Position of the paragraph in the canonical text.")
    section: vocab(v.PARAGRAPH_SECTION) = Field(description="Part of the essay the paragraph belongs to.")
    char_start: int = Field(ge=0, description="Offset of the paragraph's first character in the canonical text.")
    char_end: int = Field(ge=1, description="Offset just after its last character (exclusive).")
    page_start: int = Field(ge=1, description="Printed page of its first character.")
    page_end: int = Field(ge=1, description="Printed page of its last character.")
    text: Optional[str] = Field(None, min_length=1, description=(
        "The paragraph's canonical text; empty only in a release of a source whose rights withhold it "
        "(`sources.redistribution`), until `histpack verify-text` restores it from a reader's copy."))


class PageSpan(Row):
    table: ClassVar[Table] = Table(
        "page_spans", "Page map",
        "Printed page of every stretch of the canonical text (the page map). Notes carry the page whose foot "
        "they stood at.", ("source_id", "char_start"), {"source_id": "sources"},
        derived=("source_id", "char_start", "char_end", "page"), generated=True)
    source_id: str = Id("The essay.")
    char_start: int = Field(ge=0, description="First offset of the stretch.")
    char_end: int = Field(ge=1, description="Offset just after the stretch (exclusive).")
    page: int = Field(ge=1, description="Printed page.")


class EditorialChange(Row):
    table: ClassVar[Table] = Table(
        "editorial_changes", "Editorial changes",
        "Every change the normalization made to the source text other than folding whitespace.",
        ("change_id",), {"source_id": "sources"},
        derived=("change_id", "source_id", "kind", "description", "raw_line", "char_offset"), generated=True)
    change_id: str = Id("Identifier: `c` and the change's position.")
    source_id: str = Id("The essay.")
    kind: vocab(v.EDITORIAL_CHANGE_KIND) = Field(description="What was changed.")
    description: str = Text("The change in words.")
    raw_line: int = Field(ge=0, description="Line of the source text file (1-based; 0 for a rule applied everywhere).")
    char_offset: Optional[int] = Field(None, ge=0, description="Where in the canonical text the change took effect; "
                                                                 "empty where the text was removed.")


class Quote(Row):
    table: ClassVar[Table] = Table(
        "quotes", "Quotes",
        "Verbatim passages of the canonical text: the evidence every analytic row rests on. Offsets and "
        "pages are computed by the builder.",
        ("quote_id",),
        {"source_id": "sources", "speaker_id": "persons", "citation_id": "citations", "paragraph_id": "paragraphs"},
        derived=("source_id", "char_start", "char_end", "page_start", "page_end", "prefix", "suffix", "paragraph_id"), generated=True)
    quote_id: str = Id("Identifier of the quote.")
    source_id: str = Id("The essay the words are from.")
    text: Optional[str] = Field(None, min_length=1, description=(
        "The words, exactly as in the canonical text; empty only in a release of a source whose rights withhold "
        "even quotations (`sources.redistribution` `nothing`)."))
    text_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description=(
        "SHA-256 of the words (UTF-8): the quote stays verifiable where its text is withheld."))
    char_start: int = Field(ge=0, description="Offset of the first character in the canonical text.")
    char_end: int = Field(ge=1, description="Offset just after the last character (exclusive).")
    page_start: int = Field(ge=1, description="Printed page of the first character.")
    page_end: int = Field(ge=1, description="Printed page of the last character.")
    prefix: str = Field("", max_length=32, description="Up to 32 characters before the quote in its paragraph (W3C "
                        "TextQuoteSelector); empty in a release of a source whose rights allow only quotations.")
    suffix: str = Field("", max_length=32, description="Up to 32 characters after the quote in its paragraph (W3C "
                        "TextQuoteSelector); empty in a release of a source whose rights allow only quotations.")
    voice: vocab(v.VOICE) = Field(description="Whose words these are.")
    speaker_id: Optional[str] = Id("Person whose words these are; empty for the essay's author.", default=None)
    citation_id: Optional[str] = Id("The reference the essay gives for these words.", default=None)
    paragraph_id: str = Id("The paragraph that holds the quote.")

    @model_validator(mode="after")
    def _span(self):
        if self.char_end <= self.char_start:
            raise ValueError("char_end must be greater than char_start")
        if self.text is not None and self.char_end - self.char_start != len(self.text):
            raise ValueError("char_end - char_start must equal the length of text")
        if self.page_end < self.page_start:
            raise ValueError("page_end before page_start")
        if self.voice == "author" and self.speaker_id:
            raise ValueError("an author-voice quote has no speaker_id")
        return self


class Citation(Row):
    table: ClassVar[Table] = Table(
        "citations", "Citations",
        "Every reference the essay makes to a work: in-text references and footnotes.",
        ("citation_id",), {"source_id": "sources", "citing_source_id": "sources"},
        derived=("citing_source_id", "char_start", "char_end", "page"))
    citation_id: str = Id("Identifier of the reference.")
    source_id: str = Id("The cited work.")
    citing_source_id: str = Id("The analysed source in which the reference stands (derived from the annotation "
                               "file's source); `source_id` is the work it cites.")
    cited_as: str = Text("The exact text of the reference in the essay.")
    locator: Optional[str] = Field(None, description="Pages or volume and pages cited (e.g. `vol. 2, 772`).")
    kind: vocab(v.CITATION_KIND) = Field(description="Where the reference stands.")
    footnote: Optional[int] = Field(None, ge=1, description="Footnote number, for references in footnotes.")
    char_start: int = Field(ge=0, description="Offset of the reference in the canonical text.")
    char_end: int = Field(ge=1, description="Offset just after the reference (exclusive).")
    page: int = Field(ge=1, description="Printed page of the reference.")


class Person(Row):
    table: ClassVar[Table] = Table(
        "persons", "Persons",
        "Every person the essay names: actors, historians, cited authors; spelled as the essay spells them.",
        ("person_id",), {"regime_id": "regimes", "quote_id": "quotes"})
    person_id: str = Id("Identifier of the person.")
    name: str = Text("Name as the essay spells it (fullest form it gives).")
    role: str = Text("Role as the essay presents the person.")
    regime_id: Optional[str] = Id("Regime the person acted in; empty for scholars.", default=None)
    kind: vocab(v.PERSON_KIND) = Field(description="Actor or scholar.")
    quote_id: str = Id("The person's first mention in the essay.")
    source_id: EvidenceSource
    editorial_note: EditorialNote = None


class Regime(Row):
    table: ClassVar[Table] = Table(
        "regimes", "Regimes",
        "The regimes the sources compare or mention.",
        ("regime_id",), {"leader_id": "persons", "quote_id": "quotes"})
    regime_id: str = Id("Identifier of the regime.")
    name: str = Text("Name of the regime.")
    state: str = Text("The state it ruled.")
    leader_id: Optional[str] = Id("The leader the essay associates with it.", default=None)
    period_edtf: str = Field(description="Period of the regime (EDTF interval), from the historical record: the essay gives none.")
    period_start: dt.date = Field(description="First day of the period (derived).")
    period_end: dt.date = Field(description="Last day of the period (derived).")
    quote_id: str = Id("Where the essay first names the regime.")
    source_id: EvidenceSource
    editorial_note: EditorialNote = None


class Place(Row):
    table: ClassVar[Table] = Table(
        "places", "Places",
        "Every place the essay names, with its parent place.",
        ("place_id",), {"parent_id": "places", "regime_id": "regimes", "quote_id": "quotes"})
    place_id: str = Id("Identifier of the place.")
    name: str = Text("Name as the essay spells it.")
    kind: v.content("place_kind") = Field(description="What kind of place it is.")
    parent_id: Optional[str] = Id("The place that contains it.", default=None)
    regime_id: Optional[str] = Id("The regime that ruled it in the essay's story.", default=None)
    country: Optional[str] = Field(None, pattern=r"^[A-Z]{2}$", description=(
        "Present-day country that holds the place (ISO 3166-1 alpha-2 code, checked against the iso-codes "
        "4.15 list), for joining with other data; "
        "empty for a place that spans several of today's countries or none (a former union of states, a historical region, a continent)."))
    quote_id: str = Id("The place's first mention.")
    source_id: EvidenceSource


_ev = _date_fields(True, "the event")


class Event(DatedRow):
    table: ClassVar[Table] = Table(
        "events", "Events",
        "Every dated happening the essay mentions, dated as precisely as the essay dates it.",
        ("event_id",), {"regime_id": "regimes", "place_id": "places", "quote_id": "quotes", "citation_id": "citations"})
    event_id: str = Id("Identifier: date and short name, e.g. `1929-12-14-short-name`.")
    regime_id: str = Id("Regime in which the event happened.")
    date_edtf: _ev[0]
    date_start: _ev[1]
    date_end: _ev[2]
    date_precision: _ev[3]
    date_basis: _ev[4]
    event_type: v.content("event_type") = Field(description="Kind of event.")
    title: str = Text("Short title.")
    summary: str = Text("What happened, as the essay tells it (paraphrase).")
    place_id: Optional[str] = Id("Where it happened.", default=None)
    quote_id: str = Id("The essay's words for the event, with its date.")
    source_id: EvidenceSource
    citation_id: Optional[str] = Id("The reference the essay gives for it.", default=None)
    editorial_note: EditorialNote = None


class EventPerson(Row):
    table: ClassVar[Table] = Table(
        "event_persons", "Persons in events", "Who took part in each event, and how.",
        ("event_id", "person_id"), {"event_id": "events", "person_id": "persons"},
        shorthand=Shorthand("events", "persons", "mapping", "person_id", "role"))
    event_id: str = Id("The event.")
    person_id: str = Id("The person.")
    role: v.content("event_person_role") = Field(description="The person's part in the event.")


_ph = _date_fields(True, "the phase")


class Phase(DatedRow):
    table: ClassVar[Table] = Table(
        "phases", "Campaign phases",
        "The essay's pattern of waves, retreats and new waves, per regime and campaign, in order.",
        ("phase_id",), {"regime_id": "regimes", "event_id": "events", "quote_id": "quotes"})
    phase_id: str = Id("Identifier of the phase.")
    regime_id: str = Id("Regime of the campaign.")
    campaign: v.content("phase_campaign") = Field(description="The campaign whose course the phase belongs to.")
    seq: int = Field(ge=1, description="Order of the phase within its campaign.")
    phase_type: v.content("phase_type") = Field(description="Offensive, retreat, radicalization or consolidation.")
    date_edtf: _ph[0]
    date_start: _ph[1]
    date_end: _ph[2]
    date_precision: _ph[3]
    date_basis: _ph[4]
    label: str = Text("Short label.")
    summary: str = Text("What the phase was, as the essay tells it (paraphrase).")
    event_id: Optional[str] = Id("The event that opens or marks the phase.", default=None)
    quote_id: str = Id("The essay's words for the phase.")
    source_id: EvidenceSource
    editorial_note: EditorialNote = None


_pu = _date_fields(True, "the purge")


class Purge(DatedRow):
    table: ClassVar[Table] = Table(
        "purges", "Purges",
        "Expulsions, removals, purges and planned eliminations of party members, officials, specialists or groups.",
        ("purge_id",), {"regime_id": "regimes", "instigator_id": "persons", "event_id": "events", "quote_id": "quotes"})
    purge_id: str = Id("Identifier of the purge.")
    regime_id: str = Id("Regime that purged.")
    date_edtf: _pu[0]
    date_start: _pu[1]
    date_end: _pu[2]
    date_precision: _pu[3]
    date_basis: _pu[4]
    target: str = Text("Who was purged, in short.")
    target_group: str = Text("The group targeted, in a few words (e.g. `party establishment`).")
    instigator_id: Optional[str] = Id("Who drove it.", default=None)
    summary: str = Text("What happened, as the essay tells it (paraphrase).")
    event_id: Optional[str] = Id("The event it is part of.", default=None)
    quote_id: str = Id("The essay's words for the purge.")
    source_id: EvidenceSource
    editorial_note: EditorialNote = None


class PurgeTarget(Row):
    table: ClassVar[Table] = Table(
        "purge_targets", "Purge targets", "Named persons each purge struck, and what befell them.",
        ("purge_id", "person_id"), {"purge_id": "purges", "person_id": "persons"},
        shorthand=Shorthand("purges", "targets", "mapping", "person_id", "outcome"))
    purge_id: str = Id("The purge.")
    person_id: str = Id("The person targeted.")
    outcome: v.content("purge_outcome") = Field(description="What befell them, as the essay says.")


_rh = _date_fields(False, "the utterance")


class Rhetoric(DatedRow):
    table: ClassVar[Table] = Table(
        "rhetoric", "Rhetoric",
        "Direct quotations of actors' words (speeches, letters, articles, diaries, memoranda), by theme.",
        ("rhetoric_id",), {"regime_id": "regimes", "speaker_id": "persons", "quote_id": "quotes",
                           "citation_id": "citations", "event_id": "events"})
    rhetoric_id: str = Id("Identifier of the utterance.")
    regime_id: str = Id("Regime of the speaker.")
    speaker_id: str = Id("Who said or wrote the words.")
    theme: v.content("rhetoric_theme") = Field(description="Main theme of the words.")
    date_edtf: _rh[0]
    date_start: _rh[1]
    date_end: _rh[2]
    date_precision: _rh[3]
    date_basis: _rh[4]
    summary: str = Text("What the words say (paraphrase).")
    quote_id: str = Id("The words themselves.")
    source_id: EvidenceSource
    citation_id: Optional[str] = Id("The reference the essay gives for the words.", default=None)
    event_id: Optional[str] = Id("The speech, letter or entry the words belong to.", default=None)
    editorial_note: EditorialNote = None


class Thesis(Row):
    table: ClassVar[Table] = Table(
        "theses", "Theses",
        "The essay's arguments and the positions in the debate it takes part in.",
        ("thesis_id",), {"quote_id": "quotes"})
    thesis_id: str = Id("Identifier of the thesis.")
    statement: str = Text("The thesis in a short paraphrase.")
    topic: v.content("thesis_topic") = Field(description="What the thesis is about.")
    held_by: v.content("school") = Field("essay", description="Whose thesis it is.")
    stance: v.content("thesis_stance") = Field(description="Whether the essay asserts or rejects it.")
    quote_id: str = Id("The sentence that states it.")
    source_id: EvidenceSource
    editorial_note: EditorialNote = None


class ThesisProponent(Row):
    table: ClassVar[Table] = Table(
        "thesis_proponents", "Thesis proponents", "Scholars the essay names as holding a thesis.",
        ("thesis_id", "person_id"), {"thesis_id": "theses", "person_id": "persons"},
        shorthand=Shorthand("theses", "proponents", "list", "person_id"))
    thesis_id: str = Id("The thesis.")
    person_id: str = Id("A scholar who holds it.")


class Comparison(Row):
    table: ClassVar[Table] = Table(
        "comparisons", "Comparisons",
        "Every comparison the essay draws between regimes (or between regions of one regime).",
        ("comparison_id",), {"quote_id": "quotes"})
    comparison_id: str = Id("Identifier of the comparison.")
    dimension: v.content("comparison_dimension") = Field(description="What is compared.")
    relation: v.content("comparison_relation") = Field(description="Similarity, difference or analogy.")
    basis: vocab(v.BASIS) = Field(description="Stated by the essay or inferred by the encoder.")
    basis_note: Optional[str] = Field(None, description="Why an inferred comparison was inferred.")
    claim: str = Text("The comparison in a short paraphrase.")
    quote_id: str = Id("The words that draw the comparison.")
    source_id: EvidenceSource

    @model_validator(mode="after")
    def _inferred_says_why(self):
        if self.basis == "inferred" and not self.basis_note:
            raise ValueError("an inferred comparison needs basis_note saying why")
        return self


class ComparisonSide(Row):
    table: ClassVar[Table] = Table(
        "comparison_sides", "Comparison sides",
        "One row per side of a comparison: the regime (or region), what it did, the essay's words for it.",
        ("comparison_id", "side_id"),
        {"comparison_id": "comparisons", "regime_id": "regimes", "place_id": "places", "quote_id": "quotes",
         "event_id": "events", "phase_id": "phases", "purge_id": "purges", "rhetoric_id": "rhetoric"},
        shorthand=Shorthand("comparisons", "sides", "rows"))
    comparison_id: str = Id("The comparison.")
    side_id: str = Id("Identifier of the side within the comparison (usually the regime or place).")
    regime_id: str = Id("Regime of this side.")
    place_id: Optional[str] = Id("Place, for a contrast inside one regime.", default=None)
    side_summary: str = Text("What this side did (paraphrase).")
    quote_id: str = Id("The essay's words for this side.")
    source_id: EvidenceSource
    event_id: Optional[str] = Id("Event this side rests on.", default=None)
    phase_id: Optional[str] = Id("Phase this side rests on.", default=None)
    purge_id: Optional[str] = Id("Purge this side rests on.", default=None)
    rhetoric_id: Optional[str] = Id("Rhetoric this side rests on.", default=None)
    editorial_note: EditorialNote = None


class Term(Row):
    table: ClassVar[Table] = Table(
        "terms", "Regime vocabulary",
        "Words of a regime's own language that the essay puts in quotation marks (e.g. “extraordinary measures”), "
        "one row per term and regime; every occurrence is in `term_occurrences`.",
        ("term_id",), {"regime_id": "regimes", "quote_id": "quotes"})
    term_id: str = Id("Identifier of the term.")
    regime_id: str = Id("Regime whose language the term belongs to.")
    term: str = Text("The term as the essay prints it at its first occurrence, without the quotation marks.")
    gloss: str = Text("What the term names, as the essay presents it (paraphrase).")
    quote_id: str = Id("The term's first occurrence: the term as printed there, without its quotation marks (the opening mark ends the quote's prefix; the closing mark begins its suffix, or follows the punctuation printed inside it).")
    source_id: EvidenceSource


class TermOccurrence(Row):
    table: ClassVar[Table] = Table(
        "term_occurrences", "Term occurrences",
        "Every place the essay uses a term of `terms`, the first included; the quote gives offsets and page.",
        ("term_id", "quote_id"), {"term_id": "terms", "quote_id": "quotes"},
        shorthand=Shorthand("terms", "occurrences", "rows"))
    term_id: str = Id("The term.")
    quote_id: str = Id("The occurrence: the term as printed there, without its quotation marks (the opening mark ends the quote's prefix; the closing mark begins its suffix, or follows the punctuation printed inside it).")
    source_id: EvidenceSource


_at = _date_fields(False, "the entity as this source gives it", "this source")


class Attestation(DatedRow):
    table: ClassVar[Table] = Table(
        "attestations", "Attestations",
        "What a source says about a person, place, regime, event, phase or purge of the package, in its own "
        "words and with the date it gives: an entity is one row in its table, with one attestation per further "
        "passage or source, so that sources can be compared (view `source_dates`).",
        ("attestation_id",), {"person_id": "persons", "place_id": "places", "regime_id": "regimes",
                              "event_id": "events", "phase_id": "phases", "purge_id": "purges", "quote_id": "quotes"})
    attestation_id: str = Id("Identifier of the attestation.")
    person_id: Optional[str] = Id("The person attested (exactly one of the entity columns is given).", default=None)
    place_id: Optional[str] = Id("The place attested.", default=None)
    regime_id: Optional[str] = Id("The regime attested.", default=None)
    event_id: Optional[str] = Id("The event attested.", default=None)
    phase_id: Optional[str] = Id("The phase attested.", default=None)
    purge_id: Optional[str] = Id("The purge attested.", default=None)
    date_edtf: _at[0]
    date_start: _at[1]
    date_end: _at[2]
    date_precision: _at[3]
    date_basis: _at[4]
    summary: Optional[str] = Field(None, min_length=1, description="What the source says of it (paraphrase).")
    quote_id: str = Id("The source's words.")
    source_id: EvidenceSource
    editorial_note: EditorialNote = None

    @model_validator(mode="after")
    def _one_entity(self):
        given = [c for c in ENTITY_COLUMNS if getattr(self, c) is not None]
        if len(given) != 1:
            raise ValueError(f"an attestation names exactly one of {', '.join(ENTITY_COLUMNS)} "
                             f"({'none' if not given else ', '.join(given)} given)")
        return self


class Slip(Row):
    table: ClassVar[Table] = Table(
        "slips", "The sources' own slips",
        "Typographical slips of an analysed source (a word too many or too few, a wrong word, an unbalanced "
        "quotation mark): the quotes keep them verbatim, and every quote that holds one is read with “[sic]” "
        "after it (view `quote_context`, column `text_sic`), so that whoever copies it knows the slip is the "
        "source's.",
        ("slip_id",), {"quote_id": "quotes"})
    slip_id: str = Id("Identifier of the slip.")
    kind: v.content("slip_kind") = Field(description="What kind of slip it is.")
    quote_id: str = Id("The slip's own words, located like any quote: “[sic]” follows them wherever a quote "
                       "holds them.")
    source_id: EvidenceSource
    reading: Optional[str] = Field(None, min_length=1, description=(
        "What the slip's words were meant to read; empty where the source does not let one tell."))
    editorial_note: EditorialNote = None


MODELS: tuple[type[Row], ...] = (
    Source, Paragraph, PageSpan, EditorialChange, Citation, Regime, Person, Quote, Place, Event, EventPerson,
    Phase, Purge, PurgeTarget, Rhetoric, Thesis, ThesisProponent, Comparison, ComparisonSide, Term, TermOccurrence,
    Attestation, Slip,
)
BY_TABLE: dict[str, type[Row]] = {m.table.name: m for m in MODELS}
ANNOTATED_TABLES: tuple[str, ...] = tuple(m.table.name for m in MODELS if not m.table.generated)
"""The tables a person types in annotations/ (`sources` holds typed cited works and generated analysed ones)."""


def vocabulary_uses() -> v.Uses:
    """Content vocabulary name → (table, column, column default) of every column that uses it."""
    out: v.Uses = {}
    for model in MODELS:
        for name, info in model.model_fields.items():
            vocabulary = getattr(v.vocabulary_type(info.annotation), "content_vocabulary", None)
            if vocabulary:
                out.setdefault(vocabulary, []).append((model.table.name, name, info.default))
    return out


def load_vocabularies(root) -> v.Vocabularies:
    """The content vocabularies of the project at `root` (`annotations/vocabularies.yaml`), checked
    against the columns that use them."""
    return v.load(root, vocabulary_uses())


def vocabularies_of_package(fields: dict[tuple[str, str], dict], where: str) -> v.Vocabularies:
    """The content vocabularies a built package records in its schemas ((table, column) → field)."""
    return v.from_fields(fields, vocabulary_uses(), where)


def meanings(model: type[Row], vocabularies: v.Vocabularies) -> dict[str, dict[str, str]]:
    """Column → (value → meaning) of every vocabulary column of `model`."""
    out = {}
    for name, info in model.model_fields.items():
        kind = v.vocabulary_type(info.annotation)
        if kind is None:
            continue
        out[name] = dict(kind.values) if kind.values is not None else dict(vocabularies.get(kind.content_vocabulary, {}))
    return out


def validate_row(model: type[Row], values: dict, vocabularies: v.Vocabularies) -> Row:
    """A row of `model`, validated (content vocabularies against `vocabularies`)."""
    return model.model_validate(values, context={v.CONTEXT: vocabularies})
