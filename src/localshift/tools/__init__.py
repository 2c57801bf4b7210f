"""Tools for the repository's maintainers, run with ``python -m localshift.tools.<name>``."""
