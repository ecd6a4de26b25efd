-- Messages the projector could not apply (projector/src/dead_letters.rs). Not a read
-- model: a rebuild keeps it, and an event skipped here stays skipped in the rebuild.
CREATE TABLE projector_dead_letters
(
    id             bigserial PRIMARY KEY,
    -- The message's subject, and the stream and sequence it names (NULL when unreadable).
    subject        text        NOT NULL,
    aggregate_type text,
    aggregate_id   text,
    sequence       bigint,
    -- malformed: no stream and sequence could be read from it;
    -- not_in_store: the store holds no such event (forged, or from another store);
    -- failed: a stored event that a projection could not apply.
    reason         text        NOT NULL CHECK (reason IN ('malformed', 'not_in_store', 'failed')),
    error          text        NOT NULL,
    -- parked: holds its aggregate's later events back until retried or skipped;
    -- rejected: kept for inspection, held nothing back;
    -- retried / skipped: resolved by an admin (resolved_by, resolved_at).
    status         text        NOT NULL CHECK (status IN ('parked', 'rejected', 'retried', 'skipped')),
    attempts       integer     NOT NULL DEFAULT 1,
    first_seen_at  timestamptz NOT NULL DEFAULT now(),
    last_seen_at   timestamptz NOT NULL DEFAULT now(),
    resolved_at    timestamptz,
    resolved_by    text,
    CHECK ((reason = 'malformed') = (sequence IS NULL)),
    CHECK (status <> 'parked' OR reason = 'failed')
);

-- At most one parked event per aggregate: it is the one its later events wait behind.
CREATE UNIQUE INDEX projector_dead_letters_parked
    ON projector_dead_letters (aggregate_type, aggregate_id) WHERE status = 'parked';
CREATE INDEX projector_dead_letters_skipped
    ON projector_dead_letters (aggregate_type, aggregate_id, sequence) WHERE status = 'skipped';
CREATE INDEX projector_dead_letters_recent ON projector_dead_letters (id DESC);
