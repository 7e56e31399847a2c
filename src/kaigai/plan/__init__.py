"""The firm advisor: firm profile -> one export plan chaining every engine.

Python API (used by the CLI, the REST API and the web form)::

    from kaigai.plan import load_profile, build_plan
    profile = load_profile(Path("examples/firm_tokyo_bearings.toml"), settings)
    plan = build_plan(profile, settings, n_markets=5, lang="ja", base_dir=path.parent)
    plan.to_dict()
"""

from __future__ import annotations

from kaigai.plan.model import (
    Action,
    DutyView,
    ExportPlan,
    MarketPlan,
    OriginView,
    Part,
    ProductPlan,
)
from kaigai.plan.orchestrate import build_plan
from kaigai.plan.profile import FirmProfile, load_profile, parse_profile

__all__ = [
    "Action",
    "DutyView",
    "ExportPlan",
    "FirmProfile",
    "MarketPlan",
    "OriginView",
    "Part",
    "ProductPlan",
    "build_plan",
    "load_profile",
    "parse_profile",
]
