"""Source text → canonical text: the one string every quote offset refers to.

The PDF extraction carries layout (tabs and no-break spaces between words, a running head,
footnotes at page feet, a missing drop capital). The canonical text keeps the words and
drops the layout; every change that is not mere whitespace is recorded, and every
character keeps the printed page it stood on.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from histpack.project.errors import BuildError, echo
from histpack.project.layout import display_path
from histpack.project.rights import DEFAULT as DEFAULT_REDISTRIBUTION, FULL_TEXT, NOTHING, QUOTATIONS
from histpack.project.yaml import load_yaml

PARAGRAPH_SEPARATOR = "\n\n"
ADDING_A_SOURCE = "docs/architecture.md, “Adding a source”"
_WHITESPACE = re.compile(r"\s+")


def fold_whitespace(text: str) -> str:
    """Every run of whitespace (tab, no-break space, line break) as one space, ends trimmed."""
    return _WHITESPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class Paragraph:
    seq: int
    section: str
    char_start: int
    char_end: int
    page_start: int
    page_end: int
    text: str


@dataclass(frozen=True)
class EditorialChange:
    kind: str
    description: str
    raw_line: int
    char_offset: int


@dataclass(frozen=True)
class Footnote:
    number: int
    marker_offset: int
    paragraph_seq: int


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def _compiled(value: str) -> str:
    """`value`, if it is a regular expression."""
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a regular expression ({exc})") from None
    return value


class RunningHead(_Strict):
    pattern: str = Field(description="Regular expression on the raw line (whitespace folded) of a line to remove.")
    page: Optional[int] = Field(None, description="The page number the line prints, checked against the page count.")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        return _compiled(value)


class PageBreak(_Strict):
    """How the extraction shows that a new printed page begins."""

    line_pattern: str = Field("^ ", min_length=1, description=(
        "Regular expression on the raw line (before whitespace is folded): a non-blank line that matches "
        "starts the next printed page, except the first page's lines listed in `first_page_indented`."))

    @field_validator("line_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        return _compiled(value)


class Hyphenation(_Strict):
    """How the extraction writes a hyphen, and how it shows a word split across two lines."""

    folded: list[Annotated[str, Field(min_length=1)]] = Field(["-\u2010", "\u2010"], description=(
        "Character sequences the extraction writes for one hyphen, tried in this order (longest first); "
        "each becomes `-` in the canonical text and is recorded as `hyphen_folded`."))
    line_end: str = Field("-\u2010", min_length=1, description=(
        "A line whose text ends with this holds a word split across lines: the next line is joined "
        "without a space (`line_end_hyphen_joined`)."))


class DropCapital(_Strict):
    letter: str
    before: str


class Section(_Strict):
    name: str
    starts: str


class FootnoteSpec(_Strict):
    number: int
    starts: str
    marker_after: str


def _marker_format(value: str) -> str:
    """`value`, if it holds the `{number}` placeholder once and no other braces."""
    rest = value.replace("{number}", "", 1)
    if "{number}" not in value or "{" in rest or "}" in rest:
        raise ValueError("must hold `{number}` once and no other braces (e.g. `{number}` or `[{number}]`)")
    return value


class Layout(_Strict):
    """How the PDF extraction lays the essay out; every key is read by `build_canonical_text`."""

    first_page: int
    last_page: int
    absent_pages: list[int] = []
    page_break: PageBreak = PageBreak()
    hyphenation: Hyphenation = Hyphenation()
    footnote_marker: str = Field("{number}", description=(
        "How a note's marker is printed in the body right after `marker_after`: `{number}` stands for the "
        "note's number in digits."))
    first_page_indented: list[str] = []
    running_heads: list[RunningHead] = []
    drop_capital: Optional[DropCapital] = None
    paragraph_starts: list[str] = []
    paragraph_continues_after: list[str] = []
    sections: list[Section] = []
    footnotes: list[FootnoteSpec] = []

    @field_validator("footnote_marker")
    @classmethod
    def _one_number(cls, value: str) -> str:
        return _marker_format(value)


class SourceFile(_Strict):
    """The keys of `sources/<source_id>.yaml`; a misspelt or unknown key is an error, not ignored."""

    source_id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    text_file: str = Field(pattern=r"^[^/\\]+$", description="The text's file name, beside this file.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    record: dict[str, Any]
    redistribution: Literal[FULL_TEXT, QUOTATIONS, NOTHING] = Field(DEFAULT_REDISTRIBUTION, description=(
        "What of the text may be redistributed: `full_text`, `quotations` (only the quoted passages; the default, "
        "for a text with no known licence) or `nothing` (the quotes' offsets, pages and hashes only)."))
    also_at: list[str] = []
    layout: Layout


@dataclass
class SourceMetadata:
    """The `sources/<source_id>.yaml` file: record and layout of one essay."""

    path: Path
    source_id: str
    text_path: Path
    sha256: str
    record: dict
    layout: dict
    also_at: list[str] = field(default_factory=list)
    display: str = ""  # the file as errors name it (relative to the project)
    text_display: str = ""
    redistribution: str = DEFAULT_REDISTRIBUTION

    @classmethod
    def load(cls, path: Path, root: Path | None = None) -> "SourceMetadata":

        display = display_path(path, root) if root is not None else str(path)
        try:
            data = load_yaml(path.read_bytes(), display)
        except OSError as exc:
            raise BuildError.at(display, 1, f"cannot read source metadata: {exc.strerror}") from None
        if not isinstance(data, dict):
            raise BuildError.at(display, 1, "source metadata must be a mapping of keys",
                             f"see {ADDING_A_SOURCE}")
        try:
            parsed = SourceFile.model_validate(data)
        except ValidationError as exc:
            raise _metadata_error(exc, data, display) from None
        text_path = path.parent / parsed.text_file
        if root is not None and not text_path.resolve().is_relative_to(Path(root).resolve()):
            raise BuildError.at(display, data.key_lines.get('text_file', 1), "`text_file` is a link to a file "
                             "outside the project", "copy the text into sources/; nothing is read outside the project")
        return cls(path, parsed.source_id, text_path, parsed.sha256, dict(parsed.record),
                   parsed.layout.model_dump(), list(parsed.also_at), display,
                   str(Path(display).parent / parsed.text_file), parsed.redistribution)


def _metadata_error(exc: ValidationError, data: dict, display: str) -> BuildError:
    """The first problem of a source metadata file, at the line of the key it concerns."""
    err = exc.errors()[0]
    loc = [part for part in err["loc"] if not (isinstance(part, str) and part in ("function-after",))]
    line, node = getattr(data, "line", 1), data
    for part in loc:
        if isinstance(node, dict) and part in node:
            line = getattr(node, "key_lines", {}).get(part, line)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            line = getattr(node, "lines", [line] * (part + 1))[part]
            node = node[part]
        else:
            break
    key = ".".join(map(str, loc))
    where = f"{display}:{line}"
    if err["type"] == "extra_forbidden":
        model = _model_at(loc[:-1])
        near = difflib.get_close_matches(str(loc[-1]), sorted(model.model_fields), n=1) if model else []
        hint = f"did you mean `{near[0]}`?" if near else \
            f"keys: {', '.join(sorted(model.model_fields))}" if model else ""
        return BuildError(where, f"unknown key `{key}` in source metadata", hint)
    if err["type"] == "missing":
        return BuildError(where, f"source metadata lacks `{key}`", f"see {ADDING_A_SOURCE}")
    message = err["msg"].removeprefix("Value error, ")
    model = _model_at(loc) if err["type"] == "model_type" else None
    if model is not None:
        message = f"must be a mapping of the keys {', '.join(model.model_fields)}"
    return BuildError(where, f"source metadata `{key}` is {echo(err.get('input'))}: {message}",
                      f"fix it at that line ({ADDING_A_SOURCE} describes every key)")


def _model_at(loc: list) -> type[BaseModel] | None:
    model: type[BaseModel] | None = SourceFile
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field_info = model.model_fields.get(part)
        if field_info is None:
            return None
        annotation = field_info.annotation
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if model is None:
            for c in candidates:
                for inner in getattr(c, "__args__", ()):
                    if isinstance(inner, type) and issubclass(inner, BaseModel):
                        model = inner
    return model


@dataclass
class CanonicalText:
    """The canonical text with its page map, paragraphs, footnotes and editorial changes."""

    source_id: str
    text: str
    paragraphs: list[Paragraph]
    page_spans: list[tuple[int, int, int]]  # (char_start, char_end, page), in offset order
    footnotes: list[Footnote]
    changes: list[EditorialChange]
    source_sha256: str
    _span_starts: list[int] = field(default_factory=list, repr=False)
    _para_starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._span_starts = [s for s, _, _ in self.page_spans]
        self._para_starts = [p.char_start for p in self.paragraphs]

    @property
    def text_sha256(self) -> str:
        """SHA-256 of the canonical text (UTF-8): what a reader's copy is checked against where the text is withheld."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def page_of(self, offset: int) -> int:
        """Printed page of the character at `offset`."""
        if not 0 <= offset < len(self.text):
            raise IndexError(offset)
        return self.page_spans[bisect.bisect_right(self._span_starts, offset) - 1][2]

    def paragraph_of(self, offset: int) -> Paragraph:
        return self.paragraphs[bisect.bisect_right(self._para_starts, offset) - 1]

    def section_span(self, name: str) -> tuple[int, int]:
        paras = [p for p in self.paragraphs if p.section == name]
        return paras[0].char_start, paras[-1].char_end


