"""Hostile and careless input (issue 10): every mistake is one line `file:line: what — hint`, exit 1,
no traceback, and the previous outputs byte for byte; nothing outside the package is overwritten."""

from __future__ import annotations

import hashlib
import time
import unicodedata
from pathlib import Path

import pytest

from conftest import copy_project, edit, outputs

A, S = "annotations", "sources"
TEXT = f"{S}/thom-2015-ewjus.txt"
META = f"{S}/thom-2015-ewjus.yaml"


def line_of(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_bytes().decode("utf-8", "replace").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def one_error(result, before: dict, root: Path) -> str:
    """The one error line of a failed run, after checking exit 1, no traceback, outputs untouched."""
    assert result.exit_code == 1, result.stdout + result.stderr
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stdout + result.stderr
    assert len(result.errors) == 1, result.errors
    assert "internal error" not in result.errors[0]
    assert outputs(root) == before
    assert not list(root.glob(".staging-*"))
    return result.errors[0]


def _text_edit(root: Path, new: bytes) -> None:
    """Replace the source text and keep its metadata's sha256 in step, so the text itself is checked."""
    (root / TEXT).write_bytes(new)
    old = hashlib.sha256((Path(__file__).parents[1] / TEXT).read_bytes()).hexdigest()
    edit(root / META, old, hashlib.sha256(new).hexdigest())


# Each case breaks a copy of the project and returns (file, line, words the one error line must hold).
def nul_byte(root):
    p = root / A / "persons.yaml"
    edit(p, "    name: Mao\n", "    name: Ma\x00o\n")
    return f"{A}/persons.yaml", line_of(p, "name: Ma"), ["U+0000 NUL", "delete it"]


def esc_byte(root):
    p = root / A / "regimes.yaml"
    edit(p, "regime_id: prc", "regime_id: \x1b[31mprc")
    return f"{A}/regimes.yaml", line_of(p, "regime_id: \x1b"), ["U+001B ESC", "delete it"]


def list_as_key(root):
    p = root / A / "persons.yaml"
    edit(p, "    name: Mao\n", "    [name, alias]: Mao\n")
    return f"{A}/persons.yaml", line_of(p, "[name, alias]"), ["a list cannot be a key", "fix the YAML"]


def deep_nesting(root):
    (root / A / "zz-deep.yaml").write_text("persons: " + "[" * 20000 + "]" * 20000 + "\n", encoding="utf-8")
    return f"{A}/zz-deep.yaml", 1, ["nesting deeper than 64 levels"]


def alias_bomb(root):
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    (root / A / "zz-bomb.yaml").write_text("\n".join(levels) + "\n", encoding="utf-8")
    return f"{A}/zz-bomb.yaml", 2, ["aliases (`*name`) expand to more than 10,000 values", "use fewer aliases"]


def huge_value_echoed(root):
    (root / A / "zz-long.yaml").write_text(f"persons:\n  - {'words ' * 200_000}\n", encoding="utf-8")
    return f"{A}/zz-long.yaml", 2, ["a row of `persons` is 'words words", "(1199799 more characters)"]


def droppings_skipped_dangling_link_named(root):
    """Editor and OS droppings are skipped (a dangling `.#` lock link, `._` and `~` files of junk);
    a dangling link that is not a dropping is named."""
    (root / A / ".#persons.yaml").symlink_to("user@host.1234:1700000000")
    (root / A / "._persons.yaml").write_bytes(b"\x00\x05\x16\x07junk")
    (root / A / "persons.yaml~").write_bytes(b"persons: [")
    (root / A / "zz-link.yaml").symlink_to("gone.yaml")
    return f"{A}/zz-link.yaml", 1, ["a symbolic link to nothing", "remove it"]


def folder_named_yaml(root):
    (root / A / "zz-more.yaml").mkdir()
    return f"{A}/zz-more.yaml", 1, ["a folder named like an annotation file", "rename it"]


def scalar_row(root):
    (root / A / "zz-rows.yaml").write_text("# a comment\npersons:\n\n  - just some words\n", encoding="utf-8")
    return f"{A}/zz-rows.yaml", 4, ["a row of `persons` is 'just some words', not a mapping", "`- column: value`"]


def yaml_read_no_as_false(root):
    p = root / A / "persons.yaml"
    edit(p, "person_id: mao", "person_id: no")
    return f"{A}/persons.yaml", line_of(p, "person_id: no"), ["YAML read `no` as false", "quote it: `person_id: \"no\"`"]


def misspelt_source_header(root):
    p = root / A / "persons.yaml"
    edit(p, "source: thom-2015-ewjus", "source: thom-2015-ewjs")
    return f"{A}/persons.yaml", 2, ["`source: thom-2015-ewjs` names no essay", "did you mean `thom-2015-ewjus`?"]


def cp1252_byte_in_text(root):
    data = (root / TEXT).read_bytes()
    _text_edit(root, data.replace("Stalin’s".encode(), b"Stalin\x92s", 1))
    line = data[: data.index("Stalin’s".encode())].count(b"\n") + 1
    return TEXT, line, ["the source text is not UTF-8 (byte 0x92)", "save it as UTF-8"]


def bom_in_text(root):
    _text_edit(root, b"\xef\xbb\xbf" + (root / TEXT).read_bytes())
    return TEXT, 1, ["byte-order mark (U+FEFF)", "save it without one"]


def metadata_lacks_first_page(root):
    p = root / META
    edit(p, "  first_page: 81\n", "")
    return META, line_of(p, "layout:"), ["source metadata lacks `layout.first_page`"]


def metadata_first_page_wrong_type(root):
    p = root / META
    edit(p, "first_page: 81", "first_page: eighty-one")
    return META, line_of(p, "first_page:"), ["`layout.first_page` is 'eighty-one'", "integer"]


def metadata_bad_running_head_regex(root):
    p = root / META
    edit(p, "pattern: '^84 Françoise Thom$'", "pattern: '^84 (Françoise Thom$'")
    return META, line_of(p, "pattern: '^84"), ["not a regular expression", "missing )"]


def metadata_yaml_syntax(root):
    p = root / META
    edit(p, "  first_page: 81\n", "  first_page: [81\n")
    return META, line_of(p, "first_page: [81") + 1, ["YAML syntax error"]


def metadata_dead_key(root):
    p = root / META
    edit(p, 'page_break: {line_pattern: "^ "}', "page_break: every_form_feed")
    return META, line_of(p, "page_break"), ["`layout.page_break` is 'every_form_feed'", "keys line_pattern"]


def metadata_misspelt_key(root):
    p = root / META
    edit(p, "  drop_capital:", "  drop_capitol:")
    return META, line_of(p, "drop_capitol"), ["unknown key `layout.drop_capitol`", "did you mean `drop_capital`?"]


def no_analyzed_source(root):
    for metadata in sorted((root / S).glob("*.yaml")):
        edit(metadata, "role: analyzed", "role: cited")
    return S, None, ["no source has `role: analyzed`", "mark each text"]


def duplicate_source_id(root):
    (root / S / "zz-copy.yaml").write_bytes((root / META).read_bytes())
    return f"{S}/zz-copy.yaml", 1, ["source_id `thom-2015-ewjus` is already used by sources/thom-2015-ewjus.yaml"]


CASES = [nul_byte, esc_byte, list_as_key, deep_nesting, alias_bomb, huge_value_echoed,
         droppings_skipped_dangling_link_named, folder_named_yaml, scalar_row, yaml_read_no_as_false,
         misspelt_source_header, cp1252_byte_in_text, bom_in_text, metadata_lacks_first_page,
         metadata_first_page_wrong_type, metadata_bad_running_head_regex, metadata_yaml_syntax, metadata_dead_key,
         metadata_misspelt_key, no_analyzed_source, duplicate_source_id]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_mistake_is_one_line_naming_file_and_line(case, project, cli):
    file, line, words = case(project)
    before = outputs(project)
    started = time.monotonic()
    result = cli(project, "build", "--no-db")
    message = one_error(result, before, project)
    assert time.monotonic() - started < 60
    assert message.startswith(f"error: {file}:{line}: " if line else f"error: {file}: "), message
    assert " — " in message, message  # what, then what to do
    assert len(message) < 700, len(message)
    for word in words:
        assert word in message, (word, message)


# Mistakes found while resolving: independent ones are reported together, each at its own row.
def _resolve_mistakes(root: Path) -> dict[str, tuple[str, int, list[str]]]:
    c = root / A / "comparisons.yaml"
    edit(c, "voice: secondary, speaker: aulard, citation: furet-ozouf-257}",
         "voice: narrator, speaker: aulard, citation: furet-ozouf-257}")
    p = root / A / "persons.yaml"
    edit(p, '    quote: "Stalin’s policy of collectivization and de-kulakization"\n',
         "    quote_id: q81-stalin-s-policy-of-collectivization\n")
    edit(p, "  - person_id: mao\n", "  - person_id: mao\n    quote_id: q81-anything\n")
    soft, zwsp = "col\u00adlectivization", "the\u200b USSR"
    nfd = unicodedata.normalize("NFD", "Françoise")
    for number, words in ((1, soft), (2, zwsp), (3, nfd)):
        (root / A / f"zz-invisible-{number}.yaml").write_text(
            f"source: thom-2015-ewjus\npersons:\n  - person_id: someone-{number}\n    name: X\n    role: x\n    kind: scholar\n"
            f"    quote: \"{words}\"\n", encoding="utf-8")
    (root / A / "zz-long-quote.yaml").write_text(
        "source: thom-2015-ewjus\npersons:\n  - person_id: long\n    name: X\n    role: x\n    kind: scholar\n"
        f"    quote: \"{'a very long quote ' * 70_000}\"\n", encoding="utf-8")
    return {
        "quote_mapping_voice": (f"{A}/comparisons.yaml", line_of(c, "voice: narrator"),
                                ["`voice` is 'narrator'", "allowed: "]),
        "typed_quote_id": (f"{A}/persons.yaml", line_of(p, "person_id: stalin"),
                           ["`quote_id` is computed by the builder", "with `quote:`"]),
        "typed_quote_id_with_quote": (f"{A}/persons.yaml", line_of(p, "person_id: mao"),
                                      ["`quote_id` is computed by the builder"]),
        "soft_hyphen": (f"{A}/zz-invisible-1.yaml", 3, ["U+00AD soft hyphen", "without them the words are in the essay"]),
        "zero_width_space": (f"{A}/zz-invisible-2.yaml", 3, ["U+200B zero-width space", "retype the words"]),
        "decomposed_accent": (f"{A}/zz-invisible-3.yaml", 3, ["U+0327 combining cedilla", "decomposed accent"]),
        "quote_longer_than_a_paragraph": (f"{A}/zz-long-quote.yaml", 3,
                                          ["1,259,999 characters long, longer than any paragraph", "quote within one"]),
    }


@pytest.fixture(scope="module")
def resolve_run(tmp_path_factory):
    from typer.testing import CliRunner

    from histpack.cli.app import app
    import os

    root = copy_project(tmp_path_factory.mktemp("resolve") / "project")
    expected = _resolve_mistakes(root)
    before = outputs(root)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        started = time.monotonic()
        result = CliRunner().invoke(app, ["build", "--no-db"])
        elapsed = time.monotonic() - started
    finally:
        os.chdir(cwd)
    return root, expected, before, result, elapsed


RESOLVE_CASES = ["quote_mapping_voice", "typed_quote_id", "typed_quote_id_with_quote", "soft_hyphen",
                 "zero_width_space", "decomposed_accent", "quote_longer_than_a_paragraph"]


@pytest.mark.parametrize("case", RESOLVE_CASES)
def test_resolve_mistake_is_its_own_line_at_the_row(case, resolve_run):
    root, expected, before, result, elapsed = resolve_run
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert len(result.stderr.splitlines()) == len(expected), result.stderr
    assert outputs(root) == before and not list(root.glob(".staging-*"))
    assert elapsed < 60  # the 1.2 MB quote is refused at once, not searched for minutes
    file, line, words = expected[case]
    lines = [e for e in result.stderr.splitlines() if e.startswith(f"error: {file}:{line}: ")]
    assert len(lines) == 1, (file, line, result.stderr)
    assert len(lines[0]) < 700
    for word in words:
        assert word in lines[0], (word, lines[0])


def test_unknown_speaker_in_a_quote_mapping_is_reported_at_the_annotation(project, cli):
    c = project / A / "comparisons.yaml"
    edit(c, "voice: secondary, speaker: aulard,", "voice: secondary, speaker: nobody,")
    before = outputs(project)
    message = one_error(cli(project, "build", "--no-db"), before, project)
    assert message.startswith(f"error: {A}/comparisons.yaml:{line_of(c, 'speaker: nobody')}: "), message
    assert "`speaker_id` 'nobody' is not a person_id in persons" in message


# Writing over the project is refused.
def test_database_over_the_source_text_is_refused(project, cli):
    before, text = outputs(project), (project / TEXT).read_bytes()
    message = one_error(cli(project, "build", "--db", TEXT), before, project)
    assert message.startswith(f"error: {TEXT}: refused as a database path: it is inside an input of the project"), message
    assert "— write the database under build/" in message
    assert (project / TEXT).read_bytes() == text


def test_database_over_a_file_that_is_not_one_is_refused(project, cli):
    notes = project / "build" / "notes.duckdb"
    notes.parent.mkdir()
    notes.write_text("my notes\n")
    before = outputs(project)
    message = one_error(cli(project, "build", "--db", "build/notes.duckdb"), before, project)
    assert "exists and is not a DuckDB database; refused to overwrite it" in message
    assert notes.read_text() == "my notes\n"
    message = one_error(cli(project, "load", "--db", "build/notes.duckdb"), before, project)
    assert "is not a DuckDB database" in message and notes.read_text() == "my notes\n"


@pytest.mark.parametrize("folder", ["data", "schemas", "annotations", "sources", "."])
def test_export_into_the_project_is_refused(folder, project, cli):
    before, inputs = outputs(project), sorted((project / A).iterdir())
    message = one_error(cli(project, "export", "--format", "csv", "--out", folder), before, project)
    assert "refused as an output folder" in message and "— write exports to a folder of their own" in message
    assert "an input of the project" in message or "the project's package" in message
    assert sorted((project / A).iterdir()) == inputs


def test_unmanaged_file_with_a_generated_name_is_refused(project, cli):
    """The build overwrites only files it generated: here the previous descriptor does not list persons.csv."""
    import json

    descriptor = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "persons"]
    (project / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    before = outputs(project)
    message = one_error(cli(project, "build", "--no-db"), before, project)
    assert message.startswith("error: data/persons.csv: the build would overwrite this file, which it did not generate")


def test_interrupt_is_one_line_exit_130(project, cli, monkeypatch):
    import histpack.pipeline.build

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(histpack.pipeline.build, "resolve_project", interrupted)
    before = outputs(project)
    result = cli(project, "build", "--no-db")
    assert result.exit_code == 130 and result.errors == ["error: interrupted"], result.stderr
    assert outputs(project) == before and not list(project.glob(".staging-*"))
