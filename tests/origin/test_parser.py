"""Parser: canonical and RCEP notation, errors with positions, hypothesis round-trip and junk."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaigai.core.errors import RuleParseError
from kaigai.origin.ast import (
    PE,
    RVC,
    WO,
    And,
    CodeRange,
    Condition,
    Dated,
    ForProduct,
    MaterialLimit,
    MaxNOM,
    Or,
    Process,
    Shift,
    WOMaterials,
)
from kaigai.origin.parser import parse_notation, parse_rcep
from kaigai.origin.processes import operations_of
from kaigai.origin.render import to_text, to_text_ja


def test_rcep_exception_range_or_rvc() -> None:
    # RCEP Annex 3A notation as in rcep_psr_hs2022 (e.g. heading 73.01-73.26 style rows)
    node = parse_rcep("CTH except from heading 72.08 through 72.16, or RVC40")
    assert node == Or((Shift("CTH", (CodeRange("heading", "7208", "7216"),)), RVC(40.0)))


def test_rcep_comma_list_means_alternatives() -> None:
    assert parse_rcep("CTH, RVC40 or CR") == Or(
        (Shift("CTH"), RVC(40.0), Process("chemical reaction", ("chemical reaction",)))
    )


def test_rcep_exception_codes_joined_by_and_or() -> None:
    a = parse_rcep("CTSH except from subheading 8504.21 and 8504.22, or RVC40")
    assert a.parts[0] == Shift(
        "CTSH", (CodeRange("subheading", "850421"), CodeRange("subheading", "850422"))
    )  # type: ignore[union-attr]
    b = parse_rcep("CTH except from heading 24.03 or 24.04")
    assert b == Shift("CTH", (CodeRange("heading", "2403"), CodeRange("heading", "2404")))


def test_rcep_chapter_exception_and_product_split() -> None:
    assert parse_rcep("CC except from Chapter 1") == Shift("CC", (CodeRange("chapter", "01"),))
    n = parse_rcep("1. CTH for carp (Cyprinus spp.), 2. CC for any other good")
    assert n == Or(
        (
            ForProduct("carp (Cyprinus spp.)", Shift("CTH")),
            ForProduct("any other good", Shift("CC")),
        )
    )


def test_rcep_provided_that_becomes_condition() -> None:
    n = parse_rcep(
        "CTSH provided that at least 50 percent by weight of the material or materials used is originating, or RVC40"
    )
    assert n == Or(
        (
            And(
                (
                    Shift("CTSH"),
                    Condition(
                        "at least 50 percent by weight of the material or materials used is originating"
                    ),
                )
            ),
            RVC(40.0),
        )
    )


def test_canonical_round_trip_examples() -> None:
    for text in [
        "CTSH except from subheading 8482.99 [inner or outer rings or races] or RVC 40% (build-up) or RVC 50% (build-down)",
        "(CTH and MaxNOM 50% (EXW)) or RVC 55% (FOB)",
        "RVC 45% (focused value, FOB, focus: heading 84.82, subheading 8501.10 through 8501.20)",
        'process "Weaving combined with making-up" and value of non-originating materials max 50% (EXW or FOB 45%)',
        "MaxNOM 45% (EXW) {from 2026-01-01}",
        "wholly obtained materials of chapter 03 and weight of non-originating materials of heading 17.01 max 20%",
    ]:
        assert to_text(parse_notation(text)) == text


def test_dated_rule() -> None:
    n = parse_notation("RVC 60% (FOB) {2021-01-01 to 2022-12-31}")
    assert (
        isinstance(n, Dated)
        and n.applies(dt.date(2022, 6, 1))
        and not n.applies(dt.date(2023, 1, 1))
    )


@pytest.mark.parametrize(
    ("text", "pos"),
    [
        ("CTH except from heading 72.0", 24),
        ("RVC forty", 4),
        ("CTH or or RVC40", 7),
        ("CTH except from chapter 123", 24),
    ],
)
def test_errors_name_position(text: str, pos: int) -> None:
    with pytest.raises(RuleParseError) as ei:
        parse_notation(text)
    assert ei.value.fields["position"] == pos
    assert f"position {pos}" in ei.value.message


def test_japanese_labels() -> None:
    ja = to_text_ja(parse_rcep("CTH except from heading 72.08 through 72.16, or RVC40"))
    assert (
        ja
        == "項変更（CTH）（第72.08項から第72.16項までからの変更を除く） 又は 域内原産割合（RVC）40%以上"
    )


# --- property-based ---------------------------------------------------------------------------

_words = (
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz -,()", min_size=1, max_size=30)
    .map(str.strip)
    .filter(lambda s: bool(s) and s[0].isalpha())
)
_pct = st.integers(min_value=0, max_value=100).map(float)


@st.composite
def code_ranges(draw: st.DrawFn) -> CodeRange:
    level = draw(st.sampled_from(["chapter", "heading", "subheading"]))
    n = {"chapter": 2, "heading": 4, "subheading": 6}[level]
    a = draw(st.integers(min_value=1, max_value=10**n - 2))
    start = str(a).zfill(n)
    end = draw(
        st.one_of(
            st.none(),
            st.integers(min_value=a + 1, max_value=10**n - 1).map(lambda x: str(x).zfill(n)),
        )
    )
    q = draw(st.one_of(st.none(), _words))
    return CodeRange(level, start, end, q)  # type: ignore[arg-type]


_ranges = st.lists(code_ranges(), min_size=1, max_size=3).map(tuple)
_basis = st.sampled_from([None, "FOB", "EXW", "EXW or FOB"])


@st.composite
def leaves(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return WO()
    if kind == 1:
        return PE()
    if kind == 2:
        return Shift(
            draw(st.sampled_from(["CC", "CTH", "CTSH"])), draw(st.one_of(st.just(()), _ranges))
        )
    if kind == 3:
        method = draw(
            st.sampled_from([None, "build-down", "build-up", "net cost", "focused value"])
        )
        focus = draw(_ranges) if method == "focused value" else ()
        return RVC(draw(_pct), method, draw(st.sampled_from([None, "FOB", "EXW"])), focus)
    if kind == 4:
        return MaxNOM(draw(_pct), draw(st.sampled_from([None, "FOB", "EXW"])))
    if kind == 5:
        b = draw(_basis)
        alt = draw(st.one_of(st.none(), _pct)) if b == "EXW or FOB" else None
        return MaterialLimit(draw(st.sampled_from(["value", "weight"])), draw(_pct), draw(st.one_of(st.just(()), _ranges)),
                             b, draw(st.booleans()), alt)  # fmt: skip
    if kind == 6:
        return WOMaterials(draw(_ranges))
    if kind == 7:
        d = draw(_words)
        return Process(d, operations_of(d))
    if kind == 8:
        return Condition(draw(_words))
    return Dated(
        Shift("CTH"),
        dt.date(2021, 1, 1),
        draw(st.one_of(st.none(), st.just(dt.date(2022, 12, 31)))),
    )


def _trees(depth: int):  # type: ignore[no-untyped-def]
    if depth == 0:
        return leaves()
    sub = _trees(depth - 1)
    return st.one_of(
        leaves(),
        st.lists(sub, min_size=2, max_size=3).map(lambda xs: Or(tuple(xs))),
        st.lists(sub, min_size=2, max_size=3).map(lambda xs: And(tuple(xs))),
        st.tuples(_words, sub).map(lambda t: ForProduct(t[0], t[1])),
    )


def _norm(node):  # type: ignore[no-untyped-def]
    """Flatten nested same-kind connectives (A or (B or C) == A or B or C)."""
    if isinstance(node, Or | And):
        parts = []
        for p in node.parts:
            p = _norm(p)
            parts += list(p.parts) if type(p) is type(node) else [p]
        return type(node)(tuple(parts))
    if isinstance(node, ForProduct):
        return ForProduct(node.description, _norm(node.rule))
    return node


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_trees(2))
def test_round_trip_random_rules(tree) -> None:  # type: ignore[no-untyped-def]
    text = to_text(tree)
    assert _norm(parse_notation(text)) == _norm(tree)
    assert to_text(parse_notation(text)) == text


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_junk_never_crashes(junk: str) -> None:
    try:
        parse_notation(junk)
        parse_rcep(junk)
    except RuleParseError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["CTH", "CC", "RVC", "40", "40%", "or", "and", ",", "(", ")", "except", "from", "heading",
                                  "72.08", "through", "for", '"x"', ":", "MaxNOM", "{from 2020-01-01}", "[q]"]), max_size=12))  # fmt: skip
def test_token_soup_never_crashes(tokens: list[str]) -> None:
    with contextlib.suppress(RuleParseError):
        parse_notation(" ".join(tokens))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["A change to", "a good of", "heading", "subheading", "8482", "848299", "from any other",
                         "chapter", "except from", "provided that", "the value of non-originating materials",
                         "does not exceed", "**40%**", "of the ex-works price (EXW)", "or", "and", ",", ".", "CTH:",
                         "(1st Jan 2026 onwards)", "However,", "may be used", "Spinning", "- a)", "through", "to"]),
        max_size=14,
    )
)  # fmt: skip
def test_prose_soup_never_crashes(parts: list[str]) -> None:
    from kaigai.origin.prose import parse_prose

    with contextlib.suppress(RuleParseError):
        parse_prose(" ".join(parts))


def _uk_texts() -> list[str]:
    import pandas as pd

    from kaigai.data.store import starter_path

    p = starter_path("uk_psr")
    assert p is not None
    return list(pd.read_parquet(p, columns=["rule_text"])["rule_text"])


_UK = _uk_texts()


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(_UK),
    st.integers(0, 400),
    st.integers(0, 400),
    st.sampled_from(["", "9", "%", " or ", "(", ","]),
)
def test_mutated_real_rows_never_crash(text: str, a: int, b: int, ins: str) -> None:
    from kaigai.origin.prose import parse_prose

    lo, hi = sorted((a % (len(text) + 1), b % (len(text) + 1)))
    with contextlib.suppress(RuleParseError):
        parse_prose(text[:lo] + ins + text[hi:])
