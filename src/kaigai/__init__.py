"""kaigai (海外): export toolkit for small Japanese firms.

The main entry points are importable from the top-level package; each is resolved lazily on
first access (importing ``kaigai`` stays cheap: the CLI imports ``kaigai.*`` on every call)::

    import kaigai
    st = kaigai.get_settings()
    kaigai.duty_options(index, query)  # kaigai.tariffs.options.duty_options
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # core
    "get_settings": "kaigai.core.config",
    "Settings": "kaigai.core.config",
    "KaigaiError": "kaigai.core.errors",
    "Provenance": "kaigai.core.provenance",
    "Figure": "kaigai.core.provenance",
    "normalize_country": "kaigai.core.countries",
    "normalize_hs6": "kaigai.hs.codes",
    "load": "kaigai.data.store",
    # duty & FTA optimiser
    "DutyQuery": "kaigai.tariffs.options",
    "duty_options": "kaigai.tariffs.options",
    "fta_net_benefit": "kaigai.tariffs.benefit",
    # rules of origin
    "check": "kaigai.origin.api",
    "rule_for": "kaigai.origin.api",
    "load_bom": "kaigai.origin.bom",
    "whatif": "kaigai.origin.whatif",
    # market finder
    "find_markets": "kaigai.app.markets",
    # readiness and the export plan
    "assess": "kaigai.readiness.scoring",
    "load_profile": "kaigai.app.plan",
    "build_plan": "kaigai.app.plan",
    # policy lab
    "fepois": "kaigai.policy.ppml",
}

__all__ = [
    "DutyQuery",
    "Figure",
    "KaigaiError",
    "Provenance",
    "Settings",
    "assess",
    "build_plan",
    "check",
    "duty_options",
    "fepois",
    "find_markets",
    "fta_net_benefit",
    "get_settings",
    "load",
    "load_bom",
    "load_profile",
    "normalize_country",
    "normalize_hs6",
    "rule_for",
    "whatif",
]

if TYPE_CHECKING:
    from kaigai.app.markets import find_markets
    from kaigai.app.plan import build_plan, load_profile
    from kaigai.core.config import Settings, get_settings
    from kaigai.core.countries import normalize_country
    from kaigai.core.errors import KaigaiError
    from kaigai.core.provenance import Figure, Provenance
    from kaigai.data.store import load
    from kaigai.hs.codes import normalize_hs6
    from kaigai.origin.api import check, rule_for
    from kaigai.origin.bom import load_bom
    from kaigai.origin.whatif import whatif
    from kaigai.policy.ppml import fepois
    from kaigai.readiness.scoring import assess
    from kaigai.tariffs.benefit import fta_net_benefit
    from kaigai.tariffs.options import DutyQuery, duty_options


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kaigai' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later accesses skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