@dataclass
class _Line:
    number: int
    raw: str
    text: str  # whitespace-folded
    page: int
    kind: str  # blank, removed, note, text


def _assign_pages(lines: list[str], layout: dict, where: str) -> list[int]:
    """Printed page of every raw line: a line matching `page_break.line_pattern` starts a page; the running
    head checks the count."""
    page = layout["first_page"]
    exempt = tuple(layout.get("first_page_indented", []))
    page_break = re.compile(layout["page_break"]["line_pattern"])
    heads = [(re.compile(h["pattern"]), h.get("page")) for h in layout.get("running_heads", [])]
    pages = []
    for number, raw in enumerate(lines, start=1):
        folded = fold_whitespace(raw)
        numbered = next((p for rx, p in heads if p is not None and rx.search(folded)), None)
        if numbered is not None:
            if numbered != page + 1:
                raise BuildError.at(where, number, f"running head says p. {numbered} but the page count gives p. {page + 1}",
                                 "check `first_page` and `first_page_indented` in the source metadata")
            page = numbered
        elif folded and page_break.search(raw) and not (page == layout["first_page"] and folded.startswith(exempt)):
            page += 1
        pages.append(page)
    printed_last = layout["last_page"] - len(layout.get("absent_pages", []))
    if pages and pages[-1] != printed_last:
        raise BuildError(where, f"the text ends on p. {pages[-1]} but the metadata expects p. {printed_last}",
                         "check `last_page` and `absent_pages`")
    return pages


