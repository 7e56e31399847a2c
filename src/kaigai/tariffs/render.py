"""Plain renderings of duty options: a JSON-ready dict (stable keys) and a text chart."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kaigai.tariffs.options import DutyOptions, OptionRow


def _interval(iv: Any) -> dict[str, Any] | None:
    if iv is None:
        return None
    return {
        "low": round(iv.low, 4),
        "high": round(iv.high, 4),
        "exact": iv.exact,
        "notes": list(iv.notes),
    }


def option_to_dict(r: OptionRow) -> dict[str, Any]:
    return {
        "option": r.option,
        "name": r.name,
        "kind": r.kind,
        "status": r.status,
        "rate": r.rate,
        "rate_text": r.rate_text,
        "rate_pct": r.rate_pct,
        "rate_is_ave": r.rate_is_ave,
        "duty": _interval(r.duty),
        "margin_pct_points": r.margin_pct,
        "margin_amount": r.margin_amount,
        "message": r.message,
        "origin_rule": r.origin_rule,
        "staging": r.staging,
        "provenance": r.provenance.to_dict(),
    }


def options_to_dict(res: DutyOptions) -> dict[str, Any]:
    """Stable JSON shape of :class:`DutyOptions`."""
    summary: dict[str, dict[str, Any]] = {}
    for ln in res.lines:
        for r in ln.options:
            s = summary.setdefault(
                r.option,
                {"option": r.option, "min_rate_pct": None, "max_rate_pct": None, "lines": 0},
            )
            s["lines"] += 1
            if r.rate_pct is not None:
                s["min_rate_pct"] = (
                    r.rate_pct if s["min_rate_pct"] is None else min(s["min_rate_pct"], r.rate_pct)
                )
                s["max_rate_pct"] = (
                    r.rate_pct if s["max_rate_pct"] is None else max(s["max_rate_pct"], r.rate_pct)
                )
    tax = None
    if res.tax is not None:
        tax = {**res.tax, "provenance": res.tax["provenance"].to_dict()}
    return {
        "hs6": res.hs,
        "origin": res.origin,
        "destination": res.destination,
        "as_of": res.on.isoformat(),
        "schedule": res.schedule.to_dict(),
        "lines": [
            {
                "national_line": ln.national_code,
                "description": ln.description,
                "best": ln.best,
                "best_reason": ln.best_reason,
                "options": [option_to_dict(r) for r in ln.options],
            }
            for ln in res.lines
        ],
        "summary": list(summary.values()),
        "path": list(res.path),
        "import_tax": tax,
        "missing": list(res.missing),
        "notes": list(res.notes),
        "surcharges": list(res.surcharges),
    }


def text_chart(
    path: list[dict[str, Any]] | tuple[dict[str, Any], ...], width: int = 30
) -> list[str]:
    """A small bar chart of rates per option and year (one block per option)."""
    if not path:
        return []
    options = sorted({o for p in path for o in p["rates"]}, key=lambda o: (o != "MFN", o))
    top = max([v for p in path for v in p["rates"].values() if v is not None] + [0.0]) or 1.0
    out = []
    for o in options:
        out.append(o)
        for p in path:
            v = p["rates"].get(o)
            bar = "" if v is None else "█" * max(0, round(width * v / top))
            out.append(f"  {p['year']} {bar} {'' if v is None else f'{v:g}%'}")
    return out


__all__ = ["option_to_dict", "options_to_dict", "text_chart"]
