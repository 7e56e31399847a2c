"""Adapter from the plan to the rules-of-origin engine: check the BOM for the best agreement.

Figures are the engine's own (headroom, documents); see :mod:`kaigai.plan.engines`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kaigai.core.errors import KaigaiError
from kaigai.core.provenance import Figure, Provenance
from kaigai.plan.model import DutyView, OriginView

if TYPE_CHECKING:
    from kaigai.plan.engines import EngineContext


def run_origin(
    ctx: EngineContext,
    bom_path: str | None,
    hs6: str,
    exporter: str,
    market: str,
    duty: DutyView,
    *,
    currency: str,
    exw: float | None,
    fob: float | None,
    bom_problem: str | None = None,
    lang: str = "en",
) -> tuple[OriginView, Any]:
    """Origin check of the BOM for the best agreement of ``market``.

    Candidates are the duty engine's best option and the options at the same rate (ties),
    best first; without duty data, every agreement in force between the two countries. The
    first candidate that qualifies is reported, else the first one with rule data.
    """
    from kaigai.core.i18n import t
    from kaigai.plan.engines import engine_failed

    engine = "kaigai.origin.api.check"
    if bom_problem is not None:
        return OriginView("not_available", bom_problem), None
    if bom_path is None:
        return OriginView(
            "not_available", t("No bill of materials given: origin cannot be checked.", lang)
        ), None
    if duty.status == "ok" and duty.best_option in (None, "MFN"):
        msg = t(
            "No preferential agreement to check: no duty option better than MFN is known.", lang
        )
        return OriginView("not_available", msg), None
    from kaigai.origin.api import check
    from kaigai.origin.bom import Product as OriginProduct
    from kaigai.origin.bom import load_bom
    from kaigai.origin.provisions import applicable

    try:
        books, agreements, hs22, hs17 = ctx.origin()
    except KaigaiError as exc:
        return OriginView("not_available", exc.message, engine=engine), None
    except Exception as exc:  # noqa: BLE001 - stated in the plan, not hidden
        return OriginView("error", engine_failed(engine, exc), engine=engine), None
    if duty.status == "ok":
        best_rate = next(
            (o["rate_pct"] for o in duty.options if o["option"] == duty.best_option), None
        )
        cands = [duty.best_option] + [
            o["option"]
            for o in duty.options
            if o["option"] not in ("MFN", duty.best_option)
            and o["status"] == "ok"
            and o["rate_pct"] == best_rate
        ]
        cands = [c for c in cands if c in agreements]
        how = "duty engine's best option and options at the same rate"
    else:
        cands = [a.id for a in applicable(exporter, market, agreements)]
        how = "every agreement in force (no duty data to rank them)"
    if not cands:
        return OriginView(
            "not_available",
            f"No agreement between {exporter} and {market} in the origin engine's registry.",
            engine=engine,
        ), None
    try:
        bom = load_bom(Path(bom_path), currency, hs_codes=hs22)
        product = OriginProduct(hs6, exporter, market, currency, fob=fob, exw=exw)
        verdicts = check(bom, product, books, agreements, hs17, [str(c) for c in cands])
    except KaigaiError as exc:
        return OriginView("error", exc.message, engine=engine), None
    except Exception as exc:  # noqa: BLE001 - stated in the plan, not hidden
        return OriginView("error", engine_failed(engine, exc), engine=engine), None
    chosen = next((v for v in verdicts if v.status == "qualifies"), None) or next(
        (v for v in verdicts if v.status != "no rule data"), verdicts[0]
    )
    others = [f"{v.agreement}: {v.status}" for v in verdicts if v is not chosen]
    detail = f"Checked ({how}): {', '.join(cands)}." + (
        f" Others: {'; '.join(others)}." if others else ""
    )
    if chosen.status == "no rule data":
        return OriginView(
            "not_available",
            "; ".join(chosen.reasons) + " " + detail,
            chosen.agreement,
            engine=engine,
        ), verdicts
    prov = tuple(
        Provenance(
            **{
                k: str(v)
                for k, v in p.items()
                if k in ("dataset", "edition", "locator", "source", "note")
            }
        )
        for p in chosen.provenance
    )
    figs: dict[str, Figure] = {}
    if chosen.outcome is not None and chosen.outcome.headroom_points is not None:
        figs["headroom_pts"] = Figure(chosen.outcome.headroom_points, "pts", prov)
    if chosen.outcome is not None and chosen.outcome.headroom_amount is not None:
        figs["headroom_amount"] = Figure(chosen.outcome.headroom_amount, chosen.currency, prov)
    docs: tuple[str, ...] = ()
    if chosen.status == "qualifies":
        from kaigai.origin.documents import document_data

        d = document_data(chosen, product, agreements[chosen.agreement])
        docs = (d["title"], d["retention"])
    qualifies = {"qualifies": True, "does not qualify": False}.get(chosen.status)
    rule = chosen.rule_text_ja if lang == "ja" and chosen.rule_text_ja else chosen.rule_text
    view = OriginView(
        "ok" if qualifies is not None else "partial",
        detail + (" " + "; ".join(chosen.notes) if chosen.notes else ""),
        chosen.agreement,
        qualifies,
        rule,
        tuple(chosen.reasons) + tuple(m for m in chosen.margins if m not in chosen.reasons),
        figs,
        docs,
        engine,
    )
    return view, verdicts


__all__ = ["run_origin"]
