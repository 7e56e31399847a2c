from __future__ import annotations

import pytest

from kaigai.core.errors import InputError
from kaigai.core.i18n import catalogue, check_lang, t


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

    from kaigai.core.i18n import DOMAIN_DIR, locale_dir, read_po

    files = sorted((locale_dir() / lang / DOMAIN_DIR).glob("*.po"))
    assert files
    for po in files:
        with po.open("rb") as fh:
            cat = babel_read_po(fh, locale=lang)
        expected = {m.id: m.string for m in cat if m.id and isinstance(m.id, str) and m.string}
        assert read_po(po.read_text(encoding="utf-8")) == expected, po.name
