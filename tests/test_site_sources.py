"""`histpack site` on a package of two analysed sources: this repository plus the labelled FIXTURE
source of tests/fixtures/second-source (not a real text), built once for the module.

Every analysed source gets its own reading page, every link to a quote or a row goes to the page
of that quote's source, and the cross-source page lists what `source_dates` holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest

from histpack.site import build_site
from histpack.site.data import read_site_data

from conftest import REPO, copy_project

FIXTURE = REPO / "tests" / "fixtures" / "second-source"
MAIN, OTHER = "thom-2015-ewjus", "fixture-second-source"
MAIN_PAGE, OTHER_PAGE = "index.html", f"source-{OTHER}.html"


def page_of(source_id: str) -> str:
    """The essay has the most quotes, so it is read on index.html; every other source on its own page."""
    return MAIN_PAGE if source_id == MAIN else f"source-{source_id}.html"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The project with the fixture source added, built (no database: the site loads its own)."""
    from histpack.pipeline.build import build

    root = copy_project(tmp_path_factory.mktemp("corpus") / "project")
    for folder in ("sources", "annotations"):
        for path in (FIXTURE / folder).iterdir():
            shutil.copy2(path, root / folder / path.name)
    build(root, db_path=None)
    return root


@pytest.fixture(scope="module")
def site(corpus, tmp_path_factory) -> Path:
    return build_site(corpus, tmp_path_factory.mktemp("corpus-site") / "site").out


def fresh_data(corpus: Path):
    """The site's view of the package, read from the database the site build cached (not reloaded)."""
    from histpack.db.cache import cached_database
    from histpack.db.query import connect_read_only

    return read_site_data(corpus, connect_read_only(cached_database(corpus, lambda root: None)))


