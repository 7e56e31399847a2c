"""Firm profile: a TOML/YAML file validated with pydantic, every problem reported at once.

Example (TOML)::

    name = "Sakura Precision Bearings Co., Ltd."
    home_country = "JPN"
    current_markets = ["JPN"]
    [size]
    employees = 38
    annual_sales = 1_200_000_000
    currency = "JPY"
    [[products]]
    name = "Deep-groove ball bearings"
    hs = "8482.10"
    bom = "bom_bearing.csv"          # relative to this file
    annual_export_value = 30_000_000 # planned exports per year, in size.currency
    wholly_obtained = false          # true for e.g. tea grown and processed in Japan
    [preferences]
    target_markets = ["THA", "VNM", "IDN", "IND"]
    excluded_markets = []
    risk_appetite = "medium"
    [readiness]
    staff_languages = "one_part_time"
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from kaigai.core.countries import normalize_country
from kaigai.core.errors import KaigaiError, ProfileError
from kaigai.core.text import decode_text
from kaigai.hs.codes import normalize_hs6


def _country(value: Any) -> str:
    try:
        return normalize_country(str(value))
    except KaigaiError as exc:
        raise ValueError(str(exc)) from None


def _country_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list | tuple):
        raise ValueError('expected a list of countries, e.g. ["VNM", "THA"]')
    return list(value)


def _countries(values: Any) -> list[str]:
    values = _country_list(values)
    problems, out = [], []
    for i, v in enumerate(values):
        try:
            out.append(_country(v))
        except ValueError as exc:
            problems.append(f"[{i}] {exc}")
    if problems:
        raise ValueError("; ".join(problems))
    return out


class Size(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    employees: int = Field(ge=0, description="Number of employees")
    annual_sales: float | None = Field(default=None, ge=0, description="Annual sales in `currency`")
    currency: str = "JPY"


class Product(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    name_ja: str | None = None
    hs: str = Field(description="HS code of the product (6 digits or a national 8-10 digit line)")
    bom: str | None = Field(
        default=None, description="Bill of materials file, relative to the profile"
    )
    unit_value: float | None = Field(
        default=None, gt=0, description="Ex-works (EXW) price of one unit"
    )
    unit_fob: float | None = Field(
        default=None, gt=0, description="FOB price of one unit (RVC rules on FOB)"
    )
    shipments_per_year: float | None = Field(
        default=None, gt=0, description="Shipments (certificates of origin) per year and market"
    )
    annual_export_value: float | None = Field(
        default=None, ge=0, description="Planned exports per year and market, in the firm currency"
    )
    wholly_obtained: bool = Field(
        default=False,
        description=(
            "The product is wholly obtained in the home country (e.g. tea grown, picked and "
            "processed there; no foreign material): agreements' 'WO' criterion"
        ),
    )
    lines: dict[str, str] = Field(
        default_factory=dict,
        description=(
            'National tariff line per market, e.g. {VNM = "3304.99.20"} '
            "(list them with `kaigai duty --hs HS --to MARKET`)"
        ),
    )

    @field_validator("hs", mode="before")
    @classmethod
    def _hs(cls, v: Any, info: ValidationInfo) -> str:
        try:
            code = normalize_hs6(v)
        except KaigaiError as exc:
            raise ValueError(str(exc)) from None
        valid = (info.context or {}).get("valid_hs6")
        if valid is not None and code not in valid:
            raise ValueError(f"HS code {v} ({code}) is not an HS subheading in the nomenclature")
        return code

    @field_validator("lines", mode="before")
    @classmethod
    def _lines(cls, v: Any) -> dict[str, str]:
        if not isinstance(v, dict):
            raise ValueError('lines must be a table of market = "national line"')
        out, problems = {}, []
        for k, x in v.items():
            try:
                iso = _country(k)
            except ValueError as exc:
                problems.append(f"[{k}] {exc}")
                continue
            code = str(x).strip()
            if not code.replace(".", "").isdigit() or len(code.replace(".", "")) < 8:
                problems.append(
                    f"[{k}] '{x}' is not a national line (8-10 digits, e.g. 3304.99.20)"
                )
                continue
            out[iso] = code
        if problems:
            raise ValueError("; ".join(problems))
        return out

    def display_name(self, lang: str = "en") -> str:
        return self.name_ja if lang == "ja" and self.name_ja else self.name


class Preferences(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    target_markets: list[str] = Field(
        default_factory=list, description="Markets the firm is considering"
    )
    excluded_markets: list[str] = Field(default_factory=list)
    risk_appetite: Literal["low", "medium", "high"] = "medium"

    @field_validator("target_markets", "excluded_markets", mode="before")
    @classmethod
    def _markets(cls, v: Any) -> list[str]:
        return _countries(v)


class FirmProfile(BaseModel):
    """A small firm considering exports."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    name_ja: str | None = None
    location: str | None = None
    location_ja: str | None = None  # the location as written in Japanese (ja reports)
    home_country: str = "JPN"
    size: Size
    products: list[Product] = Field(min_length=1)
    current_markets: list[str] = Field(default_factory=list)
    notes: str | None = None
    preferences: Preferences = Field(default_factory=Preferences)
    readiness: dict[str, str] = Field(default_factory=dict)

    @field_validator("home_country", mode="before")
    @classmethod
    def _home(cls, v: Any) -> str:
        return _country(v)

    @field_validator("current_markets", mode="before")
    @classmethod
    def _current(cls, v: Any) -> list[str]:
        return _countries(v)

    @field_validator("readiness", mode="before")
    @classmethod
    def _readiness(cls, v: Any) -> dict[str, str]:
        from kaigai.readiness import canonical_answers, load_questionnaire, validate_answers

        if not isinstance(v, dict):
            raise ValueError("readiness must be a table of question = option")
        qn = load_questionnaire()
        problems = validate_answers(v, qn)
        if problems:
            raise ValueError("; ".join(f"{k}: {m}" for k, m in problems))
        return canonical_answers(v, qn)

    def display_name(self, lang: str = "en") -> str:
        return self.name_ja if lang == "ja" and self.name_ja else self.name

    def display_location(self, lang: str = "en") -> str | None:
        return self.location_ja if lang == "ja" and self.location_ja else self.location


