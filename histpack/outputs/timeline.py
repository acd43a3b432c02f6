"""One lane per regime: phases as coloured spans by type; events, purges and rhetoric as labelled marks.

Each source's own dates are drawn: its rows, and the dates it gives (`attestations`) of events,
phases, purges, persons, places and regimes. Drawn with matplotlib to SVG, PNG, PDF or HTML (the
SVG inline with the key to phases, events, purges and rhetoric, dates in words), by calendar date
from `since` or by years from each regime's campaign start (`align="campaign"`),
so campaigns of different regimes and decades line up. `layout` and `mark_levels` are shared with the site's
interactive SVG (`histpack.site.timeline_svg`): the campaign axis fits the phases and clips what
lies beyond them to the edge, phases keep a minimum width, and labels take part in the stacking
so none overlaps another.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import duckdb

from histpack.annotate.date_words import date_in_words
from histpack.project.errors import BuildError
from histpack.project.writer import Protected, atomic_file, check_target, write_text

PHASE_COLOURS = {"offensive": "#e6550d", "retreat": "#31a354", "radicalization": "#a50f15",
                 "consolidation": "#3182bd"}


@dataclass(frozen=True)
class Item:
    kind: str  # phase, event, purge, rhetoric
    regime_id: str
    start: dt.date
    end: dt.date
    label: str
    detail: str  # phase type, event type (or the kind of entity a further source dates), purge target group, theme
    seq: int = 0
    item_id: str = ""
    quote_id: str = ""
    date_edtf: str = ""
    source_id: str = ""
    attestation_id: str = ""  # set when the date is a further source's, from `attestations`

    @property
    def table(self) -> str:
        if self.attestation_id:
            return "attestations"
        return {"phase": "phases", "event": "events", "purge": "purges", "rhetoric": "rhetoric"}[self.kind]

    @property
    def short(self) -> str:
        """The label drawn beside a mark (the full one is its hover text): an event's number in its lane."""
        if self.kind == "event":
            return f"E{self.seq}" if self.seq else self.label
        return self.detail if self.kind == "purge" else self.label

    @property
    def when(self) -> str:
        """The date as a reader says it ("summer 1953"), from its EDTF."""
        return date_in_words(self.date_edtf) or self.start.isoformat()

    @property
    def entity_id(self) -> str:
        """The row the mark stands for (an attestation's entity)."""
        return self.item_id


def timeline_items(con: duckdb.DuckDBPyConnection, source_id: str | None = None) -> tuple[list[Item], dict[str, str]]:
    """Events, phases, purges and dated rhetoric, and every date a further source gives of an entity
    (`attestations` of events, phases, purges, persons, places, regimes); only those of one analysed
    source with `source_id`, else all of them. Events are numbered in their lane by date (E1, E2 …);
    a further source's date of an event carries the event's number."""
    where = "source_id = $source OR $source IS NULL"
    params = {"source": source_id}
    items = [Item("phase", *r) for r in con.execute(
        "select regime_id, date_start, date_end, label, cast(phase_type as varchar), seq, phase_id, quote_id, "
        f"date_edtf, source_id from phases where {where} order by regime_id, seq", params).fetchall()]
    numbers = {r[0]: r[1] for r in con.execute(
        "select event_id, row_number() over (partition by regime_id order by date_start, date_end, event_id) "
        "from events").fetchall()}
    items += [Item("event", r[0], r[1], r[2], r[3], r[4], numbers[r[5]], *r[5:]) for r in con.execute(
        "select regime_id, date_start, date_end, title, cast(event_type as varchar), event_id, quote_id, date_edtf, "
        f"source_id from events where {where}", params).fetchall()]
    items += [Item("purge", *r) for r in con.execute(
        "select regime_id, date_start, date_end, target, target_group, 0, purge_id, quote_id, date_edtf, source_id "
        f"from purges where {where}", params).fetchall()]
    items += [Item("rhetoric", *r) for r in con.execute(
        "select regime_id, date_start, date_end, speaker_id || ': ' || cast(theme as varchar), cast(theme as varchar), "
        f"0, rhetoric_id, quote_id, date_edtf, source_id from rhetoric where date_start is not null and ({where})",
        params).fetchall()]
    items += [Item("phase", *r) for r in con.execute(
        "select p.regime_id, a.date_start, a.date_end, p.label, cast(p.phase_type as varchar), p.seq, p.phase_id, "
        "a.quote_id, a.date_edtf, a.source_id, a.attestation_id from attestations a join phases p using (phase_id) "
        f"where a.date_start is not null and (a.{where})", params).fetchall()]
    items += [Item("event", r[0], r[1], r[2], r[3], r[4], numbers[r[5]], *r[5:]) for r in con.execute(
        "select e.regime_id, a.date_start, a.date_end, e.title, cast(e.event_type as varchar), e.event_id, "
        "a.quote_id, a.date_edtf, a.source_id, a.attestation_id from attestations a join events e using (event_id) "
        f"where a.date_start is not null and (a.{where})", params).fetchall()]
    items += [Item("purge", *r) for r in con.execute(
        "select p.regime_id, a.date_start, a.date_end, p.target, p.target_group, 0, p.purge_id, a.quote_id, "
        "a.date_edtf, a.source_id, a.attestation_id from attestations a join purges p using (purge_id) "
        f"where a.date_start is not null and (a.{where})", params).fetchall()]
    items += [Item("event", *r) for r in con.execute(
        "select coalesce(regime_id, ''), date_start, date_end, label, entity_kind, 0, entity_id, quote_id, date_edtf, "
        "source_id, attestation_id from entity_evidence where origin = 'attestation' and date_start is not null "
        f"and entity_kind in ('person', 'place', 'regime') and ({where})", params).fetchall()]
    names = dict(con.execute("select regime_id, name from regimes").fetchall())
    return sorted(items, key=lambda i: (i.regime_id, i.start, i.kind, i.label, i.item_id, i.attestation_id)), names


