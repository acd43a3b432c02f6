"""A project's annotations resolved against its sources: the rows of every table, before any file is written."""

from __future__ import annotations

from histpack.annotate.annotations import read_annotations
from histpack.annotate.resolve import ANNOTATED_TABLES, Resolution, resolve
from histpack.model import models as m
from histpack.project.layout import Project
from histpack.text.canonical import CanonicalText
from histpack.text.sources import analyzed_sources, load_sources


def resolve_project(project: Project) -> tuple[Resolution, dict[str, CanonicalText], dict, dict]:
    """(the rows, the canonical texts, the sources' records, where else each source is published)."""
    canonicals, records, also = load_sources(project)
    analyzed_sources(records)
    vocabularies = m.load_vocabularies(project.root)
    raw = read_annotations(project.annotations, project.root, set(ANNOTATED_TABLES), set(canonicals))
    return resolve(raw, canonicals, records, vocabularies), canonicals, records, also


def project_coverage(project: Project, source: str | None = None, section: str | None = None) -> list:
    """Per analysed source (or the one named), how much of its text the rows anchor: its quotes and the
    references it makes. A source without `section` (a statute has no abstract) is left out."""
    from histpack.project.errors import BuildError
    from histpack.text.coverage import SECTIONS, source_coverage

    if section is not None and section not in SECTIONS:
        raise BuildError(f"--section {section}", "is not a section of a text", f"sections: {', '.join(SECTIONS)}")
    resolution, canonicals, _, _ = resolve_project(project)
    if source is not None and source not in canonicals:
        raise BuildError(f"--source {source}", "names no analysed source of the project",
                         f"analysed sources: {', '.join(sorted(canonicals))}")
    out = []
    for source_id, canonical in sorted(canonicals.items()):
        if source not in (None, source_id):
            continue
        spans = [(q.quote_id, q.char_start, q.char_end) for q in resolution.rows["quotes"] if q.source_id == source_id]
        spans += [(c.citation_id, c.char_start, c.char_end) for c in resolution.rows["citations"]
                  if c.citing_source_id == source_id]
        found = source_coverage(canonical, spans, section)
        if found.paragraphs:
            out.append(found)
    return out
