"""``kaigai countries [QUERY] [--group RCEP]``: country codes, names (EN/JA) and groups."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from kaigai.cli.common import console, output, table
from kaigai.cli.options import shared
from kaigai.core.countries import GROUPS, all_countries, country, group_members
from kaigai.core.i18n import t


def register(app: typer.Typer) -> None:
    @app.command("countries")
    def countries_cmd(
        query: Annotated[
            str | None,
            typer.Argument(help="A code or name to resolve, e.g. 'Viet Nam', 704, ベトナム."),
        ] = None,
        group: Annotated[
            str | None, typer.Option("--group", "-g", help="Only members of: " + ", ".join(GROUPS))
        ] = None,
    ) -> None:
        """List countries (ISO3, ISO2, numeric, English/Japanese names) or resolve one."""
        opts = shared()
        lg = opts.lg
        if query:
            found = [country(query)]
        elif group:
            found = [country(c) for c in group_members(group)]
        else:
            found = all_countries()
        groups_of = {c.iso3: [g for g, m in GROUPS.items() if c.iso3 in m] for c in found}
        rows: list[dict[str, Any]] = [
            {
                "iso3": c.iso3,
                "iso2": c.iso2,
                "numeric": c.numeric,
                "baci_code": c.baci_code,
                "name_en": c.name_en,
                "name_ja": c.name_ja,
                "groups": groups_of[c.iso3],
            }
            for c in found
        ]
        payload = {"query": query, "group": group.upper() if group else None, "countries": rows}
        title = t("Countries", lg) + (f" ({group.upper()})" if group else "")
        output(
            payload,
            opts.json,
            lambda: console.print(
                table(
                    title,
                    ["ISO3", "ISO2", t("Numeric", lg), t("Name", lg), t("Groups", lg)],
                    [
                        (
                            r["iso3"],
                            r["iso2"],
                            r["numeric"],
                            r["name_ja" if lg == "ja" else "name_en"] or r["name_en"],
                            " ".join(r["groups"]),
                        )
                        for r in rows
                    ],
                )
            ),
        )
