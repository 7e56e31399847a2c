"""Pydantic request/response models of the REST API (with OpenAPI examples)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

T = TypeVar("T")


class Problem(BaseModel):
    """Every error: a stable ``code``, a ``message`` for people and a ``hint``."""

    code: str = Field(examples=["invalid_hs_code"])
    message: str = Field(examples=["HS code 8471.3 is not 6 digits."])
    hint: str | None = Field(default=None, examples=["did you mean 847130?"])
    details: Any | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": Problem} for s in (401, 403, 404, 413, 422, 429)
}


class PageOf(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="Items in the whole collection.")
    limit: int
    offset: int


class Orm(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- accounts -----------------------------------------------------------------------------


class RegisterIn(BaseModel):
    email: str = Field(max_length=320, examples=["advisor@chamber.example.jp"])
    password: str = Field(max_length=1024, examples=["a long passphrase"])
    name: str = Field(default="", max_length=200, examples=["Sato Hanako"])
    organisation: str = Field(min_length=1, max_length=200, examples=["Osaka Chamber export desk"])


class LoginIn(BaseModel):
    email: str = Field(max_length=320, examples=["advisor@chamber.example.jp"])
    password: str = Field(max_length=1024, examples=["a long passphrase"])


class PasswordChangeIn(BaseModel):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024, examples=["kettle rain orbit 42"])


class UserOut(Orm):
    id: int
    email: str
    name: str
    lang: str


class LoginOut(BaseModel):
    user: UserOut
    csrf_token: str = Field(description="Send as X-CSRF-Token on POST/PUT/DELETE with the cookie.")


class OrganisationOut(BaseModel):
    id: int
    name: str
    role: str = Field(examples=["owner"])


class MemberIn(BaseModel):
    email: str = Field(max_length=320)
    role: str = Field(pattern="^(owner|advisor|viewer)$", examples=["advisor"])


class MemberOut(BaseModel):
    user_id: int
    email: str
    name: str
    role: str


class ApiKeyIn(BaseModel):
    label: str = Field(default="", max_length=200, examples=["ERP integration"])


class ApiKeyOut(Orm):
    id: int
    prefix: str
    label: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="Shown once. Send as 'Authorization: Bearer <key>'.")


# --- workspaces ---------------------------------------------------------------------------


class WorkspaceIn(BaseModel):
    organisation_id: int = Field(ge=1, le=2**31 - 1)
    name: str = Field(min_length=1, max_length=200, examples=["Kansai Fans Ltd."])


class WorkspaceOut(Orm):
    id: int
    organisation_id: int
    name: str
    created_at: dt.datetime


class BomLine(BaseModel):
    """One material line, in the origin engine's columns (see docs/origin.md)."""

    part_id: str = Field(min_length=1, max_length=100, examples=["MOTOR"])
    part: str = Field(default="", max_length=500, examples=["DC motor"])
    hs_code: str = Field(min_length=2, max_length=20, examples=["8501.31"])
    origin: str = Field(
        min_length=2,
        max_length=100,
        examples=["CHN"],
        description="Country of origin (ISO3 or name); UNKNOWN if undetermined.",
    )
    value: float = Field(
        ge=0, le=1e13, examples=[1200.0], description="Cost per finished unit, quantity included."
    )
    currency: str | None = Field(
        default=None, pattern="^[A-Z]{3}$", description="Defaults to the BOM currency."
    )
    quantity: float | None = Field(default=None, ge=0, le=1e9)
    originating: str = Field(default="", max_length=20, description="yes / no / unknown / empty")
    supplier_declaration: str = Field(default="", max_length=200, examples=["RCEP;CPTPP"])
    parent: str = Field(
        default="", max_length=100, description="part_id of the assembly it goes into"
    )
    weight_kg: float | None = Field(default=None, ge=0, le=1e9)
    component: Annotated[str, StringConstraints(max_length=20)] | bool = Field(
        default="",
        description="yes / no / empty: the material is part of the component that determines the "
        "tariff classification of a textile good (CPTPP weight tolerance, ORD Art. 11(5)).",
    )
    wholly_obtained: Annotated[str, StringConstraints(max_length=20)] | bool = Field(
        default="",
        description="yes / no / empty: the material is wholly obtained in its origin country "
        "(grown, harvested, mined, born and raised there). A BOM whose every line is wholly "
        "obtained in the exporting country makes the product wholly obtained (the 'WO' criterion).",
    )


class BomIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["Desk fan DF-30"])
    product_hs6: str = Field(min_length=6, max_length=20, examples=["841451"])
    ex_works_price: float | None = Field(default=None, gt=0, le=1e13, examples=[5000.0])
    fob_price: float | None = Field(default=None, gt=0, le=1e13, examples=[5400.0])
    currency: str = Field(default="JPY", pattern="^[A-Z]{3}$")
    lines: list[BomLine] = Field(min_length=1, max_length=2000)


class CheckIn(BaseModel):
    importer: str = Field(min_length=2, max_length=100, examples=["VNM"])
    exporter: str = Field(default="JPN", min_length=2, max_length=100)
    agreements: list[str] | None = Field(default=None, max_length=20, examples=[["RCEP", "CPTPP"]])
    on: dt.date | None = Field(default=None, description="Evaluation date for date-staged rules.")
    keep: bool = Field(
        default=True, description="Store each verdict as an origin claim (evidence)."
    )


class BomOut(Orm):
    id: int
    workspace_id: int
    name: str
    product_hs6: str
    ex_works_price: float | None
    fob_price: float | None
    currency: str
    lines: list[dict[str, Any]]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ClaimOut(Orm):
    id: int
    workspace_id: int
    bom_id: int | None
    bom_version: int | None
    agreement: str
    importer: str
    verdict: str
    result: dict[str, Any]
    created_at: dt.datetime


class PlanIn(BaseModel):
    title: str = Field(min_length=1, max_length=200, examples=["Vietnam 2027"])
    content: dict[str, Any] = Field(default_factory=dict)


class PlanOut(Orm):
    id: int
    workspace_id: int
    title: str
    content: dict[str, Any] = Field(description="Plan data; the HTML report is at .../download")
    created_at: dt.datetime

    @field_validator("content", mode="after")
    @classmethod
    def _no_html(cls, v: dict[str, Any]) -> dict[str, Any]:
        return {k: x for k, x in v.items() if k not in ("html", "html_sig")}


class AuditOut(Orm):
    id: int
    workspace_id: int
    user_email: str
    entity: str
    entity_id: int
    action: str
    detail: dict[str, Any]
    at: dt.datetime


# --- reference ----------------------------------------------------------------------------


class CountryOut(BaseModel):
    iso3: str = Field(examples=["VNM"])
    iso2: str = Field(examples=["VN"])
    numeric: int
    name_en: str = Field(examples=["Vietnam"])
    name_ja: str = Field(examples=["ベトナム"])


__all__ = [
    "ERRORS", "ApiKeyCreated", "ApiKeyIn", "ApiKeyOut", "AuditOut", "BomIn", "BomLine", "BomOut",
    "CheckIn", "ClaimOut", "CountryOut", "LoginIn", "LoginOut", "MemberIn", "MemberOut", "OrganisationOut", "PageOf", "PasswordChangeIn",
    "PlanIn", "PlanOut", "Problem", "RegisterIn", "UserOut", "WorkspaceIn", "WorkspaceOut",
]  # fmt: skip
