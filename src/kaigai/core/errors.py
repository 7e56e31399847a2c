"""The one error family of kaigai.

Every error a user can provoke is a :class:`KaigaiError`. Shells translate it once
(the Typer wrapper prints ``message`` and ``hint`` and exits with ``exit_code``; the
FastAPI handler returns ``{"code", "message", "hint"}`` with ``http_status``).

Tree::

    KaigaiError
    ├── ConfigError
    │   └── PortInUseError
    ├── InputError (ValueError)
    │   ├── HSCodeError
    │   ├── CountryError
    │   ├── BOMError
    │   ├── ProfileError
    │   └── ScenarioError
    ├── DataError
    │   ├── DatasetMissingError
    │   ├── ImportFormatError
    │   ├── ChecksumError
    │   └── OfflineError
    ├── TariffError
    │   └── RateParseError
    ├── OriginRuleError
    │   └── RuleParseError
    ├── MarketError
    ├── EstimationError
    │   ├── NonConvergenceError
    │   └── OutOfMemoryError (MemoryError)
    ├── StorageError
    ├── NotFoundError
    ├── PayloadTooLargeError (InputError)
    └── AuthError
        ├── PermissionDeniedError
        └── RateLimitError
"""

from __future__ import annotations

from typing import Any


class KaigaiError(Exception):
    """Root of all kaigai errors: a user-facing message, a hint and structured fields."""

    code: str = "kaigai_error"
    exit_code: int = 1
    http_status: int = 400

    def __init__(self, message: str, *, hint: str | None = None, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.fields: dict[str, Any] = fields

    def to_dict(self) -> dict[str, Any]:
        """Stable machine-readable shape used by ``--json`` and the REST API."""
        out: dict[str, Any] = {"code": self.code, "message": self.message, "hint": self.hint}
        if self.fields:
            out["details"] = {k: _jsonable(v) for k, v in self.fields.items()}
        return out

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} (hint: {self.hint})"


def _jsonable(v: Any) -> Any:
    if isinstance(v, str | int | float | bool) or v is None:
        return v
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return str(v)


class ConfigError(KaigaiError):
    """The installation lacks something (a setting, a font, a library): not the caller's fault."""

    code = "config_error"
    exit_code = 78
    http_status = 503


class PortInUseError(ConfigError):
    """``kaigai serve`` cannot listen: the address is taken (exit 69, sysexits EX_UNAVAILABLE)."""

    code = "port_in_use"
    exit_code = 69


class InputError(KaigaiError, ValueError):
    """The user gave something kaigai cannot use."""

    code = "invalid_input"
    exit_code = 2
    http_status = 422


class HSCodeError(InputError):
    code = "invalid_hs_code"


class CountryError(InputError):
    code = "invalid_country"


class BOMError(InputError):
    code = "invalid_bom"


class ProfileError(InputError):
    code = "invalid_profile"


class ScenarioError(InputError):
    code = "invalid_scenario"


class DataError(KaigaiError):
    code = "data_error"
    exit_code = 3
    http_status = 404


class DatasetMissingError(DataError):
    code = "dataset_missing"


class ImportFormatError(DataError):
    code = "import_format"
    http_status = 422


class ChecksumError(DataError):
    code = "checksum_mismatch"


class OfflineError(DataError):
    code = "offline"
    http_status = 503


class TariffError(KaigaiError):
    code = "tariff_error"
    exit_code = 4
    http_status = 422


class RateParseError(TariffError):
    code = "rate_parse_error"


class OriginRuleError(KaigaiError):
    code = "origin_rule_error"
    exit_code = 5
    http_status = 422


class RuleParseError(OriginRuleError):
    code = "rule_parse_error"


class MarketError(KaigaiError):
    code = "market_error"
    exit_code = 6
    http_status = 422


class EstimationError(KaigaiError):
    code = "estimation_error"
    exit_code = 7
    http_status = 422


class NonConvergenceError(EstimationError):
    code = "non_convergence"


class OutOfMemoryError(EstimationError, MemoryError):
    """An estimation needed more memory than the system could give (also a ``MemoryError``)."""

    code = "out_of_memory"
    http_status = 503


class StorageError(KaigaiError):
    code = "storage_error"
    exit_code = 8
    http_status = 500


class CatalogBusyError(StorageError):
    """The data catalog is held by a writer (``kaigai data import``) longer than a read waits."""

    code = "catalog_busy"
    http_status = 503


class ConflictError(KaigaiError):
    """The request conflicts with the stored state (a stale version, the last owner ...)."""

    code = "conflict"
    exit_code = 10
    http_status = 409


class AuthError(KaigaiError):
    code = "unauthenticated"
    exit_code = 9
    http_status = 401


class PermissionDeniedError(AuthError):
    code = "forbidden"
    http_status = 403


class NotFoundError(KaigaiError):
    """A stored record (workspace, BOM, plan ...) does not exist or is not visible to the caller."""

    code = "not_found"
    exit_code = 3
    http_status = 404


class PayloadTooLargeError(InputError):
    code = "payload_too_large"
    http_status = 413


class RateLimitError(AuthError):
    code = "rate_limited"
    http_status = 429


__all__ = [
    "AuthError",
    "BOMError",
    "CatalogBusyError",
    "ChecksumError",
    "ConfigError",
    "ConflictError",
    "CountryError",
    "DataError",
    "DatasetMissingError",
    "EstimationError",
    "HSCodeError",
    "ImportFormatError",
    "InputError",
    "KaigaiError",
    "MarketError",
    "NonConvergenceError",
    "NotFoundError",
    "OfflineError",
    "OriginRuleError",
    "OutOfMemoryError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PortInUseError",
    "ProfileError",
    "RateLimitError",
    "RateParseError",
    "RuleParseError",
    "ScenarioError",
    "StorageError",
    "TariffError",
]
