"""The site on a phone, a tablet and a laptop (390, 800 and 1,280 px wide) in Chromium: no page wider
than the window, navigation that wraps, a quote's evidence brought into view when it is selected,
tables and the timeline scrolling inside their own boxes, no control inside another, filters kept in
the address, and no serious or critical accessibility violation that axe-core finds on any page type.

axe-core is the npm package (`npm install axe-core`), read from node_modules/axe-core/axe.min.js
(or $HISTPACK_AXE_CORE) and injected into the page; the tests that need it skip with the reason when
it is missing, unless HISTPACK_REQUIRE_BROWSER=1 (CI), which makes that a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import REPO
from test_site import browser, rows, shots, site, source_pages, url  # noqa: F401  (pytest fixtures and helpers, shared)

WIDTHS = (390, 800, 1280)
AXE = Path(os.environ.get("HISTPACK_AXE_CORE", REPO / "node_modules" / "axe-core" / "axe.min.js"))


def page_types() -> dict[str, str]:
    """One page of each kind the site has."""
    further = sorted(p for p in source_pages().values() if p != "index.html")
    return {"essay": "index.html", "further source": further[0], "tables": "tables.html",
            "table": "table-events.html", "comparisons": "comparisons.html", "timeline": "timeline.html",
            "across sources": "across-sources.html"}


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def window(browser, request):
    """A page `request.param` px wide (and 800 tall), failing the test on any script error."""
    context = browser.new_context(viewport={"width": request.param, "height": 800})
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert errors == []


def test_no_page_is_wider_than_the_window_and_the_navigation_wraps(site, window):
    for kind, name in page_types().items():
        window.goto(url(site, name))
        width, inner, nav_right = window.evaluate("""() => [document.documentElement.scrollWidth, innerWidth,
            Math.max(...[...document.querySelectorAll('header nav a')].map(a => a.getBoundingClientRect().right))]""")
        assert width <= inner, f"{kind} ({name}) is {width} px wide in a {inner} px window"
        assert nav_right <= inner, f"{kind}: a link of the navigation is off screen"


def test_selecting_a_quote_brings_its_evidence_into_view(site, window, shots):
    quote = "q90-blow-ing-up-the-bridges"
    window.goto(url(site, "index.html"))
    mark = window.locator(f'mark[id="{quote}"]')
    mark.scroll_into_view_if_needed()
    mark.click()
    boxes = window.evaluate("""id => {
        const box = e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; };
        return {mark: box(document.getElementById(id)), row: box(document.querySelector('#panel [data-row] h4')),
                citation: box(document.querySelector('#panel .citation')), height: innerHeight};
    }""", quote)
    for what in ("mark", "row", "citation"):
        top, bottom = boxes[what]
        assert 0 <= top and bottom <= boxes["height"], f"the {what} is out of view: {boxes}"
    assert window.locator("#panel .citation").inner_text() == "Thom 2015, 90"
    if window.viewport_size["width"] == 390:
        window.screenshot(path=str(shots / "site-essay-phone.png"))
    window.keyboard.press("Escape")
    assert not window.locator("#panel").is_visible()


def test_a_row_link_opens_the_essay_with_its_evidence_in_view(site, window):
    window.goto(url(site, "index.html") + "#events/1929-12-14-bauman-memorandum")
    row = window.locator("#panel .row.current[data-row='events/1929-12-14-bauman-memorandum']")
    assert row.count() == 1
    top, bottom, height = window.evaluate("""() => { const r = document.querySelector('#panel .row.current')
        .getBoundingClientRect(); return [r.top, r.bottom, innerHeight]; }""")
    assert 0 <= top < height, (top, bottom, height)


def test_tables_and_the_timeline_scroll_inside_their_own_boxes(site, window):
    window.goto(url(site, "table-events.html"))
    inner = window.evaluate("innerWidth")
    wrap = window.locator(".table-wrap").first.bounding_box()
    assert wrap["x"] + wrap["width"] <= inner
    key_left = [window.locator("tbody tr").first.locator("td").first.bounding_box()["x"]]
    window.locator(".table-wrap").first.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    key_left.append(window.locator("tbody tr").first.locator("td").first.bounding_box()["x"])
    assert abs(key_left[0] - key_left[1]) <= 1, "the key column stays in view as the table scrolls"
    rows_high = window.evaluate("""() => { const r = [...document.querySelectorAll('tbody tr')];
        return r.reduce((a, x) => a + x.getBoundingClientRect().height, 0) / r.length; }""")
    assert rows_high < 130, "long cells are folded to a few lines"
    window.goto(url(site, "timeline.html"))
    for view in window.locator(".svg-wrap:visible").all():
        box = view.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= inner


def test_no_control_is_inside_another(site, browser):
    """Highlights nest in the text, their controls do not: no button, link or field inside a button."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    try:
        for kind, name in page_types().items():
            pg.goto(url(site, name))
            nested = pg.evaluate("""() => [...document.querySelectorAll('button, [role=button], a[href], input, select')]
                .filter(e => e.parentElement.closest('button, [role=button]')).map(e => e.outerHTML.slice(0, 80))""")
            assert nested == [], f"{kind}: {nested[:3]}"
        pg.goto(url(site, "index.html"))
        inner = pg.locator("mark.q[data-in]")
        assert inner.count() > 50, "quotes inside quotes are highlights of their own"
        outer = inner.first.get_attribute("data-in").split()[0]
        pg.locator(f'mark[id="{outer}"]').click()
        assert "selected" in inner.first.get_attribute("class")  # selecting the outer quote shows all its words
    finally:
        context.close()


