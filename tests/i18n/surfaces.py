"""Every Japanese page and report, rendered: CLI outputs, the plan (HTML, PDF text), the dashboard.

Each surface is a function returning the text a Japanese reader sees; the test in
``test_japanese_pages.py`` runs :func:`tests.i18n.english.english_runs` on each.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
BEARING_BOM = str(ROOT / "examples" / "bom_bearing.csv")
PROFILE = str(ROOT / "src" / "kaigai" / "plan" / "examples" / "firm_tokyo_bearings.toml")


def cli(args: list[str]) -> str:
    """stdout of ``kaigai ARGS --lang ja`` (exit code 0 asserted, 1000 columns: no wrapping)."""
    from kaigai.cli.app import app
    from kaigai.cli.common import console

    before = console.width
    console.width = 1000  # Japanese wraps between any two characters: one line per message
    try:
        res = CliRunner().invoke(app, [*args, "--lang", "ja"])
    finally:
        console.width = before
    assert res.exit_code == 0, (args, res.output, res.exception)
    return res.stdout


def tea_bom(folder: Path) -> str:
    p = folder / "bom_tea.csv"
    p.write_text(
        "part_id,part,hs_code,origin,value,currency,originating\n"
        "LEAF,自家農園の茶葉,0902.10,JPN,1200,JPY,yes\n",
        encoding="utf-8",
    )
    return str(p)


def readiness_answers(folder: Path) -> str:
    import tomllib

    answers = tomllib.loads(Path(PROFILE).read_text(encoding="utf-8"))["readiness"]
    p = folder / "answers.toml"
    p.write_text("".join(f'{k} = "{v}"\n' for k, v in answers.items()), encoding="utf-8")
    return str(p)


def gravity_panel(folder: Path) -> str:
    """A small synthetic gravity panel (15 countries, 4 years; the one tests/policy/test_etable.py
    uses) with a log-trade column for OLS, as a parquet file."""
    import numpy as np

    from kaigai.policy.ppml_synthetic import synthetic_gravity_panel

    d = synthetic_gravity_panel(15, 4, seed=3)
    d["lt"] = np.log(d["trade"].where(d["trade"] > 0))
    p = folder / "panel.parquet"
    d.to_parquet(p)
    return str(p)


ESTIMATE_PPML = "trade ~ ln_dist + rta | exp_year + imp_year"
ESTIMATE_OLS = "lt ~ ln_dist + rta | exp_year + imp_year"
#: `kaigai policy ge` with a renamed code (ROM -> ROU), a Monte Carlo band and the trace lines
GE = ["policy", "ge", "--agreement", "CAN,JPN,ROM", "--coef", "pta=0.47", "--se", "0.1",
      "--draws", "5", "--reference", "DEU"]  # fmt: skip


def plan_ja(settings: Any) -> Any:
    from kaigai.app.plan import build_plan, load_profile

    p = Path(PROFILE)
    return build_plan(load_profile(p, settings), settings, lang="ja", base_dir=p.parent)


#: Other firms of issue 15 (profiles as mappings): a cosmetic with several Viet Nam lines, and a
#: wholly obtained green tea whose chapter the starter pack lacks (no market ranking).
OTHER_PLANS: dict[str, dict[str, Any]] = {
    "cosmetics": {
        "name": "Shibuya Cosmetics", "name_ja": "渋谷コスメ株式会社", "location": "Shibuya, Tokyo",
        "location_ja": "東京都渋谷区", "size": {"employees": 12, "currency": "JPY"},
        "products": [{"name": "Skin cream", "name_ja": "スキンクリーム", "hs": "3304.99",
                      "annual_export_value": 3_000_000, "shipments_per_year": 6}],
        "preferences": {"target_markets": ["VNM", "THA"], "risk_appetite": "low"},
    },
    "tea": {
        "name": "Uji Tea Farm", "name_ja": "宇治茶園", "location": "Uji, Kyoto",
        "location_ja": "京都府宇治市", "size": {"employees": 5, "currency": "JPY"},
        "products": [{"name": "Green tea", "name_ja": "緑茶", "hs": "0902.10",
                      "wholly_obtained": True, "annual_export_value": 2_000_000}],
        "preferences": {"target_markets": ["CHN", "KOR"]},
    },
}  # fmt: skip


def other_plan_ja(name: str, settings: Any) -> Any:
    from kaigai.app.plan import plan_from_mapping

    return plan_from_mapping(OTHER_PLANS[name], settings, lang="ja")


def pdf_text(html: str, folder: Path) -> str:
    """Text of the Japanese PDF printed from the report ``html``, read back by pdftotext in
    reading order (``-raw``: a table cell's lines stay together; pages end with a form feed)."""
    from kaigai.reports.writer import html_to_pdf

    pdf = folder / "plan.pdf"
    pdf.write_bytes(html_to_pdf(html, "ja"))
    exe = shutil.which("pdftotext")
    assert exe is not None
    out = subprocess.run(
        [exe, "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout


CLI_SURFACES: dict[str, Callable[[Path], list[str]]] = {
    "duty": lambda d: ["duty", "--hs", "330499", "--to", "VNM", "--line", "3304.99.20",
                       "--annual-value", "3000000", "--shipments", "6"],
    "duty-lines": lambda d: ["duty", "--hs", "848210", "--to", "VNM", "--value", "500000"],
    "origin-rule": lambda d: ["origin", "rule", "--agreement", "RCEP", "--hs", "848210"],
    "origin-check": lambda d: ["origin", "check", "--bom", BEARING_BOM, "--hs", "848210",
                               "--to", "VNM", "--fob", "1000"],
    "origin-check-wo": lambda d: ["origin", "check", "--bom", tea_bom(d), "--hs", "090210",
                                  "--to", "CHN", "--fob", "2000"],
    "markets": lambda d: ["markets", "--hs", "847130", "--top", "5"],
    "readiness": lambda d: ["readiness", "--answers", readiness_answers(d)],
    "plan": lambda d: ["plan", PROFILE, "--out", str(d / "plan.html")],
    "policy-run-list": lambda d: ["policy", "run", "--list"],
    "policy-firms": lambda d: ["policy", "firms", "--n-firms", "20000"],
    "policy-firms-levers": lambda d: ["policy", "firms", "--n-firms", "20000", "--population", "3580000",
                                      "--fta-target", "0.289", "--fdi-cost-factor", "0.5",
                                      "--staff-share", "0.4"],
    "policy-run": lambda d: ["policy", "run", "jpn-rcep", "--firms", "20000", "--draws", "5",
                             "--report", str(d / "rcep.html")],
    "policy-ge": lambda d: GE,
    "policy-ge-conditional": lambda d: [*GE[:-6], "--kind", "conditional", "--baseline", "observed"],
    "policy-estimate": lambda d: ["policy", "estimate", "--data", gravity_panel(d),
                                  "--formula", ESTIMATE_PPML, "--delta", "100*(exp(rta)-1)",
                                  "--wald", "rta"],
    "policy-estimate-ols": lambda d: ["policy", "estimate", "--data", gravity_panel(d), "--model",
                                      "ols", "--formula", ESTIMATE_OLS, "--cluster", "pair"],
    "policy-estimate-table": lambda d: ["policy", "estimate", "--data", gravity_panel(d),
                                        "--formula", ESTIMATE_PPML, "--formula",
                                        "trade ~ rta | exp_year + imp_year + pair",
                                        "--cluster", "pair", "--table", "md"],
}  # fmt: skip


def dashboard_pages(settings: Any, monkeypatch: Any) -> dict[str, str]:
    """Visible text of every dashboard page, in Japanese (language cookie), for a firm with a BOM."""
    from argon2 import PasswordHasher
    from fastapi.testclient import TestClient

    from kaigai.storage import secrets
    from kaigai.web.site import create_site
    from tests.api.conftest import BOM, new_firm
    from tests.i18n.english import html_text

    monkeypatch.setattr(
        secrets, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    app = create_site(settings)
    firm = new_firm(app, "ja@example.jp", "東京ベアリング")
    ws = firm.client.post(  # new_firm's workspace is "<organisation> firm": one named in Japanese
        "/api/v1/workspaces",
        json={"organisation_id": firm.org_id, "name": "東京ベアリング株式会社"},
    ).json()["id"]
    assert firm.client.delete(f"/api/v1/workspaces/{firm.workspace_id}").status_code == 204
    ja_bom = {**BOM, "name": "卓上扇風機 DF-30",
              "lines": [{**ln, "part": name} for ln, name in zip(BOM["lines"], ("モーター", "羽根"), strict=False)]}  # fmt: skip
    bom = firm.client.post(f"/api/v1/workspaces/{ws}/boms", json=ja_bom).json()["id"]
    firm.client.cookies.set("kaigai_lang", "ja")
    anon = TestClient(app)
    anon.cookies.set("kaigai_lang", "ja")
    html = {"accept": "text/html"}
    urls = {
        "home": "/", "hs": "/hs?q=緑茶", "duty": "/duty?hs=330499&destination=VNM",
        "markets": "/markets?hs=847130", "policy": "/policy", "account": "/account",
        "workspace": f"/w/{ws}", "profile": f"/w/{ws}/profile", "bom": f"/w/{ws}/boms/{bom}",
    }  # fmt: skip
    out = {}
    for name, url in urls.items():
        r = firm.client.get(url, headers=html)
        assert r.status_code == 200, (url, r.status_code)
        out[name] = html_text(r.text)
    for name in ("login", "register"):
        r = anon.get(f"/{name}", headers=html)
        assert r.status_code == 200, name
        out[name] = html_text(r.text)
    app.state.kaigai.db.dispose()
    return out
