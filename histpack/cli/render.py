"""What reaches the terminal: tables that fit its width (Rich wraps or cuts cells with an ellipsis and
reads `COLUMNS`), cells whose control characters are shown, never obeyed, and text in what the
terminal's encoding can show (a Latin-1 or ASCII terminal gets `"` for `“`, `--` for `—`, never an
encoding error)."""

from __future__ import annotations

import codecs
import contextlib
import io
import re
import sys
import unicodedata

# C0 and C1 controls but tab and newline, DEL, and the bidirectional overrides and isolates: in a cell
# they would move the cursor, recolour the terminal or reorder the text around them.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ERRORS = "histpack.terminal"
ASCII_FOR = {"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'", "«": "<<", "»": ">>", "–": "-",
             "—": "--", "−": "-", "‐": "-", "…": "...", "¶": "P", "§": "S", "×": "x", "·": "-", "•": "*",
             "→": "->", "←": "<-", "↗": "->", "◂": "<", "▸": ">", "≤": "<=", "≥": ">=", "\u00a0": " "}
# Text is made printable before a table is measured (`printable`); what still reaches the handler is the
# table's own ellipsis, which must stay one character wide.
ASCII_FOR["…"] = "~"


def printable(value) -> str:
    """A cell as text the terminal shows and does not obey (`\\x1b[31m` stays those characters), in what
    its encoding can show, so that a table is measured on the characters it will print."""
    text = "" if value is None else str(value)
    text = _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                         else f"\\u{ord(m.group()):04x}", text)
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    if encoding.lower().replace("_", "-").startswith("utf"):
        return text
    try:
        return text.replace("…", "...").encode(encoding, errors=ERRORS).decode(encoding)
    except LookupError:
        return text


def _nearest(error: UnicodeEncodeError) -> tuple[str, int]:
    """The codec error handler: each character the encoding lacks as its nearest ASCII ("é" → "e")."""
    out = []
    for char in error.object[error.start:error.end]:
        if char in ASCII_FOR:
            out.append(ASCII_FOR[char])
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if ord(c) < 128)
        out.append(base or "?")
    return "".join(out), error.end


codecs.register_error(ERRORS, _nearest)


def fit_encoding(*streams) -> None:
    """Make stdout and stderr print, in a terminal that is not UTF-8, what it can show of every character."""
    for stream in streams or (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower()
        if encoding.replace("_", "-").startswith("utf"):
            continue
        try:
            stream.reconfigure(errors=ERRORS)
        except (AttributeError, ValueError, OSError):
            pass


def console():
    """A Rich console on stdout as it is now (the test runner swaps it), as wide as the terminal or
    `COLUMNS` (80 when neither is known), printing text as given: no markup, no highlighting."""
    from rich.console import Console

    fit_encoding(sys.stdout)
    return Console(file=sys.stdout, highlight=False, markup=False, emoji=False, soft_wrap=False)


def emit(line: str = "") -> None:
    """One line on stdout, in what its encoding can show."""
    fit_encoding(sys.stdout)
    sys.stdout.write(line + "\n")


def short(sql: str, room: int = 60) -> str:
    """A statement on one line, cut with an ellipsis: how a result is headed."""
    one = " ".join(printable(sql).split())
    return one if len(one) <= room else one[: room - 1] + "…"


@contextlib.contextmanager
def utf8_stdout():
    """CSV and JSON are data: written in UTF-8 whatever the terminal's encoding, never transliterated."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("_", "-")
    buffer = getattr(sys.stdout, "buffer", None)
    if encoding.startswith("utf") or buffer is None:
        yield
        return
    sys.stdout.flush()
    stream = io.TextIOWrapper(buffer, encoding="utf-8", newline="", write_through=True)
    try:
        with contextlib.redirect_stdout(stream):
            yield
    finally:
        stream.flush()
        stream.detach()