def rows(root: Path, table: str) -> list[dict]:
    with open(root / "data" / f"{table}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def html(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def page_data(site: Path, name: str) -> dict:
    return json.loads(html(site, name).split('<script type="application/json" id="quotes-data">')[1].split("</script>")[0])


def highlights(site: Path, name: str) -> list[str]:
    return re.findall(r'<mark id="([^"]+)" class="q ', html(site, name))


def test_each_analysed_source_has_its_page_and_a_nav_entry_by_its_name(corpus, site):
    analysed = [s for s in rows(corpus, "sources") if s["role"] == "analyzed"]
    assert {MAIN, OTHER} <= {s["source_id"] for s in analysed}
    for page in site.glob("*.html"):
        nav = html(site, page.name).split('<nav aria-label="Views">')[1].split("</nav>")[0]
        for source, target in ((MAIN, MAIN_PAGE), (OTHER, OTHER_PAGE)):
            cited_as = next(s["cited_as"] for s in analysed if s["source_id"] == source)
            assert re.search(rf'<a href="{re.escape(target)}"[^>]*>{re.escape(cited_as)}</a>', nav), (page.name, source)
        assert '<a href="across-sources.html"' in nav


def test_every_quote_is_highlighted_on_its_own_source_page_only(corpus, site):
    quotes = rows(corpus, "quotes")
    for source, page in ((MAIN, MAIN_PAGE), (OTHER, OTHER_PAGE)):
        own = sorted(q["quote_id"] for q in quotes if q["source_id"] == source)
        assert sorted(highlights(site, page)) == own and own
        assert sorted(page_data(site, page)) == own
    fixture_quote = next(q["quote_id"] for q in quotes if q["source_id"] == OTHER)
    assert fixture_quote in highlights(site, OTHER_PAGE) and fixture_quote not in highlights(site, MAIN_PAGE)


def test_a_source_page_marks_only_the_citations_that_stand_in_it(corpus, site):
    from histpack.site.essay import render_essay

    def marked(article: str) -> set[str]:
        return set(re.findall(r'<cite class="ref" title="citation ([^"]+)"', article))

    data = fresh_data(corpus)
    try:
        citations = data.tables["citations"].rows
        placed = {c["citation_id"] for c in citations if c["char_start"] and c["citing_source_id"] == MAIN}
        main, _, _ = render_essay(data, MAIN)
        other, _, _ = render_essay(data, OTHER)
        assert marked(main) == placed and placed and marked(other) == set()
        moved = next(c for c in citations if c["citation_id"] in placed)
        moved["citing_source_id"] = OTHER  # the same offsets, said to stand in the other source
        main_after, _, _ = render_essay(data, MAIN)
    finally:
        data.con.close()
    assert marked(main_after) == placed - {moved["citation_id"]}


def test_fixture_head_prints_no_empty_punctuation(corpus, site):
    record = next(s for s in rows(corpus, "sources") if s["source_id"] == OTHER)
    assert not any(record[k] for k in ("authors", "container", "volume", "issue", "year", "pages"))
    head = html(site, OTHER_PAGE).split('<article class="essay">')[1].split("</p>")[0]
    title, meta = re.fullmatch(r"<h1>(.*)</h1><p class=\"meta\">(.*)", head).groups()
    assert unescape(title) == f"“{record['title']}”"
    assert meta.startswith("Printed pages in the margin.")  # no page range in its record, but two pages
    main = next(s for s in rows(corpus, "sources") if s["source_id"] == MAIN)
    main_meta = html(site, MAIN_PAGE).split('<p class="meta">')[1].split(" Printed pages")[0]
    assert unescape(main_meta) == (f"{main['container']} {main['volume']}, no. {main['issue']} ({main['year']}): "
                                   f"{main['pages']}.")


@pytest.mark.parametrize("record, heading, where", [
    ({"title": "T", "authors": "A", "container": "J", "volume": "2", "issue": "1", "year": "2015", "pages": "81-92"},
     "A, “T”", "J 2, no. 1 (2015): 81-92. "),
    ({"title": "T", "container": "J", "year": "2001"}, "“T”", "J (2001). "),
    ({"authors": "A", "issue": "3"}, "A, Cited", "no. 3. "),
    ({"year": "1958", "pages": "4"}, "Cited", "1958: 4. "),
    ({"pages": "4"}, "Cited", "pp. 4. "),
    ({"title": "T"}, "“T”", ""),
])
def test_a_source_head_prints_the_parts_its_record_gives(record, heading, where):
    from histpack.site.pages import source_heading

    assert source_heading({"source_id": "s", "cited_as": "Cited", **record}) == (heading, where)


def test_every_link_to_a_quote_or_row_lands_on_an_element_of_its_page(site):
    """A row's fragment lands on its quote: the page's ids include the rows listed in its data."""
    ids = {p.name: set(re.findall(r' id="([^"]+)"', p.read_text(encoding="utf-8"))) for p in site.glob("*.html")}
    for page in [MAIN_PAGE, *(p.name for p in site.glob("source-*.html"))]:
        ids[page] |= {row["id"] for q in page_data(site, page).values() for row in q["rows"]}
    missing, seen = [], set()
    for page in site.glob("*.html"):
        for target, fragment in re.findall(r'href="([^"#]*)#([^"]+)"', page.read_text(encoding="utf-8")):
            seen.add(target)
            if fragment not in ids.get(target or page.name, set()):
                missing.append(f"{page.name} → {target}#{fragment}")
    assert not missing, missing[:5]
    assert {MAIN_PAGE, OTHER_PAGE} <= seen


def to_text_links(site: Path, table: str) -> dict[str, str]:
    """row id → the target of its `essay ↗` link."""
    return dict(re.findall(r'<tr id="([^"]+)">.*?<a class="to-essay" href="([^"]+)"', html(site, f"table-{table}.html")))


def test_table_links_go_to_the_page_of_the_quote_source(corpus, site):
    for table, key in (("events", "event_id"), ("attestations", "attestation_id")):
        links = to_text_links(site, table)
        table_rows = rows(corpus, table)
        assert len(links) == len(table_rows)
        for row in table_rows:
            page = page_of(row["source_id"])
            assert links[f"{table}/{row[key]}"] == f"{page}#{row['quote_id']}"
    assert any(r["source_id"] == OTHER for r in rows(corpus, "events"))


def test_timeline_draws_attested_dates_linked_to_the_fixture_page(corpus, site):
    """By calendar year from 1920, every dated attestation of an entity with a regime is a mark of its own,
    hollow or outlined, linked to its source's page, its hover text naming the date in words and the source."""
    from histpack.annotate.date_words import date_in_words

    timeline = html(site, "timeline.html")
    calendar = timeline.split('id="tl-calendar"')[1].split("</svg>")[0]
    marks = re.findall(r'<a href="([^"]+)" class="mark m-(\w+)( attested)?" data-row="([^"]+)" '
                       r'data-quote="[^"]+" data-source="([^"]+)"><title>([^<]+)</title>', calendar)
    attested = {m[3]: m for m in marks if m[2]}
    regime_of = {(column, r[column]): r.get("regime_id", "") for column, table in
                 (("phase_id", "phases"), ("purge_id", "purges"), ("event_id", "events"), ("person_id", "persons"),
                  ("place_id", "places"), ("regime_id", "regimes")) for r in rows(corpus, table)}
    dated = []
    for a in rows(corpus, "attestations"):
        column = next(c for c in ("phase_id", "purge_id", "event_id", "person_id", "place_id", "regime_id") if a[c])
        if a["date_start"] and a["date_end"] >= "1920" and regime_of[(column, a[column])]:
            dated.append((a, column))
    assert any(a["source_id"] == OTHER for a, _ in dated) and {c for _, c in dated} >= {"phase_id", "event_id"}
    assert sorted(attested) == sorted(f"attestations/{a['attestation_id']}" for a, _ in dated)
    cited = {s["source_id"]: s["cited_as"] for s in rows(corpus, "sources")}
    for a, column in dated:
        href, kind, _, _, source, title = attested[f"attestations/{a['attestation_id']}"]
        assert (href, kind, source) == (f"{page_of(a['source_id'])}#attestations/{a['attestation_id']}",
                                        {"phase_id": "phase", "purge_id": "purge"}.get(column, "event"), a["source_id"])
        assert f"{date_in_words(a['date_edtf'])} as {cited[a['source_id']]} dates it" in unescape(title)
    own = [m for m in marks if not m[2]]
    assert own and all(m[0].startswith(f"{page_of(m[4])}#") for m in own)
    assert {m[4] for m in own} >= {MAIN, OTHER}
    assert '<select name="source">' in timeline


def test_a_further_source_dating_a_purge_as_its_row_does_is_a_mark_of_its_own():
    from histpack.site.timeline_svg import timeline_svg
    from histpack.outputs.timeline import Item

    day = dt.date(1930, 1, 1), dt.date(1930, 12, 31)
    own = Item("purge", "ussr", *day, "kulaks", "peasants", item_id="p1", quote_id="q1", date_edtf="1930",
               source_id=MAIN)
    attested = Item("purge", "ussr", *day, "kulaks", "peasants", item_id="p1", quote_id="q2", date_edtf="1930",
                    source_id=OTHER, attestation_id="a1")
    svg, _ = timeline_svg([own, attested], {"ussr": "USSR"}, "calendar", None, "t", "t",
                          lambda i: f"page-of-{i.quote_id}.html#x", {OTHER: "Fixture"})
    marks = re.findall(r'<a href="([^"]+)" class="mark m-purge( attested)?" data-row="([^"]+)".*?<title>([^<]+)</title>'
                       r'<line [^>]*y1="([^"]+)"', svg)
    assert [(m[0], m[2]) for m in marks] == [("page-of-q1.html#x", "purges/p1"), ("page-of-q2.html#x", "attestations/a1")]
    assert marks[1][1] and "as Fixture dates it" in marks[1][3]
    assert marks[0][4] != marks[1][4]  # stacked, not drawn over each other


def agreement(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> str:
    if a == b:
        return "same"
    if (a[0] >= b[0] and a[1] <= b[1]) or (b[0] >= a[0] and b[1] <= a[1]):
        return "nested"
    return "overlap" if a[0] <= b[1] and b[0] <= a[1] else "differ"


def test_across_sources_lists_each_dated_attestation_with_its_agreement(corpus, site):
    """Recomputed from the CSVs: every pair of sources' dated claims about one entity (its own row's
    date and every attestation), one source before the other by id."""
    entity_tables = {"person_id": "persons", "place_id": "places", "regime_id": "regimes", "event_id": "events",
                     "phase_id": "phases", "purge_id": "purges"}
    dated: dict[tuple[str, str], list[dict]] = {}
    for column, table in entity_tables.items():
        for r in rows(corpus, table):
            if r.get("date_start"):
                dated.setdefault((column, r[column]), []).append(r)
    for a in rows(corpus, "attestations"):
        column = next(c for c in entity_tables if a[c])
        if a["date_start"]:
            dated.setdefault((column, a[column]), []).append(a)
    span = lambda r: (dt.date.fromisoformat(r["date_start"]), dt.date.fromisoformat(r["date_end"]))  # noqa: E731
    expected = set()
    for (_, entity_id), claims in dated.items():
        for x in claims:
            for y in claims:
                if x["source_id"] < y["source_id"]:
                    expected.add((entity_id, x["date_edtf"], f"{page_of(x['source_id'])}#{x['quote_id']}",
                                  y["date_edtf"], f"{page_of(y['source_id'])}#{y['quote_id']}", agreement(span(x), span(y))))
    page = html(site, "across-sources.html")
    listed = set()
    for pair, section in re.findall(r'<section class="pair" id="pair/([^"]+)".*?<tbody>(.*?)</tbody>', page):
        source_a, source_b = pair.split("/")
        for row in re.findall(r"<tr .*?</tr>", section):
            entity, date_a, links_a, date_b, links_b, agreed = re.fullmatch(
                r'<tr data-agreement="\w+"><th scope="row">\w+ <a href="table-\w+\.html#\w+/([^"]+)">[^<]*</a></th>'
                r'<td><b>[^<]+</b> <code>([^<]+)</code><br>(.*?)</td><td><b>[^<]+</b> <code>([^<]+)</code><br>(.*?)</td>'
                r'<td class="agree-\w+">(\w+)</td></tr>', row).groups()
            hrefs_a, hrefs_b = (re.findall(r'href="([^"]+)"', links) for links in (links_a, links_b))
            assert all(h.startswith(page_of(source_a)) for h in hrefs_a), row
            assert all(h.startswith(page_of(source_b)) for h in hrefs_b), row
            listed |= {(entity, date_a, a, date_b, b, agreed) for a in hrefs_a for b in hrefs_b}
    assert listed == expected and sum(OTHER_PAGE in e[2] or OTHER_PAGE in e[4] for e in expected) >= 5
    assert {e[5] for e in expected} >= {"same", "nested"}


def test_across_sources_says_when_two_sources_share_an_author_or_a_publication(corpus, site):
    """The two Factbook texts share their author and their publication: their agreement is not
    independent corroboration, and the page says so for that pair, and only for pairs that share one."""
    sources = {s["source_id"]: s for s in rows(corpus, "sources") if s["role"] == "analyzed"}
    page = html(site, "across-sources.html")
    sections = dict(re.findall(r'<section class="pair" id="pair/([^"]+)"(.*?)</section>', page))
    assert sections
    for pair, section in sections.items():
        a, b = (sources[s] for s in pair.split("/"))
        shared = (a["authors"] and a["authors"] == b["authors"]) or (a["container"] and a["container"] == b["container"])
        assert ("Not independent" in section) == bool(shared), pair
    factbooks = "cia-factbook-2026-russia/cia-factbook-2026-ukraine"
    assert "Not independent" in sections[factbooks] and "Central Intelligence Agency" in sections[factbooks]


def test_panel_data_holds_attestations_and_what_other_sources_say(corpus, site):
    from histpack.annotate.date_words import date_in_words

    dizzy = next(a for a in rows(corpus, "attestations") if a["event_id"] == "1930-03-02-dizzy-with-success")
    event = next(e for e in rows(corpus, "events") if e["event_id"] == dizzy["event_id"])
    panel_rows = page_data(site, OTHER_PAGE)[dizzy["quote_id"]]["rows"]
    row = next(r for r in panel_rows if r["id"] == f"attestations/{dizzy['attestation_id']}")
    assert [f"table-events.html#events/{event['event_id']}", f"{MAIN_PAGE}#events/{event['event_id']}"] == \
        [href for _, href in row["links"]]
    across = page_data(site, MAIN_PAGE)[event["quote_id"]]["across"]
    assert {(a["source"], a["other_date"], a["href"], a["agreement"]) for a in across if a["source"] == "Fixture"} == \
        {("Fixture", date_in_words(dizzy["date_edtf"]), f"{OTHER_PAGE}#{dizzy['quote_id']}", "same")}
    assert date_in_words(dizzy["date_edtf"]) == "2 March 1930"


def test_two_renderings_of_the_corpus_site_are_byte_identical(corpus, site):
    from test_site import assert_rendered_again_alike

    assert_rendered_again_alike(site, fresh_data(corpus))


# --- in the browser (the module fixtures of test_site.py) ------------------------------------------

from test_site import browser, page, url  # noqa: E402,F401  (pytest fixtures and a helper, shared)


def test_browser_from_an_attestation_to_both_sources(corpus, site, page):
    dizzy = next(a for a in rows(corpus, "attestations") if a["event_id"] == "1930-03-02-dizzy-with-success")
    event = next(e for e in rows(corpus, "events") if e["event_id"] == dizzy["event_id"])
    page.goto(url(site, "table-attestations.html"))
    page.locator(f'tr[id="attestations/{dizzy["attestation_id"]}"] a.to-essay').click()
    page.wait_for_url(f"**/{OTHER_PAGE}#{dizzy['quote_id']}")
    panel = page.locator("#panel")
    assert panel.locator(f"[data-row='attestations/{dizzy['attestation_id']}']").count() == 1
    panel.locator("a", has_text="as Thom 2015 gives it").click()
    page.wait_for_url(f"**/{MAIN_PAGE}#events/{event['event_id']}")
    assert page.locator(f"#panel .row.current[data-row='events/{event['event_id']}']").count() == 1
    assert page.locator("#panel .across a", has_text="in Fixture").count() == 1
    page.goto(url(site, "timeline.html"))
    shown = "document.querySelectorAll('#tl-campaign a.mark:not(.filtered)').length"
    total = page.evaluate(shown)
    fixture_marks = page.locator(f"#tl-campaign a.mark[data-source='{OTHER}']").count()
    page.select_option("select[name=source]", OTHER)
    assert page.evaluate(shown) == fixture_marks < total
    assert page.locator("#tl-count").inner_text().startswith(f"{fixture_marks} marks of Fixture on this axis")
    assert page.locator(f"#tl-campaign a.mark[data-row='attestations/fixture-famine']:visible").count() == 1
    assert page.url.endswith(f"timeline.html?source={OTHER}")
    page.reload()  # the address keeps the choice: a filtered view can be shared
    assert page.evaluate(shown) == fixture_marks and page.locator("select[name=source]").input_value() == OTHER
    page.evaluate("""() => document.querySelectorAll('#tl-campaign a.mark[data-source]').forEach(m => {
        if (m.dataset.source !== 'thom-2015-ewjus') m.remove(); })""")  # a source with nothing on this axis
    page.select_option("select[name=source]", "")
    page.select_option("select[name=source]", OTHER)
    assert page.locator("#tl-count").inner_text().startswith("Fixture dates nothing on this axis")
