"""Redshift's autorefresh of materialized views (CREATE/ALTER MATERIALIZED VIEW ... AUTO REFRESH YES).

Redshift refreshes such a view by itself some time after one of its base tables changes, when the
cluster has room for it, and records each refresh in SVL_MV_REFRESH_STATUS.  Here a thread of the data
plane does it: every ``interval`` seconds it visits each engine that should be running (``engines``
gives them: a stopped, paused or deleted cluster's engine is not among them, nor one a job holds the
lock of), and in each database of it that has the Redshift catalog, as the internal role:

* a database where a user's statement is running is left for the next round (the cluster is busy);
* ``localshift.mvs_to_autorefresh`` names the stale views with AUTO REFRESH YES whose base tables have
  had no change for one interval, whose last autorefresh did not fail since their last change, and
  that no change of a base table made Unrefreshable (catalog/42_materialized_views.sql); each is
  refreshed in a transaction of its own with the catalog's refresh for it
  (``localshift.mv_refresh_statement``, ``localshift.refresh_mv``: CONCURRENTLY when the view has a
  key's unique index, so that queries keep reading its old rows, as the translator's REFRESH).
  The engine runs the view's query as the view's owner (PostgreSQL's REFRESH does), so the internal
  role lends it no rights; the catalog's event trigger records the refresh (SVL_MV_REFRESH_STATUS and
  SYS_MV_REFRESH_HISTORY, the internal role's user id, refresh type Auto) and the view is fresh again.
* A refresh is bounded by ``timeout`` seconds (the ``mv_autorefresh_timeout`` setting), not by the
  engine timeout that bounds the service's other statements (engine_timeouts.py): a view's query may
  rightly take longer than any catalog step, and its answer is awaited as long (plus the grace the
  engine takes to cancel it) before the engine counts as hung.
* A refresh that waits more than ``LOCK_WAIT`` for a lock (a user's transaction holds the view) is
  given up until the next round, as Redshift puts user workloads first; one that fails otherwise
  (an error of the view's query, a refresh cut at ``timeout``) is recorded as failed with Redshift's
  words and not tried again until a base table changes anew, the reason logged.  The view stays stale.
* Then the changes of base tables noted beyond what says which views are stale are forgotten
  (``localshift.compact_mv_base_changes``: one is noted per writing transaction).
* An engine that goes away meanwhile (stopped, restored, killed) ends its visit; the next round
  visits what should be running then.  Nothing a round meets stops the thread.

``close`` ends the thread, cancelling a refresh under way.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

import psycopg
from psycopg import sql

from .engine_timeouts import ANSWER_GRACE, BoundedConnection
from .errors import DataPlaneError
from .roles import INTERNAL_DATABASES

log = logging.getLogger("localshift")

Connect = Callable[[str], psycopg.Connection]  # dbname -> an autocommit connection as the internal role
DEFAULT_INTERVAL = 60.0
DEFAULT_TIMEOUT = 3600.0
# How long a refresh waits for a lock before it is left for the next round: readers of the view queue
# behind a refresh waiting for its lock, and the user's work comes first.
LOCK_WAIT = "1s"
# SVL_MV_REFRESH_STATUS's words for a refresh that failed on something other than a change of a base
# table's columns (which the engine's materialized views follow by themselves).
FAILED = "Refresh failed due to an internal error"
# The catalog's function, in the catalog's schema (the internal role's: a database an older localshift
# let its owner create from template0 may hold a user's schema of that name).
_HAS_AUTOREFRESH = ("SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                    " WHERE n.nspname = 'localshift' AND p.proname = 'mvs_to_autorefresh'"
                    " AND p.proowner = n.nspowner AND pg_get_userbyid(n.nspowner) = current_user")
_BUSY = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
         " AND backend_type = 'client backend' AND state = 'active' AND usename <> current_user")
_STALE = "SELECT v FROM localshift.mvs_to_autorefresh(make_interval(secs => %s)) AS v"
_NAME = ("SELECT n.nspname, c.relname, localshift.mv_refresh_statement(c.oid) FROM pg_class c"
         " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = %s")
_NOW = "SELECT clock_timestamp() AT TIME ZONE 'UTC'"
_FAILED = "SELECT localshift.note_mv_refresh_status(%s, 0, %s, %s)"
_COMPACT = "SELECT localshift.compact_mv_base_changes()"


class MvAutorefresh:
    def __init__(self, interval: float, engines: Callable[[], Iterable[tuple[str, Connect]]],
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        """``interval``: seconds between rounds, and how long base tables stay unchanged before their
        views are refreshed (0: never).  ``engines``: the engines to visit, by key, with how to connect.
        ``timeout``: seconds a refresh may take."""
        self.interval = interval
        self.timeout = timeout
        self._engines = engines
        self._stop = threading.Event()
        self._current: psycopg.Connection | None = None  # the connection refreshing now (close cancels it)
        self._thread: threading.Thread | None = None
        if interval > 0:
            self._thread = threading.Thread(target=self._run, name="localshift-mv-autorefresh", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        current = self._current
        if current is not None:
            try:
                current.cancel_safe()
            except psycopg.Error:  # gone meanwhile
                pass
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run_once()
            except Exception:  # a round gone wrong must not end the autorefresh of every cluster
                log.exception("materialized views' autorefresh round failed")

    def run_once(self) -> None:
        """One round: every engine ``engines`` gives, one after the other."""
        for key, connect in self._engines():
            if self._stop.is_set():
                return
            try:
                self.refresh_engine(connect)
            except (psycopg.OperationalError, DataPlaneError) as error:  # stopped, restored or killed meanwhile
                log.info("autorefresh of engine %s's materialized views left for later: %s", key, error)

    def refresh_engine(self, connect: Connect) -> None:
        with connect("postgres") as conn:
            databases = [name for (name,) in conn.execute(INTERNAL_DATABASES)]
        for database in databases:
            # template1: a connection to it holds up CREATE DATABASE, and no one's views live there.
            if database == "template1" or self._stop.is_set():
                continue
            try:
                self.refresh_database(connect, database)
            except psycopg.OperationalError:
                raise
            except psycopg.Error as error:  # this database's catalog is amiss: the others still go
                log.warning("autorefresh of the materialized views of database %s failed: %s", database, error)

    def refresh_database(self, connect: Connect, database: str) -> None:
        with connect(database) as conn:
            if not _number(conn, _HAS_AUTOREFRESH) or _number(conn, _BUSY):
                return
            conn.execute(f"SET lock_timeout = '{LOCK_WAIT}'")
            for (view,) in conn.execute(_STALE, (self.interval,)).fetchall():
                if self._stop.is_set():
                    return
                self._refresh(conn, view)
            try:
                conn.execute(_COMPACT)
            except psycopg.errors.LockNotAvailable:  # a refresh forgets changes too: the next round
                pass

    def _refresh(self, conn: psycopg.Connection, view: int) -> None:
        found = conn.execute(_NAME, (view,)).fetchone()
        if found is None:  # dropped meanwhile
            return
        *name, statement = found
        (started,) = conn.execute(_NOW).fetchone() or (None,)
        self._current = conn
        try:
            if self._stop.is_set():  # closed meanwhile (close() may not have seen this connection)
                return
            with _bounded(conn, self.timeout):
                conn.execute(statement)
        except (psycopg.errors.LockNotAvailable, psycopg.errors.TransactionRollback):
            return  # in use (a lock a session holds, a deadlock): the next round tries again
        except psycopg.errors.QueryCanceled as error:  # cut at the engine's statement timeout, or by close()
            if self._stop.is_set():
                raise
            self._failed(conn, view, name, started, error)
        except psycopg.OperationalError:
            raise  # the engine went away: nothing to record in it
        except psycopg.Error as error:  # the view's query failed
            self._failed(conn, view, name, started, error)
        finally:
            self._current = None

    @staticmethod
    def _failed(conn: psycopg.Connection, view: int, name: list[str], started: object,
                error: psycopg.Error) -> None:
        log.warning("autorefresh of materialized view %s.%s failed: %s", *name, error)
        conn.execute(_FAILED, (view, started, FAILED))


def _number(conn: psycopg.Connection, query: str) -> int:
    row = conn.execute(query).fetchone()
    return int(row[0]) if row else 0


@contextmanager
def _bounded(conn: psycopg.Connection, seconds: float) -> Iterator[None]:
    """The statements run within: cut by the engine after ``seconds`` (statement_timeout), their answers
    awaited that long and the engine's grace to cancel them (a BoundedConnection's bound is the engine
    timeout's otherwise); the connection's own bounds again after."""
    answer = conn.answer_seconds if isinstance(conn, BoundedConnection) else None
    conn.execute(sql.SQL("SET statement_timeout = {}").format(sql.Literal(f"{int(seconds * 1000)}ms")))
    if isinstance(conn, BoundedConnection) and answer is not None:
        conn.answer_seconds = seconds + ANSWER_GRACE
    try:
        yield
    finally:
        if isinstance(conn, BoundedConnection):
            conn.answer_seconds = answer
        if not conn.closed:
            conn.execute("RESET statement_timeout")  # the session's: the engine timeout
