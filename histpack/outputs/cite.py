"""How to cite the dataset, the essay it encodes, and any row of it.

Everything is read from a built package: the dataset's name, title, version, release date,
contributors and licences from `datapackage.json` (written from `histpack.yaml`); the essay's
record from the package's `sources` table (the row with role `analyzed`, generated from
`sources/<source_id>.yaml`); a row's page and words from `quotes`. Nothing here is typed twice,
and nothing is invented: the dataset has no DOI and no URL, so no citation shows one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import yaml

from histpack.model import models as m
from histpack.project.errors import BuildError
from histpack.engine.reader import Package


class CiteFormat(str, Enum):
    bibtex = "bibtex"
    biblatex = "biblatex"
    csl_json = "csl-json"
    ris = "ris"
    apa = "apa"
    cff = "cff"


class CiteWhat(str, Enum):
    dataset = "dataset"
    source = "source"  # an analysed source: the essay, the statute, the web pages
    essay = "essay"  # the same, as it was first called
    works = "works"  # every work the analysed sources cite, as they cite it: a bibliography


WORKS_FORMATS = (CiteFormat.bibtex, CiteFormat.biblatex, CiteFormat.csl_json, CiteFormat.ris)


def essays(pkg: Package) -> list[dict]:
    """The records of the analysed sources (role `analyzed`), in id order, from the `sources` table."""
    analyzed = sorted((r for r in pkg.rows("sources") if r.get("role") == "analyzed"), key=lambda r: r["source_id"])
    if not analyzed:
        raise BuildError(str(pkg.root / "data/sources.csv"), "no source has role `analyzed`",
                         "rebuild the package (`histpack build`)")
    return analyzed


def essay(pkg: Package, source_id: str | None = None) -> dict:
    """One analysed source's record: the one named, or the only one."""
    found = essays(pkg)
    if source_id is None:
        if len(found) > 1:
            raise BuildError("--source", f"the package encodes {len(found)} sources: say which one",
                             f"--source {' | '.join(e['source_id'] for e in found)}")
        return found[0]
    for record in found:
        if record["source_id"] == source_id:
            return record
    raise BuildError(f"--source {source_id}", "names no analysed source of the package",
                     f"analysed sources: {', '.join(e['source_id'] for e in found)}")


# --- names, pages, keys ------------------------------------------------------------------------

def person_names(authors: str) -> list[tuple[str, str]]:
    """`Marc Bloch` → [("Marc", "Bloch")]; several authors separated by `;` or ` and `."""
    names = []
    for name in re.split(r"\s*;\s*|\s+and\s+", authors.strip()):
        if name:
            given, _, family = name.rpartition(" ")
            names.append((given, family))
    return names


def dataset_authors(descriptor: dict) -> list[str]:
    """Contributors whose role is `author` (Data Package v1 `role` or v2 `roles`)."""
    out = []
    for c in descriptor.get("contributors", []):
        roles = c.get("roles") or [c.get("role")]
        if "author" in roles and c.get("title"):
            out.append(c["title"])
    return out


def page_range(pages: str, dash: str = "–") -> str:
    return re.sub(r"\s*[-–]+\s*", dash, pages or "")


def pinpoint(page_start: str | int, page_end: str | int) -> str:
    start, end = str(page_start), str(page_end)
    return start if not end or end == start else f"{start}–{end}"


def key_of(cited_as: str) -> str:
    """A citation key from how a source is cited: `Bloch 1939` → `bloch1939`."""
    return re.sub(r"[^a-z0-9]", "", cited_as.lower()) or "essay"


def released(descriptor: dict) -> str | None:
    """The release date (YYYY-MM-DD) recorded in the descriptor's `created`, if any."""
    created = descriptor.get("created") or ""
    return created[:10] if re.match(r"\d{4}-\d{2}-\d{2}", created) else None


def released_year(descriptor: dict) -> str | None:
    date = released(descriptor)
    return date[:4] if date else None


