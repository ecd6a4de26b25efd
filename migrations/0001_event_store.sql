-- The event store, exactly as postgres-es 0.5 expects it (db/init.sql of the crate).
-- It is the source of truth; everything below is added around it, never inside the crate.
CREATE TABLE events
(
    aggregate_type text                         NOT NULL,
    aggregate_id   text                         NOT NULL,
    sequence       bigint CHECK (sequence >= 0) NOT NULL,
    event_type     text                         NOT NULL,
    event_version  text                         NOT NULL,
    payload        json                         NOT NULL,
    metadata       json                         NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);

-- Added around the crate (it names its columns on insert, so a default is invisible to it):
-- a global position, in insert order, to replay the whole store (`projector rebuild`)
-- without depending on outbox rows, which are pruned once published.
ALTER TABLE events ADD COLUMN position bigint GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX events_position ON events (position);

-- Outbox: one row per appended event, written by a trigger in the event's own
-- transaction, so an event that committed always reaches NATS, even if the process dies
-- right after the commit. The relay picks rows by `published_at IS NULL`, never by a
-- "max id seen" checkpoint: bigserial ids become visible in commit order, not id order
-- (see command-api/src/relay.rs).
CREATE TABLE outbox
(
    id             bigserial PRIMARY KEY,
    aggregate_type text        NOT NULL,
    aggregate_id   text        NOT NULL,
    sequence       bigint      NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    published_at   timestamptz
);

CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

CREATE FUNCTION events_to_outbox() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    INSERT INTO outbox (aggregate_type, aggregate_id, sequence)
    VALUES (NEW.aggregate_type, NEW.aggregate_id, NEW.sequence);
    -- Delivered at commit, once per transaction (identical payloads are folded).
    PERFORM pg_notify('gescom_outbox', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER events_outbox
    AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_to_outbox();
