"""localshift for tests and scripts: a server started for them, clients, SQL connections.

- ``localshift.running()`` (running.py): a server for a ``with`` block or a decorated function.
- the pytest plugin (pytest_plugin.py, registered through the ``pytest11`` entry point):
  the ``localshift`` fixture, a clean service for each test.
- ``LocalshiftServer`` (process.py): a ``localshift serve`` process, or one already running.
- ``Localshift`` (handle.py): what a test holds: clients per account and region, SQL connections.

This package is a client of the server: it talks HTTP to it and imports none of its layers.
Nothing heavy is imported until used, so that merely installing the plugin costs a test
session nothing.  docs/testing.md shows each use.
"""
