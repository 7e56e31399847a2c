"""Policy scenarios as data: TOML/YAML files naming agreements, countries, years, parameters.

Format (documented in docs/policy_lab.md; agreement keys ``id``, ``parties``,
``start_year``, ``tariff_cut`` as in the tariff module's user scenario agreements)::

    id = "jpn-cjk"
    title = "China-Japan-Korea FTA"
    year = 2035                 # evaluation year for staged cuts
    home = "JPN"                # whose firms the firm simulator describes

    [[agreements]]
    id = "CJK-FTA"
    parties = ["CHN", "JPN", "KOR"]   # ISO3 or groups (ASEAN, EU27 ...)
    start_year = 2030
    tariff_cut = 1.0            # share of the MFN tariff removed when fully phased in
    staging_years = 10          # equal annual cuts; 1 = all at once
    in_baseline = false         # true: already in force in the baseline

    [ge]     ...                # see GESpec
    [firms]  ...                # see FirmsSpec; [[firms.markets]] one table per market
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kaigai.core.countries import expand
from kaigai.core.errors import CountryError, ScenarioError
from kaigai.policy.firms_model import FirmParams, Market

BUNDLED_DIR = Path(__file__).with_name("scenarios")
FIRM_POLICY_KEYS = (
    "export_cost_factor",
    "fta_cost_factor",
    "fdi_cost_factor",
    "staff_share",
    "immigration_share",
    "fdi_enabled",
)


@dataclass(frozen=True)
class Agreement:
    id: str
    parties: tuple[str, ...]
    start_year: int
    tariff_cut: float = 1.0
    staging_years: int = 1
    in_baseline: bool = False
    name: str = ""

    def phase(self, year: int) -> float:
        """Share of the full cut in force in ``year`` (equal annual stages)."""
        if year < self.start_year:
            return 0.0
        return min(1.0, (year - self.start_year + 1) / self.staging_years)

    def cut_in(self, year: int) -> float:
        return self.tariff_cut * self.phase(year)


@dataclass(frozen=True)
class GESpec:
    dataset: str = "gravity_gegravity_sample"
    year: int | None = None
    sigma: float = 5.0
    variable: str = "pta"
    kind: str = "full"
    reference: str | None = None
    baseline: str = "model"  # "model" (cost levels x coefficients) or "observed" flows
    coefficients: dict[str, float] = field(default_factory=dict)
    standard_errors: dict[str, float] = field(default_factory=dict)
    coefficients_source: str = ""
    constant: float = 0.0
    exporter: str = "exporter"
    importer: str = "importer"
    trade: str = "trade"
    output: str | None = "Y"
    expenditure: str | None = "E"
    mc_draws: int = 0
    seed: int = 0
    # "rta": switch the agreement dummy on; "tariff": cut tariffs with the tariff
    # elasticity (coefficient on ln(1 + tariff)); "both"
    shock: str = "rta"
    tariff_elasticity: float | None = None
    tariff: float | None = None
    tariff_column: str | None = None
    # estimate the cost coefficients with kaigai's PPML instead of giving them:
    # e.g. "trade ~ lndist + contiguity + common_language + pta + international | exporter + importer"
    estimate: str | None = None
    vcov: str = "hetero"
    small_sample: str = "ppmlhdfe"
    # or take them from a shipped parameter file (policy/params/<name>.json, with provenance)
    parameters: str | None = None
    # rerun the GE without the countries whose domestic flow the data flags as imputed
    imputed_column: str = "domestic_imputed"
    imputed_sensitivity: bool = True


@dataclass(frozen=True)
class FirmsSpec:
    markets: tuple[tuple[Market, tuple[str, ...]], ...]
    n_firms: int = 1_000_000
    seed: int = 0
    target_exporter_share: float = 0.10
    fta_utilisation_target: float | None = None
    params: FirmParams = field(default_factory=FirmParams)
    policy: dict[str, Any] = field(default_factory=dict)
    # "firms": share of SME exporters to preference markets using it (survey measure);
    # "value": share of the export value to those markets shipped under it (customs measure)
    fta_utilisation_measure: str = "firms"
    # fta_utilisation_target = "observed": computed from Japan's EPA-use statistics by the
    # application layer (kaigai.policy.fta_use); the assumption is used where it cannot be
    fta_utilisation_observed: bool = False
    fta_utilisation_label: str = ""


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    year: int
    home: str
    agreements: tuple[Agreement, ...]
    ge: GESpec | None
    firms: FirmsSpec | None
    description: str = ""
    title_ja: str = ""
    source: str = ""


def _countries(raw: Any, where: str) -> tuple[str, ...]:
    if isinstance(raw, dict):  # tariff-registry style {ISO3: date}
        raw = list(raw)
    if not isinstance(raw, list) or not raw:
        raise ScenarioError(f"{where}: parties must be a non-empty list of countries.")
    try:
        return tuple(dict.fromkeys(expand([str(c) for c in raw])))
    except CountryError as exc:
        raise ScenarioError(f"{where}: {exc.message}", hint=exc.hint) from None


def _num(
    d: dict[str, Any],
    key: str,
    where: str,
    default: Any,
    lo: float | None = None,
    hi: float | None = None,
) -> Any:
    v = d.get(key, default)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ScenarioError(f"{where}.{key} must be a number (got {v!r}).")
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ScenarioError(f"{where}.{key} = {v} is outside [{lo}, {hi}].")
    return v


def _unknown(d: dict[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(d) - allowed)
    if extra:
        raise ScenarioError(
            f"{where}: unknown key(s) {', '.join(extra)}.",
            hint=f"Allowed: {', '.join(sorted(allowed))}.",
        )


def _agreement(d: Any, k: int, year_ctx: str) -> Agreement:
    where = f"agreements[{k}]"
    if not isinstance(d, dict):
        raise ScenarioError(f"{where} must be a table.")
    _unknown(
        d,
        {
            "id",
            "name",
            "name_en",
            "name_ja",
            "parties",
            "start_year",
            "tariff_cut",
            "staging_years",
            "in_baseline",
            "notes",
            "source",
            # keys of the tariff module's scenario agreements (docs/tariffs.md)
            "aliases",
            "rules_of_origin",
            "schedules",
            "staging",
            "verified",
            "sources",
        },
        where,
    )
    if not d.get("id"):
        raise ScenarioError(f"{where}: missing id.")
    d = {**d, **_from_tariff_format(d, where)}
    if "start_year" not in d:
        raise ScenarioError(
            f"{where} ({d['id']}): missing start_year.", hint=f"e.g. start_year = {year_ctx}"
        )
    return Agreement(
        id=str(d["id"]),
        parties=_countries(d.get("parties"), where),
        start_year=int(_num(d, "start_year", where, None, 1900, 2200)),
        tariff_cut=float(_num(d, "tariff_cut", where, 1.0, 0.0, 1.0)),
        staging_years=int(_num(d, "staging_years", where, 1, 1, 50)),
        in_baseline=bool(d.get("in_baseline", False)),
        name=str(d.get("name") or d.get("name_en") or d["id"]),
    )


def _from_tariff_format(d: dict[str, Any], where: str) -> dict[str, Any]:
    """Defaults read from the tariff module's format: ``parties = {ISO3: date}`` gives the
    start year (earliest entry into force); ``staging.category`` EIF / B<N> / R<N> / X
    gives the staging years and the cut (X: excluded, no cut)."""
    out: dict[str, Any] = {}
    parties = d.get("parties")
    if isinstance(parties, dict) and "start_year" not in d and parties:
        eif: list[int] = []
        for v in parties.values():
            try:
                eif.append(int(str(v)[:4]))
            except ValueError:
                raise ScenarioError(f"{where}: party date {v!r} is not YYYY-MM-DD.") from None
        out["start_year"] = min(eif)
    staging = d.get("staging")
    if isinstance(staging, dict) and staging.get("category"):
        cat = str(staging["category"]).upper()
        if cat == "EIF":
            years, cut = 1, 1.0
        elif cat == "X":
            years, cut = 1, 0.0
        elif cat[:1] in ("B", "R") and cat[1:].isdigit():
            years, cut = int(cat[1:]), 1.0
        else:
            raise ScenarioError(f"{where}: staging category {cat!r} is not EIF, X, B<N> or R<N>.")
        out.setdefault("staging_years", d.get("staging_years", years))
        out.setdefault("tariff_cut", d.get("tariff_cut", cut))
    return out


def _ge(d: dict[str, Any]) -> GESpec:
    allowed = set(GESpec.__dataclass_fields__)
    _unknown(d, allowed, "ge")
    spec = GESpec(**d)
    if spec.kind not in ("full", "conditional", "one_step"):
        raise ScenarioError(f"ge.kind must be full, conditional or one_step (got {spec.kind!r}).")
    if spec.baseline not in ("model", "observed"):
        raise ScenarioError(f"ge.baseline must be 'model' or 'observed' (got {spec.baseline!r}).")
    if not spec.sigma > 1:
        raise ScenarioError(f"ge.sigma must be > 1 (got {spec.sigma}).")
    if spec.shock not in ("rta", "tariff", "both"):
        raise ScenarioError(f"ge.shock must be rta, tariff or both (got {spec.shock!r}).")
    if spec.shock != "rta" and spec.tariff_elasticity is None:
        raise ScenarioError(
            f"ge.shock = {spec.shock!r} needs ge.tariff_elasticity (coefficient on ln(1 + tariff)).",
            hint="AGTPA ch. 1 exercise 2 estimates it with PPML; trade theory gives -sigma.",
        )
    if spec.parameters is not None:
        from kaigai.policy.gravity_modern import load_params

        shipped = load_params(spec.parameters)
        if spec.variable not in shipped.get("coefficients", {}):
            raise ScenarioError(
                f"ge.parameters {spec.parameters!r} has no coefficient for {spec.variable!r}."
            )
        if spec.estimate:
            raise ScenarioError("ge.parameters and ge.estimate exclude each other.")
    elif spec.estimate is None and spec.variable not in spec.coefficients:
        raise ScenarioError(
            f"ge.coefficients has no value for the agreement variable {spec.variable!r}.",
            hint=f"Add ge.coefficients.{spec.variable} (e.g. the PPML estimate).",
        )
    return spec


def _firms(d: dict[str, Any]) -> FirmsSpec:
    _unknown(
        d,
        {
            "markets",
            "n_firms",
            "seed",
            "target_exporter_share",
            "fta_utilisation_target",
            "fta_utilisation_measure",
            "params",
            "policy",
        },
        "firms",
    )
    observed = d.get("fta_utilisation_target") == "observed"
    if observed:
        d = {k: v for k, v in d.items() if k != "fta_utilisation_target"}
    measure = str(d.get("fta_utilisation_measure", "firms"))
    if measure not in ("firms", "value"):
        raise ScenarioError(
            f"firms.fta_utilisation_measure must be firms or value (got {measure!r})."
        )
    raw_markets = d.get("markets") or []
    if not raw_markets:
        raise ScenarioError("firms: at least one [[firms.markets]] table is needed.")
    markets = []
    for k, m in enumerate(raw_markets):
        where = f"firms.markets[{k}]"
        _unknown(m, {"name", "countries", *Market.__dataclass_fields__}, where)
        fields = {key: v for key, v in m.items() if key != "countries"}
        try:
            market = Market(**fields)
        except TypeError as exc:
            raise ScenarioError(f"{where}: {exc}") from None
        try:
            market.validate()
        except ScenarioError as exc:
            raise ScenarioError(f"{where}: {exc.message}", hint=exc.hint) from None
        markets.append((market, _countries(m.get("countries", [m.get("name")]), where)))
    params = FirmParams().with_(**d.get("params", {}))
    params.validate()
    policy = dict(d.get("policy", {}))
    _unknown(policy, set(FIRM_POLICY_KEYS), "firms.policy")
    for key in ("export_cost_factor", "fta_cost_factor", "fdi_cost_factor"):
        if key in policy:
            _num(policy, key, "firms.policy", None, 0.0, 100.0)
    for key in ("staff_share", "immigration_share"):
        if key in policy:
            _num(policy, key, "firms.policy", None, 0.0, 1.0)
    return FirmsSpec(
        markets=tuple(markets),
        n_firms=int(_num(d, "n_firms", "firms", 1_000_000, 1000, 50_000_000)),
        seed=int(_num(d, "seed", "firms", 0, 0, None)),
        target_exporter_share=float(_num(d, "target_exporter_share", "firms", 0.10, 0.0, 1.0)),
        fta_utilisation_target=_num(d, "fta_utilisation_target", "firms", None, 0.0, 1.0),
        params=params,
        policy=policy,
        fta_utilisation_measure=measure,
        fta_utilisation_observed=observed,
        fta_utilisation_label=""
        if observed or d.get("fta_utilisation_target") is None
        else "given in the scenario file",
    )


def _read_agreement_file(path: Path) -> list[dict[str, Any]]:
    """``[[agreement]]`` tables (or an ``agreements:`` list) of a tariff scenario file."""
    if not path.is_file():
        raise ScenarioError(f"agreement_files: {path} does not exist.")
    doc = _parse(path)
    items = [*doc.get("agreement", []), *doc.get("agreements", [])]
    if not items:
        raise ScenarioError(f"{path.name}: no [[agreement]] tables.")
    return [dict(a) for a in items]


def scenario_from_dict(d: dict[str, Any], source: str = "") -> Scenario:
    """Validate a parsed scenario document. Raises ScenarioError naming the bad key."""
    if not isinstance(d, dict):
        raise ScenarioError(f"{source or 'scenario'}: the document must be a table/mapping.")
    _unknown(
        d,
        {
            "id",
            "title",
            "title_ja",
            "description",
            "year",
            "home",
            "agreements",
            "agreement",
            "agreement_files",
            "ge",
            "firms",
        },
        "scenario",
    )
    for key in ("id", "title", "year"):
        if key not in d:
            raise ScenarioError(
                f"scenario: missing top-level key {key!r}.", hint="See docs/policy_lab.md."
            )
    year = int(_num(d, "year", "scenario", None, 1900, 2200))
    raw = [*d.get("agreements", []), *d.get("agreement", [])]
    base_dir = Path(source).parent if source else Path.cwd()
    for f in d.get("agreement_files", []):
        raw.extend(_read_agreement_file(base_dir / str(f)))
    agreements = tuple(_agreement(a, k, str(year)) for k, a in enumerate(raw))
    if "ge" not in d and "firms" not in d:
        raise ScenarioError("scenario: needs a [ge] or a [firms] section (or both).")
    home = _countries([d.get("home", "JPN")], "scenario.home")[0]
    return Scenario(
        id=str(d["id"]),
        title=str(d["title"]),
        year=year,
        home=home,
        agreements=agreements,
        ge=_ge(dict(d["ge"])) if "ge" in d else None,
        firms=_firms(dict(d["firms"])) if "firms" in d else None,
        description=str(d.get("description", "")),
        title_ja=str(d.get("title_ja", "")),
        source=source,
    )


def load_scenario(path_or_id: str | Path) -> Scenario:
    """Read a scenario file (.toml, .yaml, .yml) or a bundled scenario by id."""
    p = Path(path_or_id)
    if not p.is_file():
        bundled = {s.stem: s for s in BUNDLED_DIR.glob("*.toml")}
        if str(path_or_id) in bundled:
            p = bundled[str(path_or_id)]
        else:
            raise ScenarioError(
                f"Scenario {str(path_or_id)!r} is neither a file nor a bundled scenario.",
                hint=f"Bundled: {', '.join(sorted(bundled))}.",
            )
    doc = _parse(p)
    return scenario_from_dict(doc, source=str(p))


def _parse(p: Path) -> dict[str, Any]:
    text = p.read_text(encoding="utf-8")
    try:
        if p.suffix.lower() == ".toml":
            doc: Any = tomllib.loads(text)
        elif p.suffix.lower() in (".yaml", ".yml"):
            import yaml

            doc = yaml.safe_load(text)
        else:
            raise ScenarioError(f"{p.name}: scenario files must be .toml, .yaml or .yml.")
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise ScenarioError(f"{p.name}: not valid {p.suffix[1:].upper()}: {exc}") from None
    except Exception as exc:  # yaml.YAMLError
        if type(exc).__module__.startswith("yaml"):
            raise ScenarioError(f"{p.name}: not valid YAML: {exc}") from None
        raise
    if not isinstance(doc, dict):
        raise ScenarioError(f"{p.name}: the document must be a table/mapping.")
    return doc


def bundled_scenarios() -> list[str]:
    """Ids of the example scenarios shipped with kaigai."""
    return sorted(s.stem for s in BUNDLED_DIR.glob("*.toml"))


__all__ = [
    "Agreement",
    "FirmsSpec",
    "GESpec",
    "Scenario",
    "bundled_scenarios",
    "load_scenario",
    "scenario_from_dict",
]
