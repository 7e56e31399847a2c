"""Reference data that needs no account: countries and groups, service health."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kaigai.api.deps import Paging
from kaigai.api.schemas import ERRORS, CountryOut, PageOf
from kaigai.core.countries import GROUPS, all_countries, country

router = APIRouter(tags=["reference"], responses=ERRORS)


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness check."""
    return {"status": "ok"}


@router.get("/countries", response_model=PageOf[CountryOut])
def list_countries(
    page: Paging,
    q: Annotated[str, Query(max_length=100, description="Filter by name or code")] = "",
) -> PageOf[CountryOut]:
    """Countries with English and Japanese names."""
    ql = q.strip().lower()
    rows = [
        c for c in all_countries()
        if not ql or ql in c.iso3.lower() or ql in c.name_en.lower() or ql in c.name_ja
    ]  # fmt: skip
    items = [CountryOut(**c.__dict__) for c in rows[page.offset : page.offset + page.limit]]
    return PageOf(items=items, total=len(rows), limit=page.limit, offset=page.offset)


@router.get("/countries/groups", response_model=dict[str, list[str]])
def groups() -> dict[str, list[str]]:
    """Country groups (ASEAN, RCEP, CPTPP, EU27, G7) and their ISO3 members."""
    return {k: list(v) for k, v in GROUPS.items()}


@router.get("/countries/{code}", response_model=CountryOut)
def get_country(code: str) -> CountryOut:
    """One country by ISO3/ISO2/numeric code or name (EN/JA)."""
    return CountryOut(**country(code[:100]).__dict__)
