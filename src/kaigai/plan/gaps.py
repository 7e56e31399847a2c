"""What the plan could not check, and how to fill each gap (one line per gap, with a command).

Built from the views the engines returned (never from new computations): the market ranking
that did not run, markets without a tariff schedule, products with several national lines,
missing bills of materials or rule data, unanswered readiness questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kaigai.core.i18n import join_list, t
from kaigai.plan.model import ProductPlan


@dataclass(frozen=True)
class Gap:
    """One thing the plan could not check."""

    topic: str  # "markets" | "duty" | "origin" | "readiness"
    text: str
    fill: str  # the command or step that fills it ("" when nothing in kaigai can)

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "text": self.text, "fill": self.fill}


def product_gaps(p: ProductPlan, exporter: str, markets_hint: str, lang: str) -> list[Gap]:
    """Gaps of one product's chain (markets, duty, origin)."""
    out: list[Gap] = []
    mk = next((x for x in p.parts if x.key == "markets"), None)
    if mk is not None and mk.status not in ("ok", "partial"):
        out.append(
            Gap(
                "markets",
                t("Market ranking for HS {hs6}: {detail}", lang, hs6=p.hs6, detail=mk.detail),
                markets_hint or t("kaigai data import ../shared/data/markets", lang),
            )
        )
    no_sched = [m for m in p.markets if m.duty.status != "ok" and not m.duty.lines]
    if no_sched:
        from kaigai.tariffs.coverage import pull_command

        pulls = "; ".join(sorted({pull_command(m.iso3) for m in no_sched}))
        out.append(
            Gap(
                "duty",
                t(
                    "Import duties for HS {hs6} in {markets}: kaigai has no tariff schedule for them.",
                    lang,
                    hs6=p.hs6,
                    markets=join_list([m.name for m in no_sched], lang),
                ),
                pulls
                + "; "
                + t(
                    "Get the schedule from the importing country's customs or JETRO, then "
                    "kaigai duty-import SCHEDULE.csv (format in docs/tariffs.md)",
                    lang,
                ),
            )
        )
    for m in p.markets:
        if m.duty.lines:
            out.append(
                Gap(
                    "duty",
                    t(
                        "Duty for HS {hs6} in {market} depends on the national line ({n} lines); "
                        "the plan shows the range.",
                        lang,
                        hs6=p.hs6,
                        market=m.name,
                        n=len(m.duty.lines),
                    ),
                    t(
                        "kaigai duty --hs {hs6} --from {exporter} --to {iso3} lists the lines; "
                        "then add lines = {{ {iso3} = {line} }} to the product in the profile",
                        lang,
                        hs6=p.hs6,
                        exporter=exporter,
                        iso3=m.iso3,
                        line=f'"{m.duty.lines[0]["line"]}"',
                    ),
                )
            )
    no_bom = [m for m in p.markets if m.origin.reason == "no_bom"]
    if no_bom:
        out.append(
            Gap(
                "origin",
                t("Origin of HS {hs6}: {detail}", lang, hs6=p.hs6, detail=no_bom[0].origin.detail),
                t(
                    'Write the BOM as CSV (like examples/bom_bearing.csv), set bom = "bom.csv" '
                    "for the product (or wholly_obtained = true for farm goods), then "
                    "kaigai origin check --bom bom.csv --hs {hs6} --from {exporter} --to {iso3}",
                    lang,
                    hs6=p.hs6,
                    exporter=exporter,
                    iso3=no_bom[0].iso3,
                ),
            )
        )
    other = [
        m
        for m in p.markets
        if m.origin.status in ("not_available", "error", "partial") and m not in no_bom
    ]
    no_fta = [m for m in other if m.origin.reason == "no_fta"]
    if no_fta:
        out.append(
            Gap(
                "origin",
                t(
                    "No trade agreement with {markets} in kaigai's registry: the MFN duty applies, "
                    "no origin check is needed.",
                    lang,
                    markets=join_list([m.name for m in no_fta], lang),
                ),
                "",
            )
        )
    for m in other:
        if m in no_fta or m.origin.reason == "no_preference":
            continue
        if m.origin.reason == "no_rules":
            out.append(
                Gap(
                    "origin",
                    t(
                        "Origin for {market} under {agreement}: no product-specific rule data.",
                        lang,
                        market=m.name,
                        agreement=m.origin.agreement,
                    ),
                    t("Add the rules as a CSV (docs/origin.md, 'Adding an agreement')", lang),
                )
            )
        elif m.origin.status in ("error", "partial"):
            out.append(
                Gap(
                    "origin",
                    t("Origin for {market}: {detail}", lang, market=m.name, detail=m.origin.detail),
                    t(
                        "kaigai origin check --bom BOM --hs {hs6} --from {exporter} --to {iso3} "
                        "shows every step",
                        lang,
                        hs6=p.hs6,
                        exporter=exporter,
                        iso3=m.iso3,
                    ),
                )
            )
    return out


def readiness_gap(readiness: Any, lang: str) -> list[Gap]:
    """Unanswered readiness questions, by question text."""
    if not readiness.unanswered:
        return []
    from kaigai.readiness import load_questionnaire

    qn = load_questionnaire()
    texts = []
    for qid in readiness.unanswered:
        q = qn.question(qid)
        texts.append(q.text.get(lang) if q is not None else qid)
    shown = texts[:3]
    more = len(texts) - len(shown)
    listed = join_list(shown, lang) + (t(" and {n} more", lang, n=more) if more > 0 else "")
    return [
        Gap(
            "readiness",
            t(
                "Readiness: {n} question(s) unanswered ({questions}).",
                lang,
                n=len(texts),
                questions=listed,
            ),
            t(
                "kaigai readiness (answers the questions interactively), or copy the answers "
                "from kaigai readiness --template into [readiness] of the profile",
                lang,
            ),
        )
    ]


__all__ = ["Gap", "product_gaps", "readiness_gap"]