def nothing_to_draw(con: duckdb.DuckDBPyConnection, source_id: str | None) -> str:
    """Why a selection has no mark, in words: what the source (or the package) holds instead."""
    who = f"`{source_id}`" if source_id else "the package"
    where, params = "source_id = $source OR $source IS NULL", {"source": source_id}
    attested = con.execute(f"select count(*), count(date_start) from attestations where {where}", params).fetchone()
    rows = con.execute(f"select count(*) from quotes where {where}", params).fetchone()[0]
    held = (f"its {attested[0]} attestation{'s' if attested[0] != 1 else ''} give no date" if attested[0]
            else "it attests nothing")
    return (f"nothing to draw: {who} dates no event, phase, purge or rhetoric row ({rows} quotes; {held})")


def timeline_title(con: duckdb.DuckDBPyConnection, source_id: str | None = None) -> str:
    """`<how the source is cited>: campaigns, purges and rhetoric`, naming the analysed sources drawn
    (their number, beyond two)."""
    cited = [r[0] for r in con.execute(
        "select cited_as from sources where cast(role as varchar) = 'analyzed' and ($source is null or source_id = $source) "
        "order by source_id", {"source": source_id}).fetchall()]
    if not cited:
        raise ValueError(f"`{source_id}` is not an analysed source of the package")
    names = " · ".join(cited) if len(cited) <= 2 else f"{len(cited)} sources"
    return f"{names}: events, campaigns, purges and rhetoric"


def _years(d: dt.date) -> float:
    return d.year + (d.timetuple().tm_yday - 1) / 365.25


@dataclass(frozen=True)
class Placed:
    """An item on the axis. `clipped` is "left" or "right" when its true date lies outside the
    axis and it is drawn at the edge with a marker instead of stretching the plot."""

    item: Item
    x0: float
    x1: float
    clipped: str = ""
    titled: bool = False  # an event labelled with its title too (when there are few), not its number only


@dataclass(frozen=True)
class Layout:
    placed: list[Placed]
    left_out: list[Item]
    axis_label: str
    lo: float
    hi: float
    why: dict[str, str] | None = None  # an item's identity → why it is not on the axis

    @property
    def span(self) -> float:
        return max(self.hi - self.lo, 1.0)

    @property
    def min_width(self) -> float:
        """Phases as short as a month stay visible: never drawn narrower than this."""
        return self.span * MIN_WIDTH_SHARE

    def reason(self, item: Item) -> str:
        """Why `item` is not on the axis: "before 1920", "no campaign phases to align on" …"""
        return (self.why or {}).get(_identity(item), "")

    def left_out_by_reason(self) -> dict[str, list[Item]]:
        grouped: dict[str, list[Item]] = {}
        for item in self.left_out:
            grouped.setdefault(self.reason(item), []).append(item)
        return grouped


def _identity(item: Item) -> str:
    return f"{item.kind}:{item.item_id}:{item.attestation_id}:{item.start}"


