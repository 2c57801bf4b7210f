"""Copying one table of a snapshot into a running engine (table-level restores).

The data plane restores the snapshot into a scratch engine that no port serves (dataplane.py);
this module reads the table's definition from the scratch engine's catalog, creates the new
table in the target engine and streams the rows across with COPY, all in one transaction of
the target, so a failure leaves nothing behind.  Both sides are reached as the internal role.

The new table gets the source's columns (types, NOT NULL, defaults, identity and generated
columns) and its primary key, unique and check constraints, under names of its own (the
source's constraint names may still be taken by the table it was restored beside).  Defaults
that draw from a sequence of the source (``serial``) are left out: the sequence is not
restored.  Identity columns keep their seed and step and continue after the largest value restored.
Redshift's table attributes come along too (DISTSTYLE, DISTKEY, SORTKEY, BACKUP, IDENTITY and
ENCODE, as the translator recorded them in localshift.table_attributes and column_attributes):
AWS documents that the new table has the source's column definitions, table attributes and
column attributes, except foreign keys; grants and dependent views stay behind.  A table with an
interleaved sort key is refused, and so is a no-backup one (BACKUP NO), as AWS documents (RA3 and
serverless snapshots hold such tables whole, but "selective restoration of no-backup tables isn't
supported"; DC2 snapshots leave them out).  The table is owned by the source table's
owner when the target has a role of that name that may create tables in the target schema (AWS:
"provided that the user has sufficient privileges to become the owner of a relation in the
specified database and schema"), else by the engine's master user.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from .api import Progress, TableRestoreRefused, TableToRestore
from .engine import Engine
from .roles import run_as_user

# Engine keys of scratch engines (a restart removes any a crash left behind).
SCRATCH_PREFIX = "table-restore-"


def scratch_key() -> str:
    return SCRATCH_PREFIX + secrets.token_hex(8)


@dataclass(frozen=True)
class Column:
    name: str
    type_name: str  # format_type's, schema-qualified
    definition: sql.Composable  # name, type and attributes, as CREATE TABLE takes them
    copied: bool  # generated columns are computed again, not copied
    identity_step: int | None  # an identity column's increment; None for other columns


@dataclass(frozen=True)
class TableDefinition:
    columns: list[Column]
    constraints: list[str]  # pg_get_constraintdef texts
    owner: str
    size_bytes: int
    # localshift.table_attributes' row (diststyle, distkey, sortkey, sortkey_type, backup,
    # identity_columns), and localshift.column_attributes' encodings by column name.
    layout: tuple | None
    encodings: list[tuple[str, str]]


def copy_table(source: Engine, target: Engine, table: TableToRestore, master_user: str | None,
               progress: Progress | None = None) -> int:
    """Create ``table.new_table`` in the target engine with the rows of the source table; its size in bytes."""
    _refuse_system_schema(table.source_schema)
    _refuse_system_schema(table.target_schema)
    _require_database(source, table.source_database, "the snapshot")
    _require_database(target, table.target_database, "the target")
    with source.connect(table.source_database) as src:
        # The internal role's sessions resolve names in pg_catalog alone (roles.connect_admin):
        # type names and expressions read here come out schema-qualified.
        definition = _definition(src, table)
        with target.connect(table.target_database) as dst, dst.transaction():
            new = sql.Identifier(table.target_schema, table.new_table)
            _require_schema(dst, table)
            owner = definition.owner if _may_own(dst, definition.owner, table.target_schema) else master_user
            if not owner:
                raise TableRestoreRefused("The target has no master user to own the restored table.")
            _create(dst, new, table, definition)
            _store_layout(dst, new, definition)  # the catalog's tables are written by the internal role
            dst.execute(sql.SQL("ALTER TABLE {} OWNER TO {}").format(new, sql.Identifier(owner)))
            _stage_rows(src, dst, sql.Identifier(table.source_schema, table.source_table), definition, progress)
            dst.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(_STAGED, sql.Identifier(owner)))
            # The constraints are added and the rows go in as the table's owner: a CHECK, a domain
            # or a generated column may call a user's function, which must not run as the internal role
            # (roles.run_as_user says why not after SET ROLE).  The keys before the rows: a key's index
            # is built over an empty table, then informational (the rows may hold duplicate keys, as
            # Redshift's may: catalog/41_constraints.sql).
            run_as_user(dst, owner, sql.SQL("; ").join(
                [sql.SQL("ALTER TABLE {} ADD {}").format(new, sql.SQL(c)) for c in definition.constraints]
                + [_insert_staged(new, definition)]))
            dst.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(owner)))
            for column in definition.columns:
                if column.identity_step is not None:
                    _continue_identity(dst, new, column.name, column.identity_step)
    if progress:
        progress(definition.size_bytes, definition.size_bytes)
    return definition.size_bytes


def _refuse_system_schema(schema: str) -> None:
    """The system's schemas and the catalog's (localshift, whose tables the internal role trusts)
    take no restored table, and theirs are not restored: a copy would be the internal role's."""
    if schema in ("pg_catalog", "information_schema", "localshift") or schema.startswith(("pg_toast", "pg_temp")):
        raise TableRestoreRefused(f"Schema {schema} is a system schema: tables are not restored from or into it.")


