"""How much of the essay the annotations anchor: per paragraph and per sentence.

A sentence is covered when at least one quote overlaps it. This is how an encoder sees what
is still missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from histpack.text.canonical import CanonicalText

# A sentence ends at . ? ! or … (optionally followed by a closing quote or bracket) before a
# space and a capital, an opening quote or a digit — except after the abbreviations below.
_END = re.compile(r"[.?!…]+[”’\)\]]*(?= [A-Z“‘\"(0-9])")
_ABBREVIATIONS = ("P.", "A.", "vol.", "Qtd.", "i.e.", "e.g.", "et al.", "Dr.", "St.", "No.")


@dataclass(frozen=True)
class Sentence:
    paragraph_seq: int
    section: str
    char_start: int
    char_end: int
    text: str


@dataclass(frozen=True)
class ParagraphCoverage:
    seq: int
    section: str
    page_start: int
    quotes: tuple[str, ...]
    sentences: int
    covered: int


@dataclass(frozen=True)
class Coverage:
    paragraphs: list[ParagraphCoverage]
    uncovered: list[Sentence]

    @property
    def paragraph_share(self) -> float:
        return sum(1 for p in self.paragraphs if p.quotes) / len(self.paragraphs)

    @property
    def sentence_share(self) -> float:
        total = sum(p.sentences for p in self.paragraphs)
        return sum(p.covered for p in self.paragraphs) / total


def sentences(canonical: CanonicalText) -> list[Sentence]:
    out = []
    for p in canonical.paragraphs:
        start = 0
        for match in _END.finditer(p.text):
            end = match.end()
            if p.text[:end].endswith(_ABBREVIATIONS) and not p.text[:end].endswith("..."):
                continue
            out.append(Sentence(p.seq, p.section, p.char_start + start, p.char_start + end, p.text[start:end]))
            start = end + 1
        if start < len(p.text):
            out.append(Sentence(p.seq, p.section, p.char_start + start, p.char_end, p.text[start:]))
    return out


def coverage(canonical: CanonicalText, quotes: list[tuple[str, int, int]]) -> Coverage:
    """`quotes` are (quote_id, char_start, char_end) in this canonical text."""
    all_sentences = sentences(canonical)
    paragraphs, uncovered = [], []
    for p in canonical.paragraphs:
        inside = sorted({q for q, s, e in quotes if s < p.char_end and e > p.char_start})
        mine = [s for s in all_sentences if s.paragraph_seq == p.seq]
        hit = [s for s in mine if any(qs < s.char_end and qe > s.char_start for _, qs, qe in quotes)]
        uncovered += [s for s in mine if s not in hit]
        paragraphs.append(ParagraphCoverage(p.seq, p.section, p.page_start, tuple(inside), len(mine), len(hit)))
    return Coverage(paragraphs, uncovered)


SECTIONS = ("abstract", "epigraph", "body", "note")  # the canonical text's sections (`PARAGRAPH_SECTION`)


@dataclass(frozen=True)
class SourceCoverage:
    """How much of one source the rows anchor, within one section or in all of them."""

    source_id: str
    canonical: CanonicalText
    paragraphs: list[ParagraphCoverage]
    uncovered: list[Sentence]

    @property
    def covered_paragraphs(self) -> int:
        return sum(1 for p in self.paragraphs if p.quotes)

    @property
    def sentences(self) -> int:
        return sum(p.sentences for p in self.paragraphs)

    @property
    def covered_sentences(self) -> int:
        return sum(p.covered for p in self.paragraphs)


def source_coverage(canonical: CanonicalText, spans: list[tuple[str, int, int]],
                    section: str | None = None) -> SourceCoverage:
    """`coverage` of one source, narrowed to `section` when one is given."""
    result = coverage(canonical, spans)
    return SourceCoverage(canonical.source_id, canonical,
                          [p for p in result.paragraphs if section in (None, p.section)],
                          [s for s in result.uncovered if section in (None, s.section)])
