"""`histpack site`: the static site, built once per session, checked as files and in a real
headless Chromium (Debian's `/usr/bin/chromium`, driven by Playwright) opened from file://.

Browser tests skip when Chromium or Playwright is missing, unless HISTPACK_REQUIRE_BROWSER=1
(CI sets it), which makes that a failure. Screenshots go to docs/ only with
HISTPACK_UPDATE_SCREENSHOTS=1, so a normal run never dirties the repository.
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import pytest

from histpack.project.errors import BuildError
from histpack.site import MARKER, build_site, render_site
from histpack.site.data import read_site_data

from conftest import REPO, edit

CHROMIUM = Path(os.environ.get("HISTPACK_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = REPO / "docs"


def rows(table: str) -> list[dict]:
    with open(REPO / "data" / f"{table}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    return build_site(REPO, tmp_path_factory.mktemp("site") / "site").out


# --- the files -----------------------------------------------------------------------------------

def assert_rendered_again_alike(site: Path, data) -> None:
    """The written site equals a second rendering of `data` (a fresh read of its package), file by file."""
    try:
        again, _ = render_site(data)
    finally:
        data.con.close()
    written = {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert written.keys() == again.keys() and all(written[k] == again[k] for k in again)


def test_two_builds_are_byte_identical(site):
    """The written site equals a second rendering from a fresh read of the package, file by file."""
    assert_rendered_again_alike(site, read_site_data(REPO))


def source_pages() -> dict[str, str]:
    """source_id → its reading page: index.html for the source most quotes rest on (ties by id)."""
    counts: dict[str, int] = {}
    for q in rows("quotes"):
        counts[q["source_id"]] = counts.get(q["source_id"], 0) + 1
    analysed = sorted(s["source_id"] for s in rows("sources") if s["role"] == "analyzed")
    main = min(analysed, key=lambda s: (-counts.get(s, 0), s))
    return {s: "index.html" if s == main else f"source-{s}.html" for s in analysed}


def main_quotes() -> list[dict]:
    return [q for q in rows("quotes") if source_pages()[q["source_id"]] == "index.html"]


def test_every_quote_is_one_highlight_with_its_fragment_on_its_source_page(site):
    for source, name in source_pages().items():
        ids = re.findall(r'<mark id="([^"]+)" class="q ', (site / name).read_text(encoding="utf-8"))
        assert sorted(ids) == sorted(q["quote_id"] for q in rows("quotes") if q["source_id"] == source), name


def test_nothing_points_outside_the_folder(site):
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        refs = re.findall(r'(?:href|src)="([^"#]*)', text)
        assert not [r for r in refs if r and not (site / r).is_file()], page.name
    css = (site / "assets" / "site.css").read_text(encoding="utf-8")
    assert "url(" not in css and "@import" not in css and "fetch(" not in (site / "assets" / "site.js").read_text()


def test_every_link_to_a_row_or_quote_lands_on_an_element(site):
    """In the essay, a row's fragment lands on its quote: those ids are the rows listed in its data."""
    ids = {p.name: set(re.findall(r' id="([^"]+)"', p.read_text(encoding="utf-8"))) for p in site.glob("*.html")}
    for name in source_pages().values():
        essay = (site / name).read_text(encoding="utf-8")
        quotes = json.loads(essay.split('<script type="application/json" id="quotes-data">')[1].split("</script>")[0])
        ids[name] |= {row["id"] for q in quotes.values() for row in q["rows"]}
    missing = []
    for page in site.glob("*.html"):
        for target, fragment in re.findall(r'href="([^"#]*)#([^"]+)"', page.read_text(encoding="utf-8")):
            if fragment not in ids[target or page.name]:
                missing.append(f"{page.name} → {target}#{fragment}")
    assert not missing, missing[:5]


def test_sentences_no_quote_anchors_are_shaded():
    """The package anchors every sentence; drop one paragraph's quotes and its sentences are shaded."""
    from histpack.site.essay import render_essay

    data = read_site_data(REPO)
    try:
        full, _, stats = render_essay(data)
        assert stats["covered"] == stats["sentences"] and 'class="uncov"' not in full
        quotes = data.tables["quotes"]
        quotes.rows = [q for q in quotes.rows if q["paragraph_id"] != "thom-2015-ewjus-p005"]
        article, _, stats = render_essay(data)
    finally:
        data.con.close()
    paragraph = article.split('id="para-5">')[1].split("</p>")[0]
    assert stats["sentences"] - stats["covered"] == paragraph.count('<span class="uncov">') > 3
    assert article.count('<span class="uncov">') == paragraph.count('<span class="uncov">')


