from __future__ import annotations

import pytest

from kaigai.core.errors import InputError
from kaigai.core.i18n import CONTEXT_SEP, PLAN, WEB, catalogue, check_lang, pt, read_po, t


def test_translate_and_fallback() -> None:
    assert t("Description", "ja") == "説明"
    assert t("Description", "en") == "Description"
    assert t("HS code {code}", "ja", code="848210") == "HS コード 848210"
    assert t("not in any catalogue", "ja") == "not in any catalogue"


def test_every_ja_placeholder_matches_msgid() -> None:
    import re

    ph = re.compile(r"\{(\w*)\}")
    cat = catalogue("ja")
    assert len(cat) >= 19
    for k, v in cat.items():
        assert sorted(ph.findall(k)) == sorted(ph.findall(v)), k


def test_check_lang() -> None:
    assert check_lang(None) == "en"
    assert check_lang("ja_JP") == "ja"
    with pytest.raises(InputError):
        check_lang("fr")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_own_po_reader_equals_babel(lang: str) -> None:
    """core.i18n.read_po (no Babel import on the CLI path) reads every catalogue as Babel does."""
    from babel.messages.pofile import read_po as babel_read_po

    from kaigai.core.i18n import CONTEXT_SEP, DOMAIN_DIR, locale_dir, read_po

    files = sorted((locale_dir() / lang / DOMAIN_DIR).glob("*.po"))
    assert files
    for po in files:
        with po.open("rb") as fh:
            cat = babel_read_po(fh, locale=lang)
        expected = {
            (m.id if m.context is None else m.context + CONTEXT_SEP + m.id): m.string
            for m in cat
            if m.id and isinstance(m.id, str) and m.string
        }
        assert read_po(po.read_text(encoding="utf-8")) == expected, po.name


#: msgids two areas translate differently (one merged catalogue: without a context the file read
#: last won, e.g. the plan's "Part" of the plan showed as the dashboard's BOM "Part", 部品)
AREA_WORDS = {
    "Part": {PLAN: "部分", WEB: "部品", None: "Part"},
    "Status": {PLAN: "状況", WEB: "状態", None: "状態"},
    "Dimension": {PLAN: "項目", WEB: "分野", None: "Dimension"},
    "Export readiness": {PLAN: "輸出準備状況", WEB: "輸出準備度", None: "Export readiness"},
    "Name": {PLAN: "名称", WEB: "名前", None: "名称"},
    "Value": {PLAN: "値", WEB: "金額", None: "値"},
}


@pytest.mark.parametrize("msgid", sorted(AREA_WORDS))
def test_each_area_shows_its_own_translation(msgid: str) -> None:
    want = AREA_WORDS[msgid]
    got = {area: pt(area, msgid, "ja") if area else t(msgid, "ja") for area in want}
    assert got == want
    assert {pt(area, msgid, "en") for area in (PLAN, WEB)} == {msgid}


def test_pt_falls_back_to_the_plain_entry_and_fills_fields() -> None:
    assert pt(PLAN, "Description", "ja") == t("Description", "ja") == "説明"
    assert pt(WEB, "HS code {code}", "ja", code="848210") == "HS コード 848210"


def test_no_plain_msgid_is_translated_two_ways() -> None:
    """A msgid two .po files translate differently must carry its area's msgctxt."""
    from kaigai.core.i18n import DOMAIN_DIR, locale_dir, read_po

    seen: dict[str, dict[str, str]] = {}
    for po in sorted((locale_dir() / "ja" / DOMAIN_DIR).glob("*.po")):
        for msgid, text in read_po(po.read_text(encoding="utf-8")).items():
            seen.setdefault(msgid, {})[po.name] = text
    assert {m: d for m, d in seen.items() if len(set(d.values())) > 1} == {}
    assert sum(CONTEXT_SEP in m for m in seen) == 9  # 4 plan and 5 dashboard entries


def test_read_po_keys_context_entries() -> None:
    text = (
        'msgid "Part"\nmsgstr "パート"\n\nmsgctxt "plan"\nmsgid "Part"\nmsgstr "部分"\n\n'
        'msgid "Status"\nmsgstr "状態"\n'
    )
    assert read_po(text) == {"Part": "パート", "plan\x04Part": "部分", "Status": "状態"}
