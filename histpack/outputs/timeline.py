"""One lane per regime: phases as coloured spans by type, purges and rhetoric as labelled marks.

Drawn with matplotlib to SVG, PNG or HTML (the SVG inline with the key to phases, purges and
rhetoric), by calendar date or by years from each regime's campaign start (`align="campaign"`),
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

from histpack.project.errors import BuildError
from histpack.project.writer import Protected, atomic_file, check_target, write_text

PHASE_COLOURS = {"offensive": "#e6550d", "retreat": "#31a354", "radicalization": "#a50f15",
                 "consolidation": "#3182bd"}


@dataclass(frozen=True)
class Item:
    kind: str  # phase, purge, rhetoric
    regime_id: str
    start: dt.date
    end: dt.date
    label: str
    detail: str  # phase type, purge target group, rhetoric theme
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
        return {"phase": "phases", "purge": "purges", "rhetoric": "rhetoric"}[self.kind]

    @property
    def short(self) -> str:
        """The label drawn beside a mark (the full one is its hover text)."""
        return self.detail if self.kind == "purge" else self.label


def timeline_items(con: duckdb.DuckDBPyConnection, source_id: str | None = None) -> tuple[list[Item], dict[str, str]]:
    """Phases, purges and dated rhetoric, and the dates further sources give for phases and purges
    (`attestations`); only those of one analysed source with `source_id`, else all of them."""
    where = "source_id = $source OR $source IS NULL"
    params = {"source": source_id}
    items = [Item("phase", *r) for r in con.execute(
        "select regime_id, date_start, date_end, label, cast(phase_type as varchar), seq, phase_id, quote_id, "
        f"date_edtf, source_id from phases where {where} order by regime_id, seq", params).fetchall()]
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
    items += [Item("purge", *r) for r in con.execute(
        "select p.regime_id, a.date_start, a.date_end, p.target, p.target_group, 0, p.purge_id, a.quote_id, "
        "a.date_edtf, a.source_id, a.attestation_id from attestations a join purges p using (purge_id) "
        f"where a.date_start is not null and (a.{where})", params).fetchall()]
    names = dict(con.execute("select regime_id, name from regimes").fetchall())
    return sorted(items, key=lambda i: (i.regime_id, i.start, i.kind, i.label, i.item_id, i.attestation_id)), names


def timeline_title(con: duckdb.DuckDBPyConnection, source_id: str | None = None) -> str:
    """`<how the source is cited>: campaigns, purges and rhetoric`, naming the analysed sources drawn
    (their number, beyond two)."""
    cited = [r[0] for r in con.execute(
        "select cited_as from sources where cast(role as varchar) = 'analyzed' and ($source is null or source_id = $source) "
        "order by source_id", {"source": source_id}).fetchall()]
    if not cited:
        raise ValueError(f"`{source_id}` is not an analysed source of the package")
    names = " · ".join(cited) if len(cited) <= 2 else f"{len(cited)} sources"
    return f"{names}: campaigns, purges and rhetoric"


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


@dataclass(frozen=True)
class Layout:
    placed: list[Placed]
    left_out: list[Item]
    axis_label: str
    lo: float
    hi: float

    @property
    def span(self) -> float:
        return max(self.hi - self.lo, 1.0)

    @property
    def min_width(self) -> float:
        """Phases as short as a month stay visible: never drawn narrower than this."""
        return self.span * MIN_WIDTH_SHARE


MIN_WIDTH_SHARE = 0.008
AXIS_PAD = 0.5  # years either side of the campaigns


def layout(items: list[Item], align: str, since: int | None = None) -> Layout:
    """Where each item goes. By campaign year the axis fits the campaigns' phases; whatever lies
    beyond them (a purge decades later) is clipped to the edge and marked, not allowed to stretch it."""
    if align == "campaign":
        starts: dict[str, dt.date] = {}
        for i in items:
            if i.kind == "phase":
                starts[i.regime_id] = min(starts.get(i.regime_id, i.start), i.start)
        raw = [(i, _years(i.start) - _years(starts[i.regime_id]),
                _years(i.end) + 1 / 365.25 - _years(starts[i.regime_id])) for i in items if i.regime_id in starts]
        left_out = [i for i in items if i.regime_id not in starts]
        phases = [(x0, x1) for i, x0, x1 in raw if i.kind == "phase"]
        lo = min((x0 for x0, _ in phases), default=0.0) - AXIS_PAD
        hi = max((x1 for _, x1 in phases), default=1.0) + AXIS_PAD
        axis_label = "years from the start of the regime's campaign"
    else:
        raw = [(i, _years(i.start), _years(i.end) + 1 / 365.25) for i in items if since is None or i.end.year >= since]
        left_out = [i for i in items if since is not None and i.end.year < since]
        lo = min((x0 for _, x0, _ in raw), default=0.0) - AXIS_PAD
        hi = max((x1 for _, _, x1 in raw), default=1.0) + AXIS_PAD
        axis_label = "year"
    placed = []
    for i, x0, x1 in raw:
        if x0 > hi:
            placed.append(Placed(i, hi, hi, "right"))
        elif x1 < lo:
            placed.append(Placed(i, lo, lo, "left"))
        else:
            placed.append(Placed(i, max(x0, lo), min(x1, hi)))
    return Layout(placed, left_out, axis_label, lo, hi)


def mark_levels(placed: list[Placed], gap: float, label_width=None) -> dict[str, int]:
    """Stack the marks of one kind in one lane in rows, so that no mark, purge span or label
    overlaps another. `label_width(placed)` is the room its label takes after the mark, in axis units."""
    levels: dict[str, int] = {}
    last: dict[tuple[str, str, int], float] = {}
    for p in sorted(placed, key=lambda p: (p.x0, p.item.item_id)):
        item = p.item
        if item.kind == "phase":
            continue
        left, right = (p.x0, p.x1) if item.kind == "purge" else ((p.x0 + p.x1) / 2,) * 2
        if label_width is not None:
            right = label_x(p) + label_width(p)
        level = 0
        while last.get((item.regime_id, item.kind, level), -1e9) >= left - gap:
            level += 1
        last[(item.regime_id, item.kind, level)] = right
        levels[level_key(p)] = level
    return levels


def label_x(p: Placed) -> float:
    """Where a mark's label starts (before any offset): after a purge's span, beside a rhetoric dot."""
    return p.x1 if p.item.kind == "purge" else (p.x0 + p.x1) / 2


def mark_label(p: Placed) -> str:
    return p.item.short + (f" ({clip_note(p)})" if p.clipped else "")


def level_key(p: Placed) -> str:
    """A mark's identity for stacking: a further source's date of a row is a mark of its own."""
    attested = f"@{p.item.attestation_id}" if p.item.attestation_id else ""
    return f"{p.item.kind}:{p.item.item_id or p.item.label}{attested}:{p.x0}"


def clip_note(p: Placed) -> str:
    """The true year of a clipped item, with an arrow pointing off the axis."""
    return f"{p.item.start.year} ▸" if p.clipped == "right" else f"◂ {p.item.start.year}"


def hover_text(item: Item, names: dict[str, str]) -> str:
    kind = {"phase": f"phase {item.seq} ({item.detail})", "purge": "purge", "rhetoric": "rhetoric"}[item.kind]
    dated = item.date_edtf or item.start.isoformat()
    if item.attestation_id:
        dated += f" as {item.source_id} dates it"
    return f"{names.get(item.regime_id, item.regime_id)}, {kind}: {item.label} — {dated}"


def regime_order(placed: list[Placed]) -> list[str]:
    """Lanes from the regime with the most marks to the one with the fewest (ties by id)."""
    counts: dict[str, int] = {}
    for p in placed:
        counts[p.item.regime_id] = counts.get(p.item.regime_id, 0) + 1
    return sorted(counts, key=lambda r: (-counts[r], r))


def draw_timeline(items: list[Item], names: dict[str, str], out: Path, align: str = "calendar",
                  since: int | None = 1920, title: str = "Campaigns, purges and rhetoric",
                  protected: Protected | None = None) -> Path:
    """Write the picture to `out` (.svg, .png or .html), through the safe writer (never over a link, a
    special file or a `protected` one). Every mark is labelled where the stacking leaves room for it
    (always, since labels take part in the stacking) and carries hover text in SVG."""
    import matplotlib

    matplotlib.use("Agg")
    suffix = out.suffix.lower()
    if suffix not in (".svg", ".png", ".html"):
        raise ValueError(f"{out}: the picture is written as .svg, .png or .html")
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

    row, bar, head = 0.13, 0.3, 0.35
    base: dict[str, float] = {}
    height = 0.0
    for regime in reversed(regimes):
        base[regime] = height
        height += 0.1 + row * (rows(regime, "purge") + rows(regime, "rhetoric")) + bar + head
    left_note = ""
    if lay.left_out:
        why = "no campaign phases to align on" if align == "campaign" else f"before {since}"
        left_note = f"Not shown ({why}): " + "; ".join(
            sorted({f"{names.get(i.regime_id, i.regime_id)} {i.start.year}" for i in lay.left_out}))
    note_lines = textwrap.wrap(left_note, 150) if left_note else []
    fig_height = 1.5 * height + 1.9 + 0.18 * len(note_lines)
    fig, ax = plt.subplots(figsize=(14, fig_height), dpi=110)
    key_lines, mark_titles = [], {}
    for p in placed:
        item, x0, x1 = p.item, p.x0, p.x1
        y = base[item.regime_id]
        n_purge, n_rhet = rows(item.regime_id, "purge"), rows(item.regime_id, "rhetoric")
        bar_y = y + 0.1 + row * (n_purge + n_rhet)
        gid = f"mark-{item.kind}-{item.item_id}"
        mark_titles[gid] = hover_text(item, names)
        if item.kind == "phase":
            width = max(x1 - x0, lay.min_width)
            bars = ax.broken_barh([(x0, width)], (bar_y, bar * 0.8),
                                  facecolors=PHASE_COLOURS.get(item.detail, "#999"), edgecolor="white", linewidth=0.6)
            bars.set_gid(gid)
            ax.text(x0 + width / 2, bar_y + bar + (0.05 if item.seq % 2 else 0.2), str(item.seq), ha="center",
                    va="center", fontsize=8.5, fontweight="bold")
            key_lines.append(f"{names.get(item.regime_id, item.regime_id)} {item.seq}: {item.label} "
                             f"({item.start.isoformat()[:7]}–{item.end.isoformat()[:7]}, {item.detail})")
            continue
        level = levels[level_key(p)]
        mid = (x0 + x1) / 2
        if item.kind == "purge":
            my = y + 0.08 + row * level
            ax.hlines(my, x0, x1, color="black", linewidth=1)
            mark, = ax.plot([mid], [my], marker="v", color="black", markersize=7, linestyle="none")
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
    ax.set_yticks([base[r] + 0.1 + row * (rows(r, "purge") + rows(r, "rhetoric")) + bar * 0.4 for r in regimes])
    ax.set_yticklabels([names.get(r, r) for r in regimes], fontsize=11)
    ax.set_ylim(0, height)
    for r in regimes:
        ax.axhline(base[r], color="#dddddd", linewidth=0.8)
    ax.set_xlabel(lay.axis_label, fontsize=11)
    ax.grid(axis="x", color="#eeeeee")
    ax.set_axisbelow(True)
    title += " aligned by campaign year" if align == "campaign" else ""
    ax.set_title(title, fontsize=13)
    legend = [Patch(color=c, label=f"phase: {t}") for t, c in PHASE_COLOURS.items()]
    legend += [Line2D([], [], marker="v", color="black", linestyle="none", label="purge (label: target group)"),
               Line2D([], [], marker="o", color="#6a3d9a", markerfacecolor="white", linestyle="none",
                      label="rhetoric (label: speaker: theme)")]
    if any(p.clipped for p in placed):
        legend.append(Line2D([], [], marker=">", color="#b00000", linestyle="none", label="beyond the axis (true year)"))
    ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, -0.55 / height),
              ncol=4, frameon=False, fontsize=9.5)
    for n, line in enumerate(note_lines):
        fig.text(0.01, 0.012 + 0.16 * (len(note_lines) - 1 - n) / fig_height, line, fontsize=8, color="#555555")
    fig.tight_layout(rect=(0, 0.14 * len(note_lines) / fig_height + 0.005, 1, 1))
    if suffix == ".png":
        with atomic_file(out, protected=protected, suffix=".png") as tmp:
            fig.savefig(tmp, format="png", metadata={"Software": None})
    else:
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        svg = _add_titles(buffer.getvalue(), mark_titles)
        if suffix == ".svg":
            write_text(out, svg, protected=protected)
        else:
            def entries(kind: str) -> str:
                return "".join(f"<li>{html.escape(hover_text(p.item, names))}"
                               f"{html.escape(' (drawn at the edge: ' + clip_note(p) + ')') if p.clipped else ''}</li>"
                               for p in placed if p.item.kind == kind)
            keys = "".join(f"<li>{html.escape(line)}</li>" for line in key_lines)
            write_text(out, f"<!doctype html><meta charset='utf-8'><title>{html.escape(title)}</title>"
                           f"<body style='font-family:sans-serif'>{svg[svg.index('<svg'):]}"
                           f"<h2>Phases</h2><ol style='list-style:none'>{keys}</ol>"
                           f"<h2>Purges</h2><ul>{entries('purge')}</ul>"
                           f"<h2>Rhetoric</h2><ul>{entries('rhetoric')}</ul>"
                           f"<p>{html.escape(left_note)}</p></body>", protected=protected)
    plt.close(fig)
    return out


def _add_titles(svg: str, titles: dict[str, str]) -> str:
    """Give each mark's group a <title>, the hover text browsers show."""
    def add(match: re.Match) -> str:
        title = titles.get(match.group(1))
        return match.group(0) + (f"\n   <title>{html.escape(title)}</title>" if title else "")

    return re.sub(r'<g id="(mark-[^"]+)">', add, svg)
