"""The site as it is published: a source whose text may not be redistributed is shown as the passages
the dataset quotes, in the order of the text, with elisions; and the dataset's own record in the head
of index.html, for search engines (a schema.org `Dataset` in JSON-LD) and citation managers
(`citation_*` and Dublin Core meta tags, which Zotero's connector reads).

`histpack site --publish` builds the site from the package as a release holds it
(`histpack.outputs.withhold`), so a withheld text is absent from every page, not hidden.
"""

from __future__ import annotations

import json
from collections import defaultdict
from html import escape

from histpack.site.data import SiteData

ELISION = "[…]"


def is_withheld(data: SiteData, source_id: str) -> bool:
    """Whether the package holds none of this source's paragraph text (a release, or `--publish`)."""
    paragraphs = [r for r in data.tables["paragraphs"].rows if r["source_id"] == source_id]
    return bool(paragraphs) and not any(r["text"] for r in paragraphs)


def _source(data: SiteData, source_id: str) -> dict:
    return next((r for r in data.tables["sources"].rows if r["source_id"] == source_id), {})


def _passages(quotes: list[dict], first: int, last: int) -> list[tuple[int, int, str]]:
    """The quoted stretches of one paragraph [first, last), merged where quotes overlap or touch: (start,
    end, words). A quote whose words are withheld too (`nothing`) leaves a stretch of None characters."""
    chars: dict[int, str | None] = {}
    for q in quotes:
        start, end = max(int(q["char_start"]), first), min(int(q["char_end"]), last)
        text = q.get("text") or ""
        for offset in range(start, end):
            at = offset - int(q["char_start"])
            chars[offset] = text[at] if text else chars.get(offset)
    out: list[tuple[int, int, str]] = []
    for offset in sorted(chars):
        if out and out[-1][1] == offset:
            start, _, words = out[-1]
            out[-1] = (start, offset + 1, words + (chars[offset] or "\u2007"))
        else:
            out.append((offset, offset + 1, chars[offset] or "\u2007"))
    return out


def render_quotations(data: SiteData, source_id: str) -> tuple[str, dict, dict]:
    """The <article> of a source whose text is withheld: each paragraph's quoted passages in order, `[…]`
    where text is left out (a single character between two quotes is shown as the space it separates them
    by), printed pages in the margin; highlights as on a full text (same ids)."""
    from histpack.site.essay import KIND_LABELS, Range, quote_index, quote_kind, render_text, rows_by_quote

    source = _source(data, source_id)
    quotes = sorted((q for q in data.tables["quotes"].rows if q["source_id"] == source_id),
                    key=lambda q: (int(q["char_start"]), int(q["char_end"])))
    resting = rows_by_quote(data)
    ranges = []
    for q in quotes:
        qid = q["quote_id"]
        kind, kinds = quote_kind(q, resting.get(qid, []))
        n_rows = len(resting.get(qid, []))
        attrs = f'class="q k-{kind}" data-q="{escape(qid)}" data-kinds="{" ".join(kinds)}"'
        title = f"p. {q['page_start']} — {n_rows} row{'s' if n_rows != 1 else ''}: {', '.join(KIND_LABELS[k] for k in kinds)}"
        ranges.append(Range(int(q["char_start"]), int(q["char_end"]), (0, qid),
                            f'<mark id="{escape(qid)}" {attrs} tabindex="0" role="button" title="{escape(title)}">',
                            f'<mark {attrs} data-cont="1">', "</mark>"))
    page_starts = sorted((int(r["char_start"]), int(r["page"])) for r in data.tables["page_spans"].rows
                         if r["source_id"] == source_id)
    by_paragraph: dict[str, list[dict]] = defaultdict(list)
    for q in quotes:
        by_paragraph[q.get("paragraph_id", "")].append(q)
    paragraphs = sorted((r for r in data.tables["paragraphs"].rows if r["source_id"] == source_id),
                        key=lambda r: int(r["seq"]))
    shown_page = None
    parts, section, elided = [], None, False
    for p in paragraphs:
        if p["section"] != section:
            if section is not None:
                parts.append("</section>")
            section, elided = p["section"], False
            heading = {"abstract": "Abstract", "epigraph": "Epigraph", "body": "Essay", "note": "Notes"}.get(section, section)
            parts.append(f'<section class="s-{escape(section)}" aria-label="{escape(heading)}">')
        first, last = int(p["char_start"]), int(p["char_end"])
        passages = _passages(by_paragraph.get(p["paragraph_id"], []), first, last)
        if not passages:
            if not elided:
                parts.append(f'<p class="para elided" id="para-{escape(p["seq"])}">{ELISION}</p>')
            elided = True
            continue
        elided = False
        pieces = [ELISION] if passages[0][0] > first else []
        previous_end = None
        for start, end, words in passages:
            if previous_end is not None:  # one character between two quotes is the space between them
                pieces.append(ELISION if start - previous_end > 1 else
                              '<span class="gap" title="one character not quoted"></span>')
            previous_end = end
            page = max((pg for at, pg in page_starts if at <= start), default=None)
            points = {}
            if page != shown_page:
                points[start] = [f'<span class="page" id="page-{page}" data-page="{page}" role="note" '
                                 f'aria-label="page {page}">{page}</span>']
                shown_page = page
            for at, pg in page_starts:
                if start < at < end:
                    points.setdefault(at, []).append(f'<span class="page" id="page-{pg}" data-page="{pg}" '
                                                     f'role="note" aria-label="page {pg}">{pg}</span>')
                    shown_page = pg
            pieces.append(render_text(words, start, ranges, points))
        if passages[-1][1] < last:
            pieces.append(ELISION)
        parts.append(f'<p class="para quoted" id="para-{escape(p["seq"])}">{" ".join(pieces)}</p>')
    if section is not None:
        parts.append("</section>")
    link = f"https://doi.org/{source['doi']}" if source.get("doi") else source.get("url", "")
    where = (f' Read the whole text at <a href="{escape(link)}">{escape(link.removeprefix("https://"))}</a>.'
             if link else "")
    notice = (f'<div class="withheld" role="note"><p><strong>Only the quoted passages.</strong> The text of '
              f'{escape(source.get("cited_as") or source_id)} may not be redistributed ({escape(source.get("license", ""))}), '
              f"so this page shows the passages the dataset quotes, in the order of the text: {ELISION} marks what "
              f"is left out, and printed pages stand in the margin.{where} With your own copy, <code>histpack "
              f"verify-text {escape(source_id)} FILE</code> restores it in an unpacked release.</p></div>")
    stats = {"quotes": len(quotes), "sentences": 0, "covered": 0, "changes_marked": 0, "withheld": True}
    return notice + "".join(parts), quote_index(data, source_id), stats