def data_licence(descriptor: dict) -> str | None:
    """The one licence that covers the dataset itself (`part: data`), as an SPDX identifier."""
    licences = descriptor.get("licenses", [])
    named = [lic["name"] for lic in licences if lic.get("part") == "data" and lic.get("name")]
    return named[0] if named else (licences[0].get("name") if len(licences) == 1 else None)


def _licence_note(descriptor: dict) -> str:
    parts = []
    for lic in descriptor.get("licenses", []):
        title = lic.get("title", "")
        part = re.search(r"\((\w+):", title)
        parts.append(f"{part.group(1)}: {lic['name']}" if part else lic.get("name", ""))
    return "; ".join(p for p in parts if p)


def essay_line(essay: dict) -> str:
    """A one-line reference to an analysed source, for notes, from the parts its record gives."""
    from histpack.package.files import source_title

    line = source_title({**{k: v for k, v in essay.items() if v}, "pages": page_range(essay.get("pages") or "")})
    return line + (f", doi:{essay['doi']}" if essay.get("doi") else "")


def essays_line(pkg: Package) -> str:
    return "; ".join(essay_line(e) for e in essays(pkg))


def work_type(essay: dict) -> str:
    """The record's `work_type`; without one, an article if it has a container, else `generic`."""
    return essay.get("work_type") or ("article" if essay.get("container") else "generic")


def title_of(record: dict) -> str:
    """The work's title; an analysed source without one goes by how it is cited, a cited work by none
    (its record holds only what the citing text gives)."""
    return record.get("title") or ("" if record.get("role") == "cited" else record["cited_as"])


def _is_article(essay: dict) -> bool:
    return work_type(essay) == "article"


def authors_of(essay: dict) -> list[tuple[str, str]]:
    """(given, family) of each author; an institution (`author_type: organization`) is one name, unsplit."""
    authors = essay.get("authors") or ""
    if essay.get("author_type") == "organization":
        return [("", authors)] if authors else []
    return person_names(authors)


_TYPES = {  # work_type → (BibTeX, BibLaTeX, CSL, RIS, CFF)
    "article": ("article", "article", "article-journal", "JOUR", "article"),
    "legislation": ("misc", "legislation", "legislation", "STAT", "statute"),
    "web_page": ("misc", "online", "webpage", "ELEC", "website"),
    "book": ("book", "book", "book", "BOOK", "book"),
    "chapter": ("incollection", "incollection", "chapter", "CHAP", "generic"),
    "report": ("techreport", "report", "report", "RPRT", "report"),
    "generic": ("misc", "misc", "document", "GEN", "generic"),
}


# --- BibTeX and BibLaTeX ------------------------------------------------------------------------

_TEX_SPECIAL = re.compile(r"([&%$#_])")
_TEX_COMMANDS = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
                 "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def one_line(text) -> str:
    """`text` on one line: every run of white space (a newline, a tab, U+2028 …) one space. A reference
    field never holds a line break, so a source's title cannot start a record of its own (RIS) or a
    paragraph."""
    return " ".join(str(text).split())


def _tex(text: str) -> str:
    """`text` as the value of a BibTeX field: on one line, braces, backslashes, `~` and `^` as the LaTeX
    commands that print them (so a stray `}` cannot close the field and start an entry of its own), and
    `& % $ # _` escaped."""
    text = re.sub(r"[\\{}~^]", lambda m: _TEX_COMMANDS[m.group()], one_line(text))
    return _TEX_SPECIAL.sub(r"\\\1", text)


def _verbatim(text) -> str | None:
    """A DOI or URL in a BibTeX field (read verbatim, so not LaTeX-escaped): on one line, braces
    percent-encoded as in any URL."""
    if text in (None, ""):
        return text
    return one_line(text).replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def _bib_key(name: str) -> str:
    """The package's name as a BibTeX key (which may hold no brace, comma, space, quote …)."""
    return re.sub(r"[^A-Za-z0-9._:/-]", "", str(name)) or "dataset"


def _bib_entry(kind: str, key: str, fields: list[tuple[str, str | None]]) -> str:
    present = [(k, v) for k, v in fields if v not in (None, "")]
    width = max(len(k) for k, _ in present)
    body = ",\n".join(f"  {k:<{width}} = {{{v}}}" for k, v in present)
    return f"@{kind}{{{key},\n{body}\n}}\n"


