"""The analysed sources of a project: each `sources/<source_id>.yaml` with its text, as canonical texts."""

from __future__ import annotations

from histpack.project.errors import BuildError
from histpack.project.layout import Project
from histpack.text.canonical import CanonicalText, SourceMetadata, build_canonical_text


def load_sources(project: Project) -> tuple[dict[str, CanonicalText], dict[str, dict], dict[str, list]]:
    canonicals, records, also = {}, {}, {}
    defined_in: dict[str, str] = {}
    for path in sorted(project.sources.glob("*.yaml")):
        if path.name.startswith(".") or path.name.endswith("~"):
            continue
        if path.is_dir():
            raise BuildError(f"sources/{path.name}:1", "a folder named like source metadata", "rename it")
        metadata = SourceMetadata.load(path, project.root)
        if metadata.source_id in defined_in:
            raise BuildError.at(metadata.display, 1, f"source_id `{metadata.source_id}` is already used by "
                             f"{defined_in[metadata.source_id]}", "give each essay its own source_id")
        defined_in[metadata.source_id] = metadata.display
        canonical = build_canonical_text(metadata)
        canonicals[metadata.source_id] = canonical
        for key in ("redistribution", "text_sha256"):
            if key in metadata.record:
                raise BuildError.at(metadata.display, 1, f"`record.{key}` is derived, not typed",
                                    "state the text's rights with the top-level key `redistribution`" if key ==
                                    "redistribution" else "remove it: the builder computes the canonical text's hash")
        # the text's rights statement and the hash a reader's copy is checked against, as columns of `sources`
        records[metadata.source_id] = {**metadata.record, "redistribution": metadata.redistribution,
                                       "text_sha256": canonical.text_sha256}
        also[metadata.source_id] = metadata.also_at
    if not canonicals:
        raise BuildError("sources", "no source metadata (`*.yaml`) found")
    return canonicals, records, also


def analyzed_sources(records: dict[str, dict]) -> list[str]:
    """The sources the annotations encode (`role: analyzed`), in id order; at least one."""
    analyzed = sorted(sid for sid, r in records.items() if r.get("role") == "analyzed")
    if not analyzed:
        raise BuildError("sources", "no source has `role: analyzed` in its record",
                         "mark each text the annotations encode with `record: {role: analyzed, …}`")
    return analyzed


def analyzed_records(records: dict[str, dict], also: dict[str, list]) -> dict[str, tuple[dict, list]]:
    """source_id → (record, also_at) of every analysed source: what the descriptor's `sources` lists."""
    return {sid: (records[sid], also[sid]) for sid in analyzed_sources(records)}