# --- the dataset's record in the head of index.html ------------------------------------------------------

def _licence(descriptor: dict) -> dict:
    licences = descriptor.get("licenses") or [{}]
    return next((lic for lic in licences if lic.get("part") == "data"), licences[0])


def _authors(descriptor: dict) -> list[str]:
    return [c["title"] for c in descriptor.get("contributors", []) if c.get("role") == "author" and c.get("title")]


def json_ld(descriptor: dict) -> dict:
    """schema.org `Dataset` from the descriptor (itself from histpack.yaml): name, version, licence,
    creators, the works it encodes (`citation`) and the release archive (`distribution`)."""
    name, version = descriptor.get("name", ""), descriptor.get("version", "")
    record = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": descriptor.get("title") or name,
        "alternateName": name,
        "description": descriptor.get("description", ""),
        "version": version,
        "datePublished": str(descriptor.get("created", ""))[:10],
        "keywords": descriptor.get("keywords", []),
        "license": _licence(descriptor).get("path", ""),
        "isAccessibleForFree": True,
        "creator": [{"@type": "Organization", "name": author} for author in _authors(descriptor)],
        "citation": [],
        "distribution": [{"@type": "DataDownload", "name": f"{name}-{version}.zip", "encodingFormat": "application/zip",
                          "contentUrl": f"{name}-{version}.zip"}],
    }
    for source in descriptor.get("sources", []):
        work = {"@type": "CreativeWork", "name": source.get("title", "")}
        if source.get("authors"):
            work["author"] = source["authors"]
        if source.get("year"):
            work["datePublished"] = str(source["year"])
        if source.get("doi"):
            work["identifier"] = f"https://doi.org/{source['doi']}"
        if source.get("path"):
            work["url"] = source["path"]
        record["citation"].append(work)
    return record


def dataset_head(descriptor: dict) -> str:
    """JSON-LD, Highwire `citation_*` and Dublin Core meta tags for the dataset."""
    text = json.dumps(json_ld(descriptor), ensure_ascii=False, indent=1, sort_keys=True).replace("<", "\\u003c")
    date = str(descriptor.get("created", ""))[:10]
    tags = [("citation_title", descriptor.get("title", "")), *[("citation_author", a) for a in _authors(descriptor)],
            ("citation_publication_date", date.replace("-", "/")), ("citation_date", date.replace("-", "/")),
            ("citation_publisher", ", ".join(_authors(descriptor))), ("citation_keywords", "; ".join(descriptor.get("keywords", []))),
            ("citation_abstract", descriptor.get("description", "")), ("citation_language", "en"),
            ("DC.type", "Dataset"), ("DC.title", descriptor.get("title", "")),
            *[("DC.creator", a) for a in _authors(descriptor)], ("DC.date", date),
            ("DC.rights", _licence(descriptor).get("path", "")), ("DC.relation.version", descriptor.get("version", ""))]
    meta = "".join(f'<meta name="{escape(k)}" content="{escape(str(v))}">' for k, v in tags if v)
    return f'{meta}<script type="application/ld+json">{text}</script>'


def with_dataset_head(files: dict[str, bytes], descriptor: dict) -> dict[str, bytes]:
    """index.html with the dataset's record at the end of its head."""
    if "index.html" in files:
        files["index.html"] = files["index.html"].replace(b"</head>", dataset_head(descriptor).encode() + b"</head>", 1)
    return files
