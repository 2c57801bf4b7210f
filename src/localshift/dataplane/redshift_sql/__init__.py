"""Redshift SQL on a PostgreSQL engine: the translator the wire front calls for
each statement, the per-connection session hook, the query-history recorder,
and the installer of the engine-side catalog (docs/sql.md)."""

from .install import install_catalog, install_engine
from .translator import Translation, translate

__all__ = ["Translation", "install_catalog", "install_engine", "translate"]
