"""``kaigai hs show|search|concord``: HS nomenclature lookup, keyword search, edition mapping."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from kaigai.cli.common import console, esc, output, table
from kaigai.cli.options import shared
from kaigai.core.i18n import t
from kaigai.data import store
from kaigai.data.nomenclature import load_concordance, load_nomenclature
from kaigai.hs.nomenclature import HS2017, HS2022
from kaigai.hs.search import search

EditionOpt = Annotated[
    str | None, typer.Option("--edition", help="HS2022 (default) or HS2017.", case_sensitive=False)
]


def _edition(text: str | None, default: str | None = HS2022) -> str | None:
    if text is None:
        return default
    e = text.strip().upper().replace(" ", "")
    return {"HS22": HS2022, "2022": HS2022, "HS17": HS2017, "2017": HS2017}.get(e, e)


def register(app: typer.Typer) -> None:
    hs = typer.Typer(
        help="HS nomenclature: show a code, search descriptions, map editions.",
        no_args_is_help=True,
    )
    app.add_typer(hs, name="hs")

    @hs.command("show")
    def show(
        code: Annotated[
            str, typer.Argument(help="HS code: 84, 8471, 8471.30, 847130 or a national line.")
        ],
        edition: EditionOpt = None,
    ) -> None:
        """Describe an HS chapter, heading or subheading (exits non-zero with suggestions if unknown)."""
        opts = shared()
        s, lg = opts.settings(), opts.lg
        nom = load_nomenclature(s)
        entry = nom.lookup(code, _edition(edition, None))
        data: dict[str, Any] = entry.to_dict()
        data["query"] = code
        data["subheadings"] = None
        if entry.level < 6:
            data["subheadings"] = [
                {"code": c, "description": nom.description(c), "description_ja": nom.ja.get(c)}
                for c in nom.children(entry.code)
            ]
        ds = "hs_nomenclature" if entry.edition == HS2022 else "hs17_products"
        data["provenance"] = store.provenance(ds, s, locator=f"code={entry.code}").to_dict()
        data["provenance_ja"] = None
        if entry.description_ja:
            data["provenance_ja"] = store.provenance(
                "jp_tariff",
                s,
                locator=f"stat_code={entry.code[:4]}.{entry.code[4:]}"
                if entry.level == 6
                else f"heading={entry.code}",
            ).to_dict()

        def human() -> None:
            rows: list[tuple[str, str]] = [
                (t("Code", lg), entry.code),
                (t("Description", lg), entry.description),
                *(
                    [(t("Description (Japan Customs)", lg), entry.description_ja)]
                    if entry.description_ja
                    else []
                ),
                (t("Edition", lg), entry.edition + f" ({', '.join(entry.editions)})"),
            ]
            if entry.heading and entry.heading != entry.code:
                rows.append((t("Heading", lg), f"{entry.heading} {entry.heading_description}"))
            if entry.chapter != entry.code:
                rows.append((t("Chapter", lg), f"{entry.chapter} {entry.chapter_description}"))
            if entry.section:
                rows.append((t("Section", lg), f"{entry.section} {entry.section_name}"))
            if entry.hs2017_description and entry.hs2017_description != entry.description:
                rows.append((t("HS2017 description", lg), entry.hs2017_description))
            if entry.note:
                rows.append((t("Note", lg), entry.note))
            rows.append((t("Source", lg), str(store.provenance(ds, s))))
            console.print(
                table(
                    t("HS code {code}", lg, code=entry.code), [t("Field", lg), t("Value", lg)], rows
                )
            )
            if data.get("subheadings"):
                console.print(
                    table(
                        t("Subheadings", lg),
                        [t("Code", lg), t("Description", lg)],
                        [
                            (
                                x["code"],
                                x["description_ja"]
                                if lg == "ja" and x["description_ja"]
                                else x["description"],
                            )
                            for x in data["subheadings"]
                        ],
                    )
                )

        output(data, opts.json, human)

    @hs.command("search")
    def search_cmd(
        query: Annotated[
            str, typer.Argument(help='Words, e.g. "ball bearings", or a code prefix.')
        ],
        limit: Annotated[
            int, typer.Option("--limit", "-n", min=1, max=200, help="Number of hits.")
        ] = 10,
        level: Annotated[int | None, typer.Option("--level", help="Only level 2, 4 or 6.")] = None,
        edition: EditionOpt = None,
    ) -> None:
        """Keyword search over HS descriptions, best match first."""
        opts = shared()
        s, lg = opts.settings(), opts.lg
        nom = load_nomenclature(s)
        ed = _edition(edition) or HS2022
        hits = search(nom, query, limit=limit, level=level, edition=ed)
        ds = "hs_nomenclature" if ed == HS2022 else "hs17_products"
        data = {
            "query": query,
            "edition": ed,
            "hits": [h.to_dict() for h in hits],
            "provenance": store.provenance(ds, s).to_dict(),
        }

        def human() -> None:
            if not hits:
                console.print(esc(t("No HS code matches '{query}'.", lg, query=query)))
                return
            console.print(
                table(
                    t("HS search: {query}", lg, query=query),
                    [t("Code", lg), t("Level", lg), t("Score", lg), t("Description", lg)],
                    [(h.code, h.level, f"{h.score:.1f}", h.description) for h in hits],
                )
            )

        output(data, opts.json, human)

    @hs.command("concord")
    def concord(
        code: Annotated[str, typer.Argument(help="Six-digit code.")],
        from_edition: Annotated[
            str, typer.Option("--from", help="Edition of CODE: HS2017 (default) or HS2022.")
        ] = HS2017,
    ) -> None:
        """Map a code between HS2017 and HS2022 (same code, or flagged as changed)."""
        opts = shared()
        s, lg = opts.settings(), opts.lg
        res = load_concordance(s).map(code, _edition(from_edition) or HS2017)
        data = res.to_dict()

        def human() -> None:
            rows = [
                (t("Code", lg), f"{res.code} ({res.from_edition})"),
                (t("Status", lg), res.status),
                (res.to_edition, ", ".join(res.targets) or "-"),
                (t("Note", lg), res.note),
            ]
            console.print(
                table(t("HS edition concordance", lg), [t("Field", lg), t("Value", lg)], rows)
            )

        output(data, opts.json, human)
