"""An SQLAlchemy engine on a cluster's database through sqlalchemy-redshift's
`redshift+redshift_connector` dialect, as the SQLAlchemy and Alembic tests open it."""

from __future__ import annotations

import sqlalchemy as sa

from sql_cluster import MASTER_USER, PASSWORD, SqlCluster


def redshift_url(sql_cluster: SqlCluster, database: str) -> sa.URL:
    return sa.URL.create("redshift+redshift_connector", username=MASTER_USER, password=PASSWORD,
                         host=sql_cluster.host, port=sql_cluster.port, database=database)


def redshift_engine(sql_cluster: SqlCluster, database: str) -> sa.Engine:
    # ssl=False: the SQL tests' cluster lets plain-text clients in (tests/sql_cluster.py).
    return sa.create_engine(redshift_url(sql_cluster, database), connect_args={"ssl": False})
