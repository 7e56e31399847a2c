"""Find untranslated English in Japanese output: runs of English words outside a narrow allowlist.

What is *not* English prose, and why (the whole allowlist):

- codes: words in capitals (ISO3 ``VNM``, agreements ``CPTPP``/``RCEP``, ``HS``, ``FOB``, ``MFN``,
  currencies, rule notation ``CTH``/``RVC``/``WO``); words with a digit or ``_`` (``HS6``,
  ``vn_tariff_2023``, ``wholly_obtained``: identifiers the user types or finds in files);
- command lines (``kaigai ...``), options (``--json``), paths and file names, URLs, e-mail;
- single letters (units ``l``/``m``, the ``x`` of a product, variable names);
- :data:`PROPER`: names of products, organisations and datasets kept in their own spelling,
  and :data:`UNITS`;
- after ``原文：`` ("original text:") or ``出典：`` ("source:") up to the closing ``）`` or the
  line's end: a verbatim quote of a treaty's or tariff's wording or a publication title,
  labelled as such;
- a word followed at once by its Japanese gloss in brackets: ``originating（原産品か）`` (file
  column names the user must type as they are);
- in HTML: text inside an element marked ``lang="en"`` (the page declares it is quoting an
  English source, e.g. a dataset title or a treaty article) and inside ``<code>``/``<style>``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: Names kept in their own spelling in Japanese business writing (each one a proper name).
PROPER = frozenset({
    "kaigai",  # the tool's name
    "Babel", "DuckDB", "PySpark", "WeasyPrint", "pyfixest",  # software
    "GeoDist", "Comtrade",  # dataset names (CEPII GeoDist, UN Comtrade)
})  # fmt: skip
#: Units and unit-like abbreviations shown after numbers.
UNITS = frozenset({"kg", "km", "pp", "pts", "bn", "ad", "valorem"})

_STRIP = [
    re.compile(r"https?://\S+"),
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    re.compile(r"`[^`\n]*`"),  # anything quoted as code
    re.compile(r"\bkaigai(?: [\x21-\x7e]+)+"),  # a command line (ASCII tokens after 'kaigai')
    re.compile(r"(?<!\w)--?[A-Za-z][\w-]*(?:[ =][\x21-\x7e]+)?"),  # an option and its value
    re.compile(r"[\w.~-]*[/\\][\w./\\~-]+"),  # paths
    re.compile(r"\b[\w-]+\.(?:csv|toml|ya?ml|html?|pdf|json|xlsx|parquet|png|svg|po|md)\b"),
    re.compile(r"\b[\w.-]*[\d_][\w.-]*(?::[\w.-]+)+"),  # dataset:column locators
    re.compile(r"\b\w*[\d_]\w*\b"),  # identifiers and codes with digits or underscores
    re.compile(r"(?:原文|出典)：[^\n）]*"),
    re.compile(
        r"\b[A-Za-z_]+(?=（)"
    ),  # a term glossed in Japanese: originating（原産品か）  # a labelled verbatim quote of a source (see below)
]
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z][A-Za-z'’]*)*")
_GAP = re.compile(r"[\s\"'“”‘’()\[\],.;:!?/&+=*<>|#·•…–—-]*")


def _allowed(word: str) -> bool:
    letters = word.replace("-", "").replace("'", "").replace("’", "")
    return (
        len(letters) <= 1
        or letters.isupper()
        or word in PROPER
        or word.lower() in UNITS
        or all(part.isupper() or part in PROPER for part in word.split("-"))
    )


def english_runs(text: str) -> list[str]:
    """Runs of English words in ``text`` that are not allowlisted (each run as one string)."""
    for rx in _STRIP:
        text = rx.sub(" ", text)
    runs: list[str] = []
    cur: list[str] = []
    last_end = 0
    for m in _WORD.finditer(text):
        w = m.group(0)
        joined = bool(cur) and _GAP.fullmatch(text[last_end : m.start()]) is not None
        if _allowed(w):
            if cur:
                runs.append(" ".join(cur))
                cur = []
        else:
            if cur and not joined:
                runs.append(" ".join(cur))
                cur = []
            cur.append(w)
        last_end = m.end()
    if cur:
        runs.append(" ".join(cur))
    return runs


class _Text(HTMLParser):
    """Visible text of an HTML page, without ``lang="en"`` elements, code, style and script."""

    SKIP = {"style", "script", "code", "pre", "svg"}
    VOID = {"br", "img", "input", "meta", "link", "hr", "col", "wbr", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []
        self.parts: list[str] = []
        self.quoted: list[str] = []  # text left out: lang="en" quotes and code

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in self.VOID:
            for key in ("placeholder", "title", "alt", "aria-label"):
                if a.get(key) and not (self.stack and self.stack[-1]):
                    self.parts.append(" " + str(a[key]) + " ")
            if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
                self.parts.append(" " + str(a["value"]) + " ")
            return
        hidden = (self.stack and self.stack[-1]) or tag in self.SKIP or a.get("lang") == "en"
        self.stack.append(bool(hidden))
        if not hidden:
            for key in ("title", "aria-label", "placeholder"):
                if a.get(key):
                    self.parts.append(" " + str(a[key]) + " ")

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()
        self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)
        elif data.strip():
            self.quoted.append(data.strip())


def html_text(html: str) -> str:
    """The text a reader sees on ``html`` (quoted English sources left out, see module doc)."""
    p = _Text()
    p.feed(html)
    return "".join(p.parts)


def quoted_text(html: str) -> list[str]:
    """The texts :func:`html_text` leaves out of ``html`` (``lang="en"`` quotes, code, style)."""
    p = _Text()
    p.feed(html)
    return p.quoted


def printed_runs(pdf_text: str, html: str) -> list[str]:
    """:func:`english_runs` of the text of a PDF printed from ``html``, with the same allowlist.

    A PDF's text has no markup, so what ``html`` quotes (``lang="en"``, code) is removed from it
    first, matching across the line breaks printing puts anywhere (``overflow-wrap: anywhere``).
    Then each page is read as one line (a printed line break may fall inside a command, a quote
    or a path; after ``/ - _ .`` it joins without a space)."""
    text = pdf_text
    for frag in sorted(set(quoted_text(html)), key=len, reverse=True):
        chars = [re.escape(c) for c in frag if not c.isspace()]
        if chars:
            text = re.sub(r"\s*".join(chars), " ", text)
    runs: list[str] = []
    for page in text.split("\f"):
        runs += english_runs(_CONTINUED.sub("", page).replace("\n", " "))
    return runs


#: A printed line break inside a path, option or identifier (after / - _ .): no space there.
_CONTINUED = re.compile(r"(?<=[/\-_.])\n")


def report(surfaces: dict[str, str]) -> dict[str, list[str]]:
    """Surface name -> its untranslated English runs (surfaces without any are left out)."""
    out = {}
    for name, text in surfaces.items():
        runs = english_runs(text)
        if runs:
            out[name] = sorted(set(runs))
    return out
