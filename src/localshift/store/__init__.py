"""The embedded store: SQLite, versioned schema, one repository per resource."""