MIN_WIDTH_SHARE = 0.008
AXIS_PAD = 0.5  # years either side of the campaigns
TITLED_EVENTS = 15  # up to this many events on the axis, each is labelled with its title as well as its number
NO_CAMPAIGN = "no campaign phases to align on"
OUTSIDE_CAMPAIGN = "outside the campaigns"


def layout(items: list[Item], align: str, since: int | None = None) -> Layout:
    """Where each item goes. By campaign year the axis fits the campaigns' phases; a purge or rhetoric
    beyond them (a purge decades later) is clipped to the edge and marked, not allowed to stretch it,
    and an event beyond them is listed instead (there are many). By calendar year the axis starts at
    `since` (when given), and what ends before it is listed."""
    why: dict[str, str] = {}
    if align == "campaign":
        starts: dict[str, dt.date] = {}
        for i in items:
            if i.kind == "phase":
                starts[i.regime_id] = min(starts.get(i.regime_id, i.start), i.start)
        raw = [(i, _years(i.start) - _years(starts[i.regime_id]),
                _years(i.end) + 1 / 365.25 - _years(starts[i.regime_id])) for i in items if i.regime_id in starts]
        why.update({_identity(i): NO_CAMPAIGN for i in items if i.regime_id not in starts})
        phases = [(x0, x1) for i, x0, x1 in raw if i.kind == "phase"]
        lo = min((x0 for x0, _ in phases), default=0.0) - AXIS_PAD
        hi = max((x1 for _, x1 in phases), default=1.0) + AXIS_PAD
        outside = [(i, x0, x1) for i, x0, x1 in raw if i.kind == "event" and (x1 < lo or x0 > hi)]
        why.update({_identity(i): OUTSIDE_CAMPAIGN for i, _, _ in outside})
        raw = [r for r in raw if r not in outside]
        axis_label = "years from the start of the regime's campaign"
    else:
        raw = [(i, _years(i.start), _years(i.end) + 1 / 365.25) for i in items if since is None or i.end.year >= since]
        why.update({_identity(i): f"before {since}" for i in items if since is not None and i.end.year < since})
        lo = since if since is not None else min((x0 for _, x0, _ in raw), default=0.0) - AXIS_PAD
        hi = max((x1 for _, _, x1 in raw), default=1.0) + AXIS_PAD
        axis_label = "year"
    placed = []
    titled = sum(i.kind == "event" for i, _, _ in raw) <= TITLED_EVENTS
    for i, x0, x1 in raw:
        if x0 > hi:
            placed.append(Placed(i, hi, hi, "right", titled))
        elif x1 < lo:
            placed.append(Placed(i, lo, lo, "left", titled))
        else:
            placed.append(Placed(i, max(x0, lo), min(x1, hi), "", titled))
    left_out = [i for i in items if _identity(i) in why]
    return Layout(placed, left_out, axis_label, lo, hi, why)


SPANS = ("event", "purge")  # marks drawn as a line from the first day to the last


def mark_levels(placed: list[Placed], gap: float, label_width=None) -> dict[str, int]:
    """Stack the marks of one kind in one lane in rows, so that no mark, purge span or label
    overlaps another. `label_width(placed)` is the room its label takes after the mark, in axis units."""
    levels: dict[str, int] = {}
    last: dict[tuple[str, str, int], float] = {}
    for p in sorted(placed, key=lambda p: (p.x0, p.item.item_id)):
        item = p.item
        if item.kind == "phase":
            continue
        left, right = (p.x0, p.x1) if item.kind in SPANS else ((p.x0 + p.x1) / 2,) * 2
        if label_width is not None:
            right = label_x(p) + label_width(p)
        level = 0
        while last.get((item.regime_id, item.kind, level), -1e9) >= left - gap:
            level += 1
        last[(item.regime_id, item.kind, level)] = right
        levels[level_key(p)] = level
    return levels


def label_x(p: Placed) -> float:
    """Where a mark's label starts (before any offset): after an event's or a purge's span, beside a rhetoric dot."""
    return p.x1 if p.item.kind in SPANS else (p.x0 + p.x1) / 2


def mark_label(p: Placed) -> str:
    short = p.item.short
    if p.titled and p.item.kind == "event" and p.item.seq:
        short += " " + textwrap.shorten(p.item.label, 48, placeholder="…")
    return short + (f" ({clip_note(p)})" if p.clipped else "")


