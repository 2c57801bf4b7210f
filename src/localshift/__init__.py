"""localshift: a local, faithful Amazon Redshift snapshot service."""

__version__ = "0.1.0"
