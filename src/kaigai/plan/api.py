"""Entry points for the REST API and the web form (no file system needed for the profile)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kaigai.plan.model import ExportPlan
from kaigai.plan.orchestrate import build_plan
from kaigai.plan.profile import FirmProfile, parse_profile, valid_hs6_codes


def profile_from_mapping(
    data: dict[str, Any], settings: Any, source: str = "request"
) -> FirmProfile:
    """Validate a profile given as a mapping (JSON body, form); every problem listed at once."""
    return parse_profile(data, source=source, valid_hs6=valid_hs6_codes(settings))


def plan_from_mapping(
    data: dict[str, Any],
    settings: Any,
    *,
    n_markets: int = 5,
    lang: str = "en",
    bom_dir: Path | None = None,
) -> ExportPlan:
    """Validate ``data`` and build its plan; relative BOM paths resolve against ``bom_dir``."""
    return build_plan(
        profile_from_mapping(data, settings),
        settings,
        n_markets=n_markets,
        lang=lang,
        base_dir=bom_dir,
    )


def render(plan: ExportPlan, fmt: str) -> str | bytes:
    """The plan as ``"html"`` (str), ``"json"`` (str) or ``"pdf"`` (bytes)."""
    from kaigai.core.errors import InputError
    from kaigai.reports import render_html, render_json, render_pdf

    if fmt == "html":
        return render_html(plan)
    if fmt == "json":
        return render_json(plan)
    if fmt == "pdf":
        return render_pdf(plan)
    raise InputError(f"Unknown report format '{fmt}'.", hint="Use html, pdf or json.")


__all__ = ["plan_from_mapping", "profile_from_mapping", "render"]
