"""The layout rules of a source are data (`layout:` in `sources/<id>.yaml`): each option has the effect
it claims on a small made-up extraction, the defaults are the essay's own rules, and a bad option is
one error at its line."""

from __future__ import annotations

import hashlib

import pytest
import yaml

from histpack.text.canonical import SourceMetadata, build_canonical_text, fold_whitespace
from histpack.project.errors import BuildError
from conftest import REPO

META = REPO / "sources" / "thom-2015-ewjus.yaml"


def source(tmp_path, text: str, **layout):
    """A one-file source in `tmp_path/sources/`: its text, and metadata with `layout` over a minimal one."""
    folder = tmp_path / "sources"
    folder.mkdir(exist_ok=True)
    (folder / "s.txt").write_text(text, encoding="utf-8")
    base = {"first_page": 1, "last_page": 1, "sections": [{"name": "body", "starts": "Intro"}]}
    meta = {"source_id": "s", "text_file": "s.txt", "record": {"role": "analyzed", "cited_as": "S"},
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "layout": {**base, **layout}}
    path = folder / "s.yaml"
    path.write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    return path


def canonical(tmp_path, text: str, **layout):
    return build_canonical_text(SourceMetadata.load(source(tmp_path, text, **layout), tmp_path))


def test_page_break_line_pattern_decides_where_a_page_begins(tmp_path):
    text = "Intro on the first page.\n\fThe second page.\n"
    ct = canonical(tmp_path, text, last_page=2, page_break={"line_pattern": "^\f"})
    assert ct.text == "Intro on the first page. The second page."
    assert ct.page_of(ct.text.index("Intro")) == 1 and ct.page_of(ct.text.index("The second")) == 2
    with pytest.raises(BuildError, match="ends on p. 1 but the metadata expects p. 2"):
        canonical(tmp_path, text, last_page=2)  # the default (a leading space) sees one page here


def test_hyphenation_folds_the_sequences_listed_and_joins_at_the_line_end_given(tmp_path):
    text = "Intro: a well\u2010known pro-\u2010\nduction.\n"
    ct = canonical(tmp_path, text)
    assert ct.text == "Intro: a well-known pro-duction."
    assert [c.description for c in ct.changes if c.kind == "hyphen_folded"] == ["U+2010 as '-'", "U+002D U+2010 as '-'"]
    assert [c.kind for c in ct.changes].count("line_end_hyphen_joined") == 1
    kept = canonical(tmp_path, text, hyphenation={"folded": ["-\u2010"], "line_end": "\u00ac"})
    assert kept.text == "Intro: a well\u2010known pro- duction."  # lone U+2010 kept; no join at `-‐`
    assert not [c for c in kept.changes if c.kind == "line_end_hyphen_joined"]


def test_footnote_marker_format_finds_bracketed_markers(tmp_path):
    text = "Intro: as he said so[1] and went on.\n\n1 He said it in 1930.\n"
    note = {"number": 1, "starts": "1 He said", "marker_after": "as he said so"}
    ct = canonical(tmp_path, text, footnote_marker="[{number}]", footnotes=[note])
    assert ct.paragraphs[0].text == "Intro: as he said so and went on."
    assert ct.footnotes[0].marker_offset == ct.text.index(" and went on")
    with pytest.raises(BuildError, match="footnote 1: no marker after 'as he said so'"):
        canonical(tmp_path, text, footnotes=[note])  # the default `{number}` expects `so1`


def test_the_defaults_are_the_essays_own_rules():
    """Without the three keys, the essay's source file gives the same canonical text and changes."""
    written = SourceMetadata.load(META, REPO)
    defaults = SourceMetadata.load(META, REPO)
    for key in ("page_break", "hyphenation", "footnote_marker"):
        assert key in written.layout
        del defaults.layout[key]
    from histpack.text.canonical import Layout

    defaults.layout = Layout.model_validate(defaults.layout).model_dump()
    assert defaults.layout == written.layout
    assert build_canonical_text(defaults).text == build_canonical_text(written).text


@pytest.mark.parametrize("layout, words, at", [
    ({"footnote_marker": "{num}"}, "`layout.footnote_marker` is '{num}': must hold `{number}` once", "footnote_marker:"),
    ({"page_break": {"line_pattern": "^("}}, "`layout.page_break.line_pattern` is '^(': not a regular expression",
     "line_pattern:"),
    ({"hyphenation": {"folded": [""]}}, "`layout.hyphenation.folded.0` is ''", "- ''"),
    ({"page_break": "leading_space"}, "`layout.page_break` is 'leading_space': must be a mapping of the keys "
                                      "line_pattern", "page_break:"),
], ids=["marker", "pattern", "empty-hyphen", "old-name"])
def test_a_bad_layout_option_is_one_error_at_its_line(tmp_path, layout, words, at):
    path = source(tmp_path, "Intro.\n", **layout)
    with pytest.raises(BuildError) as caught:
        SourceMetadata.load(path, tmp_path)
    file, line = caught.value.where.rsplit(":", 1)
    assert file == "sources/s.yaml" and words in caught.value.message, caught.value.text()
    assert path.read_text(encoding="utf-8").splitlines()[int(line) - 1].strip().startswith(at)
    assert fold_whitespace(caught.value.text()) == caught.value.text()  # one line
