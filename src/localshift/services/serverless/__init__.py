"""Redshift Serverless: namespaces, workgroups, snapshots, resource policies and restores."""
