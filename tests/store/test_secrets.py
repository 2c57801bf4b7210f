"""The secret store: managed passwords in a file only the service's user may read, beside the store."""

from __future__ import annotations

import os
import stat

from localshift.store.database import Database
from localshift.store.secrets import pending_key

SECRET = "arn:aws:secretsmanager:us-east-1:111111111111:secret:redshift!managed-admin-abc123"


def test_the_store_and_its_secrets_are_readable_by_the_service_user_only(tmp_path):
    db = Database(tmp_path / "localshift.sqlite3")
    try:
        db.secrets.put(SECRET, {"username": "boss", "password": "Secret1Pass"})
        assert stat.S_IMODE(os.stat(db.path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(db.secrets.path).st_mode) == 0o600
        db.secrets.put(pending_key(SECRET), {"username": "boss", "password": "Next1Pass"})
        db.secrets.promote(SECRET)
        assert db.secrets.get(SECRET) == {"username": "boss", "password": "Next1Pass"}
        assert db.secrets.get(pending_key(SECRET)) is None
        db.wipe()
        assert db.secrets.get(SECRET) is None and not db.secrets.path.exists()
    finally:
        db.close()
