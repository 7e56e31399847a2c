"""Markets, readiness and policy services: thin adapters from request values to the engines."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kaigai.core.errors import ScenarioError
from kaigai.service.state import AppState

MAX_FIRMS = 200_000
MAX_DRAWS = 50


def markets(
    state: AppState, exporter: str, hs: str, *, sort: str = "score", floor: float = 0.0,
    lang: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Ranked export markets (ITC export potential + risk), memoised per query; explanations in
    ``lang`` (default: the service's language)."""
    from kaigai.app.markets import find_markets

    settings = state.settings if lang is None else state.settings.model_copy(update={"lang": lang})

    def run() -> dict[str, Any]:
        out: dict[str, Any] = find_markets(settings, exporter, hs, floor=floor, sort=sort).to_dict()
        return out

    return state.cached(("markets", exporter.upper(), hs, sort, floor, settings.lang), run)


def explain(state: AppState, exporter: str, market: str, hs: str) -> dict[str, Any]:
    from kaigai.app.markets import explain_market

    return state.cached(("explain", exporter.upper(), market.upper(), hs),
                        lambda: explain_market(state.settings, exporter, market, hs))  # fmt: skip


def questionnaire(lang: str) -> dict[str, Any]:
    from kaigai.app import readiness as app_readiness

    return app_readiness.questionnaire(lang)


def readiness(answers: dict[str, Any], lang: str) -> dict[str, Any]:
    from kaigai.app import readiness as app_readiness

    out: dict[str, Any] = app_readiness.assess(answers).to_dict(lang)
    return out


def scenarios() -> list[dict[str, str]]:
    from kaigai.policy.scenarios import bundled_scenarios, load_scenario

    out = []
    for i in bundled_scenarios():
        s = load_scenario(i)
        out.append({"id": i, "title": s.title, "title_ja": s.title_ja or s.title})
    return out


def run_scenario(
    state: AppState,
    scenario_id: str,
    *,
    firms: int | None = None,
    draws: int | None = None,
    lang: str = "en",
) -> tuple[dict[str, Any], str]:
    """Run a bundled scenario (bounded sizes); returns (result dict, self-contained HTML report
    in ``lang``). The run is cached once for every language; each report is rendered once."""
    from kaigai.app.policy import run_scenario as engine
    from kaigai.policy.scenarios import bundled_scenarios, load_scenario
    from kaigai.reports.scenario import render_html

    if scenario_id not in bundled_scenarios():
        raise ScenarioError(f"Unknown scenario '{scenario_id}'.",
                            hint="Bundled: " + ", ".join(bundled_scenarios()))  # fmt: skip

    def run() -> tuple[dict[str, Any], Any, list[str]]:
        scn = load_scenario(scenario_id)
        if firms is not None and scn.firms is not None:
            if not 1000 <= firms <= MAX_FIRMS:
                raise ScenarioError(f"firms must be between 1000 and {MAX_FIRMS}.")
            scn = replace(scn, firms=replace(scn.firms, n_firms=firms))
        if draws is not None and scn.ge is not None:
            if not 0 <= draws <= MAX_DRAWS:
                raise ScenarioError(f"draws must be between 0 and {MAX_DRAWS}.")
            scn = replace(scn, ge=replace(scn.ge, mc_draws=draws))
        res, prov = engine(scn, state.settings)
        out: dict[str, Any] = res.to_dict()
        out["provenance"] = prov
        return out, res, prov

    key = ("scenario", scenario_id, firms, draws)
    out, res, prov = state.cached(key, run, max_items=4096)
    html = state.cached((*key, "html", lang), lambda: render_html(res, prov, lang))
    return out, html


__all__ = ["explain", "markets", "questionnaire", "readiness", "run_scenario", "scenarios"]
