-- Account hardening: one email normalisation, and never a moment without an enabled admin.

-- command-api stores an email in its one normal form (`Email::normalize`: NFKC, then
-- Rust's lower-casing). SQL must not fold it again: `lower()` under the database
-- collation lower-cases some characters differently, so two spellings of one address
-- could reach one account under two keys.
CREATE OR REPLACE FUNCTION reserve_user_email() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    wanted text := NEW.payload -> 'UserCreated' ->> 'email';
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

-- Existing keys were folded by lower(): key them by the stored form again.
UPDATE user_email_keys k
   SET email = e.payload -> 'UserCreated' ->> 'email'
  FROM events e
 WHERE e.aggregate_type = 'User'
   AND e.event_type = 'UserCreated'
   AND e.aggregate_id = k.user_id
   AND k.email <> e.payload -> 'UserCreated' ->> 'email';

-- Whether each account is an admin and enabled, kept in the transaction of its events
-- (write-side state, like the unique keys), so that the rule below is checked against
-- every committed change.
CREATE TABLE account_access
(
    user_id text PRIMARY KEY,
    admin   boolean NOT NULL,
    enabled boolean NOT NULL
);

INSERT INTO account_access (user_id, admin, enabled)
SELECT c.aggregate_id,
       coalesce((SELECT (r.payload -> 'UserRolesChanged' -> 'roles')::jsonb ? 'admin'
                   FROM events r
                  WHERE r.aggregate_type = 'User'
                    AND r.aggregate_id = c.aggregate_id
                    AND r.event_type = 'UserRolesChanged'
                  ORDER BY r.sequence DESC
                  LIMIT 1),
                (c.payload -> 'UserCreated' -> 'roles')::jsonb ? 'admin'),
       coalesce((SELECT s.event_type = 'UserEnabled'
                   FROM events s
                  WHERE s.aggregate_type = 'User'
                    AND s.aggregate_id = c.aggregate_id
                    AND s.event_type IN ('UserDisabled', 'UserEnabled')
                  ORDER BY s.sequence DESC
                  LIMIT 1),
                true)
  FROM events c
 WHERE c.aggregate_type = 'User'
   AND c.event_type = 'UserCreated';

-- At least one enabled admin, always. Two admins disabling each other at once each see
-- the other still enabled in their own snapshot; the advisory lock makes the second wait
-- for the first to commit, and its check (a new statement, so a new snapshot under READ
-- COMMITTED) then sees the first change and refuses.
CREATE FUNCTION track_account_access() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    body       json := NEW.payload -> NEW.event_type;
    was_admin  boolean;
    now_admin  boolean;
BEGIN
    IF NEW.event_type = 'UserCreated' THEN
        INSERT INTO account_access (user_id, admin, enabled)
        VALUES (NEW.aggregate_id, (body -> 'roles')::jsonb ? 'admin', true);
        RETURN NULL;
    END IF;
    SELECT admin AND enabled INTO was_admin
      FROM account_access WHERE user_id = NEW.aggregate_id;
    IF NEW.event_type = 'UserRolesChanged' THEN
        UPDATE account_access SET admin = (body -> 'roles')::jsonb ? 'admin'
         WHERE user_id = NEW.aggregate_id
        RETURNING admin AND enabled INTO now_admin;
    ELSIF NEW.event_type = 'UserDisabled' THEN
        UPDATE account_access SET enabled = false
         WHERE user_id = NEW.aggregate_id
        RETURNING admin AND enabled INTO now_admin;
    ELSIF NEW.event_type = 'UserEnabled' THEN
        UPDATE account_access SET enabled = true
         WHERE user_id = NEW.aggregate_id
        RETURNING admin AND enabled INTO now_admin;
    ELSE
        RETURN NULL;
    END IF;
    IF was_admin AND NOT now_admin THEN
        PERFORM pg_advisory_xact_lock(hashtext('gescom.last_enabled_admin'));
        IF NOT EXISTS (SELECT 1 FROM account_access WHERE admin AND enabled) THEN
            RAISE EXCEPTION 'this would leave no enabled admin'
                USING ERRCODE = 'GS004';
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER events_account_access
    AFTER INSERT ON events
    FOR EACH ROW
    WHEN (NEW.aggregate_type = 'User')
    EXECUTE FUNCTION track_account_access();
