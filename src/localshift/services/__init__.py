"""Business logic over typed records: no HTTP, no XML."""
