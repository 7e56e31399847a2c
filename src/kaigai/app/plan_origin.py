"""Adapter from the plan to the rules-of-origin engine: check the BOM for the best agreement.

Figures are the engine's own (headroom, documents); see :mod:`kaigai.app.plan_engines`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kaigai.core.errors import KaigaiError
from kaigai.core.provenance import Figure, Provenance
from kaigai.plan.model import DutyView, OriginView

if TYPE_CHECKING:
    from kaigai.app.plan_engines import EngineContext


def wo_explanation(agreement: str, declared: bool, lang: str) -> str:
    """What the WO criterion asks, with the article, and whether the firm declared it."""
    from kaigai.core.i18n import t
    from kaigai.origin.wholly import wo_article

    article = t(wo_article(agreement), lang)  # the article's official Japanese title
    text = t(
        "Criterion WO ({article}): the good must be wholly obtained in the exporting Party — "
        "for plant goods, grown, harvested, picked or gathered there (green tea made only from "
        "leaves grown and processed in Japan meets it); no foreign material may be used.",
        lang,
        article=article,
    )
    if declared:
        return text + " " + t("The firm declares the product wholly obtained.", lang)
    return (
        text
        + " "
        + t(
            "If your product is made only from what you grow or harvest in Japan, set "
            "wholly_obtained = true for it in the profile (or mark every line of the BOM file wholly_obtained = yes); "
            "keep farm and processing records as proof.",
            lang,
        )
    )


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
    wholly_obtained: bool = False,
) -> tuple[OriginView, Any]:
    """Origin check of the BOM for the best agreement of ``market``.

    Candidates are the duty engine's best option and the options at the same rate (ties),
    best first; without duty data, every agreement in force between the two countries. The
    first candidate that qualifies is reported, else the first one with rule data.
    """
    from kaigai.app.plan_engines import engine_failed
    from kaigai.core.i18n import t, tr
    from kaigai.origin.wholly import uses_wo

    engine = "kaigai.origin.api.check"
    if bom_problem is not None:
        return OriginView("not_available", bom_problem, reason="no_bom"), None
    if bom_path is None and not wholly_obtained:
        return OriginView(
            "not_available",
            t("No bill of materials given: origin cannot be checked.", lang),
            reason="no_bom",
        ), None
    ranged = duty.status == "partial" and bool(duty.lines)
    if ranged and not [o for o in duty.best_options if o != "MFN"]:
        msg = t(
            "No preferential agreement to check: no duty option better than MFN is known.", lang
        )
        return OriginView("not_available", msg, reason="no_preference"), None
    if duty.status == "ok" and duty.best_option in (None, "MFN"):
        msg = t(
            "No preferential agreement to check: no duty option better than MFN is known.", lang
        )
        return OriginView("not_available", msg, reason="no_preference"), None
    from kaigai.origin.api import check
    from kaigai.origin.bom import Product as OriginProduct
    from kaigai.origin.bom import load_bom
    from kaigai.origin.provisions import applicable

    try:
        books, agreements, hs22, hs17 = ctx.origin()
    except KaigaiError as exc:
        return OriginView("not_available", tr(exc.message, lang), engine=engine), None
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
    elif ranged:
        cands = [o for o in duty.best_options if o != "MFN" and o in agreements]
        how = "best option of each national line"
    else:
        cands = [a.id for a in applicable(exporter, market, agreements)]
        how = "every agreement in force (no duty data to rank them)"
    if not cands:
        from kaigai.core.countries import country

        return OriginView(
            "not_available",
            t(
                "No trade agreement between {exporter} and {market} in kaigai's registry: "
                "the MFN duty applies.",
                lang,
                exporter=country(exporter).name(lang),
                market=country(market).name(lang),
            ),
            engine=engine,
            reason="no_fta",
        ), None
    from kaigai.origin.bom import BOM

    try:
        bom = (
            load_bom(Path(bom_path), currency, hs_codes=hs22)
            if bom_path is not None
            else BOM((), currency)  # wholly obtained, no BOM: no materials to list
        )
        wo = wholly_obtained or bom.wholly_obtained_in(exporter)
        product = OriginProduct(
            hs6, exporter, market, currency, fob=fob, exw=exw, wholly_obtained=wo
        )
        verdicts = check(bom, product, books, agreements, hs17, [str(c) for c in cands])
    except KaigaiError as exc:
        return OriginView("error", tr(exc.message, lang), engine=engine), None
    except Exception as exc:  # noqa: BLE001 - stated in the plan, not hidden
        return OriginView("error", engine_failed(engine, exc), engine=engine), None
    chosen = next((v for v in verdicts if v.status == "qualifies"), None) or next(
        (v for v in verdicts if v.status != "no rule data"), verdicts[0]
    )
    from kaigai.core.i18n import join_clauses, join_list, join_sentences

    others = [f"{v.agreement}: {t('verdict:' + v.status, lang) if lang == 'ja' else v.status}"
              for v in verdicts if v is not chosen]  # fmt: skip
    detail = join_sentences([
        t("Checked ({how}): {agreements}.", lang, how=t(how, lang),
          agreements=join_list([str(c) for c in cands], lang)),
        t("Others: {verdicts}.", lang, verdicts=join_clauses(others, lang)) if others else "",
    ], lang)  # fmt: skip
    if chosen.status == "no rule data":
        return OriginView(
            "not_available",
            join_sentences(
                [join_clauses((tr(r, lang) for r in chosen.reasons), lang), detail], lang
            ),
            chosen.agreement,
            engine=engine,
            reason="no_rules",
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
        docs = (tr(d["title"], lang), tr(d["retention"], lang))
    qualifies = {"qualifies": True, "does not qualify": False}.get(chosen.status)
    rule = chosen.rule_text_ja if lang == "ja" and chosen.rule_text_ja else chosen.rule_text
    reasons = tuple(chosen.reasons) + tuple(m for m in chosen.margins if m not in chosen.reasons)
    reasons = tuple(tr(r, lang) for r in reasons)  # the engine's words in the plan's language
    if uses_wo(chosen):
        reasons = (wo_explanation(chosen.agreement, wo, lang), *reasons)
    view = OriginView(
        "ok" if qualifies is not None else "partial",
        join_sentences([detail, join_clauses((tr(n, lang) for n in chosen.notes), lang)], lang),
        chosen.agreement,
        qualifies,
        rule,
        reasons,
        figs,
        docs,
        engine,
        uses_wo(chosen),
    )
    return view, verdicts


__all__ = ["run_origin", "wo_explanation"]