def test_each_analysed_source_has_its_page_and_across_sources_follows_attestations(site):
    pages = source_pages()
    assert sorted(p.name for p in site.glob("source-*.html")) == sorted(p for p in pages.values() if p != "index.html")
    assert (site / "across-sources.html").exists() == bool(rows("attestations"))
    nav = (site / "tables.html").read_text(encoding="utf-8").split('<nav aria-label="Views">')[1].split("</nav>")[0]
    cited = {s["source_id"]: s["cited_as"] for s in rows("sources")}
    listed = re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav)
    assert listed[:len(pages)] == [(pages[s], cited[s]) for s in sorted(pages, key=lambda s: pages[s] != "index.html")]


def test_row_fragments_are_stable_table_slash_key(site):
    html = (site / "table-events.html").read_text(encoding="utf-8")
    assert 'id="events/1929-12-14-bauman-memorandum"' in html
    assert len(re.findall(r'<tr id="events/', html)) == len(rows("events"))


def test_out_that_is_an_input_or_package_folder_is_refused(project):
    for out in (project, project / "data", project / "annotations", project / "data" / "site", project.parent):
        with pytest.raises(BuildError, match="input or package folder"):
            build_site(project, out)


def test_existing_folder_that_is_not_a_site_is_left_alone(project, tmp_path):
    keep = tmp_path / "notes"
    keep.mkdir()
    (keep / "mine.txt").write_text("mine")
    with pytest.raises(BuildError, match="not a site written by"):
        build_site(project, keep)
    assert (keep / "mine.txt").read_text() == "mine"


def test_invalid_package_is_refused_in_one_line_and_old_site_kept(project, tmp_path, cli):
    out = tmp_path / "site"
    out.mkdir()
    (out / MARKER).write_text("an earlier site")
    (out / "index.html").write_text("earlier")
    before = (out / "index.html").read_bytes()
    edit(project / "data" / "quotes.csv", "After the defeat of Trotsky", "After the defeat of Trotski")
    run = cli(project, "site", "--out", str(out))
    assert run.exit_code == 1 and len(run.errors) == 1 and "fails validation" in run.errors[0]
    assert "Traceback" not in run.stderr
    assert (out / "index.html").read_bytes() == before and (out / MARKER).is_file()


def test_third_party_package_gets_table_pages_only(tmp_path, cli):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "cities.csv").write_text('id,name,country\n1,Kyiv,ua\n2,"Lviv</td><script>alert(1)</script>",ua\n',
                                    encoding="utf-8")
    (pkg / "countries.csv").write_text("code,name\nua,Ukraine\n", encoding="utf-8")
    (pkg / "datapackage.json").write_text(json.dumps({"name": "cities", "resources": [
        {"name": "cities", "path": "cities.csv", "profile": "tabular-data-resource", "schema": {
            "fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"},
                       {"name": "country", "type": "string"}], "primaryKey": ["id"],
            "foreignKeys": [{"fields": ["country"], "reference": {"resource": "countries", "fields": ["code"]}}]}},
        {"name": "countries", "path": "countries.csv", "profile": "tabular-data-resource", "schema": {
            "fields": [{"name": "code", "type": "string"}, {"name": "name", "type": "string"}],
            "primaryKey": ["code"]}}]}), encoding="utf-8")
    run = cli(tmp_path, "site", "--package", str(pkg), "--out", str(tmp_path / "out"))
    assert run.exit_code == 0, run.stderr
    assert "table pages only" in run.stdout
    built = {p.name for p in (tmp_path / "out").glob("*.html")}
    assert built == {"index.html", "tables.html", "table-cities.html", "table-countries.html"}
    cities = (tmp_path / "out" / "table-cities.html").read_text(encoding="utf-8")
    assert '<a href="table-countries.html#countries/ua">ua</a>' in cities
    assert "<script>alert" not in cities and "Lviv&lt;/td&gt;&lt;script&gt;" in cities


# --- in the browser --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    """One Chromium for this module, closed when it ends: Playwright's sync API keeps an event loop
    running while it is open, which would break later tests in the same worker that use asyncio."""
    required = "1" in (os.environ.get("HISTPACK_REQUIRE_BROWSER"), os.environ.get("HISTPACK_REQUIRE_TOOLS"))
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "the playwright package is not installed (pip install -e '.[test]')"
    if missing is None and not CHROMIUM.is_file():
        missing = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if missing:
        if required:
            pytest.fail(f"HISTPACK_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=["--no-sandbox", "--disable-background-networking"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A page that records every request and console error; the test fails on any that leaves file://."""
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    pg = context.new_page()
    requests, errors = [], []
    pg.on("request", lambda r: requests.append(r.url))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert requests and all(u.startswith("file://") for u in requests), [u for u in requests if not u.startswith("file://")]
    assert errors == []


@pytest.fixture(scope="session")
def shots(tmp_path_factory) -> Path:
    return SCREENSHOTS if os.environ.get("HISTPACK_UPDATE_SCREENSHOTS") == "1" else tmp_path_factory.mktemp("shots")