def test_pages_of_sources_without_printed_pages_cite_no_page(site, browser):
    pages: dict[str, set] = {}
    for span in rows("page_spans"):
        pages.setdefault(span["source_id"], set()).add(span["page"])
    unpaginated = [s["source_id"] for s in rows("sources")
                   if s["role"] == "analyzed" and not s["pages"] and len(pages[s["source_id"]]) == 1]
    assert unpaginated
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    try:
        for source in unpaginated:
            pg.goto(url(site, source_pages()[source]))
            text = pg.locator("main").inner_text()
            assert "Printed pages" not in text and "PDF extraction" not in text
            assert pg.locator(".page[data-page]").count() == 0
            pg.locator("mark.q[id]").first.click()
            cited = next(s["cited_as"] for s in rows("sources") if s["source_id"] == source)
            assert pg.locator("#panel .citation").inner_text() == cited
        pg.goto(url(site, "across-sources.html"))
        assert ", p. 1<" not in pg.content() and "p. 1 " not in pg.locator("main").inner_text()
    finally:
        context.close()


def test_a_filtered_view_is_in_the_address_and_opens_as_it_was(site, browser):
    context = browser.new_context(viewport={"width": 800, "height": 800})
    pg = context.new_page()
    try:
        pg.goto(url(site, "table-events.html"))
        pg.locator(".filter input").fill("bauman")
        pg.locator("th button", has_text="date_start").click()
        pg.locator("th button", has_text="date_start").click()
        shown = pg.locator("tbody tr:visible").evaluate_all("rs => rs.map(r => r.id)")
        assert pg.url.endswith("table-events.html?filter=bauman&sort=-date_start") and shown
        pg.goto(pg.url)
        assert pg.locator(".filter input").input_value() == "bauman"
        assert pg.locator("tbody tr:visible").evaluate_all("rs => rs.map(r => r.id)") == shown
        pg.goto(url(site, "comparisons.html") + "?pair=prc+ussr&dimension=outcome")
        assert pg.locator("select[name=pair]").input_value() == "prc ussr"
        visible = pg.locator("article.cmp:visible")
        assert visible.count() >= 1 and all(a.get_attribute("data-dimension") == "outcome" for a in visible.all())
        pg.goto(url(site, "timeline.html") + "?view=calendar")
        assert pg.locator("#view-calendar").is_visible() and not pg.locator("#view-campaign").is_visible()
    finally:
        context.close()


# --- accessibility -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        missing = f"axe-core is not installed at {AXE} (npm install axe-core)"
        if "1" in (os.environ.get("HISTPACK_REQUIRE_BROWSER"), os.environ.get("HISTPACK_REQUIRE_TOOLS")):
            pytest.fail(f"HISTPACK_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    return AXE.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", list(page_types()))
def test_axe_finds_no_serious_or_critical_violation(site, browser, axe_source, kind):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    try:
        pg.goto(url(site, page_types()[kind]))
        if kind in ("essay", "further source"):
            pg.locator("mark.q[id]").nth(3).click()  # the panel open, with its rows and links
        pg.add_script_tag(content=axe_source)
        found, passes = pg.evaluate("""async () => { const r = await axe.run(document); return [r.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes[0].target.join(' ')}`), r.passes.length]; }""")
    finally:
        context.close()
    assert found == []
    assert passes > 20  # axe ran its rules on the page
