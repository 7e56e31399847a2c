"""The prioritised action list of the plan.

Ordering rule (documented in docs/plan.md):

* horizon ``now`` (0-3 months): readiness steps of *critical* dimensions (score < 40),
  the choice of the first market, and missing inputs (BOM, duty check);
* ``next`` (3-12 months): readiness steps of *gap* dimensions (40-60), FTA and origin
  actions per market;
* ``later``: remaining readiness steps.

Within a horizon, larger ``priority`` first. Readiness steps keep their priority
``w_d * (100 - score_d)`` (0-20). Market, duty and origin actions get ``20 - rank`` of the
market in the plan's list (the first market scores 19), so the first market's actions sort
before those of later markets. No figure is computed here: texts quote the engines' values.
"""

from __future__ import annotations

from kaigai.core.i18n import join_clauses, join_list, join_sentences, t
from kaigai.plan.model import Action, MarketPlan, ProductPlan, SourceRef
from kaigai.readiness import ReadinessResult

HORIZONS = ("now", "next", "later")


def _fmt_rate(m: MarketPlan, key: str) -> str:
    f = m.duty.figures.get(key)
    if f is None or f.value is None:
        return "?"
    return f"{f.value:g}{f.unit if f.unit == '%' else ' ' + f.unit}".strip()


def _fmt_range(m: MarketPlan, key: str) -> str:
    lo, hi = m.duty.figures.get(key + "_min"), m.duty.figures.get(key + "_max")
    if lo is None or hi is None or lo.value is None or hi.value is None:
        return "?"
    return f"{lo.value:g}%" if lo.value == hi.value else f"{lo.value:g}–{hi.value:g}%"


