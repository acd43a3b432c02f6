"""Annotations name their evidence by the words; this finds the words and computes where they are."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .canonical import CanonicalText, fold_whitespace

CONTEXT_CHARS = 32


class QuoteError(ValueError):
    """The words cannot be placed: not in the essay, ambiguous, or across a paragraph."""


@dataclass(frozen=True)
class ResolvedQuote:
    text: str
    char_start: int
    char_end: int
    page_start: int
    page_end: int
    prefix: str
    suffix: str
    paragraph_seq: int
    section: str


def occurrences(text: str, words: str) -> list[int]:
    found, at = [], text.find(words)
    while at >= 0:
        found.append(at)
        at = text.find(words, at + 1)
    return found


def closest_passage(canonical: CanonicalText, words: str) -> str:
    """The passage of the essay most like `words`, to show a person what they probably meant."""
    text = canonical.text
    matcher = difflib.SequenceMatcher(None, text, words, autojunk=False)
    match = matcher.find_longest_match(0, len(text), 0, len(words))
    if match.size == 0:
        return ""
    start = max(0, match.a - match.b)
    paragraph = canonical.paragraph_of(match.a)
    start = max(start, paragraph.char_start)
    end = min(start + len(words), paragraph.char_end)
    while start > paragraph.char_start and not text[start - 1].isspace():  # whole words
        start -= 1
    while end < paragraph.char_end and not text[end].isspace():
        end += 1
    return text[start:end]


def _context(canonical: CanonicalText, start: int, end: int) -> tuple[str, str]:
    """W3C TextQuoteSelector prefix/suffix, kept inside the quote's paragraph."""
    paragraph = canonical.paragraph_of(start)
    prefix = canonical.text[max(paragraph.char_start, start - CONTEXT_CHARS):start]
    suffix = canonical.text[end:min(paragraph.char_end, end + CONTEXT_CHARS)]
    return prefix, suffix


def resolve_quote(canonical: CanonicalText, words: str, occurrence: int | None = None,
                  prefix: str | None = None) -> ResolvedQuote:
    """Place `words` in the canonical text: exactly once, or as `occurrence`/`prefix` says."""
    words = fold_whitespace(words)
    if not words:
        raise QuoteError("the quote is empty", ) from None
    text = canonical.text
    found = occurrences(text, words)
    if not found:
        crossing = _crossing(canonical, words)
        if crossing:
            raise QuoteError(crossing)
        near = closest_passage(canonical, words)
        hint = f"closest passage: “{near}”" if near else "no similar passage"
        raise QuoteError(f"quote not found in the essay: “{_short(words)}”; {hint}")
    if prefix is not None:
        wanted = fold_whitespace(prefix)
        found = [at for at in found if text[:at].rstrip().endswith(wanted)]
        if not found:
            raise QuoteError(f"no occurrence of “{_short(words)}” follows the prefix “{wanted}”")
    if occurrence is not None:
        if not 1 <= occurrence <= len(found):
            raise QuoteError(f"occurrence {occurrence} asked for, but “{_short(words)}” occurs {len(found)} time(s)")
        found = [found[occurrence - 1]]
    if len(found) > 1:
        pages = ", ".join(f"p. {canonical.page_of(at)}" for at in found)
        raise QuoteError(f"quote is ambiguous: “{_short(words)}” occurs {len(found)} times ({pages}); "
                         f"add `occurrence: N` (1–{len(found)}) or `prefix:` with the words just before it, "
                         f"or quote more words")
    start = found[0]
    end = start + len(words)
    paragraph = canonical.paragraph_of(start)
    if end > paragraph.char_end:
        raise QuoteError(f"quote crosses a paragraph boundary ({paragraph.section} paragraph {paragraph.seq} "
                         f"ends inside it): “{_short(words)}”; quote within one paragraph")
    before, after = _context(canonical, start, end)
    return ResolvedQuote(words, start, end, canonical.page_of(start), canonical.page_of(end - 1),
                         before, after, paragraph.seq, paragraph.section)


def _crossing(canonical: CanonicalText, words: str) -> str:
    """Explain words that stand in the essay but not contiguously: across paragraphs or into a note."""
    parts = words.split(" ")
    paragraphs = canonical.paragraphs
    notes = [p for p in paragraphs if p.section == "note"]
    for cut in range(1, len(parts)):
        head, tail = " ".join(parts[:cut]), " ".join(parts[cut:])
        for note in notes:
            note_words = note.text.split(" ", 1)[-1]  # the note without its number
            if (note.text.startswith(tail) or note_words.startswith(tail)) and \
                    head in canonical.text[: notes[0].char_start]:
                return (f"quote runs from the text into footnote {note.text.split(' ')[0]}: “{_short(words)}”; "
                        f"quote the text and the note separately")
        for before, after in zip(paragraphs, paragraphs[1:]):
            if before.text.endswith(head) and after.text.startswith(tail):
                return (f"quote crosses from paragraph {before.seq} into paragraph {after.seq}: “{_short(words)}”; "
                        f"quote within one paragraph")
    return ""


def _short(words: str, limit: int = 80) -> str:
    return words if len(words) <= limit else words[: limit - 1] + "…"
