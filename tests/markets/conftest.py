"""Fixtures of the market-finder tests: starter-pack frames and one SparkSession per session."""

from __future__ import annotations

import pytest

from kaigai.core.config import get_settings
from kaigai.data.markets import load_frames
from kaigai.markets.potential import MarketFrames


@pytest.fixture(scope="session")
def starter_frames() -> MarketFrames:
    # settings built here (session scope) point at an empty data dir -> starter pack
    return load_frames(get_settings(use_starter=True, data_dir="/nonexistent-kaigai-data"))


@pytest.fixture(scope="session")
def spark_engine():
    pytest.importorskip("pyspark")
    from kaigai.data.backends import PySparkBackend, connect

    eng = connect("pyspark")
    assert isinstance(eng, PySparkBackend)
    yield eng
    eng.close()
