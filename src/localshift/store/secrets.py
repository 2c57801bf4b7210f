"""Secret values the service must read back later: managed master passwords.

When Redshift manages an admin password (ManageMasterPassword,
manageAdminPassword) the password lives in a Secrets Manager secret that the
Data API reads by its ARN.  localshift keeps those values in one JSON file
beside the SQLite store, readable by the service's user only (0600), and never
in SQLite: the store holds only the engines' md5 verifiers.

A value that is not in force yet (a new password the engine has not accepted)
is kept under ``pending_key(arn)`` until the change is applied or abandoned.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Collection


def pending_key(arn: str) -> str:
    return f"pending:{arn}"


def arn_account(arn: str) -> str:
    """The account an ARN names (arn:partition:service:region:account:resource), or ''."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


class SecretStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def get(self, arn: str) -> dict[str, str] | None:
        with self._lock:
            return self._read().get(arn)

    def put(self, arn: str, value: dict[str, str]) -> None:
        with self._lock:
            secrets = self._read()
            secrets[arn] = value
            self._write(secrets)

    def promote(self, arn: str) -> None:
        """The pending value of ``arn`` is now in force."""
        with self._lock:
            secrets = self._read()
            if pending_key(arn) in secrets:
                secrets[arn] = secrets.pop(pending_key(arn))
                self._write(secrets)

    def delete(self, *arns: str) -> None:
        with self._lock:
            secrets = self._read()
            if any(secrets.pop(arn, None) is not None for arn in arns):
                self._write(secrets)

    def wipe(self, accounts: Collection[str] | None = None) -> None:
        """Forget every secret, or those of ``accounts`` (named by their ARNs)."""
        with self._lock:
            if accounts is None:
                self.path.unlink(missing_ok=True)
                return
            secrets = self._read()
            kept = {key: value for key, value in secrets.items()
                    if arn_account(key.removeprefix(pending_key(""))) not in accounts}
            if len(kept) != len(secrets):
                self._write(kept)

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            return json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}

    def _write(self, secrets: dict[str, dict[str, str]]) -> None:
        # A new file (0600 from its creation), made durable, then renamed over the old one.
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.unlink(missing_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(secrets, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
