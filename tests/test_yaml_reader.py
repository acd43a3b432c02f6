"""The annotation reader takes libyaml's parser for shallow, well-formed documents and the exact
pure-Python reader otherwise: both must give the same values and the same lines."""

from __future__ import annotations


import pytest

from histpack.project import yaml as a
from histpack.project.errors import BuildError
from conftest import REPO

FILES = sorted([*REPO.glob("annotations/*.yaml"), *REPO.glob("sources/*.yaml")])


def located(value):
    """A value with every line the reader recorded, for comparison."""
    if isinstance(value, a.LocatedDict):
        return ("map", value.line, sorted(value.key_lines.items()), sorted(value.bool_words.items()),
                [(k, located(v)) for k, v in value.items()])
    if isinstance(value, a.LocatedList):
        return ("seq", value.line, list(value.lines), [located(v) for v in value])
    return value


def slow(text: str):
    loader = a._LocatedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


@pytest.mark.skipif(a._FAST is None, reason="PyYAML was built without libyaml")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_fast_reader_gives_the_same_values_and_lines(path):
    text = a.decode_text(path.read_bytes(), path.name)
    fast = a._read_fast(text)
    assert fast is not a._SLOW, f"{path.name} should be read by libyaml"
    assert located(fast) == located(slow(text))


def test_deep_documents_go_to_the_exact_reader():
    deep = "a:\n" + "".join(" " * i + "- \n" for i in range(1, 70))
    assert not a._shallow(deep)
    assert a._read_fast(deep) is a._SLOW
    inline = "- " * 80 + "x\n"
    assert a._read_fast(inline) is a._SLOW
    with pytest.raises(BuildError) as caught:
        a.load_yaml(inline.encode(), "deep.yaml")
    assert "nesting deeper than 64 levels" in str(caught.value)


def test_an_alias_bomb_or_a_syntax_error_is_reported_by_the_exact_reader():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(5))
    assert a._read_fast(bomb) is a._SLOW
    with pytest.raises(BuildError) as caught:
        a.load_yaml(bomb.encode(), "bomb.yaml")
    assert str(caught.value).startswith("bomb.yaml:2: YAML aliases (`*name`) expand to more than 10,000 values")
    broken = "persons:\n  - person_id: x\n    name: [unclosed\n"
    assert a._read_fast(broken) is a._SLOW
    with pytest.raises(BuildError) as caught:
        a.load_yaml(broken.encode(), "broken.yaml")
    assert str(caught.value).startswith("broken.yaml:")
