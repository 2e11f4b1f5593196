"""The intake pipeline's fast paths give exactly what the general code gives (same text, same hash)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xinyong.catalog.items import load_catalog
from xinyong.intake import load

KEYS = [f.key for f in load_catalog().item("penalty").fields]
PLAIN = st.text(st.characters(categories=("Lu", "Ll", "Lo", "Nd", "Po", "Ps", "Pe")), max_size=8)
TEXT = st.one_of(
    st.none(),
    PLAIN,
    st.text(max_size=12),
    st.sampled_from(['含"引号"', "反斜杠\\n", "换行\n第二行", "制表\t", "\x00", "全角\u3000空格", "行政处罚", ""]),
)


def _reference(values: dict[str, object], omit: str | None) -> tuple[str, str]:
    without = {k: v for k, v in values.items() if k != omit} if omit in values else values
    return load.canonical_json(values), load.canonical_json(without)


@given(st.fixed_dictionaries({k: TEXT for k in KEYS}))
def test_canonical_form_equals_canonical_json(values: dict[str, str | None]) -> None:
    form = load.CanonicalForm(KEYS, "id_number")
    assert form.dumps(values) == _reference(values, "id_number")


@given(st.dictionaries(st.sampled_from([*KEYS, "extra", "a"]), st.one_of(TEXT, st.integers()), max_size=6))
def test_other_keys_and_values_fall_back_to_canonical_json(values: dict[str, object]) -> None:
    form = load.CanonicalForm(KEYS, "id_number")
    assert form.dumps(values) == _reference(values, "id_number")


def test_the_omitted_key_may_be_first_last_or_absent() -> None:
    values = {"a": "1", "b": None, "c": "三"}
    for omit in ("a", "b", "c", None, "zz"):
        assert load.CanonicalForm(values, omit).dumps(values) == _reference(values, omit)
    assert load.CanonicalForm(["a"], "a").dumps({"a": "x"}) == ('{"a":"x"}', "{}")
    assert load.CanonicalForm([], None).dumps({}) == ("{}", "{}")


@given(st.fixed_dictionaries({k: TEXT for k in KEYS}))
def test_hashed_gives_the_content_hash(values: dict[str, str | None]) -> None:
    assert load.CanonicalForm(KEYS, "id_number").hashed(values)[0] == load.content_hash(values)


@given(st.fixed_dictionaries({k: st.one_of(st.none(), PLAIN) for k in KEYS}))
def test_the_template_path_gives_the_content_hash(values: dict[str, str | None]) -> None:
    digest, without = load.CanonicalForm(KEYS, "id_number").hashed(values)
    assert (digest, without) == (load.content_hash(values), _reference(values, "id_number")[1])
