"""Redshift's SQL objects (functions, system views, catalog tables) installed in every engine."""