def _require_database(engine: Engine, name: str, where: str) -> None:
    with engine.connect() as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            raise TableRestoreRefused(f"Database {name} does not exist in {where}.")


def _require_schema(conn: psycopg.Connection, table: TableToRestore) -> None:
    if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (table.target_schema,)).fetchone():
        raise TableRestoreRefused(
            f"Schema {table.target_schema} does not exist in database {table.target_database}.")


def _may_own(conn: psycopg.Connection, role: str, schema: str) -> bool:
    """Whether ``role`` exists and may create (so own) a table in ``schema``."""
    found = conn.execute(
        "SELECT has_schema_privilege(oid, %s, 'CREATE') AND has_schema_privilege(oid, %s, 'USAGE')"
        " FROM pg_roles WHERE rolname = %s", (schema, schema, role)).fetchone()
    return found is not None and found[0]


def _definition(conn: psycopg.Connection, table: TableToRestore) -> TableDefinition:
    found = conn.execute(
        "SELECT c.oid, c.relkind, pg_total_relation_size(c.oid), pg_get_userbyid(c.relowner)"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s",
        (table.source_schema, table.source_table),
    ).fetchone()
    name = f"{table.source_schema}.{table.source_table}"
    if found is None:
        raise TableRestoreRefused(
            f"Table {name} does not exist in database {table.source_database} of the snapshot.")
    oid, kind, size, owner = found
    if kind not in ("r", "p"):
        raise TableRestoreRefused(f"{name} is not a table: only tables can be restored.")
    layout = conn.execute(
        "SELECT diststyle, distkey, sortkey, sortkey_type, backup, identity_columns"
        " FROM localshift.table_attributes WHERE table_oid = %s", (oid,)).fetchone()
    if layout is not None and (layout[3] or "").lower() == "interleaved":
        raise TableRestoreRefused(f"{name} has an interleaved sort key: such tables can't be restored.")
    if layout is not None and layout[4] is False:
        raise TableRestoreRefused(f"{name} is a no-backup table (BACKUP NO): such tables can't be restored.")
    columns = [_column(*row) for row in conn.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid),"
        " a.attidentity, a.attgenerated, s.seqstart, s.seqincrement, s.seqmin, s.seqmax FROM pg_attribute a"
        " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
        " LEFT JOIN pg_sequence s ON a.attidentity <> ''"
        "  AND s.seqrelid = pg_get_serial_sequence(a.attrelid::regclass::text, a.attname)::regclass"
        " WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", (oid,)).fetchall()]
    constraints = [row[0] for row in conn.execute(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s AND contype IN ('p', 'u', 'c')"
        " ORDER BY contype DESC, conname", (oid,)).fetchall()]
    encodings = conn.execute(
        "SELECT a.attname, ca.encoding FROM localshift.column_attributes ca"
        " JOIN pg_attribute a ON a.attrelid = ca.table_oid AND a.attnum = ca.attnum AND NOT a.attisdropped"
        " WHERE ca.table_oid = %s", (oid,)).fetchall()
    return TableDefinition(columns, constraints, owner, size, layout, encodings)


def _column(name: str, type_name: str, not_null: bool, default: str | None, identity: str,
            generated: str, seed: int | None, step: int | None, low: int | None, high: int | None) -> Column:
    parts: list[sql.Composable] = [sql.Identifier(name), sql.SQL(type_name)]
    if generated:
        kind = "STORED" if generated == "s" else "VIRTUAL"
        parts.append(sql.SQL("GENERATED ALWAYS AS ({}) " + kind).format(sql.SQL(default or "NULL")))
    elif identity:
        # IDENTITY(seed, step): the source sequence's start, increment and bounds.
        parts.append(sql.SQL("GENERATED {} AS IDENTITY (START WITH {} INCREMENT BY {} MINVALUE {} MAXVALUE {})").format(
            sql.SQL("ALWAYS" if identity == "a" else "BY DEFAULT"), *map(sql.Literal, (seed, step, low, high))))
    elif default is not None and "nextval(" not in default:
        parts.append(sql.SQL("DEFAULT {}").format(sql.SQL(default)))
    if not_null:
        parts.append(sql.SQL("NOT NULL"))
    return Column(name, type_name, sql.SQL(" ").join(parts), copied=not generated,
                  identity_step=step if identity else None)


