"""The timeline's layout, shared by `histpack timeline` (matplotlib) and the site (SVG): an axis
that fits the campaigns, clipped outliers, phases never thinner than a minimum, every mark
labelled and titled, and the "Not shown" note inside the picture."""

from __future__ import annotations

import re

import pytest

from histpack.site.timeline_svg import timeline_svg
from histpack.outputs.timeline import draw_timeline, layout, timeline_items


@pytest.fixture(scope="module")
def timeline(db):
    return timeline_items(db)


def test_campaign_axis_fits_the_phases_and_clips_the_1952_purge(timeline):
    items, _ = timeline
    lay = layout(items, "campaign")
    phase_end = max(p.x1 for p in lay.placed if p.item.kind == "phase")
    assert lay.hi < phase_end + 1 < 20  # the 1952 purge is 24 years after 1928
    clipped = [p for p in lay.placed if p.clipped == "right"]
    assert [p.item.start.year for p in clipped] == [1952]
    assert all(lay.lo <= p.x0 <= p.x1 <= lay.hi for p in lay.placed)


def test_month_long_phases_get_the_minimum_width_in_the_svg(timeline):
    items, names = timeline
    svg, lay = timeline_svg(items, names, "campaign", None, "t", "t")
    month = [p for p in lay.placed if p.item.kind == "phase" and (p.item.end - p.item.start).days < 40]
    assert month, "the package has phases dated to one month"
    widths = [float(w) for w in re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)"', svg)]
    assert len(widths) == sum(p.item.kind == "phase" for p in lay.placed)
    assert min(widths) >= 6


def test_every_mark_of_the_matplotlib_svg_has_a_title(timeline, tmp_path):
    items, names = timeline
    out = draw_timeline(items, names, tmp_path / "t.svg", "campaign")
    svg = out.read_text(encoding="utf-8")
    placed = layout(items, "campaign").placed
    titled = re.findall(r'<g id="mark-(\w+)-([^"]+)">\s*<title>([^<]+)</title>', svg)
    assert sorted((k, i) for k, i, _ in titled) == sorted((p.item.kind, p.item.item_id) for p in placed)
    assert any("beyond the axis" not in t and "Politburo" in t for _, _, t in titled)


def test_html_key_lists_purges_and_rhetoric(timeline, tmp_path):
    items, names = timeline
    html = draw_timeline(items, names, tmp_path / "t.html").read_text(encoding="utf-8")
    for heading, kind in (("Purges", "purge"), ("Rhetoric", "rhetoric")):
        section = html.split(f"<h2>{heading}</h2>")[1].split("</ul>")[0]
        assert section.count("<li>") == sum(i.kind == kind and i.end.year >= 1920 for i in items) > 0


def test_not_shown_note_stays_inside_the_png(timeline, tmp_path):
    import matplotlib.image

    items, names = timeline
    out = draw_timeline(items, names, tmp_path / "t.png", "calendar", since=1950)
    pixels = matplotlib.image.imread(out)
    right_edge = pixels[:, -3:, :3]
    assert right_edge.min() > 0.99, "something is drawn off the right edge"
    assert pixels[-40:, :, :3].min() < 0.5  # the note is there, at the bottom
