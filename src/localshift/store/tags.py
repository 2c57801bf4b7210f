"""Tags on clusters and snapshots, keyed by resource ARN."""

from __future__ import annotations

from localshift.store.database import Database


class ArnTagTable:
    """Reading and removing the tags of resources named by ARN, in one table."""

    def __init__(self, db: Database, table: str) -> None:
        self.db = db
        self.table = table

    def get_many(self, arns: list[str]) -> dict[str, list[tuple[str, str]]]:
        """Tags of several resources in one query (for a page of results)."""
        found: dict[str, list[tuple[str, str]]] = {arn: [] for arn in arns}
        if arns:
            rows = self.db.query(
                f"SELECT resource_arn, key, value FROM {self.table}"
                f" WHERE resource_arn IN ({','.join('?' * len(arns))}) ORDER BY rowid",
                arns,
            )
            for row in rows:
                found[row[0]].append((row[1], row[2]))
        return found

    def get(self, arn: str) -> list[tuple[str, str]]:
        return self.get_many([arn])[arn]

    def remove(self, arn: str, keys: list[str]) -> None:
        with self.db.transaction() as conn:
            conn.executemany(
                f"DELETE FROM {self.table} WHERE resource_arn = ? AND key = ?", [(arn, key) for key in keys]
            )

    def remove_all(self, arn: str) -> None:
        with self.db.transaction() as conn:
            conn.execute(f"DELETE FROM {self.table} WHERE resource_arn = ?", (arn,))


class TagRepository(ArnTagTable):
    """Tags of provisioned clusters and snapshots, searchable by owner and resource type."""

    def __init__(self, db: Database) -> None:
        super().__init__(db, "tags")

    def put(self, arn: str, account: str, region: str, resource_type: str, tags: list[tuple[str, str]]) -> None:
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO tags (resource_arn, key, value, account, region, resource_type) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (resource_arn, key) DO UPDATE SET value = excluded.value",
                [(arn, key, value, account, region, resource_type) for key, value in tags],
            )

    def rename(self, old_arn: str, new_arn: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE tags SET resource_arn = ? WHERE resource_arn = ?", (new_arn, old_arn))

    def search(
        self,
        account: str,
        region: str,
        resource_type: str | None,
        arn: str | None,
        keys: list[str],
        values: list[str],
        after_rowid: int,
        limit: int,
    ) -> list[tuple[int, str, str, str, str]]:
        """(rowid, arn, resource type, key, value) of matching tags, in rowid order."""
        sql = "SELECT rowid, resource_arn, resource_type, key, value FROM tags WHERE account = ? AND region = ? AND rowid > ?"
        args: list[object] = [account, region, after_rowid]
        if resource_type:
            sql += " AND resource_type = ?"
            args.append(resource_type)
        if arn:
            sql += " AND resource_arn = ?"
            args.append(arn)
        if keys or values:
            # A resource matches when one of its tags has a listed key and, given both lists, a listed value
            # too: AWS returns the resources "that match any combination of the specified keys and values".
            terms = []
            if keys:
                terms.append(f"key IN ({','.join('?' * len(keys))})")
                args.extend(keys)
            if values:
                terms.append(f"value IN ({','.join('?' * len(values))})")
                args.extend(values)
            sql += " AND resource_arn IN (SELECT resource_arn FROM tags WHERE " + " AND ".join(terms) + ")"
        sql += " ORDER BY rowid LIMIT ?"
        args.append(limit)
        return [tuple(row) for row in self.db.query(sql, args)]  # type: ignore[misc]
