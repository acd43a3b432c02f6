"""Property tests (issue 10): whatever an annotation file holds — arbitrary bytes, arbitrary YAML,
rows of real tables with arbitrary values — reading and resolving it ends in located error lines
(BuildError) or rows, never another exception, and within a time bound."""

from __future__ import annotations

import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import REPO

DISPLAY = "annotations/zz-fuzz.yaml"
SECONDS = 10  # generous: the machine is shared; a hang (alias bomb, quadratic search) takes minutes


@pytest.fixture(scope="module")
def sources():
    from histpack.model.models import load_vocabularies
    from histpack.project.layout import Project
    from histpack.text.sources import load_sources

    canonicals, records, _ = load_sources(Project(REPO))
    return canonicals, records, load_vocabularies(REPO)


@pytest.fixture(scope="module")
def fuzz_file(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz") / "zz-fuzz.yaml"


def read_and_resolve(path, sources) -> None:
    from histpack.annotate.annotations import read_annotation_file
    from histpack.project.errors import BuildError, BuildErrors
    from histpack.annotate.resolve import ANNOTATED_TABLES, resolve

    canonicals, records, vocabularies = sources
    started = time.monotonic()
    try:
        rows = read_annotation_file(path, DISPLAY, set(ANNOTATED_TABLES), set(canonicals))
        resolve(rows, canonicals, records, vocabularies)
    except BuildErrors as exc:
        lines = [e.text() for e in exc.errors]
    except BuildError as exc:
        lines = [exc.text()]
    else:
        lines = []
    assert time.monotonic() - started < SECONDS
    for line in lines:
        assert line.startswith(f"{DISPLAY}:") or line.startswith("(table "), line
        assert "\n" not in line and len(line) < 2000, line[:300]


FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes(data, fuzz_file, sources):
    fuzz_file.write_bytes(data)
    read_and_resolve(fuzz_file, sources)


@FUZZ
@given(text=st.text(alphabet=st.sampled_from(list("abc:- \n\t[]{},&*!|>'\"#?%@`\\0123") + ["\u00ad", "é", "\x85"]),
                    max_size=300))
def test_arbitrary_yaml_like_text(text, fuzz_file, sources):
    fuzz_file.write_text(text, encoding="utf-8")
    read_and_resolve(fuzz_file, sources)


scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                          max_size=4), max_leaves=20)


def _table_rows():
    from histpack.model import models as m
    from histpack.annotate.resolve import ANNOTATED_TABLES

    def rows(table: str):
        columns = sorted(m.BY_TABLE[table].model_fields) + ["quote", "quote_id", "source"]
        row = st.dictionaries(st.sampled_from(columns), values | st.sampled_from(["stalin", "ussr", "1932", "Stalin"]),
                              max_size=6)
        return st.lists(row, max_size=3)

    return st.dictionaries(st.sampled_from(ANNOTATED_TABLES + ("source",)), st.sampled_from(ANNOTATED_TABLES)
                           .flatmap(rows), max_size=3)


@FUZZ
@given(document=values | _table_rows())
def test_arbitrary_yaml_documents(document, fuzz_file, sources):
    fuzz_file.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    read_and_resolve(fuzz_file, sources)
