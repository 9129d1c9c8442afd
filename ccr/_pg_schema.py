"""The team store's tables in PostgreSQL: schema, migrations, and the roles that keep namespaces apart.

Everything lives in the schema ``headroom``. Every row carries its
``namespace``; row-level security lets a role see and write only the rows of
its own namespace, so one database serves several teams without one reading
another's originals, whatever a query asks for. A namespace is a role,
``headroom_ns_<namespace>`` (NOLOGIN), a member of ``headroom_namespaces``,
which holds the privileges on the tables. A server connects either as that
role's member and switches to it (``SET ROLE``, done for every pooled
connection), or as a login role named like it.

The schema version is recorded in ``headroom.schema_version``; migrations run
under an advisory lock, so servers starting together migrate once, and a
database of a newer version is refused before anything in it changes.
"""

from __future__ import annotations

from typing import Any

__all__ = ["GROUP_ROLE", "MIGRATIONS", "NAMESPACE_ROLE_PREFIX", "SCHEMA_VERSION", "namespace_role"]

SCHEMA_VERSION = 1
NAMESPACE_ROLE_PREFIX = "headroom_ns_"
GROUP_ROLE = "headroom_namespaces"
# pg_advisory_xact_lock keys (first int): migrations, role creation, and the per-namespace search indexer.
LOCK_MIGRATE = 0x4845_0001
LOCK_ROLES = 0x4845_0002
LOCK_INDEX = 0x4845_0003

_TABLES = ("originals", "tombstones", "totals", "events", "chunks", "outputs", "search_meta")

_V1 = f"""
CREATE OR REPLACE FUNCTION headroom.current_namespace() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN current_user LIKE '{NAMESPACE_ROLE_PREFIX.replace("_", chr(92) + "_")}%'
              THEN substr(current_user, {len(NAMESPACE_ROLE_PREFIX) + 1}) END $$;

CREATE TABLE headroom.originals (
    namespace text NOT NULL DEFAULT headroom.current_namespace(),
    hash text NOT NULL,
    size bigint NOT NULL,
    tokens bigint NOT NULL,
    lines bigint NOT NULL,
    content_type text NOT NULL,
    source text NOT NULL,
    created_at double precision NOT NULL,
    last_access double precision NOT NULL,
    searchable bigint NOT NULL DEFAULT 0,
    data bytea NOT NULL,
    PRIMARY KEY (namespace, hash)
);
CREATE INDEX originals_by_access ON headroom.originals (namespace, last_access);
CREATE INDEX originals_by_created ON headroom.originals (namespace, created_at);

CREATE TABLE headroom.tombstones (
    namespace text NOT NULL DEFAULT headroom.current_namespace(),
    hash text NOT NULL,
    reason text NOT NULL CHECK (reason IN ('expired', 'evicted')),
    at double precision NOT NULL,
    size bigint NOT NULL,
    created_at double precision NOT NULL,
    last_access double precision NOT NULL,
    PRIMARY KEY (namespace, hash)
);
CREATE INDEX tombstones_by_time ON headroom.tombstones (namespace, at);

-- One row per namespace, kept by a trigger: the size cap costs one row read per put. Writers that delete
-- originals lock it first, so two servers never evict for the same excess.
CREATE TABLE headroom.totals (
    namespace text PRIMARY KEY DEFAULT headroom.current_namespace(),
    entries bigint NOT NULL DEFAULT 0,
    bytes bigint NOT NULL DEFAULT 0
);
CREATE FUNCTION headroom.count_original() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO headroom.totals AS t (namespace, entries, bytes) VALUES (NEW.namespace, 1, NEW.size)
            ON CONFLICT (namespace) DO UPDATE SET entries = t.entries + 1, bytes = t.bytes + NEW.size;
        RETURN NEW;
    END IF;
    UPDATE headroom.totals SET entries = entries - 1, bytes = bytes - OLD.size WHERE namespace = OLD.namespace;
    RETURN OLD;
END $$;
CREATE TRIGGER originals_counted AFTER INSERT OR DELETE ON headroom.originals
    FOR EACH ROW EXECUTE FUNCTION headroom.count_original();

CREATE TABLE headroom.events (
    namespace text NOT NULL DEFAULT headroom.current_namespace(),
    id bigserial,
    at double precision NOT NULL,
    kind text NOT NULL,
    hash text,
    tokens_before bigint NOT NULL,
    tokens_after bigint NOT NULL,
    compressor text NOT NULL,
    client text NOT NULL,
    elapsed_ms double precision NOT NULL,
    session text,
    PRIMARY KEY (namespace, id)
);
CREATE INDEX events_by_time ON headroom.events (namespace, at);
CREATE INDEX events_by_session ON headroom.events (namespace, session, at);
CREATE INDEX events_by_hash ON headroom.events (namespace, hash, at);

-- Chunks of every original for search: their terms (the project's one term splitter) as a tsvector with
-- positions, so BM25 is computed from the same terms and frequencies SQLite's FTS5 index holds.
CREATE TABLE headroom.chunks (
    namespace text NOT NULL DEFAULT headroom.current_namespace(),
    id bigserial,
    hash text NOT NULL,
    start_line bigint NOT NULL,
    end_line bigint NOT NULL,
    start_byte bigint NOT NULL,
    end_byte bigint NOT NULL,
    length integer NOT NULL,
    terms tsvector NOT NULL,
    PRIMARY KEY (namespace, id),
    FOREIGN KEY (namespace, hash) REFERENCES headroom.originals ON DELETE CASCADE
);
CREATE INDEX chunks_by_hash ON headroom.chunks (namespace, hash, start_byte);
CREATE INDEX chunks_terms ON headroom.chunks USING gin (terms);

-- The texts headroom produced from each original (compressed outputs, tool results with their header), so an
-- input that is one of them passes through compress unchanged. They go with their original.
CREATE TABLE headroom.outputs (
    namespace text NOT NULL DEFAULT headroom.current_namespace(),
    hash text NOT NULL,
    size bigint NOT NULL,
    original text NOT NULL,
    created_at double precision NOT NULL,
    PRIMARY KEY (namespace, hash),
    FOREIGN KEY (namespace, original) REFERENCES headroom.originals ON DELETE CASCADE
);
CREATE INDEX outputs_by_original ON headroom.outputs (namespace, original);

CREATE TABLE headroom.search_meta (
    namespace text PRIMARY KEY DEFAULT headroom.current_namespace(),
    terms_version integer NOT NULL
);

-- Team totals by namespace, for the rolled-up stats: counts only, never a row of another namespace.
CREATE FUNCTION headroom.namespace_totals()
RETURNS TABLE (namespace text, entries bigint, bytes bigint, compressions bigint, retrievals bigint,
               tokens_before bigint, tokens_after bigint, tokens_retrieved bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT n.namespace,
           coalesce(t.entries, 0), coalesce(t.bytes, 0),
           coalesce(e.compressions, 0), coalesce(e.retrievals, 0),
           coalesce(e.tokens_before, 0), coalesce(e.tokens_after, 0), coalesce(e.tokens_retrieved, 0)
    FROM (SELECT namespace FROM headroom.totals UNION SELECT DISTINCT namespace FROM headroom.events) n
    LEFT JOIN headroom.totals t ON t.namespace = n.namespace
    LEFT JOIN (
        SELECT namespace,
               count(*) FILTER (WHERE kind = 'compress') AS compressions,
               count(*) FILTER (WHERE kind = 'retrieve') AS retrievals,
               sum(tokens_before) FILTER (WHERE kind <> 'retrieve')::bigint AS tokens_before,
               sum(tokens_after) FILTER (WHERE kind <> 'retrieve')::bigint AS tokens_after,
               sum(tokens_after) FILTER (WHERE kind = 'retrieve')::bigint AS tokens_retrieved
        FROM headroom.events GROUP BY namespace
    ) e ON e.namespace = n.namespace
    ORDER BY n.namespace
$$;
"""