def _classify(lines: list[str], pages: list[int], layout: dict) -> list[_Line]:
    heads = [re.compile(h["pattern"]) for h in layout.get("running_heads", [])]
    note_starts = [n["starts"] for n in layout.get("footnotes", [])]
    out = []
    for number, (raw, page) in enumerate(zip(lines, pages), start=1):
        text = fold_whitespace(raw)
        if not text:
            kind = "blank"
        elif any(rx.search(text) for rx in heads):
            kind = "removed"
        elif text.startswith(tuple(note_starts)):
            kind = "note"
        else:
            kind = "text"
        out.append(_Line(number, raw, text, page, kind))
    return out


class _Draft:
    """One paragraph being assembled: characters, their pages, and its changes at local offsets."""

    def __init__(self, first_line: int) -> None:
        self.first_line = first_line
        self.section = ""
        self.chars: list[str] = []
        self.pages: list[int] = []
        self.lines: list[int] = []  # raw line of each character, so a change names the line it was made on
        self.changes: list[tuple[str, str, int, int]] = []  # kind, description, raw line, local offset

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def add(self, text: str, page: int, line: int) -> None:
        self.chars.extend(text)
        self.pages.extend([page] * len(text))
        self.lines.extend([line] * len(text))

    def note(self, kind: str, description: str, line: int, local: int | None = None) -> None:
        self.changes.append((kind, description, line, len(self.chars) if local is None else local))

    def insert(self, pos: int, text: str) -> None:
        self.chars[pos:pos] = list(text)
        self.pages[pos:pos] = [self.pages[pos]] * len(text)
        self.lines[pos:pos] = [self.lines[pos]] * len(text)
        self.changes = [(k, d, n, o + len(text) if o >= pos else o) for k, d, n, o in self.changes]

    def delete(self, pos: int, width: int) -> None:
        del self.chars[pos:pos + width]
        del self.pages[pos:pos + width]
        del self.lines[pos:pos + width]
        self.changes = [(k, d, n, o - width if o > pos else o) for k, d, n, o in self.changes]

    def add_line(self, line: _Line, hyphens: list[str]) -> None:
        """Append one line's words, folding each sequence the extraction writes for a hyphen to `-`."""
        text = line.text
        i = 0
        while i < len(text):
            hyphen = next((h for h in hyphens if text.startswith(h, i)), "")
            if hyphen:
                self.note("hyphen_folded", " ".join(f"U+{ord(c):04X}" for c in hyphen) + " as '-'", line.number)
                self.add("-", line.page, line.number)
                i += len(hyphen)
            else:
                self.add(text[i], line.page, line.number)
                i += 1


