"""Names a master user or first database can't take: Redshift's reserved words and the names
PostgreSQL or Redshift keep for themselves.  A request naming one is refused up front
(InvalidParameterValue) rather than accepted and failed in the engine.
"""

from __future__ import annotations

# Amazon Redshift's reserved words, as the Database Developer Guide lists them ("Reserved words").
REDSHIFT_RESERVED_WORDS = frozenset({
    "aes128", "aes256", "all", "allowoverwrite", "analyse", "analyze", "and", "any", "array", "as", "asc",
    "authorization", "az64", "backup", "between", "binary", "blanksasnull", "both", "bytedict", "bzip2",
    "case", "cast", "check", "collate", "column", "constraint", "create", "credentials", "cross",
    "current_date", "current_time", "current_timestamp", "current_user", "current_user_id", "default",
    "deferrable", "deflate", "defrag", "delta", "delta32k", "desc", "disable", "distinct", "do", "else",
    "emptyasnull", "enable", "encode", "encrypt", "encryption", "end", "except", "explicit", "false", "for",
    "foreign", "freeze", "from", "full", "globaldict256", "globaldict64k", "grant", "group", "gzip", "having",
    "identity", "ignore", "ilike", "in", "initially", "inner", "intersect", "interval", "into", "is",
    "isnull", "join", "leading", "left", "like", "limit", "localtime", "localtimestamp", "lun", "luns", "lzo",
    "lzop", "minus", "mostly16", "mostly32", "mostly8", "natural", "new", "not", "notnull", "null", "nulls",
    "off", "offline", "offset", "oid", "old", "on", "only", "open", "or", "order", "outer", "overlaps",
    "parallel", "partition", "percent", "permissions", "pivot", "placing", "primary", "raw", "readratio",
    "recover", "references", "rejectlog", "resort", "respect", "restore", "right", "select", "session_user",
    "similar", "snapshot", "some", "sysdate", "system", "table", "tag", "tdes", "text255", "text32k", "then",
    "timestamp", "to", "top", "trailing", "true", "truncatecolumns", "union", "unique", "unnest", "unpivot",
    "user", "using", "verbose", "wallet", "when", "where", "with", "without",
})

# User names the engines keep: Redshift's internal superuser (also localshift's internal role),
# and PostgreSQL's reserved role names; names beginning "pg_" are PostgreSQL's too.
RESERVED_USER_NAMES = frozenset({"rdsdb", "public", "none"})

# PostgreSQL's template databases, which every engine has, and Redshift's internal database.
RESERVED_DATABASE_NAMES = frozenset({"template0", "template1", "padb_harvest"})

RESERVED_PREFIX = "pg_"
# localshift's own roles (localshift_superuser, localshift_owners, localshift_syslog_unrestricted): a master
# user or temporary login of such a name would be that role, given LOGIN and a password (Redshift keeps
# no such prefix; CREATE USER refuses it too, redshift_sql/users.py).
LOCALSHIFT_PREFIX = "localshift_"


def reserved_user_name(name: str) -> bool:
    lowered = name.lower()
    return (lowered in REDSHIFT_RESERVED_WORDS or lowered in RESERVED_USER_NAMES
            or lowered.startswith((RESERVED_PREFIX, LOCALSHIFT_PREFIX)))


def reserved_database_name(name: str) -> bool:
    lowered = name.lower()
    return (
        lowered in REDSHIFT_RESERVED_WORDS or lowered in RESERVED_DATABASE_NAMES or lowered.startswith(RESERVED_PREFIX)
    )