def url(site: Path, name: str) -> str:
    return (site / name).as_uri()


def test_browser_counts_one_highlight_per_quote(site, page):
    page.goto(url(site, "index.html"))
    assert page.locator("mark.q[id]").count() == len(main_quotes())
    distinct = page.evaluate("new Set([...document.querySelectorAll('mark.q[data-q]')].map(m => m.dataset.q)).size")
    assert distinct == len(main_quotes())


def resting_on(quote_id: str) -> set[str]:
    """`table/key…` of every row, in any table with a quote_id, that rests on the quote."""
    found = set()
    for schema_path in sorted((REPO / "schemas").glob("*.json")):
        schema, table = json.loads(schema_path.read_text(encoding="utf-8")), schema_path.stem
        if table != "quotes" and "quote_id" in {f["name"] for f in schema["fields"]}:
            key = schema["primaryKey"]
            key = [key] if isinstance(key, str) else key
            found |= {"/".join([table, *(r[k] for k in key)]) for r in rows(table) if r["quote_id"] == quote_id}
    return found


def test_click_a_highlight_lists_its_rows_and_citation(site, page, shots):
    quote = next(q for q in rows("quotes") if q["quote_id"] == "q90-blow-ing-up-the-bridges")
    page.goto(url(site, "index.html"))
    page.locator(f'mark[id="{quote["quote_id"]}"]').click()
    panel = page.locator("#panel")
    assert panel.is_visible()
    shown = set(panel.locator("[data-row]").evaluate_all("els => els.map(e => e.dataset.row)"))
    assert shown == resting_on(quote["quote_id"]) and len(shown) >= 2
    assert panel.locator(".citation").inner_text() == f"Thom 2015, {quote['page_start']}"
    page.screenshot(path=str(shots / "site-essay.png"))


def test_a_quote_holding_the_essays_slip_is_read_with_sic(site, page):
    """The words stay verbatim in the text, “[sic]” follows the slip there and in the panel's quote."""
    page.goto(url(site, "index.html") + "#events/1962-01-mao-policy-criticised")
    panel = page.locator("#panel")
    assert panel.locator("blockquote").inner_text() == (
        "“The ensuing disaster lead [sic] to a reaction by the Party establishment: in January 1962 Mao’s policy "
        "is criticised by his closest associates: Liu, Zhou and Deng Xiaoping.”")
    assert panel.locator(".sic-note").inner_text() == "[sic]: the source's own slip, “lead” for “led” (slip)"
    mark = page.locator('mark[id="q87-the-ensuing-disaster-lead-to"]')  # its first part (the slip is a mark of its own)
    paragraph = mark.locator("xpath=ancestor::p[1]").inner_text()
    assert "The ensuing disaster lead [sic] to a reaction by the Party establishment" in paragraph  # as a reader copies it
    assert page.locator('mark[id="q87-lead"]').inner_text() == "lead"  # the slip's words themselves, verbatim
    assert page.locator("span.sic").count() == len([s for s in rows("slips")
                                                     if s["quote_id"] in {q["quote_id"] for q in main_quotes()}]) == 6


def test_keyboard_opens_a_highlight(site, page):
    page.goto(url(site, "index.html"))
    first = page.locator("mark.q[id]").first
    first.focus()
    page.keyboard.press("Enter")
    assert page.locator("#panel h2").inner_text() == f"Quote {first.get_attribute('id')}"


def test_row_link_lands_on_the_quote_after_its_page_marker(site, page):
    event = next(e for e in rows("events") if e["event_id"] == "1929-12-14-bauman-memorandum")
    quote = next(q for q in rows("quotes") if q["quote_id"] == event["quote_id"])
    page.goto(url(site, "table-events.html") + "#events/1929-12-14-bauman-memorandum")
    page.locator('tr[id="events/1929-12-14-bauman-memorandum"] a.to-essay').click()
    page.wait_for_url(f"**/index.html#{quote['quote_id']}")
    marker_page = page.evaluate("""id => {
        const mark = document.getElementById(id);
        const before = [...document.querySelectorAll('.page[data-page]')]
            .filter(p => p.compareDocumentPosition(mark) & Node.DOCUMENT_POSITION_FOLLOWING);
        const box = mark.getBoundingClientRect();
        return [before[before.length - 1].dataset.page, box.top >= 0 && box.bottom <= innerHeight];
    }""", quote["quote_id"])
    assert marker_page == [quote["page_start"], True]
    assert page.locator("#panel [data-row='events/1929-12-14-bauman-memorandum']").count() == 1