def _paragraph_chunks(lines: list[_Line], layout: dict) -> list[list[_Line]]:
    starts = tuple(layout.get("paragraph_starts", []))
    continues = tuple(layout.get("paragraph_continues_after", []))
    chunks: list[list[_Line]] = []
    blank_since_text = removed_since_text = False
    previous: _Line | None = None
    for line in lines:
        if line.kind == "blank":
            blank_since_text = True
        elif line.kind in ("removed", "note"):
            removed_since_text = True
        else:
            new = (previous is None or line.text.startswith(starts)
                   or (blank_since_text and not removed_since_text and not previous.text.endswith(continues)))
            if new:
                chunks.append([])
            chunks[-1].append(line)
            previous = line
            blank_since_text = removed_since_text = False
    return chunks


def _draft_paragraph(chunk: list[_Line], hyphenation: dict) -> _Draft:
    draft = _Draft(chunk[0].number)
    for n, line in enumerate(chunk):
        if n:
            if chunk[n - 1].text.endswith(hyphenation["line_end"]):
                draft.note("line_end_hyphen_joined", "a word hyphenated at a line end joined without a space",
                           line.number)
            else:
                draft.add(" ", chunk[n - 1].page, chunk[n - 1].number)
        draft.add_line(line, hyphenation["folded"])
    return draft