def _bib_persons(essay: dict) -> str:
    return " and ".join(f"{_tex(family)}, {_tex(given)}" if given else "{" + _tex(family) + "}"
                        for given, family in authors_of(essay))


def _bib_corporate(names: list[str]) -> str:
    return " and ".join("{" + _tex(n) + "}" for n in names)


def bibtex_dataset(pkg: Package, biblatex: bool = False) -> str:
    d = pkg.descriptor
    note = f"Data package `{d['name']}'. Encodes {essays_line(pkg)}. Licences: {_licence_note(d)}"
    fields = [
        ("author", _bib_corporate(dataset_authors(d))),
        ("title", "{" + _tex(d["title"]) + "}"),
        ("date" if biblatex else "year", released(d) if biblatex else released_year(d)),
        ("version", _tex(d.get("version") or "")),
    ]
    if biblatex:
        fields += [("note", _tex(note)), ("keywords", _tex(", ".join(d.get("keywords", []))))]
        return _bib_entry("dataset", _bib_key(d["name"]), fields)
    fields += [("howpublished", _tex(f"Frictionless data package, version {d.get('version')}")),
               ("note", _tex(note)), ("keywords", _tex(", ".join(d.get("keywords", []))))]
    return _bib_entry("misc", _bib_key(d["name"]), fields)


def bibtex_essay(pkg: Package, biblatex: bool = False, source_id: str | None = None) -> str:
    return bibtex_record(essay(pkg, source_id), biblatex)


def bibtex_record(e: dict, biblatex: bool = False, key: str | None = None, note: str | None = None) -> str:
    """One work's entry from its record (an analysed source's, or a cited work's as cited)."""
    kind = _TYPES[work_type(e)][1 if biblatex else 0]
    container_key = {"article": "journaltitle" if biblatex else "journal", "incollection": "booktitle"}.get(
        kind, "howpublished" if kind == "misc" else "titleaddon" if biblatex else "howpublished")
    fields = [
        ("author", _bib_persons(e)),
        ("title", "{" + _tex(title_of(e)) + "}" if title_of(e) else None),
        (container_key, _tex(e.get("container") or "")),
        ("date" if biblatex else "year", _tex(e.get("year") or "")),
        ("volume", _tex(e.get("volume") or "")),
        ("number", _tex(e.get("issue") or "")),
        ("pages", _tex(page_range(e.get("pages") or "", "--"))),
        ("issn", _tex(e.get("issn") or "")),
        ("doi", _verbatim(e.get("doi"))),
        ("url", _verbatim(e.get("url"))),
        ("note", _tex(note) if note else None),
    ]
    if e.get("others"):  # "Khaustov et al": the further authors the source does not name
        fields[0] = ("author", f"{fields[0][1]} and others")
    return _bib_entry(kind, key or key_of(e["cited_as"]), fields)


# --- CSL-JSON ------------------------------------------------------------------------------------

def csl_essay_item(essay: dict) -> dict:
    item = {
        "id": key_of(essay["cited_as"]),
        "type": _TYPES[work_type(essay)][2],
        "author": [{"family": f, "given": g} if g else {"literal": f} for g, f in authors_of(essay)],
        "title": title_of(essay),
        "container-title": essay.get("container"),
        "volume": essay.get("volume"),
        "issue": essay.get("issue"),
        "page": page_range(essay.get("pages") or "", "-"),
        "issued": {"date-parts": [[int(essay["year"])]]} if essay.get("year") else None,
        "ISSN": essay.get("issn"),
        "DOI": essay.get("doi"),
        "URL": essay.get("url"),
    }
    return {k: v for k, v in item.items() if v not in (None, "")}


def csl_dataset_item(pkg: Package) -> dict:
    d = pkg.descriptor
    item = {
        "id": d["name"],
        "type": "dataset",
        "author": [{"literal": name} for name in dataset_authors(d)],
        "title": d["title"],
        "version": d.get("version"),
        "issued": {"date-parts": [[int(p) for p in released(d).split("-")]]} if released(d) else None,
        "abstract": d.get("description"),
        "keyword": ", ".join(d.get("keywords", [])),
        "license": _licence_note(d),
        "note": f"Encodes {essays_line(pkg)}",
    }
    return {k: v for k, v in item.items() if v not in (None, "", [])}


