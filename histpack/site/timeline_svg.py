"""The interactive timeline: hand-written SVG (no matplotlib ids, no randomness), laid out by
`histpack.outputs.timeline.layout` so that it and `histpack timeline` agree: one lane per regime, phases
with a minimum width, events, purges and rhetoric stacked with labels, outliers clipped to the edge.
Every mark is a link to its evidence on the page of its quote's source and has a <title>; a date a
further source gives (an attestation) is drawn outlined, beside the row's own.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape
from typing import Callable

from histpack.outputs.timeline import (NO_REGIME, PHASE_COLOURS, Item, Layout, hover_text, label_x, layout, level_key,
                                      mark_label, mark_levels, regime_order)

WIDTH, LEFT = 1120, 150
ROW, BAR, HEAD, GAP, SEQ = 15, 20, 10, 12, 16
CHAR_PX = 6.1  # width of a label character at 11px


def _right_margin(lay: Layout) -> float:
    """Room on the right so that no label (a clipped outlier's, or one near the end) is cut off."""
    need = 40.0
    for p in lay.placed:
        share = (label_x(p) - lay.lo) / lay.span
        if p.item.kind != "phase" and share > 0:
            label_px = len(mark_label(p)) * CHAR_PX + (16 if p.clipped == "right" else 8) + 8
            need = max(need, WIDTH - LEFT - (WIDTH - LEFT - label_px) / share)
    return min(need, 400.0)


def _x(lay: Layout, value: float) -> float:
    return LEFT + (value - lay.lo) / lay.span * (WIDTH - LEFT - _right_margin(lay))


def _f(v: float) -> str:
    return f"{v:.1f}"


def _ticks(lay: Layout) -> list[int]:
    step = 1 if lay.span <= 20 else 2 if lay.span <= 40 else 5
    first = int(lay.lo // step * step) + (step if lay.lo % step else 0)
    return list(range(first, int(lay.hi) + 1, step))


def row_fragment(item: Item) -> str:
    """The row a mark stands for: `phases/<id>`, or `attestations/<id>` for a further source's date."""
    return f"attestations/{item.attestation_id}" if item.attestation_id else f"{item.table}/{item.item_id}"


def timeline_svg(items: list[Item], names: dict[str, str], align: str, since: int | None, view_id: str,
                 title: str, href: Callable[[Item], str] | None = None,
                 cited: dict[str, str] | None = None) -> tuple[str, Layout]:
    """`href(item)` is where a mark leads (default: the row's fragment on index.html); `cited` names
    sources (source_id → cited_as) in the hover text of attested dates."""
    href = href or (lambda item: f"index.html#{row_fragment(item)}")
    cited = cited or {}
    lay = layout(items, align, since)
    placed = lay.placed
    px_per_unit = (WIDTH - LEFT - _right_margin(lay)) / lay.span
    levels = mark_levels(placed, gap=4 / px_per_unit,
                         label_width=lambda p: (len(mark_label(p)) * CHAR_PX + 18) / px_per_unit)
    regimes = regime_order(placed)

    def rows(regime: str, kind: str) -> int:
        return 1 + max((levels[level_key(p)] for p in placed if p.item.regime_id == regime and p.item.kind == kind),
                       default=-1)

    def marks_above_bar(regime: str) -> int:
        return rows(regime, "purge") + rows(regime, "rhetoric") + rows(regime, "event")

    top: dict[str, float] = {}
    y = 34.0
    for r in regimes:
        top[r] = y
        y += HEAD + ROW * marks_above_bar(r) + SEQ + BAR + GAP
    axis_y = y
    key_y = axis_y + 64
    height = key_y + 44
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" id="{view_id}" class="timeline" viewBox="0 0 {WIDTH} {_f(height)}" '
           f'width="{WIDTH}" height="{_f(height)}" role="group" aria-labelledby="{view_id}-title">',
           f'<title id="{view_id}-title">{escape(title)}</title>']
    for t in _ticks(lay):
        x = _x(lay, t)
        out.append(f'<line class="grid" x1="{_f(x)}" y1="26" x2="{_f(x)}" y2="{_f(axis_y)}"/>'
                   f'<text class="tick" x="{_f(x)}" y="{_f(axis_y + 16)}" text-anchor="middle">{t}</text>')
    out.append(f'<text class="axis-label" x="{_f((LEFT + WIDTH - _right_margin(lay)) / 2)}" y="{_f(axis_y + 34)}" '
               f'text-anchor="middle">{escape(lay.axis_label)}</text>')
    for r in regimes:
        bar_y = top[r] + HEAD + ROW * marks_above_bar(r) + SEQ
        out.append(f'<line class="lane" x1="0" x2="{WIDTH}" y1="{_f(top[r] - 6)}" y2="{_f(top[r] - 6)}"/>'
                   f'<text class="regime" x="8" y="{_f(bar_y + BAR * 0.7)}">{escape(names.get(r, r) or NO_REGIME)}</text>')
    for p in placed:
        item = p.item
        n_purge, n_rhet = rows(item.regime_id, "purge"), rows(item.regime_id, "rhetoric")
        base = top[item.regime_id] + HEAD
        x0, x1 = _x(lay, p.x0), _x(lay, p.x1)
        named = replace(item, source_id=cited.get(item.source_id, item.source_id))
        tip = hover_text(named, names) + (f" (beyond the axis: {item.start.year})" if p.clipped else "")
        attested = " attested" if item.attestation_id else ""
        attrs = (f'href="{escape(href(item))}" class="mark m-{item.kind}{attested}" '
                 f'data-row="{escape(row_fragment(item))}" data-quote="{escape(item.quote_id)}" '
                 f'data-source="{escape(item.source_id)}"')
        if item.kind == "phase":
            bar_y = base + ROW * marks_above_bar(item.regime_id) + SEQ
            width = max(x1 - x0, lay.min_width * px_per_unit, 6)
            label = str(item.seq)
            fill = PHASE_COLOURS.get(item.detail, "#999999")
            if item.attestation_id:  # the lower half of the bar, outlined, so the row's own date stays visible
                out.append(f'<a {attrs}><title>{escape(tip)}</title>'
                           f'<rect x="{_f(x0)}" y="{_f(bar_y + BAR / 2)}" width="{_f(width)}" height="{_f(BAR / 2)}" '
                           f'fill="{fill}" stroke="{fill}"/></a>')
                continue
            out.append(f'<a {attrs}><title>{escape(tip)}</title>'
                       f'<rect x="{_f(x0)}" y="{_f(bar_y)}" width="{_f(width)}" height="{BAR}" '
                       f'fill="{fill}"/>'
                       f'<text class="seq" x="{_f(x0 + width / 2)}" y="{_f(bar_y - 4)}" text-anchor="middle">{label}</text></a>')
            continue
        level = levels[level_key(p)]
        cy = base + ROW * (level + {"purge": 0, "rhetoric": n_purge, "event": n_purge + n_rhet}[item.kind]) + ROW / 2
        mid = (x0 + x1) / 2
        label = mark_label(p)
        if item.kind == "purge":
            shape = (f'<line x1="{_f(x0)}" x2="{_f(x1)}" y1="{_f(cy)}" y2="{_f(cy)}" class="purge-span"/>'
                     f'<path d="M{_f(mid - 5)} {_f(cy - 5)}h10l-5 9z" class="purge"/>')
        elif item.kind == "event":
            shape = (f'<line x1="{_f(x0)}" x2="{_f(x1)}" y1="{_f(cy)}" y2="{_f(cy)}" class="event-span"/>'
                     f'<path d="M{_f(mid)} {_f(cy - 5)}l5 5-5 5-5-5z" class="event"/>')
        else:
            shape = f'<circle cx="{_f(mid)}" cy="{_f(cy)}" r="4.5" class="rhetoric"/>'
        if p.clipped:
            edge = x1 if p.clipped == "right" else x0
            shape += (f'<path d="M{_f(edge + 7)} {_f(cy - 5)}l6 5-6 5z" class="clip"/>' if p.clipped == "right" else
                      f'<path d="M{_f(edge - 7)} {_f(cy - 5)}l-6 5 6 5z" class="clip"/>')
        lx = _x(lay, label_x(p)) + (16 if p.clipped == "right" else 8)
        out.append(f'<a {attrs}><title>{escape(tip)}</title>{shape}'
                   f'<text class="label" x="{_f(lx)}" y="{_f(cy + 4)}">{escape(label)}</text></a>')
    key = [(f'<rect width="14" height="10" y="-9" fill="{c}"/>', f"phase: {t}") for t, c in PHASE_COLOURS.items()]
    key += [('<path d="M7 -9l5 5-5 5-5-5z" class="event"/>', "event (label: E + its number)"),
            ('<path d="M2 -9h10l-5 9z" class="purge"/>', "purge (label: target group)"),
            ('<circle cx="7" cy="-4" r="4.5" class="rhetoric"/>', "rhetoric (label: speaker: theme)")]
    if any(p.item.attestation_id for p in placed):
        key.append(('<rect width="14" height="5" y="-4" class="attested-key"/>', "a further source's date (outlined)"))
    if any(p.clipped for p in placed):
        key.append(('<path d="M4 -9l6 5-6 5z" class="clip"/>', "beyond the axis (true year)"))
    x = 8.0
    out.append('<g class="key" role="group" aria-label="Key">')
    for n, (shape, text) in enumerate(key):
        if n == len(PHASE_COLOURS):
            x, key_y = 8.0, key_y + 22
        out.append(f'<g transform="translate({_f(x)} {_f(key_y)})">{shape}<text x="18" y="0">{escape(text)}</text></g>')
        x += 26 + len(text) * CHAR_PX
    out.append("</g></svg>")
    return "".join(out), lay