def level_key(p: Placed) -> str:
    """A mark's identity for stacking: a further source's date of a row is a mark of its own."""
    attested = f"@{p.item.attestation_id}" if p.item.attestation_id else ""
    return f"{p.item.kind}:{p.item.item_id or p.item.label}{attested}:{p.x0}"


def clip_note(p: Placed) -> str:
    """The true year of a clipped item, with an arrow pointing off the axis."""
    return f"{p.item.start.year} ▸" if p.clipped == "right" else f"◂ {p.item.start.year}"


def hover_text(item: Item, names: dict[str, str]) -> str:
    """What a mark is, in words: "Regime, event E31 (famine): Its title — 1932–33"."""
    if item.kind == "event" and not item.seq:  # a further source's date of a person, place or regime
        kind = item.detail
    else:
        kind = {"phase": f"phase {item.seq} ({item.detail})", "event": f"event E{item.seq} ({item.detail})",
                "purge": "purge", "rhetoric": "rhetoric"}[item.kind]
    dated = item.when
    if item.attestation_id:
        dated += f" as {item.source_id} dates it"
    lane = names.get(item.regime_id, item.regime_id) or NO_REGIME
    return f"{lane}, {kind}: {item.label} — {dated}"


NO_REGIME = "no regime"


def regime_order(placed: list[Placed]) -> list[str]:
    """Lanes from the regime with the most marks to the one with the fewest (ties by id)."""
    counts: dict[str, int] = {}
    for p in placed:
        counts[p.item.regime_id] = counts.get(p.item.regime_id, 0) + 1
    return sorted(counts, key=lambda r: (-counts[r], r))


FORMATS = (".svg", ".png", ".pdf", ".html")
EVENT_COLOUR = "#1f5f8b"


def key_lines(placed: list[Placed], names: dict[str, str], kind: str) -> list[str]:
    """The key to one kind of mark, one line each, dates in words: phases and events by their number."""
    lines = []
    for p in sorted((p for p in placed if p.item.kind == kind),
                    key=lambda p: (p.item.regime_id, p.item.seq, p.item.start, p.item.attestation_id)):
        line = hover_text(p.item, names)
        lines.append(line + (f" (drawn at the edge: {clip_note(p)})" if p.clipped else ""))
    return lines


def not_shown(lay: Layout, names: dict[str, str]) -> str:
    """`Not shown — before 1920: Regime 1917; …`: what the axis leaves out, and why."""
    parts = []
    for why, left in sorted(lay.left_out_by_reason().items()):
        listed = sorted({f"{names.get(i.regime_id, i.regime_id) or NO_REGIME} {i.start.year}" for i in left})
        parts.append(f"{why}: {'; '.join(listed)}")
    return "Not shown — " + " · ".join(parts) if parts else ""


def draw_timeline(items: list[Item], names: dict[str, str], out: Path, align: str = "calendar",
                  since: int | None = 1920, title: str = "Events, campaigns, purges and rhetoric",
                  protected: Protected | None = None) -> Path:
    """Write the picture to `out` (.svg, .png, .pdf or .html), through the safe writer (never over a link,
    a special file or a `protected` one). Every mark is labelled where the stacking leaves room for it
    (always, since labels take part in the stacking) and carries hover text in SVG; the PDF adds a page
    with the key (every phase, event, purge and rhetoric, dates in words), as the HTML does."""
    import matplotlib

    matplotlib.use("Agg")
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{out}: the picture is written as {', '.join(FORMATS[:-1])} or {FORMATS[-1]}")
    check_target(out, protected=protected)
    lay = layout(items, align, since if align == "calendar" else None)
    if not lay.placed:
        if align == "campaign":
            raise BuildError("timeline --align campaign", "nothing to draw: no regime has campaign phases to align on",
                             "draw it by calendar date (--align calendar)")
        last = max(i.end.year for i in items)
        raise BuildError(f"timeline --since {since}", f"nothing to draw: every dated item ends before {since} (the "
                         f"last in {last})", f"give an earlier year, such as --since {min(i.start.year for i in items)}")
    # names and labels are the data's words, drawn as text: `$…$` in them is never matplotlib's math
    with matplotlib.rc_context({"svg.hashsalt": "histpack", "text.parse_math": False}):
        return _draw(lay, names, out, suffix, align, since, title, protected)


