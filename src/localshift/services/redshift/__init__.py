"""Amazon Redshift (provisioned): clusters, snapshots, sharing, tags."""
