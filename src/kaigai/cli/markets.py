"""``kaigai markets``: rank export markets for a product (ITC export potential + risk index)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from kaigai.cli.common import (
    console,
    err_console,
    esc,
    output,
    table,
)
from kaigai.cli.options import shared
from kaigai.core.errors import InputError

markets_app = typer.Typer(
    help="Market finder: export potential (ITC method), untapped potential and market risk.",
    invoke_without_command=True,
)

FromOpt = Annotated[
    str | None, typer.Option("--from", help="Exporting country, ISO3 or name (default JPN).")
]
HsOpt = Annotated[
    str | None,
    typer.Option("--hs", help="HS 2017 code: 6-digit product, 4-digit heading or chapter."),
]
YearOpt = Annotated[int, typer.Option("--year", help="Trade year (the data hold 2024 only).")]
WeightsOpt = Annotated[
    Path | None, typer.Option("--weights", help="TOML file with [risk] and/or [ranking] weights.")
]
StaticOpt = Annotated[
    bool, typer.Option("--static", help="Static variant: no GDP/population projection.")
]


def _params(year: int, static: bool) -> Any:
    from kaigai.markets.types import EPIParams

    if year != 2024:
        raise InputError(
            f"No trade data for {year}.", hint="The market data hold 2024 only: use --year 2024."
        )
    return EPIParams(base_year=year, variant="static" if static else "projected")


def _need(value: str | None, flag: str, example: str) -> str:
    if not value:
        raise InputError(f"Missing {flag}.", hint=f"e.g. kaigai markets {example}")
    return value


@markets_app.callback()
def markets(
    ctx: typer.Context,
    exporter: FromOpt = None,
    hs: HsOpt = None,
    year: YearOpt = 2024,
    top: Annotated[int, typer.Option("--top", help="Show the first N markets (0 = all).")] = 15,
    floor: Annotated[
        float, typer.Option("--floor", help="Keep markets with untapped potential >= USD.")
    ] = 0.0,
    sort: Annotated[
        str, typer.Option("--sort", help="score, untapped, potential, risk, growth, distance.")
    ] = "score",
    static: StaticOpt = False,
    weights: WeightsOpt = None,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Save a chart: out.png, out.svg or out.html.")
    ] = None,
) -> None:
    """Rank markets for one exporter and product: kaigai markets --from JPN --hs 847130."""
    opts = shared()
    if ctx.invoked_subcommand is not None:
        return
    from kaigai.app.markets import find_markets
    from kaigai.markets.weights import load_weights

    st = opts.settings()
    src = exporter or "JPN"
    code = _need(hs, "--hs", "--from JPN --hs 847130")
    if top < 0:
        raise InputError(f"--top {top} is negative.", hint="Use 0 for all markets.")
    w = load_weights(weights)
    with err_console.status("Computing export potential and market risk..."):
        res = find_markets(
            st, src, code, params=_params(year, static), weights=w, floor=floor, sort=sort
        )
    shown = res.rows if top == 0 else res.rows.head(top)
    chart_path = None
    if chart is not None:
        from kaigai.reports.market_chart import chart_title, save_chart

        title = chart_title(res.exporter, code, st.lang)
        chart_path = str(save_chart(shown, chart, title, res.notes, st.lang))
    payload = res.to_dict()
    payload["markets"] = payload["markets"][: len(shown)]
    payload["total_markets"] = len(res.rows)
    payload["chart"] = chart_path

    def human() -> None:
        from kaigai.core.countries import country_label
        from kaigai.core.i18n import format_money, join_list, t, tr
        from kaigai.markets.ranking import money

        lg = st.lang

        def usd(v: Any) -> str:
            if lg == "en":
                return money(v)
            return t("n/a", lg) if v is None or v != v else format_money(v, "USD", lg)

        rows = [
            (
                r["rank"],
                country_label(r["market"], lg),
                usd(r["potential_usd"]),
                usd(r["untapped_usd"]),
                "" if r["risk"] != r["risk"] else f"{r['risk']:.0f}",
                f"{r['score']:.0f}",
                r["explanation"],
            )
            for _, r in shown.iterrows()
        ]
        cols = ["#", t("market", lg), t("potential", lg), t("untapped", lg), t("risk", lg),
                t("score", lg), t("why", lg)]  # fmt: skip
        title = t("Markets for {exporter}, HS {hs} ({n} HS6)", lg,
                  exporter=country_label(res.exporter, lg), hs=code, n=len(res.products))  # fmt: skip
        console.print(table(title, cols, rows))
        nc = res.not_computed
        if nc:
            absent = [d["market"] for d in nc if d["reason"].startswith("no import data")]
            other = [d for d in nc if not d["reason"].startswith("no import data")]
            if absent:
                names = join_list([country_label(c, lg) for c in absent], lg)
                console.print(esc(t(
                    "No import data: {markets} (absent as importers; not zero potential).", lg,
                    markets=names,
                )))  # fmt: skip
            if other:
                console.print(esc(t(
                    "Not computed for {n} other markets (see --json for reasons).", lg, n=len(other)
                )))  # fmt: skip
        for n in res.notes:
            console.print(f"[dim]{esc(t('note: {text}', lg, text=tr(n, lg)))}[/dim]")
        if chart_path:
            console.print(esc(t("Chart saved to {path}", lg, path=chart_path)))

    output(payload, opts.json, human)


@markets_app.command("explain")
def explain(
    exporter: FromOpt = None,
    to: Annotated[str | None, typer.Option("--to", help="Market (ISO3 or name), e.g. VNM.")] = None,
    hs: HsOpt = None,
    year: YearOpt = 2024,
    static: StaticOpt = False,
    weights: WeightsOpt = None,
) -> None:
    """Every factor behind one potential: kaigai markets explain --from JPN --to VNM --hs 847130."""
    opts = shared()
    from kaigai.app.markets import explain_market
    from kaigai.markets.weights import load_weights

    st = opts.settings()
    ex = exporter or "JPN"
    dest = _need(to, "--to", "explain --from JPN --to VNM --hs 847130")
    code = _need(hs, "--hs", "explain --from JPN --to VNM --hs 847130")
    with err_console.status("Computing..."):
        res = explain_market(
            st, ex, dest, code, params=_params(year, static), weights=load_weights(weights)
        )

    def human() -> None:
        console.print(
            f"[bold]{esc(res['exporter'])} -> {esc(res['market'])}, HS {esc(code)}[/bold]: {esc(res['summary'])}"
        )
        for f in res["factors"]:
            rows = [(k, _fmt(v)) for k, v in f.items()]
            console.print(table(f"HS {f['hs6']}: factors", ["factor", "value"], rows))
        rk = res["risk"]
        ind = [
            (
                i["component"],
                i["label"],
                _fmt(i["value"]),
                i["unit"],
                i["year"],
                f"{i['score']:.0f}",
                i["dataset"],
            )
            for i in rk["indicators"]
        ]
        idx = "n/a" if rk["index"] is None else f"{rk['index']:.0f}/100"
        console.print(table(f"Market risk {idx} (missing: {', '.join(rk['missing']) or 'none'})",
                            ["component", "indicator", "value", "unit", "year", "score", "source"], ind))  # fmt: skip
        for n in res["notes"]:
            console.print(f"[dim]note: {esc(n)}[/dim]")

    output(res, opts.json, human)


@markets_app.command("prepare")
def prepare_cmd(
    static: StaticOpt = False,
) -> None:
    """Compute potential for every exporter x market x product once (fast queries after)."""
    opts = shared()
    import time

    from kaigai.data.markets import prepare

    st = opts.settings()
    t0 = time.perf_counter()
    with err_console.status(f"Running the full pipeline on {st.engine}..."):
        path = prepare(st, _params(2024, static))
    payload = {
        "path": str(path),
        "engine": st.engine,
        "seconds": round(time.perf_counter() - t0, 1),
    }
    output(
        payload,
        opts.json,
        lambda: console.print(esc(f"Prepared {path} in {payload['seconds']} s on {st.engine}.")),
    )


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.6g}" if abs(v) < 1e4 else f"{v:,.0f}"
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    return str(v)


def register(app: typer.Typer) -> None:
    """Attach ``kaigai markets`` to the root app."""
    app.add_typer(markets_app, name="markets")