def _draw(lay: Layout, names: dict[str, str], out: Path, suffix: str, align: str, since: int | None, title: str,
          protected: Protected | None) -> Path:
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    placed = lay.placed
    regimes = regime_order(placed)
    span = lay.span
    char_width = span / 215
    levels = mark_levels(placed, gap=span * 0.004, label_width=lambda p: char_width * (len(mark_label(p)) + 2))

    def rows(regime: str, kind: str) -> int:
        return 1 + max((levels[level_key(p)] for p in placed if p.item.regime_id == regime and p.item.kind == kind),
                       default=-1)

    def marks_below_bar(regime: str) -> int:
        return rows(regime, "purge") + rows(regime, "rhetoric") + rows(regime, "event")

    row, bar, head = 0.13, 0.3, 0.35
    base: dict[str, float] = {}
    height = 0.0
    for regime in reversed(regimes):
        base[regime] = height
        height += 0.1 + row * marks_below_bar(regime) + bar + head
    left_note = not_shown(lay, names)
    note_lines = textwrap.wrap(left_note, 150) if left_note else []
    fig_height = 1.5 * height + 1.9 + 0.18 * len(note_lines)
    fig, ax = plt.subplots(figsize=(14, fig_height), dpi=110)
    mark_titles = {}
    for p in placed:
        item, x0, x1 = p.item, p.x0, p.x1
        y = base[item.regime_id]
        n_purge, n_rhet = rows(item.regime_id, "purge"), rows(item.regime_id, "rhetoric")
        bar_y = y + 0.1 + row * marks_below_bar(item.regime_id)
        gid = f"mark-{item.kind}-{item.item_id}"
        mark_titles[gid] = hover_text(item, names)
        if item.kind == "phase":
            width = max(x1 - x0, lay.min_width)
            bars = ax.broken_barh([(x0, width)], (bar_y, bar * 0.8),
                                  facecolors=PHASE_COLOURS.get(item.detail, "#999"), edgecolor="white", linewidth=0.6)
            bars.set_gid(gid)
            ax.text(x0 + width / 2, bar_y + bar + (0.05 if item.seq % 2 else 0.2), str(item.seq), ha="center",
                    va="center", fontsize=8.5, fontweight="bold")
            continue
        level = levels[level_key(p)]
        mid = (x0 + x1) / 2
        if item.kind == "purge":
            my = y + 0.08 + row * level
            ax.hlines(my, x0, x1, color="black", linewidth=1)
            mark, = ax.plot([mid], [my], marker="v", color="black", markersize=7, linestyle="none")
        elif item.kind == "event":
            my = y + 0.08 + row * (n_purge + n_rhet + level)
            ax.hlines(my, x0, x1, color=EVENT_COLOUR, linewidth=1)
            mark, = ax.plot([mid], [my], marker="D", color=EVENT_COLOUR, markersize=4.5, linestyle="none",
                            markerfacecolor="white" if item.attestation_id else EVENT_COLOUR)
        else:
            my = y + 0.08 + row * (n_purge + level)
            mark, = ax.plot([mid], [my], marker="o", color="#6a3d9a", markersize=6, linestyle="none",
                            markerfacecolor="white", markeredgewidth=1.6)
        mark.set_gid(gid)
        ax.text(label_x(p) + char_width * 1.5, my, mark_label(p), fontsize=6.5, va="center", color="#333333")
    for p in placed:
        if p.clipped:
            y = base[p.item.regime_id]
            edge = lay.hi if p.clipped == "right" else lay.lo
            ax.plot([edge], [y + 0.03], marker=">" if p.clipped == "right" else "<", color="#b00000",
                    markersize=6, linestyle="none", clip_on=False)
    label_ends = [label_x(p) + char_width * (len(mark_label(p)) + 3) for p in placed if p.item.kind != "phase"]
    ax.set_xlim(lay.lo, max([lay.hi, *label_ends]))
    ax.set_yticks([base[r] + 0.1 + row * marks_below_bar(r) + bar * 0.4 for r in regimes])
    ax.set_yticklabels([names.get(r, r) or NO_REGIME for r in regimes], fontsize=11)
    ax.set_ylim(0, max(height, 1.0))
    for r in regimes:
        ax.axhline(base[r], color="#dddddd", linewidth=0.8)
    ax.set_xlabel(lay.axis_label, fontsize=11)
    ax.grid(axis="x", color="#eeeeee")
    ax.set_axisbelow(True)
    title += " aligned by campaign year" if align == "campaign" else ""
    ax.set_title(title, fontsize=13)
    drawn = {p.item.kind for p in placed} | {p.item.detail for p in placed if p.item.kind == "phase"}
    legend = [Patch(color=c, label=f"phase: {t}") for t, c in PHASE_COLOURS.items() if t in drawn]
    marks = [("event", Line2D([], [], marker="D", color=EVENT_COLOUR, linestyle="none",
                              label="event (label: E + its number in the key)")),
             ("purge", Line2D([], [], marker="v", color="black", linestyle="none", label="purge (label: target group)")),
             ("rhetoric", Line2D([], [], marker="o", color="#6a3d9a", markerfacecolor="white", linestyle="none",
                                 label="rhetoric (label: speaker: theme)"))]
    legend += [handle for kind, handle in marks if kind in drawn]
    if any(p.item.attestation_id and p.item.kind != "phase" for p in placed):
        legend.append(Line2D([], [], marker="D", color=EVENT_COLOUR, markerfacecolor="white", linestyle="none",
                             label="a further source's date (hollow)"))
    if any(p.clipped for p in placed):
        legend.append(Line2D([], [], marker=">", color="#b00000", linestyle="none", label="beyond the axis (true year)"))
    ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, -0.55 / max(height, 1.0)),
              ncol=4, frameon=False, fontsize=9.5)
    for n, line in enumerate(note_lines):
        fig.text(0.01, 0.012 + 0.16 * (len(note_lines) - 1 - n) / fig_height, line, fontsize=8, color="#555555")
    fig.tight_layout(rect=(0, 0.14 * len(note_lines) / fig_height + 0.005, 1, 1))
    keys = {heading: key_lines(placed, names, kind) for heading, kind in KEY_SECTIONS}
    if suffix == ".png":
        with atomic_file(out, protected=protected, suffix=".png") as tmp:
            fig.savefig(tmp, format="png", metadata={"Software": None})
    elif suffix == ".pdf":
        _write_pdf(fig, keys, left_note, title, out, protected)
    else:
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        svg = _add_titles(buffer.getvalue(), mark_titles)
        if suffix == ".svg":
            write_text(out, svg, protected=protected)
        else:
            sections = "".join(f"<h2>{heading}</h2><ul>{''.join(f'<li>{html.escape(line)}</li>' for line in lines)}</ul>"
                               for heading, lines in keys.items())
            write_text(out, f"<!doctype html><meta charset='utf-8'><title>{html.escape(title)}</title>"
                           f"<body style='font-family:sans-serif'>{svg[svg.index('<svg'):]}"
                           f"{sections}<p>{html.escape(left_note)}</p></body>", protected=protected)
    plt.close(fig)
    return out


