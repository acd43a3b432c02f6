"""What of an analysed source's text may leave the machine, as each `sources/<id>.yaml` states it.

The working build keeps every text whole: the quotes are verified against it. What is published (a
release, the site built with `--publish`) carries of each text only what its statement allows; a
reader with their own copy restores the rest (`histpack verify-text`).
"""

from __future__ import annotations

FULL_TEXT, QUOTATIONS, NOTHING = "full_text", "quotations", "nothing"

REDISTRIBUTION = {
    FULL_TEXT: "The whole text may be redistributed (an open licence or the public domain): releases and the "
               "published site carry it.",
    QUOTATIONS: "Only the quoted passages may be redistributed (the default for a text with no known licence): "
                "releases and the published site carry the quotes, with their offsets, pages and hashes, but not "
                "the paragraphs' text, the quotes' surrounding words (prefix, suffix) or the source file.",
    NOTHING: "None of the text may be redistributed: releases and the published site carry the quotes' offsets, "
             "pages and hashes only.",
}
DEFAULT = QUOTATIONS

# table → the text columns a statement withholds in the rows of that source (`source_id`)
WITHHELD: dict[str, dict[str, tuple[str, ...]]] = {
    FULL_TEXT: {},
    QUOTATIONS: {"paragraphs": ("text",), "quotes": ("prefix", "suffix")},
    NOTHING: {"paragraphs": ("text",), "quotes": ("text", "prefix", "suffix")},
}


def withheld(redistribution: str | None) -> dict[str, tuple[str, ...]]:
    """The columns withheld for a source with this statement (a cited work, with none, has no text here)."""
    return WITHHELD.get(redistribution or FULL_TEXT, {})


def ships_text_file(redistribution: str | None) -> bool:
    """Whether the source's text file, as received, may go into a release."""
    return redistribution == FULL_TEXT