def csl_json(items: list[dict]) -> str:
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


# --- RIS -----------------------------------------------------------------------------------------

def _ris(lines: list[tuple[str, str | None]]) -> str:
    """RIS has no escapes: a value is one line (`one_line`), so it cannot add a tag or end the record."""
    out = [f"{tag}  - {one_line(value)}" for tag, value in lines if value not in (None, "") and one_line(value)]
    return "\n".join(out + ["ER  - "]) + "\n"


def ris_dataset(pkg: Package) -> str:
    d = pkg.descriptor
    lines = [("TY", "DATA")] + [("AU", a) for a in dataset_authors(d)]
    date = released(d)
    lines += [("TI", d["title"]), ("PY", released_year(d)), ("DA", date.replace("-", "/") if date else None),
              ("ET", d.get("version")), ("AB", d.get("description"))]
    lines += [("KW", k) for k in d.get("keywords", [])]
    lines += [("N1", f"Encodes {essays_line(pkg)}. Licences: {_licence_note(d)}")]
    return _ris(lines)


def ris_essay(pkg: Package, source_id: str | None = None) -> str:
    return ris_record(essay(pkg, source_id))


def ris_record(e: dict, note: str | None = None) -> str:
    start, _, end = page_range(e.get("pages") or "", "-").partition("-")
    lines = [("TY", _TYPES[work_type(e)][3])]
    lines += [("AU", f"{f}, {g}" if g else f) for g, f in authors_of(e)]
    lines += [("TI", title_of(e)), ("JO" if _is_article(e) else "T2", e.get("container")),
              ("PY", e.get("year")),
              ("VL", e.get("volume")), ("IS", e.get("issue")), ("SP", start), ("EP", end), ("SN", e.get("issn")),
              ("DO", e.get("doi")), ("UR", e.get("url")), ("N1", note)]
    return _ris(lines)


# --- APA (7th edition), plain text --------------------------------------------------------------

def _apa_person(given: str, family: str) -> str:
    initials = " ".join(part[0] + "." for part in re.split(r"[\s]+", given) if part)
    return f"{family}, {initials}" if initials else family


