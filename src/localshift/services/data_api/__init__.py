"""The Redshift Data API: SQL on clusters and workgroups over HTTP, with real results (docs/data-api.md)."""