def _security(tables: tuple[str, ...]) -> str:
    out: list[str] = []
    for table in tables:
        out.append(f"ALTER TABLE headroom.{table} ENABLE ROW LEVEL SECURITY;")
        out.append(
            f"CREATE POLICY own_namespace ON headroom.{table} USING (namespace = headroom.current_namespace()) "
            "WITH CHECK (namespace = headroom.current_namespace());"
        )
        out.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON headroom.{table} TO {GROUP_ROLE};")
    out.append(f"GRANT USAGE ON SCHEMA headroom TO {GROUP_ROLE};")
    out.append(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA headroom TO {GROUP_ROLE};")
    out.append(f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA headroom TO {GROUP_ROLE};")
    return "\n".join(out)


# MIGRATIONS[n] takes a database at schema version n to n + 1.
MIGRATIONS: tuple[str, ...] = (_V1 + _security(_TABLES),)


def namespace_role(namespace: str) -> str:
    """The role whose rows are the namespace's (the namespace is checked by `ccr._config.check_namespace`)."""
    return NAMESPACE_ROLE_PREFIX + namespace


def statements(script: str) -> list[str]:
    """The statements of a migration script, split at semicolons that end a line outside a $$ body."""
    out: list[str] = []
    pending: list[str] = []
    in_body = False
    for line in script.splitlines():
        if line.strip().startswith("--") and not in_body:
            continue
        pending.append(line)
        if line.count("$$") % 2 == 1:
            in_body = not in_body
        if not in_body and line.rstrip().endswith(";"):
            out.append("\n".join(pending).strip())
            pending = []
    if "".join(pending).strip():
        out.append("\n".join(pending).strip())
    return out


def migrate(conn: Any, where: str) -> None:
    """Bring the schema to `SCHEMA_VERSION` (in one transaction, under an advisory lock).

    Raises:
        StoreError: the database has a newer schema, or this role may not create it.
    """
    from ccr._exceptions import StoreError

    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_MIGRATE,))
        version = current_version(conn)
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the team store at {where} has schema version {version}, newer than this headroom-mcp "
                f"understands ({SCHEMA_VERSION}); upgrade headroom-mcp, or point HEADROOM_STORE_URL elsewhere"
            )
        if version == SCHEMA_VERSION:
            return
        if version == 0:
            conn.execute("CREATE SCHEMA IF NOT EXISTS headroom")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS headroom.schema_version "
                "(id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL)"
            )
            conn.execute("GRANT USAGE ON SCHEMA headroom TO PUBLIC")
            conn.execute("GRANT SELECT ON headroom.schema_version TO PUBLIC")
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (GROUP_ROLE,)).fetchone()
            if exists is None:
                conn.execute(f"CREATE ROLE {GROUP_ROLE} NOLOGIN")
        for n in range(version, SCHEMA_VERSION):
            for statement in statements(MIGRATIONS[n]):
                conn.execute(statement)
        conn.execute(
            "INSERT INTO headroom.schema_version (id, version) VALUES (1, %s) "
            "ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version",
            (SCHEMA_VERSION,),
        )


def current_version(conn: Any) -> int:
    """The recorded schema version (0: no schema yet)."""
    found = conn.execute("SELECT to_regclass('headroom.schema_version') IS NOT NULL").fetchone()
    if not found or not found[0]:
        return 0
    row = conn.execute("SELECT version FROM headroom.schema_version WHERE id = 1").fetchone()
    return int(row[0]) if row else 0