def _apa_list(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


def apa_essay(pkg: Package, source_id: str | None = None) -> str:
    e = essay(pkg, source_id)
    authors = _apa_list([_apa_person(g, f) for g, f in authors_of(e)])
    text = f"{authors or e['cited_as']} ({e.get('year') or 'n.d.'}). {e.get('title') or e['cited_as']}."
    if _is_article(e):
        volume = f", {e['volume']}" + (f"({e['issue']})" if e.get("issue") else "") if e.get("volume") else ""
        text += f" {e['container']}{volume}" + (f", {page_range(e['pages'])}" if e.get("pages") else "") + "."
    elif e.get("container"):
        text += f" {e['container']}" + (f", {e['volume']}" if e.get("volume") else "") + "."
    if e.get("doi"):
        text += f" https://doi.org/{e['doi']}"
    elif e.get("url"):
        text += f" {e['url']}"
    return one_line(text) + "\n"


def apa_dataset(pkg: Package) -> str:
    d = pkg.descriptor
    authors = _apa_list(dataset_authors(d))
    # No DOI or URL exists, so none is given; without a recorded release, APA's "n.d.".
    text = f"{authors}. ({released_year(d) or 'n.d.'}). {d['title']} (Version {d.get('version')}) [Data set]."
    return one_line(text) + "\n"


# --- CFF -----------------------------------------------------------------------------------------

CFF_HEADER = ("# Generated by `histpack cite --format cff` from datapackage.json and the essay's record;\n"
              "# do not edit: `histpack build` rewrites it.\n")


def cff_reference(e: dict) -> dict:
    """One analysed source as a CFF reference, with the parts its record gives."""
    start, _, end = page_range(e.get("pages") or "", "-").partition("-")
    volume = e.get("volume") or ""
    reference = {
        "type": _TYPES[work_type(e)][4],
        "authors": [{"family-names": f, "given-names": g} if g else {"name": f}
                    for g, f in authors_of(e)] or [{"name": e["cited_as"]}],
        "title": e.get("title") or e["cited_as"],
        "journal" if _is_article(e) else "collection-title": e.get("container"),
        "volume": int(volume) if volume.isdigit() else volume,
        "issue": e.get("issue"),
        "start": start,
        "end": end or start,
        "year": int(e["year"]) if e.get("year") else None,
        "issn": e.get("issn"),
        "doi": e.get("doi"),
        "url": e.get("url"),
        "copyright": e.get("license"),
    }
    return {k: v for k, v in reference.items() if v not in (None, "")}


def cff(pkg: Package) -> str:
    d, analyzed = pkg.descriptor, essays(pkg)
    others = [f"{lic['name']} ({lic['part']})" for lic in d.get("licenses", [])
              if lic.get("name") != data_licence(d) and lic.get("part")]
    doc = {
        "cff-version": "1.2.0",
        "message": ("If you use this dataset, please cite it as below, and cite "
                    + ("the essay it encodes" if len(analyzed) == 1 else "the sources it encodes")
                    + " (under references) with the page of each row you rely on."
                    + (f" The licence below covers the data; also: {', '.join(others)}." if others else "")),
        "type": "dataset",
        "title": d["title"],
        "version": d.get("version"),
        "date-released": released(d),
        "abstract": d.get("description"),
        "authors": [{"name": name} for name in dataset_authors(d)],
        # One SPDX identifier (the data's): a list or an expression breaks converters' licence URLs.
        "license": data_licence(d),
        "keywords": d.get("keywords", []),
        "references": [cff_reference(e) for e in analyzed],
    }
    body = yaml.safe_dump({k: v for k, v in doc.items() if v not in (None, "", [])},
                          sort_keys=False, allow_unicode=True, width=100)
    return CFF_HEADER + body


# --- the works the sources cite ------------------------------------------------------------------

def cited_works(pkg: Package, source_id: str | None = None) -> list[tuple[dict, str]]:
    """Each work an analysed source cites (role `cited`; only those `source_id` cites, if given), by id,
    with a note of how and where it is cited ("Cited in Author 1999: “Other vol. 2, 772” (p. 85) …").
    A record holds only what the source gives: mostly an author's surname, since the essay's
    works-cited list is not in the text; nothing is filled in."""
    if source_id is not None:
        essay(pkg, source_id)  # an unknown source is refused with the valid ones
    sources = {r["source_id"]: r for r in pkg.rows("sources")}
    cited_in: dict[str, list[dict]] = {}
    for c in pkg.rows("citations"):
        if source_id is None or c.get("citing_source_id") == source_id:
            cited_in.setdefault(c["source_id"], []).append(c)
    out = []
    for work_id in sorted(w for w in cited_in if sources.get(w, {}).get("role") == "cited"):
        record = dict(sources[work_id])
        record["work_type"] = record.get("work_type") or "generic"  # never guessed from a container
        authors = record.get("authors") or ""
        if re.search(r"\s+et al\.?$", authors):
            record["authors"], record["others"] = re.sub(r"\s+et al\.?$", "", authors), True
        by_source: dict[str, list[str]] = {}
        for c in sorted(cited_in[work_id], key=lambda c: (c.get("citing_source_id") or "", int(c.get("page") or 0),
                                                          c["citation_id"])):
            page = f" (p. {c['page']})" if c.get("page") else ""
            by_source.setdefault(c.get("citing_source_id") or "", []).append(f"“{c['cited_as']}”{page}")
        where = "; ".join(f"in {sources.get(s, {}).get('cited_as') or s}: {', '.join(refs)}"
                          for s, refs in by_source.items())
        missing = "no title" if not record.get("title") else ""
        note = f"Cited {where}" + (f". The citing text gives {missing}" if missing else "")
        if record.get("others"):
            note += "; further authors not named (“et al”)"
        out.append((record, note + "."))
    return out


def works_reference(pkg: Package, fmt: CiteFormat, source_id: str | None = None) -> str:
    """The cited works as a bibliography for a reference manager: BibTeX, BibLaTeX, CSL-JSON or RIS."""
    if fmt not in WORKS_FORMATS:
        raise BuildError(f"--format {fmt.value}", "the works cited are exported for reference managers",
                         f"use one of: {', '.join(f.value for f in WORKS_FORMATS)}")
    works = cited_works(pkg, source_id)
    if fmt is CiteFormat.csl_json:
        items = []
        for work, note in works:
            item = {**csl_essay_item(work), "id": work["source_id"], "note": note}
            if work.get("author_type") != "organization":  # a surname alone is a family name, not an institution's
                item["author"] = [{"family": a["literal"]} if set(a) == {"literal"} else a for a in item.get("author", [])]
            items.append(item)
        return csl_json(items)
    if fmt is CiteFormat.ris:
        return "".join(ris_record(w, note) for w, note in works)
    return "\n".join(bibtex_record(w, fmt is CiteFormat.biblatex, key=w["source_id"], note=note) for w, note in works)


# --- dispatch ------------------------------------------------------------------------------------

def reference(pkg: Package, fmt: CiteFormat, what: CiteWhat, source_id: str | None = None) -> str:
    """The dataset's reference, or an analysed source's (`source_id`, needed when there are several),
    in one format."""
    fmt, what = CiteFormat(fmt), CiteWhat(what)
    if what is CiteWhat.works:
        return works_reference(pkg, fmt, source_id)
    if what is CiteWhat.dataset:
        return {CiteFormat.bibtex: lambda: bibtex_dataset(pkg),
                CiteFormat.biblatex: lambda: bibtex_dataset(pkg, biblatex=True),
                CiteFormat.csl_json: lambda: csl_json([csl_dataset_item(pkg)]),
                CiteFormat.ris: lambda: ris_dataset(pkg), CiteFormat.apa: lambda: apa_dataset(pkg),
                CiteFormat.cff: lambda: cff(pkg)}[fmt]()
    if fmt is CiteFormat.cff:
        raise BuildError("--format cff", "CITATION.cff describes the dataset; the essay is under its `references`",
                         "use `--what dataset`, or another format for the essay")
    return {CiteFormat.bibtex: lambda: bibtex_essay(pkg, source_id=source_id),
            CiteFormat.biblatex: lambda: bibtex_essay(pkg, biblatex=True, source_id=source_id),
            CiteFormat.csl_json: lambda: csl_json([csl_essay_item(essay(pkg, source_id))]),
            CiteFormat.ris: lambda: ris_essay(pkg, source_id), CiteFormat.apa: lambda: apa_essay(pkg, source_id)}[fmt]()


# --- one row -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowCitation:
    table: str
    key: str
    pinpoint: str          # "<cited_as>, 90": the source and page
    text: str              # the quoted words (or the paragraph, or the reference)
    quote_id: str | None
    speaker: str | None
    cited_work: str | None
    slips: tuple[tuple[str, str, str], ...] = ()  # (slip_id, the slip's words, the intended reading or "")

    def render(self, dataset_reference: str) -> str:
        lines = [self.pinpoint, f"“{self.text}”"]
        for slip_id, words, reading in self.slips:
            mended = f" for “{reading}”" if reading else ""
            lines.append(f"[sic]: the source's own slip, “{words}”{mended} (slips:{slip_id}).")
        if self.speaker or self.cited_work:
            who = f"{self.speaker}’s words" if self.speaker else "Words"
            lines.append(f"{who}, quoted in the essay" + (f", which cites {self.cited_work}." if self.cited_work else "."))
        label = f" (quote {self.quote_id})" if self.quote_id else ""
        lines.append(f"Row {self.table}:{self.key}{label} in: {dataset_reference.strip()}")
        return "\n".join(lines) + "\n"


def _find_row(pkg: Package, table: str, key: str) -> dict:
    model = m.BY_TABLE.get(table)
    if model is None:
        raise BuildError(f"--row {table}:{key}", f"unknown table `{table}`",
                         f"tables: {', '.join(sorted(m.BY_TABLE))}")
    pk = model.table.primary_key
    parts = key.split("/")
    if len(parts) != len(pk):
        form = "/".join(pk)
        raise BuildError(f"--row {table}:{key}", f"`{table}` rows are named by {form}",
                         f"write --row {table}:{form.upper()}")
    for row in pkg.rows(table):
        if tuple(row[c] for c in pk) == tuple(parts):
            return row
    raise BuildError(f"--row {table}:{key}", f"no row `{key}` in {table}",
                     f"list them with `histpack query \"select {', '.join(pk)} from {table}\"`")


def marked_slips(pkg: Package, quote: dict) -> tuple[str, tuple[tuple[str, str, str], ...]]:
    """The quote's words with “[sic]” after each slip of its source they hold (as the view
    `quote_context.text_sic` gives them), and those slips in text order."""
    if not any(r.name == "slips" for r in pkg.resources):
        return quote["text"], ()
    quotes = {q["quote_id"]: q for q in pkg.rows("quotes")}
    start, end = int(quote["char_start"]), int(quote["char_end"])
    held = []
    for slip in pkg.rows("slips"):
        words = quotes.get(slip["quote_id"])
        if words and words["source_id"] == quote["source_id"] and \
                start <= int(words["char_start"]) and int(words["char_end"]) <= end:
            held.append((int(words["char_end"]) - start, slip["slip_id"], words["text"], slip.get("reading") or ""))
    text = quote["text"]
    for at, *_ in sorted(held, key=lambda h: (-h[0], h[1])):
        text = f"{text[:at]} [sic]{text[at:]}"
    return text, tuple((slip_id, words, reading) for _, slip_id, words, reading in sorted(held))


def _pinned(pkg: Package, source: dict, page_start, page_end) -> str:
    """`Author 1999, 90`; a source without printed pages (no page range in its record, one page in its page
    map: a statute, a web page) is cited without one."""
    pages = {r["page"] for r in pkg.rows("page_spans") if r["source_id"] == source["source_id"]}
    if not source.get("pages") and len(pages) <= 1:
        return source["cited_as"]
    return f"{source['cited_as']}, {pinpoint(page_start, page_end)}"


def cite_row(pkg: Package, spec: str) -> RowCitation:
    """`events:<event_id>` → "<source cited_as>, <page>" and the words the row rests on."""
    table, sep, key = spec.partition(":")
    if not sep or not table or not key:
        raise BuildError(f"--row {spec}", "expected TABLE:ID", "e.g. --row events:<event_id>")
    row = _find_row(pkg, table, key)
    sources = {s["source_id"]: s for s in pkg.rows("sources")}
    if table == "quotes" or row.get("quote_id"):
        quote_id = row["quote_id"]
        quote = next((q for q in pkg.rows("quotes") if q["quote_id"] == quote_id), None)
        if quote is None:
            raise BuildError(f"--row {spec}", f"its quote `{quote_id}` is not in quotes", "rebuild the package")
        source = sources[quote["source_id"]]
        persons = {p["person_id"]: p["name"] for p in pkg.rows("persons")}
        citations = {c["citation_id"]: c["cited_as"] for c in pkg.rows("citations")}
        text, slips = marked_slips(pkg, quote)
        return RowCitation(table, key, _pinned(pkg, source, quote["page_start"], quote["page_end"]),
                           text, quote_id, persons.get(quote["speaker_id"]),
                           citations.get(quote["citation_id"]), slips)
    if row.get("page_start") and row.get("text"):  # a paragraph
        source = sources[row["source_id"]]
        return RowCitation(table, key, _pinned(pkg, source, row["page_start"], row["page_end"]),
                           row["text"], None, None, None)
    if table == "citations":
        source = sources[row["citing_source_id"]]
        return RowCitation(table, key, f"{source['cited_as']}, {row['page']}", row["cited_as"], None, None, None)
    raise BuildError(f"--row {spec}", f"`{table}` rows rest on no quote of their own",
                     "cite the row they belong to (e.g. its event, purge or thesis), or the essay with --what essay")
