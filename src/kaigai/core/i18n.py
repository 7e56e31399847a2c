"""Messages in English and Japanese: gettext ``.po`` catalogues read at run time with Babel.

Catalogues live in ``kaigai/locale/<lang>/LC_MESSAGES/*.po``. Every ``.po`` file there is
merged, so each area can keep its own file (``kaigai.po`` for the foundation,
``kaigai-<area>.po`` for others) without editing a shared one. No compile step is needed.

>>> t("Description", "ja")
'説明'
>>> t("Unknown message stays as is", "ja")
'Unknown message stays as is'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from kaigai.core.errors import InputError

LANGS = ("en", "ja")
DOMAIN_DIR = "LC_MESSAGES"
#: Message contexts (a ``.po`` entry's ``msgctxt``, gettext's pgettext): the areas whose
#: translation of a msgid differs from the plain entry every other area uses ("Part" is a part
#: of the plan in the report, a BOM component in the dashboard). All ``.po`` files are merged
#: into one catalogue, so a msgid translated two ways must carry its area's context.
PLAN = "plan"  # the export plan report and `kaigai readiness`
WEB = "web"  # the dashboard
CONTEXT_SEP = "\x04"  # catalogue key of a context entry: context + CONTEXT_SEP + msgid (as gettext)


def locale_dir() -> Path:
    """Folder holding ``<lang>/LC_MESSAGES/*.po``."""
    return Path(str(resources.files("kaigai"))) / "locale"


def check_lang(lang: str | None) -> str:
    """Validate a language code (``None`` -> ``"en"``).

    Raises
    ------
    InputError
        for anything but ``en`` or ``ja``.
    """
    if lang is None or lang == "":
        return "en"
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    if code not in LANGS:
        raise InputError(f"Unsupported language '{lang}'.", hint="Use --lang en or --lang ja.")
    return code


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _unquote(text: str) -> str:
    """The content of one ``"..."`` line of a ``.po`` file, C escapes resolved."""
    body = text.strip()[1:-1]
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def read_po(text: str) -> dict[str, str]:
    """msgid -> msgstr of one ``.po`` file (obsolete ``#~`` entries skipped); an entry with a
    ``msgctxt`` is keyed ``context + CONTEXT_SEP + msgid``.

    A small reader instead of Babel's: the CLI loads catalogues on every ``--lang ja`` run and
    Babel's import alone costs ~30 ms. ``tests/core/test_i18n.py`` checks it equals Babel's.
    """
    out: dict[str, str] = {}
    key: str | None = None
    parts: dict[str, list[str]] = {}

    def flush() -> None:
        mid, mstr = "".join(parts.get("msgid", [])), "".join(parts.get("msgstr", []))
        if mid and mstr:
            ctx = parts.get("msgctxt")
            out[mid if ctx is None else "".join(ctx) + CONTEXT_SEP + mid] = mstr

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            if key is not None:
                parts[key].append(_unquote(line))
            continue
        word, _, rest = line.partition(" ")
        if word == "msgctxt" or (word == "msgid" and "msgid" in parts):  # a new entry
            flush()
            parts = {}
        key = word if word in ("msgctxt", "msgid", "msgstr") else None
        if key is not None:
            parts[key] = [_unquote(rest)]
    flush()
    return out


@lru_cache(maxsize=4)
def catalogue(lang: str) -> dict[str, str]:
    """msgid -> translated string for ``lang`` (empty translations are left out)."""
    out: dict[str, str] = {}
    folder = locale_dir() / lang / DOMAIN_DIR
    if not folder.is_dir():
        return out
    for po in sorted(folder.glob("*.po")):
        out.update(read_po(po.read_text(encoding="utf-8")))
    return out


def t(msgid: str, lang: str | None = "en", **kwargs: Any) -> str:
    """Translate ``msgid`` into ``lang`` and fill ``{placeholders}`` from ``kwargs``.

    A message without a translation falls back to the English ``msgid``.
    """
    code = check_lang(lang)
    text = catalogue(code).get(msgid, msgid) if code != "en" else catalogue("en").get(msgid, msgid)
    return text.format(**kwargs) if kwargs else text


def pt(context: str, msgid: str, lang: str | None = "en", **kwargs: Any) -> str:
    """:func:`t` as the area ``context`` (:data:`PLAN`, :data:`WEB`) translates ``msgid``: its
    context entry where it has one, else the plain entry (gettext's pgettext)."""
    code = check_lang(lang)
    text = catalogue(code).get(context + CONTEXT_SEP + msgid)
    if text is None:
        return t(msgid, code, **kwargs)
    return text.format(**kwargs) if kwargs else text


_FIELD = re.compile(r"\\\{(\w+)\\\}")
_HINTED = re.compile(r"(.+?) \(hint: (.+)\)", re.S)


@lru_cache(maxsize=4)
def _templates(lang: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Catalogue messages with ``{fields}`` as patterns."""
    out = []
    for msgid, text in catalogue(lang).items():
        if "{" not in msgid or CONTEXT_SEP in msgid:
            continue
        seen: set[str] = set()

        def group(m: re.Match[str], seen: set[str] = seen) -> str:
            name = m.group(1)
            if name in seen:
                return f"(?P={name})"
            seen.add(name)
            return f"(?P<{name}>.+?)"

        try:
            rx = re.compile(_FIELD.sub(group, re.escape(msgid)), re.S)
        except re.error:  # pragma: no cover - a field name that is no identifier
            continue
        out.append((rx, text))
    return tuple(out)


_AMOUNT = re.compile(r"([A-Z]{3}) (-?\d[\d,]*(?:\.\d+)?)")


def _field(name: str, value: str, lang: str, depth: int) -> str:
    """A matched field, translated; fields named ``*options``/``*list`` are ``, `` lists and
    ``*ids`` lists of ids the user types (shown as ``code``); ``amount``/``npv`` fields holding
    ``JPY 1,234`` are money, shown as :func:`format_money` writes it (``1,234円``)."""
    money = _AMOUNT.fullmatch(value) if name in ("amount", "npv") else None
    if money is not None:
        return format_money(float(money[2].replace(",", "")), money[1], lang)
    if name.endswith("ids"):
        return join_list([f"`{v}`" for v in value.split(", ")], lang)
    if name.endswith(("options", "list")):
        return join_list([tr(v, lang, depth + 1) for v in value.split(", ")], lang)
    return tr(value, lang, depth + 1)


def tr(message: str, lang: str | None = "en", depth: int = 0) -> str:
    """An English message made by an engine (an f-string) in ``lang``, through the catalogue.

    Engines stay pure and speak English; shells translate at their boundary. A message equal to a
    msgid is translated as :func:`t` does; otherwise the first msgid *template* it matches
    (``"lowest rate (equal: {options})"``) gives the translation, its fields translated the same
    way. Unknown messages stay as they are.

    >>> tr("Unknown message", "ja")
    'Unknown message'
    """
    code = check_lang(lang)
    if code == "en" or not message:
        return message
    cat = catalogue(code)
    if message in cat:
        return cat[message]
    if depth > 4:
        return message
    hinted = _HINTED.fullmatch(message)  # KaigaiError's str(): "message (hint: hint)"
    if hinted is not None:
        return t("{message} (hint: {hint})", code, message=tr(hinted[1], code, depth + 1),
                 hint=tr(hinted[2], code, depth + 1))  # fmt: skip
    best: tuple[int, re.Match[str], str] | None = None
    for rx, text in _templates(code):  # the match that leaves the least text to the fields
        m = rx.fullmatch(message)
        if m is not None:
            free = sum(len(v) for v in m.groupdict().values())
            if best is None or free < best[0]:
                best = (free, m, text)
    if best is not None:
        fields = {k: _field(k, v, code, depth) for k, v in best[1].groupdict().items()}
        try:
            return best[2].format(**fields)
        except (KeyError, IndexError):
            return message
    return message


def join_list(items: list[str] | tuple[str, ...], lang: str | None = "en") -> str:
    """Items joined as a reader of ``lang`` expects: ``a, b`` in English, ``a、b`` in Japanese."""
    return ("、" if check_lang(lang) == "ja" else ", ").join(str(x) for x in items)


def term(prefix: str, key: str, lang: str | None = "en") -> str:
    """A keyed term (``ge:full``) as a reader of ``lang`` names it: the key itself in English,
    the catalogue's ``<prefix>:<key>`` in another language."""
    return key if check_lang(lang) == "en" else t(f"{prefix}:{key}", lang)


def join_clauses(items: Iterable[str], lang: str | None = "en") -> str:
    """Clauses joined as a reader of ``lang`` expects: ``a; b`` in English, ``a；b`` in Japanese."""
    return ("；" if check_lang(lang) == "ja" else "; ").join(str(x) for x in items)


def join_sentences(texts: list[str], lang: str | None = "en") -> str:
    """Sentences as one text: space-separated in English; run on in Japanese, each ending in 。."""
    if check_lang(lang) != "ja":
        return " ".join(x for x in texts if x)
    return "".join(x if x.endswith("。") else x + "。" for x in texts if x)


def format_money(value: float, currency: str, lang: str | None = "en") -> str:
    """An amount for reading (display only; the figure keeps its exact value).

    English: ``USD 3.9m`` from a million up, else ``JPY 900,000``. Japanese: yen in 万円/億円
    (``90万円``, ``1.2億円``), other currencies in 百万 from a million up (``3.9百万ドル``,
    ``106.7百万ドル``), else 万 (``45万ドル``).
    """
    code = check_lang(lang)
    v = float(value)
    if code != "ja":
        if currency == "USD" and abs(v) >= 1e6:
            return f"USD {v / 1e6:,.1f}m"
        return f"{currency} {v:,.0f}"
    unit = {"JPY": "円", "USD": "ドル", "EUR": "ユーロ", "VND": "ドン", "CNY": "元"}.get(
        currency, " " + currency
    )
    a = abs(v)
    if currency != "JPY" and a >= 1e6:
        return f"{v / 1e6:,.1f}百万{unit}"
    if a >= 1e8:
        return f"{v / 1e8:,.1f}億{unit}".replace(".0億", "億")
    if a >= 1e4:
        return f"{v / 1e4:,.0f}万{unit}" if a >= 1e5 else f"{v / 1e4:,.1f}万{unit}"
    return f"{v:,.0f}{unit}"


__all__ = [
    "LANGS", "catalogue", "check_lang", "format_money", "join_clauses", "join_list", "join_sentences",
    "locale_dir", "pt", "read_po", "t", "term", "tr", "CONTEXT_SEP", "PLAN", "WEB",
]  # fmt: skip
