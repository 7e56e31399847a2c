"""Decoding text files written by Japanese offices: UTF-8 (with or without BOM), Shift-JIS/CP932, EUC-JP.

One helper for every shell: the CLI's file readers (BOMs, firm profiles, readiness answers) and the
service's uploads call :func:`decode_text`, so a file gives the same text wherever it is read.

Detection: a UTF-8 BOM or valid UTF-8 wins (ASCII is valid UTF-8); otherwise the bytes are decoded
strictly as CP932 (Microsoft's Shift-JIS, what Excel writes) and as EUC-JP. When both succeed — EUC-JP
bytes are often also valid CP932, decoding to half-width katakana garbage — the candidate with more
ordinary Japanese characters (kana, kanji, full-width punctuation) and fewer half-width katakana wins.

Examples
--------
>>> decode_text("内輪".encode("cp932"))
'内輪'
>>> decode_text("内輪,ベアリング".encode("euc_jp"))
'内輪,ベアリング'
"""

from __future__ import annotations

from kaigai.core.errors import InputError

_CANDIDATES = ("cp932", "euc_jp")


def _score(text: str) -> int:
    good = bad = 0
    for ch in text:
        o = ord(ch)
        if 0x3000 <= o <= 0x30FF or 0x4E00 <= o <= 0x9FFF or 0xFF01 <= o <= 0xFF5E:
            good += 1
        elif 0xFF61 <= o <= 0xFF9F or 0xE000 <= o <= 0xF8FF or o < 0x20 and ch not in "\r\n\t":
            bad += 1
    return good - 2 * bad


def detect_encoding(data: bytes) -> str | None:
    """The codec name :func:`decode_text` would use, or None when no candidate decodes the bytes."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    decoded: list[tuple[int, int, str]] = []
    for rank, enc in enumerate(_CANDIDATES):
        try:
            decoded.append((_score(data.decode(enc)), -rank, enc))
        except UnicodeDecodeError:
            continue
    return max(decoded)[2] if decoded else None


def decode_text(data: bytes, what: str = "The file", error: type[InputError] = InputError) -> str:
    """Text of ``data`` in UTF-8, Shift-JIS/CP932 or EUC-JP (see module doc).

    Raises
    ------
    InputError
        (or the ``error`` subclass given, e.g. BOMError) when the bytes are none of these (e.g. a binary file or another encoding).
    """
    enc = detect_encoding(data)
    if enc is None:
        raise error(
            f"{what} is not UTF-8, Shift-JIS or EUC-JP text.",
            hint="Save it as 'CSV UTF-8' (Excel) or UTF-8 text.",
        )
    return data.decode(enc)


__all__ = ["decode_text", "detect_encoding"]
