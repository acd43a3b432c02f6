"""Annotations name their evidence by the words; this finds the words and computes where they are."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from histpack.text.canonical import CanonicalText, fold_whitespace

CONTEXT_CHARS = 32
PROBE_WORDS = 12  # the closest-passage search tries word runs of at most this many words …
PROBE_CHARS = 2000  # … taken from at most this many characters of the quote: bounded work


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
    """The passage of the essay most like `words`, to show a person what they probably meant.

    It is anchored on the longest run of whole words (at most `PROBE_WORDS`, from the first
    `PROBE_CHARS` characters) that the essay contains, so the work is bounded whatever the quote."""
    text = canonical.text
    probe = words[:PROBE_CHARS]
    tokens = probe.split(" ")
    starts, at = [], 0
    for token in tokens:
        starts.append(at)
        at += len(token) + 1
    present = [token in text for token in tokens]
    best = None
    for size in range(min(PROBE_WORDS, len(tokens)), 0, -1):
        for i in range(len(tokens) - size + 1):
            if not all(present[i:i + size]):  # a word the essay lacks: no run holding it is in the essay
                continue
            run = " ".join(tokens[i:i + size])
            if len(run) < 3 and size == 1:
                continue
            found = text.find(run)
            if found >= 0:
                best = (found, starts[i])
                break
        if best:
            break
    if best is None:
        return ""
    match_a, match_b = best
    paragraph = canonical.paragraph_of(match_a)
    start = max(match_a - match_b, paragraph.char_start)
    end = min(start + len(words), paragraph.char_end)
    while start > paragraph.char_start and not text[start - 1].isspace():  # whole words
        start -= 1
    while end < paragraph.char_end and not text[end].isspace():
        end += 1
    return text[start:end]


_INVISIBLE_NAMES = {"\u00ad": "soft hyphen", "\u200b": "zero-width space", "\u200c": "zero-width non-joiner",
                    "\u200d": "zero-width joiner", "\u2060": "word joiner", "\ufeff": "byte-order mark"}


def invisible_characters(words: str) -> str:
    """Characters a person cannot see in the quote, named: soft hyphens, zero-width spaces,
    decomposed accents (a letter followed by a combining mark, where the essay has one character)."""
    named = []
    for char in dict.fromkeys(words):
        category = unicodedata.category(char)
        if char in _INVISIBLE_NAMES or category in ("Cf", "Cc"):
            name = _INVISIBLE_NAMES.get(char) or unicodedata.name(char, "control character").lower()
            named.append(f"U+{ord(char):04X} {name}")
        elif category == "Mn":
            named.append(f"U+{ord(char):04X} {unicodedata.name(char, 'combining mark').lower()} "
                         f"(a decomposed accent; the essay writes accented letters as one character)")
    return ", ".join(named[:4])


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
    longest = max((p.char_end - p.char_start for p in canonical.paragraphs), default=0)
    if len(words) > longest:
        raise QuoteError(f"the quote is {len(words):,} characters long, longer than any paragraph of the essay "
                         f"({longest:,}): “{_short(words)}”; quote within one paragraph")
    text = canonical.text
    found = occurrences(text, words)
    if not found:
        invisible = invisible_characters(words)
        if invisible:
            visible = fold_whitespace(unicodedata.normalize("NFC", "".join(
                c for c in words if c not in _INVISIBLE_NAMES and unicodedata.category(c) not in ("Cf", "Cc"))))
            again = "; without them the words are in the essay" if visible in text else ""
            raise QuoteError(f"quote not found in the essay: “{_short(words)}” holds invisible characters: "
                             f"{invisible}{again}; retype the words, or delete those characters")
        crossing = _crossing(canonical, words)
        if crossing:
            raise QuoteError(crossing)
        near = closest_passage(canonical, words)
        hint = f"closest passage: “{_short(near, 200)}”" if near else "no similar passage"
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
