"""The export plan's model: firm profile schema, plan types and the pure rules (actions, gaps).

The use case that builds a plan lives in the application layer (:mod:`kaigai.app.plan`)::

    from kaigai.app.plan import load_profile, build_plan
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
from kaigai.plan.profile import FirmProfile, parse_profile, read_profile

__all__ = [
    "Action",
    "DutyView",
    "ExportPlan",
    "FirmProfile",
    "MarketPlan",
    "OriginView",
    "Part",
    "ProductPlan",
    "parse_profile",
    "read_profile",
]
