from __future__ import annotations

import pytest

from kaigai.core.config import Settings
from kaigai.data.nomenclature import load_nomenclature
from kaigai.hs.nomenclature import Nomenclature


@pytest.fixture(scope="module")
def nom() -> Nomenclature:
    """The starter-pack nomenclature (HS2022 full + HS2017 six-digit list)."""
    return load_nomenclature(Settings(use_starter=True, data_dir="/nonexistent-kaigai"))
