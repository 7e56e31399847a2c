from __future__ import annotations

import pandas as pd
import pytest

from kaigai.core.errors import HSCodeError
from kaigai.hs.concordance import CHANGED_NOTE, Concordance
from kaigai.hs.nomenclature import HS2022, Nomenclature


def test_table_counts(nom: Nomenclature) -> None:
    tab = Concordance.from_frames(nom).table()
    counts = tab.status.value_counts().to_dict()
    both = set(nom.codes(6, "HS2017")) & set(nom.codes(6, HS2022))
    assert counts["same_code"] == len(both) == 5238
    assert counts["changed"] == (5384 - 5238) + (5613 - 5238)


def test_map_same_and_changed(nom: Nomenclature) -> None:
    c = Concordance.from_frames(nom)
    same = c.map("848210")
    assert same.status == "same_code" and same.targets == ("848210",)
    gone = c.map("851712")
    assert gone.status == "changed" and gone.targets == () and gone.note == CHANGED_NOTE
    new = c.map("851713", from_edition=HS2022)
    assert new.status == "changed" and new.to_edition == "HS2017"
    with pytest.raises(HSCodeError):
        c.map("010199")


def test_official_table_is_used_when_given(nom: Nomenclature) -> None:
    official = pd.DataFrame({"hs2017": ["851712", "851712"], "hs2022": ["851713", "851714"]})
    c = Concordance.from_frames(nom, official)
    m = c.map("851712")
    assert m.status == "official" and m.targets == ("851713", "851714")
    assert c.map("851714", from_edition=HS2022).targets == ("851712",)
    with pytest.raises(HSCodeError, match="lacks columns"):
        Concordance.from_frames(nom, pd.DataFrame({"a": []}))