def build_canonical_text(metadata: SourceMetadata) -> CanonicalText:
    """Normalize the source text as its metadata describes; see docs/design-contract.md, "Pipeline", step 1."""
    where = metadata.text_display or str(metadata.text_path)
    meta_where = metadata.display or str(metadata.path)
    try:
        raw_bytes = metadata.text_path.read_bytes()
    except OSError as exc:
        raise BuildError(where, f"cannot read the source text: {exc.strerror}") from None
    digest = hashlib.sha256(raw_bytes).hexdigest()
    if digest != metadata.sha256:
        raise BuildError(where, f"sha256 is {digest}, metadata says {metadata.sha256}",
                         "the source must stay byte-identical to the essay as received")
    if raw_bytes.startswith(b"\xef\xbb\xbf"):
        raise BuildError.at(where, 1, "the source text starts with a byte-order mark (U+FEFF)",
                         "save it without one (UTF-8, no BOM) and update `sha256`")
    try:
        decoded = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw_bytes[: exc.start].count(b"\n") + 1
        raise BuildError.at(where, line, f"the source text is not UTF-8 (byte 0x{raw_bytes[exc.start]:02X})",
                         "save it as UTF-8 and update `sha256`") from None
    layout = metadata.layout
    lines = decoded.replace("\r\n", "\n").split("\n")
    classified = _classify(lines, _assign_pages(lines, layout, where), layout)
    drafts = [_draft_paragraph(chunk, layout["hyphenation"]) for chunk in _paragraph_chunks(classified, layout)]
    global_changes = [EditorialChange("whitespace_folded",
                                      "tabs, no-break spaces, line breaks and space runs inside a paragraph as one "
                                      "space; paragraphs separated by one blank line", 0, -1)]
    global_changes += [EditorialChange("running_head_removed", f"removed the running head line '{line.text}'",
                                       line.number, -1) for line in classified if line.kind == "removed"]

    drop = layout.get("drop_capital")
    if drop:
        target = next((d for d in drafts if d.text.startswith(drop["before"])), None)
        if target is None:
            raise BuildError(meta_where, f"drop capital: no paragraph begins {drop['before']!r}")
        target.insert(0, drop["letter"])
        target.note("drop_capital_restored", f"restored the drop capital '{drop['letter']}'", target.first_line, 0)

    footnote_specs = layout.get("footnotes", [])
    markers: list[tuple[int, _Draft, int]] = []
    for spec in footnote_specs:
        marker = layout["footnote_marker"].replace("{number}", str(spec["number"]))
        for draft in drafts:
            at = draft.text.find(spec["marker_after"])
            if at >= 0:
                pos = at + len(spec["marker_after"])
                if draft.text[pos:pos + len(marker)] != marker:
                    raise BuildError(meta_where, f"footnote {marker}: no marker after {spec['marker_after']!r}")
                marker_line = draft.lines[pos]
                draft.delete(pos, len(marker))
                draft.note("footnote_marker_removed", f"removed footnote marker {marker} (the note is in the notes section)",
                           marker_line, pos)
                markers.append((spec["number"], draft, pos))
                break
        else:
            raise BuildError(meta_where, f"footnote {marker}: marker context {spec['marker_after']!r} not found")

    pending = list(layout.get("sections", []))
    current = None
    for draft in drafts:
        if pending and draft.text.startswith(pending[0]["starts"]):
            current = pending.pop(0)["name"]
        if current is None:
            raise BuildError(meta_where, f"text before the first section: {draft.text[:40]!r}")
        draft.section = current
    if pending:
        raise BuildError(meta_where, f"section {pending[0]['name']!r} not found: no paragraph begins {pending[0]['starts']!r}")

    note_drafts: dict[int, _Draft] = {}
    for line in (line for line in classified if line.kind == "note"):
        number = next(s["number"] for s in footnote_specs if line.text.startswith(s["starts"]))
        draft = _Draft(line.number)
        draft.section = "note"
        draft.add_line(line, layout["hyphenation"]["folded"])
        draft.note("footnote_moved", f"footnote {number} moved from the foot of p. {line.page} to the notes section",
                   line.number, 0)
        note_drafts[number] = draft
    missing = {s["number"] for s in footnote_specs} - set(note_drafts)
    if missing:
        raise BuildError(meta_where, f"footnote {min(missing)}: no line begins with its `starts` words")
    drafts += [note_drafts[n] for n in sorted(note_drafts)]

    text_parts: list[str] = []
    page_of_char: list[int] = []
    paragraphs: list[Paragraph] = []
    changes = list(global_changes)
    base_of: dict[int, int] = {}
    for seq, draft in enumerate(drafts, start=1):
        if text_parts:
            text_parts.append(PARAGRAPH_SEPARATOR)
            page_of_char.extend([page_of_char[-1]] * len(PARAGRAPH_SEPARATOR))
        start = len(page_of_char)
        base_of[id(draft)] = start
        text_parts.append(draft.text)
        page_of_char.extend(draft.pages)
        paragraphs.append(Paragraph(seq, draft.section, start, start + len(draft.chars),
                                    draft.pages[0], draft.pages[-1], draft.text))
        changes += [EditorialChange(k, d, n, start + o) for k, d, n, o in draft.changes]
    changes.sort(key=lambda c: (c.char_offset, c.raw_line, c.kind))
    seq_of = {id(d): i for i, d in enumerate(drafts, start=1)}
    footnotes = sorted((Footnote(number, base_of[id(d)] + pos, seq_of[id(note_drafts[number])])
                        for number, d, pos in markers), key=lambda f: f.number)

    spans: list[tuple[int, int, int]] = []
    for i, page in enumerate(page_of_char):
        if spans and spans[-1][2] == page:
            spans[-1] = (spans[-1][0], i + 1, page)
        else:
            spans.append((i, i + 1, page))
    return CanonicalText(metadata.source_id, "".join(text_parts), paragraphs, spans, footnotes, changes, digest)


def load_canonical_text(metadata_path: Path) -> CanonicalText:
    return build_canonical_text(SourceMetadata.load(metadata_path))
