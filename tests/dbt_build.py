"""What the dbt tests share: a copy of a dbt project whose profile points dbt-redshift at the SQL
tests' cluster, the dbt commands run on it with their outcomes, and queries of its database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from dbt.cli.main import dbtRunner, dbtRunnerResult

from sql_cluster import MASTER_USER, PASSWORD, SqlCluster


class Build:
    """A dbt project copied into a temporary directory, built in a database of its own."""

    def __init__(self, sql_cluster: SqlCluster, database: str, project_dir: Path) -> None:
        self.sql_cluster, self.database, self.project_dir = sql_cluster, database, project_dir
        self.commands: list[tuple[str, bool, str]] = []
        self.results: dict[str, dbtRunnerResult] = {}  # the last result of each command

    def dbt(self, *args: str) -> dbtRunnerResult:
        result = dbtRunner().invoke([*args, "--project-dir", str(self.project_dir),
                                     "--profiles-dir", str(self.project_dir)])
        self.commands.append((" ".join(args), result.success, repr(result.exception)))
        self.results[args[0]] = result
        return result

    def rows(self, query: str, search_path: str = "public") -> list[tuple]:
        with self.sql_cluster.connect(self.database) as conn:
            conn.execute(f"SET search_path TO {search_path}")
            return conn.execute(query).fetchall()

    def run(self, *statements: str) -> None:
        with self.sql_cluster.connect(self.database) as conn:
            for statement in statements:
                conn.execute(statement)


def project_build(sql_cluster: SqlCluster, tmp_path_factory: pytest.TempPathFactory, project: Path,
                  database_name: str) -> Build:
    """``project`` copied, with a profile for dbt-redshift (schema ``analytics``) in a fresh database."""
    database = sql_cluster.fresh_database(database_name)
    project_dir = tmp_path_factory.mktemp("dbt") / "project"
    shutil.copytree(project, project_dir)
    profile = {"type": "redshift", "host": sql_cluster.host, "port": sql_cluster.port, "user": MASTER_USER,
               "password": PASSWORD, "dbname": database, "schema": "analytics", "threads": 2,
               "sslmode": "disable"}
    (project_dir / "profiles.yml").write_text(
        yaml.safe_dump({"localshift": {"target": "dev", "outputs": {"dev": profile}}}))
    return Build(sql_cluster, database, project_dir)
