"""A real `localshift serve` with one cluster, shared by the SQL tests (catalog, clients,
corpus): each test module works in a database of its own."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from support import OWNER, Server, create_available_cluster, make_server

MASTER_USER = "admin"
PASSWORD = "Passw0rd1"
PLAIN_TEXT_GROUP = "plain-text-sql"


@dataclass
class SqlCluster:
    """The server, and the endpoint of its cluster."""

    server: Server
    host: str
    port: int

    def connect(self, dbname: str = "dev", user: str = MASTER_USER, password: str = PASSWORD,
                autocommit: bool = True) -> psycopg.Connection:
        return psycopg.connect(host=self.host, port=self.port, user=user, password=password,
                               dbname=dbname, autocommit=autocommit, connect_timeout=30)

    def fresh_database(self, name: str) -> str:
        """An empty database named after ``name`` (a test module's file, or a name), owned by the
        master user."""
        database = re.sub(r"[^a-z0-9_]", "_", Path(name).stem.lower())
        with self.connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        return database


def start_sql_cluster(tmp: Path) -> SqlCluster:
    server = make_server(tmp, data_plane=True).start()
    try:
        # Its parameter group lets plain-text clients in (redshift_connector with ssl=False, sslmode=disable):
        # the default group requires SSL, as AWS's has since 2025.
        redshift = server.client(OWNER)
        redshift.create_cluster_parameter_group(ParameterGroupName=PLAIN_TEXT_GROUP, ParameterGroupFamily="redshift-2.0",
                                                Description="SQL tests: plain-text clients allowed")
        redshift.modify_cluster_parameter_group(ParameterGroupName=PLAIN_TEXT_GROUP, Parameters=[
            {"ParameterName": "require_ssl", "ParameterValue": "false"}])
        cluster = create_available_cluster(redshift, "sql", MasterUsername=MASTER_USER, MasterUserPassword=PASSWORD,
                                           DBName="dev", ClusterParameterGroupName=PLAIN_TEXT_GROUP)
    except BaseException:
        server.close()
        raise
    return SqlCluster(server, cluster["Endpoint"]["Address"], cluster["Endpoint"]["Port"])
