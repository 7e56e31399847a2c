"""Storage fixtures: the same tests run on SQLite and (marked ``postgres``) on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kaigai.storage.db import Database, open_database


def _pg_database(base_url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema per test (search_path), dropped afterwards."""
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kaigai.db'}"
        return
    base = os.environ.get("KAIGAI_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("KAIGAI_TEST_POSTGRES_URL not set (CI starts PostgreSQL; see .ci/run)")
    yield from _pg_database(base)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    d = open_database(db_url)
    yield d
    d.dispose()


@pytest.fixture(autouse=True)
def _fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Still argon2id, with test-sized cost; test_accounts checks the production prefix.
    from argon2 import PasswordHasher

    from kaigai.storage import secrets

    monkeypatch.setattr(
        secrets, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