def _create(conn: psycopg.Connection, new: sql.Identifier, table: TableToRestore, definition: TableDefinition) -> None:
    statement = sql.SQL("CREATE TABLE {} ({})").format(new, sql.SQL(", ").join(c.definition for c in definition.columns))
    try:
        conn.execute(statement)
    except psycopg.errors.DuplicateTable:
        raise TableRestoreRefused(
            f"Table {table.target_schema}.{table.new_table} already exists in database {table.target_database}."
        ) from None
    except (psycopg.errors.InvalidSchemaName, psycopg.errors.UndefinedObject,
            psycopg.errors.UndefinedFunction) as error:
        # What the definition names (a default's function, say, restored into another database)
        # is not in the target; the target schema itself was checked.
        raise TableRestoreRefused(f"The table's definition can't be created in database {table.target_database}: "
                                  f"{error.diag.message_primary}") from None


# The rows as the source's engine wrote them, before they go into the table as its owner.
_STAGED = sql.Identifier("pg_temp", "localshift_restored_rows")


def _stage_rows(src: psycopg.Connection, dst: psycopg.Connection, old: sql.Identifier,
                definition: TableDefinition, progress: Progress | None) -> None:
    """Copy the source's rows into a temporary table of text columns (which runs nothing of a user's:
    no type's check, no constraint) of the internal role's session ``dst``, dropped at commit."""
    copied = [c for c in definition.columns if c.copied]
    names = sql.SQL(", ").join(sql.Identifier(c.name) for c in copied)
    dst.execute(sql.SQL("CREATE TEMPORARY TABLE {} ({}) ON COMMIT DROP").format(
        _STAGED, sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c.name)) for c in copied)))
    # Text format: arrays of user-defined types carry type oids in the binary one, which differ between engines.
    out = sql.SQL("COPY (SELECT {} FROM {}) TO STDOUT").format(names, old)
    into = sql.SQL("COPY {} ({}) FROM STDIN").format(_STAGED, names)
    done = 0
    with src.cursor().copy(out) as reading, dst.cursor().copy(into) as writing:
        for block in reading:
            writing.write(block)
            done += len(block)
            if progress:
                progress(done, max(done, definition.size_bytes))


def _insert_staged(new: sql.Identifier, definition: TableDefinition) -> sql.Composable:
    """The staged rows into the new table, each text read as its column's type (as COPY reads it), the
    identity columns' values as they were."""
    copied = [c for c in definition.columns if c.copied]
    return sql.SQL("INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE SELECT {} FROM {}").format(
        new, sql.SQL(", ").join(sql.Identifier(c.name) for c in copied),
        sql.SQL(", ").join(sql.SQL("{}::{}").format(sql.Identifier(c.name), sql.SQL(c.type_name)) for c in copied),
        _STAGED)


def _continue_identity(conn: psycopg.Connection, table: sql.Identifier, column: str, step: int) -> None:
    """An identity column's next value follows the last one restored: the largest when it counts up,
    the smallest when it counts down (IDENTITY(100, -1))."""
    last = sql.SQL("max" if step > 0 else "min")
    conn.execute(
        sql.SQL("SELECT setval(pg_get_serial_sequence(%s, %s), {last}({c}), true) FROM {t}"
                " HAVING {last}({c}) IS NOT NULL")
        .format(last=last, c=sql.Identifier(column), t=table),
        (table.as_string(conn), column),
    )


def _store_layout(conn: psycopg.Connection, table: sql.Identifier, definition: TableDefinition) -> None:
    """Record the source's Redshift attributes for the new table, as the translator does for a CREATE TABLE."""
    if definition.layout is not None:
        *attributes, identity = definition.layout
        conn.execute(
            sql.SQL("INSERT INTO localshift.table_attributes (table_oid, diststyle, distkey, sortkey, sortkey_type,"
                    " backup, identity_columns) VALUES ({}::regclass, %s, %s, %s, %s, %s, %s)")
            .format(sql.Literal(table.as_string(conn))), [*attributes, None if identity is None else Jsonb(identity)])
    for name, encoding in definition.encodings:
        conn.execute(
            sql.SQL("INSERT INTO localshift.column_attributes SELECT attrelid, attnum, %s FROM pg_attribute"
                    " WHERE attrelid = {}::regclass AND attname = %s").format(sql.Literal(table.as_string(conn))),
            (encoding, name))
