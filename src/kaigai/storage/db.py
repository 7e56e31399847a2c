"""Engine and session factory. SQLite file in ``settings.data_dir`` unless a URL is configured."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kaigai.core.errors import StorageError

if TYPE_CHECKING:
    from kaigai.core.config import Settings


def database_url(settings: Settings) -> str:
    """``settings.database_url`` or ``sqlite:///<data_dir>/kaigai.db``."""
    if settings.database_url:
        return settings.database_url
    from kaigai.data.dirs import ensure_dir

    ensure_dir(settings.data_dir)
    return f"sqlite:///{(settings.data_dir / 'kaigai.db').as_posix()}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL + synchronous=FULL: a commit acknowledged to a client survives a crash.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


@dataclass
class Database:
    """An engine plus a session factory; ``session()`` commits on success, rolls back on error."""

    engine: Engine
    factory: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        s = self.factory()
        try:
            yield s
            s.commit()
        except SQLAlchemyError as exc:
            s.rollback()
            # Never pass SQL or driver text to users; the log keeps the detail.
            raise StorageError(
                "The database could not complete the request.",
                hint="Try again; if it persists, ask the administrator to check the server log.",
            ) from exc
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, migrate: bool = True) -> Database:
    """Create the engine for ``url`` and (by default) bring the schema to the latest revision."""
    kwargs: dict[str, Any] = {"future": True}
    is_sqlite = url.startswith("sqlite")
    if is_sqlite:
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=20)
    try:
        engine = create_engine(url, **kwargs)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StorageError(
            "Cannot open the database: the URL is not usable.",
            hint="Set KAIGAI_DATABASE_URL like postgresql+psycopg://user:pw@host:5432/db "
            "or leave it empty for SQLite.",
        ) from exc
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    db = Database(engine, sessionmaker(engine, expire_on_commit=False))
    if migrate:
        from kaigai.storage.migrate import upgrade

        upgrade(db)
    return db


__all__ = ["Database", "database_url", "open_database"]
