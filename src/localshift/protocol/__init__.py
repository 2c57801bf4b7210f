"""Wire protocols: model-driven parsing and serialization, no business logic."""
