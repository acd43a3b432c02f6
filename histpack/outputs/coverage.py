"""`histpack coverage` on a package without its annotations (a release): each analysed source's canonical
text rebuilt from `paragraphs` and `page_spans`, measured against its quotes and references, as the
project's coverage measures it. A text the package withholds must be restored first (`verify-text`)."""

from __future__ import annotations

from pathlib import Path

from histpack.engine.reader import Package
from histpack.project.errors import BuildError
from histpack.text.canonical import PARAGRAPH_SEPARATOR, CanonicalText, Paragraph
from histpack.text.coverage import SECTIONS, SourceCoverage, source_coverage


def canonical_from_package(pkg: Package, source_id: str) -> CanonicalText:
    paragraphs = sorted((r for r in pkg.rows("paragraphs") if r["source_id"] == source_id), key=lambda r: int(r["seq"]))
    if any(not r["text"] for r in paragraphs):
        raise BuildError(f"{source_id}", "its text is withheld in this package (its rights allow no more than "
                         "quotations)", f"restore it from your own copy: histpack verify-text {source_id} FILE")
    text = PARAGRAPH_SEPARATOR.join(r["text"] for r in paragraphs)
    spans = sorted((int(r["char_start"]), int(r["char_end"]), int(r["page"]))
                   for r in pkg.rows("page_spans") if r["source_id"] == source_id)
    return CanonicalText(source_id, text, [Paragraph(int(r["seq"]), r["section"], int(r["char_start"]),
                                                     int(r["char_end"]), int(r["page_start"]), int(r["page_end"]),
                                                     r["text"]) for r in paragraphs], spans, [], [], "")


def package_coverage(package: Path, source: str | None = None, section: str | None = None) -> list[SourceCoverage]:
    if section is not None and section not in SECTIONS:
        raise BuildError(f"--section {section}", "is not a section of a text", f"sections: {', '.join(SECTIONS)}")
    pkg = Package.open(package)
    analysed = sorted(r["source_id"] for r in pkg.rows("sources") if r.get("role") == "analyzed")
    if source is not None and source not in analysed:
        raise BuildError(f"--source {source}", "names no analysed source of the package",
                         f"analysed sources: {', '.join(analysed)}")
    quotes, citations = pkg.rows("quotes"), pkg.rows("citations")
    out = []
    for source_id in analysed:
        if source not in (None, source_id):
            continue
        spans = [(q["quote_id"], int(q["char_start"]), int(q["char_end"])) for q in quotes if q["source_id"] == source_id]
        spans += [(c["citation_id"], int(c["char_start"]), int(c["char_end"])) for c in citations
                  if c.get("citing_source_id") == source_id and c.get("char_start")]
        found = source_coverage(canonical_from_package(pkg, source_id), spans, section)
        if found.paragraphs:
            out.append(found)
    return out
