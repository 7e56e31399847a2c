"""Issue 12 in the plan: markets without a schedule name the `kaigai data pull` command that
fills them; the plan has a "what changed since your last plan" section (starter pack)."""

from __future__ import annotations

import datetime as dt

from kaigai.app.plan import build_plan, load_profile
from kaigai.plan.examples import example_profile_path

ON = dt.date(2026, 11, 27)


def test_pull_commands_and_changes_section(settings) -> None:  # type: ignore[no-untyped-def]
    p = example_profile_path()  # targets THA VNM IDN IND; starter schedules: JPN, VNM
    plan = build_plan(
        load_profile(p, settings), settings, base_dir=p.parent, as_of=ON, since=dt.date(2026, 1, 1)
    )
    mk = {m.iso3: m for m in plan.products[0].markets}
    assert mk["THA"].duty.status == "not_available"
    assert "`kaigai data pull wits --reporter THA` fills it" in mk["THA"].duty.detail
    (act,) = [a for a in plan.actions if a.title.startswith("Get the import duties for")]
    for iso in ("IDN", "IND", "THA"):
        assert f"`kaigai data pull wits --reporter {iso}`" in act.title
    assert "VNM" not in act.title
    d = plan.to_dict()["changes_since_last_plan"]
    assert d["since"] == "2026-01-01"
    ch = {c["market"]: c for c in d["markets"]}
    assert ch["VNM"]["status"] == "ok" and ch["VNM"]["n_changes"] == 0
    assert ch["VNM"]["from_version"].startswith("2026-01-01 (vn_tariff")
    assert ch["THA"] == {
        "market": "THA", "hs6": "848210", "since": "2026-01-01", "status": "not_available",
        "detail": "no THA schedule in the data",
    }  # fmt: skip
