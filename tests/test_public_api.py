"""The top-level public API: ``kaigai.__all__`` is explicit, lazily resolved and importable."""

from __future__ import annotations

import importlib
import subprocess
import sys

import kaigai

EXPECTED = {
    "DutyQuery", "Figure", "KaigaiError", "Provenance", "Settings", "assess", "build_plan",
    "check", "duty_options", "fepois", "find_markets", "fta_net_benefit", "get_settings", "load",
    "load_bom", "load_profile", "normalize_country", "normalize_hs6", "rule_for", "whatif",
}  # fmt: skip


def test_all_is_the_documented_list() -> None:
    assert len(set(kaigai.__all__)) == len(kaigai.__all__)
    assert set(kaigai.__all__) == EXPECTED
    assert set(kaigai.__all__) == set(kaigai._EXPORTS)


def test_each_name_resolves_to_the_defining_object() -> None:
    for name in kaigai.__all__:
        obj = getattr(kaigai, name)
        assert callable(obj), name
        module = importlib.import_module(kaigai._EXPORTS[name])
        assert obj is getattr(module, name), name
    assert issubclass(kaigai.KaigaiError, Exception)
    assert isinstance(kaigai.Settings, type)


def test_star_import_and_unknown_name() -> None:
    ns: dict[str, object] = {}
    exec("from kaigai import *", ns)
    assert set(ns) >= EXPECTED
    try:
        kaigai.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("unknown attribute resolved")


def test_import_is_lazy() -> None:
    code = (
        "import sys, kaigai; "
        "heavy = [m for m in ('pandas', 'numpy', 'kaigai.tariffs', 'kaigai.markets', "
        "'kaigai.policy', 'kaigai.core.config') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
