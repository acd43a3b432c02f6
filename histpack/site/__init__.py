"""`histpack site`: a static, offline, deterministic site from the validated package.

Four views — each analysed source with every quote in place (the main one on index.html, see
`data.reading_order`; the others on source-<id>.html), a page per table, the comparisons, the
timeline — and, when the package has attestations, what the sources say of the same entities, as
plain HTML files with one vendored stylesheet and script (no CDN, no font or
request outside the folder), so it opens from `file://`. Nothing in it depends on the clock or
on dict order: two builds are byte-identical. It is written to a temporary folder beside
`--out` and renamed into place, so a failed build leaves the previous site as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from histpack.project.errors import BuildError
from histpack.db.cache import cached_database
from histpack.db.query import connect_read_only
from histpack.checks.validate import read_descriptor, validate_package
from histpack.db.paths import protected
from histpack.project.writer import atomic_folder, check_target
from histpack.site.data import SiteData, read_site_data

MARKER = ".histpack-site"  # an --out that already exists is replaced only if it holds this


@dataclass
class SiteReport:
    out: Path
    pages: list[str] = field(default_factory=list)
    essay: bool = True
    stats: dict = field(default_factory=dict)


def render_site(data: SiteData) -> tuple[dict[str, bytes], dict]:
    """Every file of the site: relative path → bytes."""
    from histpack.site import pages
    from histpack.site.essay import table_page

    files: dict[str, bytes] = {}
    stats: dict = {}
    assets = resources.files(__package__)
    files[pages.ASSET_CSS] = assets.joinpath("site.css").read_bytes()
    files[pages.ASSET_JS] = assets.joinpath("site.js").read_bytes()
    if data.is_histpack:
        for source in data.analyzed:
            source_html, source_stats = pages.essay_page(data, source)
            files[data.source_page(source["source_id"])] = source_html.encode()
            if not stats:
                stats = source_stats  # the report counts the first source's (index.html)
        files["comparisons.html"] = pages.comparisons_page(data).encode()
        files["timeline.html"] = _timeline(data).encode()
        if pages.has_attestations(data):
            files[pages.SOURCES_PAGE] = pages.across_sources_page(data).encode()
    files["tables.html"] = pages.tables_index(data).encode()
    for table in data.tables.values():
        page = table_page(table.name)
        if page in files:  # `page_name` keeps names apart: this would be a bug, and a table lost
            raise BuildError(table.name, f"its page {page} is already another page of the site", "report it")
        files[page] = pages.table_page_html(data, table).encode()
    if not data.is_histpack:
        files["index.html"] = files["tables.html"]
    files[MARKER] = b"written by `histpack site`; the folder is replaced on the next build\n"
    from histpack.site.publish import with_dataset_head

    return with_dataset_head(files, data.descriptor), stats


def _timeline(data: SiteData) -> str:
    from html import escape

    from histpack.outputs.timeline import NO_REGIME, timeline_items
    from histpack.site.pages import timeline_page
    from histpack.site.timeline_svg import row_fragment, timeline_svg

    items, names = timeline_items(data.con)
    cited = {r["source_id"]: r.get("cited_as") or r["source_id"] for r in data.analyzed}
    views = []
    for view_id, align, since, heading in (("campaign", "campaign", None, "By years from each campaign's start"),
                                           ("calendar", "calendar", 1920, "By calendar year, from 1920")):
        svg, lay = timeline_svg(items, names, align, since, f"tl-{view_id}", heading,
                                lambda item: data.quote_href(item.quote_id, row_fragment(item)), cited)
        def attested(item) -> str:
            return f" (as {cited.get(item.source_id, item.source_id)} dates it)" if item.attestation_id else ""

        notes = []
        for why, left in sorted(lay.left_out_by_reason().items()):
            listed = "".join(f'<li data-source="{escape(i.source_id)}"><a href="{escape(data.quote_href(i.quote_id, row_fragment(i)))}">'
                             f'{escape(names.get(i.regime_id, i.regime_id) or NO_REGIME)}, {escape(i.when)}: '
                             f'{escape(i.label)}{escape(attested(i))}</a></li>' for i in left)
            notes.append(f"<h3>Not on this axis ({escape(why)})</h3><ul class=\"left-out\">{listed}</ul>")
        views.append((view_id, heading, svg, "".join(notes)))
    return timeline_page(data, views)


def _refuse_invalid(root: Path) -> None:
    problems = validate_package(root)
    if problems:
        raise BuildError(str(root / "datapackage.json"), f"the package fails validation ({len(problems)} problem"
                         f"{'s' if len(problems) != 1 else ''}; first: {problems[0].text()})",
                         "run `histpack validate` and fix it first")


def _published(root: Path) -> tuple[dict[str, bytes], dict, bool]:
    """The site of the package as it may leave the machine, validated and loaded in a scratch folder."""
    import tempfile

    import duckdb

    from histpack.outputs.export import load_into
    from histpack.outputs.withhold import public_files

    with tempfile.TemporaryDirectory(prefix="histpack-publish-") as scratch:
        for relative, content in public_files(root).items():
            (Path(scratch) / relative).parent.mkdir(parents=True, exist_ok=True)
            (Path(scratch) / relative).write_bytes(content)
        _refuse_invalid(Path(scratch))
        con = duckdb.connect()
        load_into(con, Path(scratch))
        data = read_site_data(Path(scratch), con)
        try:
            return (*render_site(data), data.is_histpack)
        finally:
            con.close()


def build_site(package: Path, out: Path, publish: bool = False) -> SiteReport:
    """Validate the package, render the site, write it to `out` atomically. With `publish`, from the package
    as a release holds it: each text only as far as its rights allow (`histpack.outputs.withhold`)."""
    descriptor_path, _ = read_descriptor(Path(package))
    root = descriptor_path.parent
    guard = protected(root)
    check_target(out, folder=True, protected=guard, noun="the site's folder (an input or package folder would be lost)", hint="give --out a new folder, e.g. build/site")
    if Path(out).is_dir() and any(Path(out).iterdir()) and not (Path(out) / MARKER).is_file():
        raise BuildError(str(out), "exists and is not a site written by `histpack site`",
                         "give --out a new or empty folder")
    if publish:
        files, stats, is_histpack = _published(root)
    else:
        con = connect_read_only(cached_database(root, _refuse_invalid))  # validated once, then reused
        data = read_site_data(root, con)
        try:
            (files, stats), is_histpack = render_site(data), data.is_histpack
        finally:
            data.con.close()
    out = Path(out)
    with atomic_folder(out, protected=guard, replace_only_if=lambda folder: (folder / MARKER).is_file(),
                       noun="the site's folder (an input or package folder would be lost)",
                       hint="give --out a new folder, e.g. build/site") as staging:
        for name, content in sorted(files.items()):
            path = check_target(staging / name, within=staging)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    return SiteReport(out, sorted(files), is_histpack, stats)
