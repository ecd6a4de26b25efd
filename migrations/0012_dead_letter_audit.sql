-- Who resolved a dead letter and why. A skip passes over an event for good, so it goes
-- into the audit trail (projector/src/dead_letters.rs, `audit_skips`); it is kept here as
-- well because a rebuild empties `audit_log` and writes the skips back from this table.
ALTER TABLE projector_dead_letters
    ADD COLUMN resolved_by_id            text,
    ADD COLUMN resolved_by_roles         text,
    ADD COLUMN resolution_reason         text,
    ADD COLUMN resolution_correlation_id text;