KEY_SECTIONS = (("Phases", "phase"), ("Events", "event"), ("Purges", "purge"), ("Rhetoric", "rhetoric"))


def _write_pdf(fig, keys: dict[str, list[str]], left_note: str, title: str, out: Path,
               protected: Protected | None) -> None:
    """The picture on page 1; the key, in two columns, on the pages after it. No date or producer
    version in the file, so two writes are byte-identical."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    lines: list[tuple[str, bool]] = []
    for heading, entries in keys.items():
        if entries:
            lines += [("", False), (heading, True)] + [(w, False) for e in entries
                                                       for w in textwrap.wrap(e, 95, subsequent_indent="    ")]
    if left_note:
        lines += [("", False)] + [(w, False) for w in textwrap.wrap(left_note, 95)]
    per_column, per_page = 70, 140
    with atomic_file(out, protected=protected, suffix=".pdf") as tmp:
        with PdfPages(tmp, metadata={"CreationDate": None, "Producer": "histpack", "Creator": "histpack",
                                     "Title": title}) as pdf:
            pdf.savefig(fig)
            for first in range(0, len(lines), per_page):
                page = plt.figure(figsize=(14, 11))
                page.text(0.03, 0.97, f"Key: {title}", fontsize=11, fontweight="bold", va="top")
                for n, (text, bold) in enumerate(lines[first:first + per_page]):
                    column, at = divmod(n, per_column)
                    page.text(0.03 + 0.49 * column, 0.94 - at * 0.0129, text, fontsize=7.2, va="top",
                              fontweight="bold" if bold else "normal", family="DejaVu Sans")
                pdf.savefig(page)
                plt.close(page)


def _add_titles(svg: str, titles: dict[str, str]) -> str:
    """Give each mark's group a <title>, the hover text browsers show."""
    def add(match: re.Match) -> str:
        title = titles.get(match.group(1))
        return match.group(0) + (f"\n   <title>{html.escape(title)}</title>" if title else "")

    return re.sub(r'<g id="(mark-[^"]+)">', add, svg)
