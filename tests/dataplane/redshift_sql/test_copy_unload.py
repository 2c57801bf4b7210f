"""COPY and UNLOAD: parsed completely, then refused as Redshift refuses an
unreachable bucket (and never a server-side file)."""

from __future__ import annotations

import pytest

from .helpers import pg, refused

CREDS = "iam_role 'arn:aws:iam::123456789012:role/r'"


@pytest.mark.parametrize("options", [
    "format as csv ignoreheader 1 gzip region 'us-west-2'",
    "csv quote as '\"' delimiter ',' dateformat 'auto' timeformat as 'epochsecs' emptyasnull blanksasnull",
    "json 'auto ignorecase' maxerror as 10 compupdate off statupdate on",
    "format parquet serializetojson",
    "delimiter '|' null as '\\\\N' escape acceptinvchars '?' truncatecolumns trimblanks manifest",
    "fixedwidth 'a:5,b:10' bzip2 explicit_ids fillrecord ignoreblanklines",
    "avro 's3://b/paths.json' zstd noload comprows 1000 roundec",
])
def test_well_formed_copy_from_s3_fails_on_the_bucket(options):
    text = pg(f"copy s.t (a, b) from 's3://mybucket/data/part' {CREDS} {options}")
    assert text.startswith("DO $localshift$")
    assert "has_table_privilege(E's.t', 'INSERT')" in text
    assert "S3ServiceException:The specified bucket does not exist,Status 404,Error NoSuchBucket" in text
    assert "context:   Listing bucket=mybucket prefix=data/part" in text


def test_credentials_forms():
    for creds in ("credentials 'aws_access_key_id=A;aws_secret_access_key=B'",
                  "access_key_id 'A' secret_access_key 'B' session_token 'C'", "iam_role default"):
        assert "NoSuchBucket" in pg(f"copy t from 's3://b/k' {creds}")


def test_unload_plans_its_query_then_fails_on_the_bucket():
    text = pg(f"unload ('select * from t where d > ''2024-01-01''') to 's3://b/out_' {CREDS} "
              "parallel off header maxfilesize 100 mb format as parquet partition by (d) include allowoverwrite")
    assert "EXECUTE E'EXPLAIN select * from t where d > ''2024-01-01'''" in text
    assert "NoSuchBucket" in text


def test_stdin_and_stdout_stay_postgresql():
    for sql in ("copy t from stdin", "copy t (a) from stdin with (format csv)", "copy (select 1) to stdout"):
        assert pg(sql) == sql


@pytest.mark.parametrize("sql, expected", [
    ("copy t from '/etc/passwd' iam_role default",
     ("0A000", "LOAD source is not supported. (Hint: only S3 or DynamoDB or EMR based load is allowed)")),
    ("copy t to '/tmp/out'", ("42601", 'syntax error at or near "\'/tmp/out\'"')),
    ("copy t from 's3://b/k'", ("XX000", None)),
    ("copy t from 's3://b/k' iam_role default csv csv", ("42601", 'syntax error at or near "csv"')),
    ("copy t from 's3://b/k' iam_role default ignoreheader 'x'", ("42601", None)),
    ("copy t from 's3://b/k' iam_role default format as xml", ("42601", 'syntax error at or near "xml"')),
    ("copy t from 'dynamodb://tbl' iam_role default readratio 50", ("0A000", None)),
    ("unload ('select 1') to '/tmp/x' iam_role default", ("0A000", None)),
    ("unload ('select 1') to 's3://b/p' iam_role default sideways", ("42601", None)),
])
def test_refused(sql, expected):
    state, message = refused(sql)
    assert state == expected[0]
    if expected[1]:
        assert message == expected[1]
