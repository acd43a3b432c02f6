"""`histpack site --publish`: the site as it is published, checked in headless Chromium from file://.
A quotations-only text shows only its quoted passages (none of its other words is in any file of the
site); the dataset's JSON-LD and citation meta tags are in index.html's head and follow the descriptor."""

from __future__ import annotations

import csv
import html
import json

import pytest

from conftest import REPO
from histpack.site import build_site
from test_site import browser, page  # noqa: F401 - the module's Chromium and a page that fails on errors

ESSAY = "thom-2015-ewjus"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    return build_site(REPO, tmp_path_factory.mktemp("published") / "site", publish=True).out


def _rows(table: str) -> list[dict]:
    with open(REPO / "data" / f"{table}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def unquoted_runs(canonical, shortest: int = 30) -> list[str]:
    """The essay's words outside every quote and reference, in stretches of at least `shortest` characters."""
    covered = [False] * len(canonical.text)
    spans = [(int(q["char_start"]), int(q["char_end"])) for q in _rows("quotes") if q["source_id"] == ESSAY]
    spans += [(int(c["char_start"]), int(c["char_end"])) for c in _rows("citations") if c["citing_source_id"] == ESSAY]
    for start, end in spans:
        covered[start:end] = [True] * (end - start)
    runs, start = [], None
    for i, hit in enumerate([*covered, True]):
        if not hit and start is None:
            start = i
        elif hit and start is not None:
            if len(canonical.text[start:i].strip()) >= shortest:
                runs.append(canonical.text[start:i].strip())
            start = None
    return runs


def test_no_file_of_the_published_site_holds_the_essay_beyond_its_quotes(published, canonical):
    runs = unquoted_runs(canonical)
    assert len(runs) >= 15
    text = "\n".join(html.unescape(p.read_text(encoding="utf-8")) for p in published.rglob("*.html"))
    assert [run for run in runs if run in text] == []
    whole = [p["text"] for p in _rows("paragraphs") if p["source_id"] == ESSAY]
    assert sum(paragraph in text for paragraph in whole) <= sum(  # a paragraph appears only if quoted whole
        any(q["text"] == paragraph for q in _rows("quotes")) for paragraph in whole)
    # a control: the site built for reading does show them
    full = build_site(REPO, published.parent / "full").out
    full_text = "\n".join(html.unescape(p.read_text(encoding="utf-8")) for p in full.rglob("*.html"))
    assert all(run in full_text for run in runs)


def test_the_published_reading_page_in_chromium(published, page, canonical):  # noqa: F811
    page.goto((published / "index.html").as_uri())
    quotes = [q for q in _rows("quotes") if q["source_id"] == ESSAY]
    assert page.locator("mark.q[id]").count() == len(quotes)
    shown = page.evaluate("document.body.innerText")
    assert "Only the quoted passages." in shown and "doi.org/10.21226/T2TG6W20" in shown
    normalised = " ".join(shown.split())
    assert [run for run in unquoted_runs(canonical) if " ".join(run.split()) in normalised] == []
    page.locator(f"mark.q[id='{quotes[0]['quote_id']}']").click()
    assert page.locator("#panel").is_visible()
    record = page.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    assert record["@type"] == "Dataset" and record["@context"] == "https://schema.org"
    assert (record["name"], record["version"], record["datePublished"]) == \
        (descriptor["title"], descriptor["version"], descriptor["created"][:10])
    assert record["license"] == next(lic["path"] for lic in descriptor["licenses"] if lic["part"] == "data")
    assert [c["name"] for c in record["creator"]] == [c["title"] for c in descriptor["contributors"]
                                                      if c["role"] == "author"]
    assert [w["name"] for w in record["citation"]] == [s["title"] for s in descriptor["sources"]]
    assert "https://doi.org/10.21226/T2TG6W20" in [w.get("identifier") for w in record["citation"]]
    assert record["distribution"][0]["contentUrl"] == f"{descriptor['name']}-{descriptor['version']}.zip"
    meta = page.evaluate("Object.fromEntries([...document.querySelectorAll('meta[name^=citation_], meta[name^=DC]')]"
                         ".map(m => [m.name, m.content]))")
    assert (meta["citation_title"], meta["citation_author"], meta["DC.type"]) == \
        (descriptor["title"], "histpack contributors", "Dataset")
    assert meta["citation_publication_date"] == descriptor["created"][:10].replace("-", "/")


def test_a_free_text_is_published_whole(published, page):  # noqa: F811
    page.goto((published / "source-canada-2008-holodomor-act.html").as_uri())
    shown = " ".join(page.evaluate("document.body.innerText").split())
    act = [p["text"] for p in _rows("paragraphs") if p["source_id"] == "canada-2008-holodomor-act"]
    assert all(" ".join(p.split()) in shown for p in act)
    assert "Only the quoted passages." not in shown
