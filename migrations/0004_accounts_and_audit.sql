-- Accounts, login throttling and the audit trail.

-- Email uniqueness, ignoring case, in the same transaction as UserCreated (see 0002 for
-- why a trigger raises its own SQLSTATE). command-api also reads this table to find the
-- account of a login: it is write-side state, not a read model.
CREATE TABLE user_email_keys
(
    email   text PRIMARY KEY,
    user_id text NOT NULL
);

CREATE FUNCTION reserve_user_email() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    wanted text := lower(NEW.payload -> 'UserCreated' ->> 'email');
BEGIN
    INSERT INTO user_email_keys (email, user_id)
    VALUES (wanted, NEW.aggregate_id)
    ON CONFLICT (email) DO NOTHING;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'email % is already used by another account', wanted
            USING ERRCODE = 'GS002';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER events_user_email
    AFTER INSERT ON events
    FOR EACH ROW
    WHEN (NEW.aggregate_type = 'User' AND NEW.event_type = 'UserCreated')
    EXECUTE FUNCTION reserve_user_email();

-- Failed logins per key (`email:<address>` or `ip:<address>`) within a window. Kept in
-- Postgres, not in process memory, so that every command-api replica sees the same
-- counts. Rows whose window and lock are over are pruned by command-api.
CREATE TABLE login_throttle
(
    key          text PRIMARY KEY,
    failures     integer     NOT NULL,
    window_start timestamptz NOT NULL,
    locked_until timestamptz
);

-- Read model: accounts, without any secret.
CREATE TABLE users
(
    id                   uuid PRIMARY KEY,
    email                text        NOT NULL,
    display_name         text        NOT NULL,
    roles                text[]      NOT NULL,
    status               text        NOT NULL,
    must_change_password boolean     NOT NULL,
    version              bigint      NOT NULL,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    last_login_at        timestamptz
);

CREATE INDEX users_by_email ON users (email);

-- Read model: one row per event of every aggregate, with who, when, from where.
-- Secret fields of the payload are redacted by the projector.
CREATE TABLE audit_log
(
    aggregate_type text        NOT NULL,
    aggregate_id   text        NOT NULL,
    sequence       bigint      NOT NULL,
    event_type     text        NOT NULL,
    event_version  text        NOT NULL,
    occurred_at    timestamptz NOT NULL,
    actor_id       text        NOT NULL,
    actor_roles    text,
    source_ip      text,
    user_agent     text,
    correlation_id text        NOT NULL,
    payload        jsonb       NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);

CREATE INDEX audit_by_time ON audit_log (occurred_at DESC, aggregate_type, aggregate_id, sequence);
CREATE INDEX audit_by_actor ON audit_log (actor_id, occurred_at DESC);
CREATE INDEX audit_by_aggregate ON audit_log (aggregate_id, occurred_at DESC);
CREATE INDEX audit_by_type ON audit_log (event_type, occurred_at DESC);
