"""Persistent storage for the service: accounts, organisations, workspaces and their records.

SQLAlchemy 2 models (:mod:`kaigai.storage.models`), an engine factory
(:mod:`kaigai.storage.db`, SQLite in ``settings.data_dir`` by default, PostgreSQL via
``KAIGAI_DATABASE_URL``), Alembic migrations shipped in the package
(:mod:`kaigai.storage.migrate`) and repository functions that hold every query
(:mod:`kaigai.storage.accounts`, :mod:`kaigai.storage.records`).
"""

from __future__ import annotations

from kaigai.storage.db import Database, database_url, open_database

__all__ = ["Database", "database_url", "open_database"]