def _market_actions(
    p: ProductPlan, lang: str
) -> list[tuple[str, str, str, str, float, tuple[SourceRef, ...]]]:
    out: list[tuple[str, str, str, str, float, tuple[SourceRef, ...]]] = []
    if not p.markets:
        return out
    ranked = [m for m in p.markets if m.selected_by == "ranking" and m.rank is not None]
    if ranked:
        first = ranked[0]
        out.append(
            (
                "now",
                "market",
                t(
                    "Choose the first market for {product} (HS {hs6}): {market}",
                    lang,
                    product=p.name,
                    hs6=p.hs6,
                    market=first.name,
                ),
                first.explanation or t("Ranked first by the market finder.", lang),
                19.0,
                (),
            )
        )
    else:  # no ranking behind any market: the first step is to get one, not to pick a market
        out.append(
            (
                "now",
                "data",
                t(
                    "Rank the markets for {product} (HS {hs6}) before choosing one",
                    lang,
                    product=p.name,
                    hs6=p.hs6,
                ),
                t(
                    "The market finder could not rank markets for this product, so no market "
                    "is recommended yet; see 'What this plan could not check' for the command "
                    "that fills the data.",
                    lang,
                ),
                19.0,
                (),
            )
        )
    for i, m in enumerate(p.markets):
        prio = max(20.0 - (i + 1), 0.0)
        ranged = m.duty.status == "partial" and bool(m.duty.lines)
        if ranged and len(m.duty.best_options) == 1 and m.duty.best_options[0] != "MFN":
            out.append((
                "next", "duty",
                t("Claim {agreement} preference in {market}", lang, agreement=m.duty.best_options[0], market=m.name),
                t("Duty falls from {mfn} (MFN) to {pref} under {agreement} on each of the {n} national lines.", lang,
                  mfn=_fmt_range(m, "mfn_rate"), pref=_fmt_range(m, "best_rate"), agreement=m.duty.best_options[0], n=len(m.duty.lines)),
                prio, (),
            ))  # fmt: skip
        if ranged:
            out.append((
                "now", "duty",
                t("Name the national tariff line of {product} for {market}", lang, product=p.name, market=m.name),
                m.duty.detail, prio - 0.1, (),
            ))  # fmt: skip
        if m.duty.status == "ok" and m.duty.best_option and m.duty.best_option != "MFN":
            out.append((
                "next", "duty",
                t("Claim {agreement} preference in {market}", lang, agreement=m.duty.best_option, market=m.name),
                t("Duty falls from {mfn} (MFN) to {pref} under {agreement}.", lang, mfn=_fmt_rate(m, "mfn_rate"), pref=_fmt_rate(m, "best_rate"), agreement=m.duty.best_option),
                prio, (),
            ))  # fmt: skip
        if m.origin.status == "ok" and m.origin.qualifies is False and m.origin.rule_is_wo:
            out.append((
                "now", "origin",
                t("Confirm that {product} is wholly obtained in Japan ({agreement}, {market})", lang, product=p.name, agreement=m.origin.agreement, market=m.name),
                m.origin.reasons[0], prio - 0.25, (),
            ))  # fmt: skip
        elif m.origin.status == "ok" and m.origin.qualifies is False:
            out.append((
                "next", "origin",
                t("Make {product} qualify under {agreement} for {market}", lang, product=p.name, agreement=m.origin.agreement, market=m.name),
                join_clauses(m.origin.reasons, lang) or m.origin.detail, prio - 0.25, (),
            ))  # fmt: skip
        elif m.origin.status == "ok" and m.origin.qualifies:
            out.append((
                "next", "origin",
                t("Prepare the proof of origin for {agreement} ({market})", lang, agreement=m.origin.agreement, market=m.name),
                join_list(m.origin.documents, lang) or m.origin.detail, prio - 0.25, (),
            ))  # fmt: skip
    from kaigai.tariffs.coverage import pull_command

    no_schedule = [m for m in p.markets if m.duty.status == "not_available"]
    if no_schedule:  # name the exact command that would fill each gap
        cmds = sorted({pull_command(m.iso3) for m in no_schedule})
        out.append((
            "now", "data",
            t("Get the import duties for {markets}: {commands} (online), or check with customs or JETRO", lang,
              markets=join_list([m.name for m in no_schedule], lang), commands=("、" if lang == "ja" else "; ").join(f"`{c}`" for c in cmds)),
            join_sentences([*sorted({m.duty.detail for m in no_schedule}),
                            t("Duty rates are needed to choose the agreement whose origin rules to meet.", lang)], lang),
            18.5, (SourceRef("JETRO", "https://www.jetro.go.jp/en/"),),
        ))  # fmt: skip
    no_duty = [m for m in p.markets if m.duty.status not in ("ok", "not_available", "partial")]
    if no_duty:
        details = sorted({m.duty.detail for m in no_duty})
        out.append((
            "now", "data",
            t("Check the import duties for {markets} with customs or JETRO", lang, markets=join_list([m.name for m in no_duty], lang)),
            join_sentences([*details, t("Duty rates are needed to choose the agreement whose origin rules to meet.", lang)], lang),
            18.5, (SourceRef("JETRO", "https://www.jetro.go.jp/en/"),),
        ))  # fmt: skip
    if p.bom is None:
        out.append(
            (
                "now",
                "origin",
                t(
                    "Write down the bill of materials of {product} (parts, HS codes, origin, value)",
                    lang,
                    product=p.name,
                ),
                t(
                    "Without a BOM kaigai cannot tell whether the product qualifies for an FTA rate.",
                    lang,
                ),
                18.0,
                (),
            )
        )
    return out


def build_actions(
    products: list[ProductPlan], readiness: ReadinessResult, lang: str
) -> list[Action]:
    """Merge readiness next steps and market/duty/origin actions into one ranked list."""
    raw: list[tuple[str, str, str, str, float, tuple[SourceRef, ...]]] = []
    for s in readiness.next_steps:
        status = readiness.dimension(s.dimension).status
        horizon = "now" if status == "critical" else ("next" if status == "gap" else "later")
        srcs = tuple(SourceRef(x.label, x.url) for x in s.sources)
        raw.append((horizon, "readiness", s.title.get(lang), s.why.get(lang), s.priority, srcs))
    for p in products:
        raw.extend(_market_actions(p, lang))
    raw.sort(key=lambda r: (HORIZONS.index(r[0]), -r[4]))  # stable: ties keep input order
    return [
        Action(rank=i + 1, horizon=h, kind=k, title=title, why=why, priority=prio, sources=src)
        for i, (h, k, title, why, prio, src) in enumerate(raw)
    ]


__all__ = ["HORIZONS", "build_actions"]