def test_filter_and_sort_a_table(site, page, shots):
    events = rows("events")
    page.goto(url(site, "table-events.html"))
    page.locator(".filter input").fill("bauman")
    expected = [e for e in events if any("bauman" in v.lower() for v in e.values())]
    assert page.locator("tbody tr:visible").count() == len(expected) > 0
    page.locator(".filter input").fill("")
    page.locator("th button", has_text="date_start").click()
    first = page.locator("tbody tr").first.get_attribute("id")
    earliest = min(events, key=lambda e: (e["date_start"], e["event_id"]))["date_start"]
    assert next(e for e in events if f"events/{e['event_id']}" == first)["date_start"] == earliest
    page.locator(".filter input").fill("ussr")
    page.screenshot(path=str(shots / "site-table.png"))


def test_comparisons_filter_by_dimension(site, page, shots):
    comparisons = rows("comparisons")
    dimension = comparisons[0]["dimension"]
    page.goto(url(site, "comparisons.html"))
    assert page.locator("article.cmp").count() == len(comparisons)
    page.select_option("select[name=dimension]", dimension)
    assert page.locator("article.cmp:visible").count() == sum(c["dimension"] == dimension for c in comparisons)
    page.select_option("select[name=dimension]", "")
    page.select_option("select[name=pair]", "prc ussr")
    pairs = {}
    for s in rows("comparison_sides"):
        pairs.setdefault(s["comparison_id"], set()).add(s["regime_id"])
    assert page.locator("article.cmp:visible").count() == sum({"prc", "ussr"} <= r for r in pairs.values())
    page.screenshot(path=str(shots / "site-comparisons.png"))


def dated_items() -> list[str]:
    """`table/id` of every dated thing the timeline shows: each dated event, phase, purge and rhetoric row, and
    each date a further source gives of an entity with a regime (an attestation), as the CSVs hold them."""
    found = [f"{t}/{r[k]}" for t, k in (("events", "event_id"), ("phases", "phase_id"), ("purges", "purge_id"),
                                       ("rhetoric", "rhetoric_id")) for r in rows(t) if r.get("date_start")]
    lanes = {(c, r[c]): r.get("regime_id") for c, t in (("event_id", "events"), ("phase_id", "phases"),
             ("purge_id", "purges"), ("person_id", "persons"), ("place_id", "places"), ("regime_id", "regimes"))
             for r in rows(t)}
    for a in rows("attestations"):
        column = next(c for c in ("event_id", "phase_id", "purge_id", "person_id", "place_id", "regime_id") if a[c])
        if a["date_start"] and lanes[(column, a[column])]:
            found.append(f"attestations/{a['attestation_id']}")
    return found


def test_timeline_draws_or_lists_every_dated_row(site, page):
    """Each view of the timeline holds every dated row and attestation: drawn as a mark with a title, or
    listed under it with why it is off the axis. Events are drawn."""
    page.goto(url(site, "timeline.html"))
    expected = sorted(dated_items())
    assert sum(i.startswith("events/") for i in expected) > 50
    for view in ("campaign", "calendar"):
        drawn = page.locator(f"#tl-{view} a.mark").evaluate_all("els => els.map(e => e.dataset.row)")
        listed = page.locator(f"#view-{view} ul.left-out a").evaluate_all(
            "els => els.map(e => decodeURIComponent(e.getAttribute('href').split('#')[1]))")
        assert sorted(drawn + listed) == expected, view
        assert page.locator(f"#tl-{view} a.mark > title").count() == len(drawn)
        assert any(d.startswith("events/") for d in drawn)


def test_timeline_marks_have_titles_and_lead_to_their_evidence(site, page, shots):
    purge = next(p for p in rows("purges") if p["purge_id"] == "ussr-1927-opposition-expelled")
    page.goto(url(site, "timeline.html"))
    title = page.locator('#tl-campaign a.mark[data-row="events/1929-12-14-bauman-memorandum"] > title').text_content()
    assert "14 December 1929" in title and "1929-12-14" not in title
    page.screenshot(path=str(shots / "site-timeline.png"), full_page=True)
    page.locator(f'#tl-campaign a.mark[data-row="purges/{purge["purge_id"]}"]').click()
    page.wait_for_url(f"**/index.html#purges/{purge['purge_id']}")
    assert page.locator(f"#panel .row.current[data-row='purges/{purge['purge_id']}']").count() == 1
    assert page.locator("#panel h2").inner_text() == f"Quote {purge['quote_id']}"
    assert page.locator(f'mark[id="{purge["quote_id"]}"]').is_visible()
    assert page.evaluate(f"document.getElementById('{purge['quote_id']}').getBoundingClientRect().top") > 0


def test_essay_and_tables_read_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(url(site, "index.html"))
    assert "Stalin" in pg.locator("article.essay").inner_text()
    assert pg.locator(".page[data-page]").count() >= 11
    pg.goto(url(site, "table-events.html"))
    assert pg.locator("tbody tr:visible").count() == len(rows("events"))
    context.close()
