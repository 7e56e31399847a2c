"""HS 2017 <-> HS 2022 correspondence, without inventing mappings.

Without an official correlation table the only safe statement is: a six-digit code present in
both editions is carried over under the same code (``same_code``; its scope may still have been
narrowed or widened by the 2022 amendments), and a code present in only one edition "changed
between editions; no official concordance in the data" (``changed``). When an official table
(UNSD ``HS2022toHS2017ConversionAndCorrelationTables.xlsx``, registered as dataset
``hs_correlation_22_17``) is passed in, its pairs are used and marked ``official``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from kaigai.core.errors import HSCodeError
from kaigai.hs.nomenclature import HS2017, HS2022, Nomenclature

if TYPE_CHECKING:
    import pandas as pd

Status = Literal["same_code", "changed", "official"]
CHANGED_NOTE = "changed between editions; no official concordance in the data"
SAME_NOTE = "same code in both editions (scope may differ; no official concordance in the data)"


@dataclass(frozen=True)
class Correspondence:
    """Where ``code`` of ``from_edition`` goes in ``to_edition``."""

    code: str
    from_edition: str
    to_edition: str
    status: Status
    targets: tuple[str, ...]
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "from_edition": self.from_edition,
            "to_edition": self.to_edition,
            "status": self.status,
            "targets": list(self.targets),
            "note": self.note,
        }


@dataclass(frozen=True)
class Concordance:
    """Correspondence between the HS 2017 and HS 2022 six-digit lists."""

    nomenclature: Nomenclature
    official: tuple[tuple[str, str], ...] = ()  # (hs2017, hs2022) pairs

    @classmethod
    def from_frames(cls, nom: Nomenclature, official: pd.DataFrame | None = None) -> Concordance:
        """``official`` needs columns ``hs2017`` and ``hs2022`` (one row per pair)."""
        pairs: tuple[tuple[str, str], ...] = ()
        if official is not None:
            missing = {"hs2017", "hs2022"} - set(official.columns)
            if missing:
                raise HSCodeError(
                    f"Correlation table lacks columns {sorted(missing)}.",
                    hint="Expected columns hs2017 and hs2022.",
                )
            pairs = tuple(
                (str(a).zfill(6), str(b).zfill(6))
                for a, b in zip(official["hs2017"], official["hs2022"], strict=True)
            )
        return cls(nom, pairs)

    def map(self, text: str | int, from_edition: str = HS2017) -> Correspondence:
        """Map one six-digit code from ``from_edition`` to the other edition.

        Raises
        ------
        HSCodeError
            if the code is not a subheading of ``from_edition``.
        """
        code = self.nomenclature.parse(text)
        if from_edition not in (HS2017, HS2022):
            raise HSCodeError(f"Unknown HS edition '{from_edition}'.", hint="Use HS2017 or HS2022.")
        to = HS2022 if from_edition == HS2017 else HS2017
        if len(code) != 6 or not self.nomenclature.exists(code, from_edition):
            raise self.nomenclature.not_found(code, text, from_edition)
        if self.official:
            i, j = (0, 1) if from_edition == HS2017 else (1, 0)
            tg = tuple(sorted({p[j] for p in self.official if p[i] == code}))
            if tg:
                return Correspondence(
                    code, from_edition, to, "official", tg, "official correlation table"
                )
        if self.nomenclature.exists(code, to):
            return Correspondence(code, from_edition, to, "same_code", (code,), SAME_NOTE)
        return Correspondence(code, from_edition, to, "changed", (), CHANGED_NOTE)

    def table(self) -> pd.DataFrame:
        """All six-digit codes of both editions: columns ``hs2017``, ``hs2022``, ``status``.

        A code in one edition only has ``None`` on the other side and status ``changed``.
        """
        import pandas as pd

        n = self.nomenclature
        a, b = set(n.codes(6, HS2017)), set(n.codes(6, HS2022))
        rows: list[tuple[str | None, str | None, str]] = [
            (c, c, "same_code") for c in sorted(a & b)
        ]
        rows += [(c, None, "changed") for c in sorted(a - b)]
        rows += [(None, c, "changed") for c in sorted(b - a)]
        return pd.DataFrame(rows, columns=["hs2017", "hs2022", "status"])


__all__ = ["CHANGED_NOTE", "SAME_NOTE", "Concordance", "Correspondence", "Status"]
