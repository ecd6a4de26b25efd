-- A stock level row is created by whichever is projected first, the product or its stock
-- (see projector/src/projections/stock.rs): until the product arrives, its copies are empty.
ALTER TABLE stock_levels
    ALTER COLUMN sku DROP NOT NULL,
    ALTER COLUMN name DROP NOT NULL,
    ALTER COLUMN category DROP NOT NULL,
    ALTER COLUMN unit DROP NOT NULL;

-- The sessions' own record of each account's latest login (projector/src/projections/
-- users.rs): `users.last_login_at` is copied from it, so a login projected before its
-- account is not lost.
CREATE TABLE user_logins
(
    user_id       uuid PRIMARY KEY,
    last_login_at timestamptz NOT NULL
);

INSERT INTO user_logins (user_id, last_login_at)
SELECT id, last_login_at FROM users WHERE last_login_at IS NOT NULL;
