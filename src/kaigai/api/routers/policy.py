"""Policy lab: bundled scenarios (GE counterfactual + small-firm simulator)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse

from kaigai.api.deps import State
from kaigai.api.schemas import ERRORS
from kaigai.app.served import engines

router = APIRouter(prefix="/policy", tags=["policy"], responses=ERRORS)
ScenarioId = Annotated[str, Path(max_length=60, pattern=r"^[a-z0-9\-]+$", examples=["jpn-rcep"])]
Firms = Annotated[int | None, Query(ge=1000, le=engines.MAX_FIRMS)]
Draws = Annotated[int | None, Query(ge=0, le=engines.MAX_DRAWS)]


@router.get("/scenarios", response_model=list[dict[str, str]])
def scenarios() -> list[dict[str, str]]:
    """Bundled scenarios (id, title)."""
    return engines.scenarios()


@router.post("/scenarios/{scenario_id}/run", response_model=dict[str, Any])
def run(
    state: State, scenario_id: ScenarioId, firms: Firms = None, draws: Draws = None
) -> dict[str, Any]:
    """Run a scenario (results cached per parameters)."""
    return engines.run_scenario(state, scenario_id, firms=firms, draws=draws)[0]


@router.get("/scenarios/{scenario_id}/report", response_class=HTMLResponse)
def report(
    state: State,
    scenario_id: ScenarioId,
    firms: Firms = None,
    draws: Draws = None,
    lang: Annotated[Literal["en", "ja"], Query()] = "en",
) -> HTMLResponse:
    """Self-contained HTML report of a scenario run, in English or Japanese."""
    res = engines.run_scenario(state, scenario_id, firms=firms, draws=draws, lang=lang)
    return HTMLResponse(res[1])
