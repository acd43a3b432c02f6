"""One lane per regime: phases as coloured spans by type, purges and rhetoric as marks.

Drawn with matplotlib to SVG, PNG or HTML (the SVG inline with the phase key), by calendar
date or by years from each regime's campaign start (`align="campaign"`), so USSR 1928–33
and PRC 1953–66 line up.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb

PHASE_COLOURS = {"offensive": "#e6550d", "retreat": "#31a354", "radicalization": "#a50f15",
                 "consolidation": "#3182bd"}
REGIME_ORDER = ["ussr", "prc", "nazi_germany", "jacobin_france", "russian_empire"]


@dataclass(frozen=True)
class Item:
    kind: str  # phase, purge, rhetoric
    regime_id: str
    start: dt.date
    end: dt.date
    label: str
    detail: str  # phase type, purge target group, rhetoric theme
    seq: int = 0


def timeline_items(con: duckdb.DuckDBPyConnection) -> tuple[list[Item], dict[str, str]]:
    items = [Item("phase", *r) for r in con.execute(
        "select regime_id, date_start, date_end, label, cast(phase_type as varchar), seq from phases "
        "order by regime_id, seq").fetchall()]
    items += [Item("purge", *r) for r in con.execute(
        "select regime_id, date_start, date_end, target, target_group from purges").fetchall()]
    items += [Item("rhetoric", *r) for r in con.execute(
        "select regime_id, date_start, date_end, speaker_id || ': ' || cast(theme as varchar), cast(theme as varchar) "
        "from rhetoric where date_start is not null").fetchall()]
    names = dict(con.execute("select regime_id, name from regimes").fetchall())
    return sorted(items, key=lambda i: (i.regime_id, i.start, i.kind, i.label)), names


def _years(d: dt.date) -> float:
    return d.year + (d.timetuple().tm_yday - 1) / 365.25


def _positions(items: list[Item], align: str, since: int | None) -> tuple[list[tuple[Item, float, float]], list[Item], str]:
    if align == "campaign":
        starts = {}
        for i in items:
            if i.kind == "phase":
                starts[i.regime_id] = min(starts.get(i.regime_id, i.start), i.start)
        placed = [(i, _years(i.start) - _years(starts[i.regime_id]), _years(i.end) + 1 / 365.25
                   - _years(starts[i.regime_id])) for i in items if i.regime_id in starts]
        left_out = [i for i in items if i.regime_id not in starts]
        return placed, left_out, "years from the start of the regime's campaign"
    placed = [(i, _years(i.start), _years(i.end) + 1 / 365.25) for i in items if since is None or i.end.year >= since]
    left_out = [i for i in items if since is not None and i.end.year < since]
    return placed, left_out, "year"


def _mark_levels(placed, gap: float) -> dict:
    """Stack the marks of one kind in one lane in rows, so that no mark or purge span overlaps another."""
    levels: dict = {}
    last: dict[tuple[str, str, int], float] = {}
    for item, x0, x1 in sorted(placed, key=lambda p: p[1]):
        if item.kind == "phase":
            continue
        left, right = (x0, x1) if item.kind == "purge" else ((x0 + x1) / 2,) * 2
        level = 0
        while last.get((item.regime_id, item.kind, level), -1e9) >= left - gap:
            level += 1
        last[(item.regime_id, item.kind, level)] = right
        levels[(item, x0)] = level
    return levels


def draw_timeline(items: list[Item], names: dict[str, str], out: Path, align: str = "calendar",
                  since: int | None = 1920) -> Path:
    """Write the picture to `out` (.svg, .png or .html)."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "histpack"
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    suffix = out.suffix.lower()
    if suffix not in (".svg", ".png", ".html"):
        raise ValueError(f"{out}: the picture is written as .svg, .png or .html")
    placed, left_out, axis_label = _positions(items, align, since if align == "calendar" else None)
    regimes = [r for r in REGIME_ORDER if any(i.regime_id == r for i, _, _ in placed)]
    regimes += sorted({i.regime_id for i, _, _ in placed} - set(regimes))
    span = max((x1 for _, _, x1 in placed), default=1) - min((x0 for _, x0, _ in placed), default=0)
    levels = _mark_levels(placed, gap=max(span, 1) * 0.012)

    def rows(regime: str, kind: str) -> int:
        return 1 + max((v for (i, _), v in levels.items() if i.regime_id == regime and i.kind == kind), default=-1)

    row, bar, head = 0.11, 0.3, 0.35
    base: dict[str, float] = {}
    height = 0.0
    for regime in reversed(regimes):
        base[regime] = height
        height += 0.1 + row * (rows(regime, "purge") + rows(regime, "rhetoric")) + bar + head
    fig, ax = plt.subplots(figsize=(14, 1.5 * height + 1.8), dpi=110)
    key_lines = []
    for item, x0, x1 in placed:
        y = base[item.regime_id]
        n_purge, n_rhet = rows(item.regime_id, "purge"), rows(item.regime_id, "rhetoric")
        bar_y = y + 0.1 + row * (n_purge + n_rhet)
        if item.kind == "phase":
            ax.broken_barh([(x0, max(x1 - x0, span * 0.002))], (bar_y, bar * 0.8),
                           facecolors=PHASE_COLOURS.get(item.detail, "#999"), edgecolor="white", linewidth=0.6)
            ax.text((x0 + x1) / 2, bar_y + bar + (0.05 if item.seq % 2 else 0.2), str(item.seq), ha="center",
                    va="center", fontsize=8.5, fontweight="bold")
            key_lines.append(f"{names.get(item.regime_id, item.regime_id)} {item.seq}: {item.label} "
                             f"({item.start.isoformat()[:7]}–{item.end.isoformat()[:7]}, {item.detail})")
        elif item.kind == "purge":
            my = y + 0.08 + row * levels[(item, x0)]
            ax.hlines(my, x0, x1, color="black", linewidth=1)
            ax.plot([(x0 + x1) / 2], [my], marker="v", color="black", markersize=7, linestyle="none")
        else:
            my = y + 0.08 + row * (n_purge + levels[(item, x0)])
            ax.plot([(x0 + x1) / 2], [my], marker="o", color="#6a3d9a", markersize=6, linestyle="none",
                    markerfacecolor="white", markeredgewidth=1.6)
    ax.set_yticks([base[r] + 0.1 + row * (rows(r, "purge") + rows(r, "rhetoric")) + bar * 0.4 for r in regimes])
    ax.set_yticklabels([names.get(r, r) for r in regimes], fontsize=11)
    ax.set_ylim(0, height)
    for r in regimes:
        ax.axhline(base[r], color="#dddddd", linewidth=0.8)
    ax.set_xlabel(axis_label, fontsize=11)
    ax.grid(axis="x", color="#eeeeee")
    ax.set_axisbelow(True)
    title = "Thom (2015): campaigns, purges and rhetoric" + (" aligned by campaign year" if align == "campaign" else "")
    ax.set_title(title, fontsize=13)
    legend = [Patch(color=c, label=t) for t, c in PHASE_COLOURS.items()]
    legend += [Line2D([], [], marker="v", color="black", linestyle="none", label="purge"),
               Line2D([], [], marker="o", color="#6a3d9a", markerfacecolor="white", linestyle="none", label="rhetoric")]
    ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, -0.7 / height),
              ncol=6, frameon=False, fontsize=10)
    note = ""
    if left_out:
        note = "Not shown: " + "; ".join(sorted({f"{names.get(i.regime_id, i.regime_id)} {i.start.year}"
                                                  for i in left_out}))
        fig.text(0.01, 0.01, note, fontsize=8, color="#555555")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".png":
        fig.savefig(out, format="png", metadata={"Software": None})
    else:
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        svg = buffer.getvalue()
        if suffix == ".svg":
            out.write_text(svg, encoding="utf-8")
        else:
            keys = "".join(f"<li>{html.escape(line)}</li>" for line in key_lines)
            out.write_text(f"<!doctype html><meta charset='utf-8'><title>{html.escape(title)}</title>"
                           f"<body style='font-family:sans-serif'>{svg[svg.index('<svg'):]}"
                           f"<h2>Phases</h2><ol style='list-style:none'>{keys}</ol>"
                           f"<p>{html.escape(note)}</p></body>", encoding="utf-8")
    plt.close(fig)
    return out
