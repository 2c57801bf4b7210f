"""The HTTP server: wires the wire protocols, authentication and services together."""
