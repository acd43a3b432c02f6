"""Every bad annotation is one clear error: file and line, what is wrong, what to do; exit 1, no
traceback, and the previous data/, schemas/ and datapackage.json byte for byte as they were.
And what is not an error (a byte-order mark, CRLF line ends) gives byte-identical outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, edit, outputs

A = "annotations"


def line_of(path: Path, text: str) -> int:
    """1-based number of the first line of `path` that contains `text`."""
    for number, line in enumerate(path.read_bytes().decode("utf-8", "replace").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


# Each case: break a copy of the project; return (file, line) the error must name and the words it must say.
def yaml_syntax(root):
    p = root / A / "persons.yaml"
    edit(p, "    role: head of the Nazi regime\n", "    role: [head of the Nazi regime\n")
    opened = line_of(p, "role: [head")
    return f"{A}/persons.yaml", opened + 1, ["YAML syntax error", f"flow sequence at line {opened}"]


def key_typo(root):
    p = root / A / "persons.yaml"
    edit(p, '    quote: "the sinking Hitler regime"', '    qoute: "the sinking Hitler regime"')
    return f"{A}/persons.yaml", line_of(p, "person_id: hitler"), ["unknown column `qoute`", "did you mean `quote`?"]


def quote_key_typo(root):
    p = root / A / "regimes.yaml"
    edit(p, 'quote: {text: "the USSR", occurrence: 1}', 'quote: {text: "the USSR", ocurrence: 1}')
    return f"{A}/regimes.yaml", line_of(p, "regime_id: ussr"), ["unknown key `ocurrence` in `quote`", "occurrence"]


def missing_required(root):
    p = root / A / "persons.yaml"
    edit(p, "    role: head of the Nazi regime\n", "")
    return f"{A}/persons.yaml", line_of(p, "person_id: hitler"), ["persons row `hitler`", "missing required column `role`"]


def missing_quote(root):
    p = root / A / "persons.yaml"
    edit(p, '    quote: "the sinking Hitler regime"\n', "")
    return f"{A}/persons.yaml", line_of(p, "person_id: hitler"), ["missing required column `quote`", "add `quote:`"]


def wrong_type(root):
    p = root / A / "sources.yaml"
    edit(p, "  - source_id: souvarine\n", "  - source_id: souvarine\n    year: nineteen-forty\n")
    return f"{A}/sources.yaml", line_of(p, "source_id: souvarine"), ["sources row `souvarine`", "`year`", "integer"]


def unknown_enum(root):
    p = root / A / "persons.yaml"
    edit(p, "    regime_id: nazi_germany\n    kind: actor", "    regime_id: nazi_germany\n    kind: villain")
    return f"{A}/persons.yaml", line_of(p, "person_id: hitler"), ["`kind` is 'villain'", "allowed: actor, scholar"]


def quote_not_found(root):
    p = root / A / "persons.yaml"
    edit(p, '"the sinking Hitler regime"', '"the sunken Hitler regime"')
    return f"{A}/persons.yaml", line_of(p, "person_id: hitler"), [
        "quote not found in the essay", "closest passage: “the sinking Hitler regime"]


def quote_ambiguous(root):
    p = root / A / "regimes.yaml"
    edit(p, 'quote: {text: "the USSR", occurrence: 1}', 'quote: "the USSR"')
    return f"{A}/regimes.yaml", line_of(p, "regime_id: ussr"), [
        "quote is ambiguous", "occurs 10 times", "`occurrence: N`", "`prefix:`"]


def quote_into_footnote(root):
    p = root / A / "persons.yaml"
    edit(p, '"the sinking Hitler regime"',
         '"so there is no way back [author’s emphasis].” See “Memorandum of 14 December 1929”"')
    return f"{A}/persons.yaml", line_of(p, "person_id: hitler"), ["runs from the text into footnote 2",
                                                                   "quote the text and the note separately"]


def occurrence_not_a_number(root):
    p = root / A / "regimes.yaml"
    edit(p, 'quote: {text: "the USSR", occurrence: 1}', 'quote: {text: "the USSR", occurrence: first}')
    return f"{A}/regimes.yaml", line_of(p, "regime_id: ussr"), ["`occurrence` is 'first', not a number"]


def _event_date(root, value):
    p = root / A / "burning-bridges.yaml"
    edit(p, "    date_edtf: 1943-11-14\n    event_type", f"    date_edtf: {value}\n    event_type")
    return p, line_of(p, "event_id: 1943-11-14-goebbels-diary")


def invalid_edtf(root):
    p, line = _event_date(root, "1943-13-45")
    return f"{A}/burning-bridges.yaml", line, ["`date_edtf`", "invalid EDTF '1943-13-45'"]


def empty_date(root):
    p, line = _event_date(root, "''")
    return f"{A}/burning-bridges.yaml", line, ["missing required column `date_edtf`"]


def interval_reversed(root):
    p = root / A / "regimes.yaml"
    edit(p, "period_edtf: 1949-10-01/1976-09-09", "period_edtf: 1933/1932")
    return f"{A}/regimes.yaml", line_of(p, "regime_id: prc"), ["'1933/1932' starts after it ends"]


def winter_season_code(root):
    p = root / A / "regimes.yaml"
    edit(p, "period_edtf: 1949-10-01/1976-09-09", "period_edtf: 1932-24")
    return f"{A}/regimes.yaml", line_of(p, "regime_id: prc"), ["winter", "1932-12/1933-02"]


def unknown_reference(root):
    p = root / A / "persons.yaml"
    edit(p, "regime_id: nazi_germany", "regime_id: nazi_germani")
    return f"{A}/persons.yaml", line_of(p, "person_id: hitler"), [
        "`regime_id` 'nazi_germani' is not a regime_id in regimes", "did you mean `nazi_germany`?"]


def duplicate_id_across_files(root):
    first = line_of(root / A / "persons.yaml", "person_id: hitler")
    (root / A / "zz-more-persons.yaml").write_text(
        "source: thom-2015-ewjus\npersons:\n  - person_id: hitler\n    name: Hitler\n    role: Führer\n    regime_id: nazi_germany\n"
        "    kind: actor\n    quote: \"the sinking Hitler regime\"\n", encoding="utf-8")
    return f"{A}/zz-more-persons.yaml", 3, [
        "duplicate id: persons row `hitler`", f"already defined at {A}/persons.yaml:{first}"]


def empty_file(root):
    (root / A / "new-theme.yaml").write_bytes(b"")
    return f"{A}/new-theme.yaml", 1, ["the file is empty"]


def not_utf8(root):
    p = root / A / "persons.yaml"
    line = line_of(p, "Stalin’s policy of collectivization")
    p.write_bytes(p.read_bytes().replace("Stalin’s policy".encode(), b"Stalin\x92s policy"))  # cp1252 apostrophe
    return f"{A}/persons.yaml", line, ["the file is not UTF-8", "save it as UTF-8"]


def unknown_table(root):
    p = root / A / "persons.yaml"
    edit(p, "persons:\n", "persns:\n")
    return f"{A}/persons.yaml", line_of(p, "persns:"), ["unknown table `persns`", "did you mean `persons`?"]


def bad_id(root):
    p = root / A / "persons.yaml"
    edit(p, "person_id: hitler", "person_id: Adolf Hitler")
    return f"{A}/persons.yaml", line_of(p, "person_id: Adolf"), ["'Adolf Hitler' is not an id", "lower-case"]


CASES = [yaml_syntax, key_typo, quote_key_typo, missing_required, missing_quote, wrong_type, unknown_enum,
         quote_not_found, quote_ambiguous, quote_into_footnote, occurrence_not_a_number, invalid_edtf, empty_date,
         interval_reversed, winter_season_code, unknown_reference, duplicate_id_across_files, empty_file, not_utf8,
         unknown_table, bad_id]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_bad_annotation_is_one_clear_error(case, project, cli):
    file, line, words = case(project)
    before = outputs(project)
    result = cli(project, "build", "--no-db")
    assert result.exit_code == 1, result.stdout + result.stderr
    assert isinstance(result.exception, SystemExit)  # typer.Exit(1), not an escaped exception
    assert "Traceback" not in result.stdout + result.stderr
    assert len(result.errors) == 1, result.errors  # one problem, one line
    message = result.errors[0]
    assert message.startswith(f"error: {file}:{line}: "), message
    for word in words:
        assert word in message, (word, message)
    assert outputs(project) == before  # the previous outputs, byte for byte
    assert not list(project.glob(".staging-*"))


def test_several_problems_are_all_reported_in_file_order(project, cli):
    """Independent mistakes in one run: each its own line, by file and line, so all can be fixed at once."""
    p = project / A / "persons.yaml"
    edit(p, "    regime_id: nazi_germany\n    kind: actor", "    regime_id: nazi_germany\n    kind: villain")
    edit(p, '"the sinking Hitler regime"', '"the sunken Hitler regime"')
    edit(p, "person_id: mao", "person_id: Mao")
    before = outputs(project)
    result = cli(project, "build", "--no-db")
    assert result.exit_code == 1
    mao, hitler = line_of(p, "person_id: Mao"), line_of(p, "person_id: hitler")
    assert [e.split(": ")[1] for e in result.errors] == [f"{A}/persons.yaml:{mao}", f"{A}/persons.yaml:{hitler}"]
    assert "'Mao' is not an id" in result.errors[0] and "quote not found" in result.errors[1]
    assert outputs(project) == before


def _committed() -> dict[str, str]:
    return outputs(REPO)


def test_byte_order_mark_is_accepted_with_identical_outputs(project, cli):
    for path in (project / A).glob("*.yaml"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = cli(project, "build", "--no-db")
    assert result.exit_code == 0, result.stderr
    assert outputs(project) == _committed()


def test_crlf_line_ends_are_accepted_with_identical_outputs(project, cli):
    for path in (project / A).glob("*.yaml"):
        data = path.read_bytes()
        assert b"\r\n" not in data
        path.write_bytes(data.replace(b"\n", b"\r\n"))
    result = cli(project, "build", "--no-db")
    assert result.exit_code == 0, result.stderr
    assert outputs(project) == _committed()


def test_crlf_error_lines_are_the_same_lines(project, cli):
    """Line numbers do not drift when a file has CRLF line ends."""
    p = project / A / "persons.yaml"
    edit(p, "regime_id: nazi_germany", "regime_id: nazi_germani")
    line = line_of(p, "person_id: hitler")
    p.write_bytes(p.read_bytes().replace(b"\n", b"\r\n"))
    result = cli(project, "build", "--no-db")
    assert result.exit_code == 1
    assert result.errors[0].startswith(f"error: {A}/persons.yaml:{line}: ")
