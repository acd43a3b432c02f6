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