def _loc(parts: Iterable[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(file)"


def parse_profile(
    data: dict[str, Any],
    *,
    source: str = "profile",
    valid_hs6: frozenset[str] | None = None,
    base_dir: Path | None = None,
) -> FirmProfile:
    """Validate a profile mapping; raise :class:`ProfileError` listing every problem."""
    try:
        return FirmProfile.model_validate(
            data, context={"valid_hs6": valid_hs6, "base_dir": base_dir}
        )
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            msg = str(e["msg"]).removeprefix("Value error, ")
            if e["type"] == "missing":
                msg = "required field is missing"
            elif e["type"] == "extra_forbidden":
                msg = "unknown field (check the spelling)"
            problems.append({"loc": _loc(e["loc"]), "msg": msg})
        lines = "\n".join(f"  - {p['loc']}: {p['msg']}" for p in problems)
        raise ProfileError(
            f"Firm profile {source} has {len(problems)} problem(s):\n{lines}",
            hint="Fix every listed field; see examples/firm_tokyo_bearings.toml and docs/plan.md.",
            problems=problems,
        ) from None


def read_profile(path: Path, valid_hs6: frozenset[str] | None = None) -> FirmProfile:
    """Read and validate a firm profile (``.toml``, ``.yaml``/``.yml`` or ``.json``).

    ``valid_hs6``: the HS codes a product may name (see :func:`kaigai.app.plan.load_profile`,
    which reads them from the data); None skips that check."""
    p = Path(path)
    if not p.is_file():
        raise ProfileError(
            f"Firm profile {p} not found.", hint="Start from examples/firm_tokyo_bearings.toml."
        )
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ProfileError(f"Cannot read {p}: {exc.strerror}.") from exc
    text = decode_text(raw, f"Firm profile {p.name}", ProfileError)
    try:
        if p.suffix.lower() == ".toml":
            data: Any = tomllib.loads(text)
        else:
            data = yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError, RecursionError, ValueError) as exc:
        raise ProfileError(
            f"Firm profile {p} cannot be parsed: {exc}", hint="Check the TOML/YAML syntax."
        ) from exc
    if not isinstance(data, dict):
        raise ProfileError(
            f"Firm profile {p} must be a table/mapping.",
            hint="See examples/firm_tokyo_bearings.toml.",
        )
    return parse_profile(data, source=str(p), valid_hs6=valid_hs6, base_dir=p.parent.resolve())


__all__ = [
    "FirmProfile",
    "Preferences",
    "Product",
    "Size",
    "parse_profile",
    "read_profile",
]
