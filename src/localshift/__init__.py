"""localshift: a local, faithful Amazon Redshift snapshot service."""

from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # ``localshift.running`` (testing/running.py) is imported on first use: `import localshift`
    # stays as light as the server's start needs it to be.
    if name == "running":
        from localshift.testing.running import running

        return running
    raise AttributeError(f"module 'localshift' has no attribute {name!r}")
