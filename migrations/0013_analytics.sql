-- The analysts' schema: stable views over the read models, and a read-only role that can
-- read them and nothing else. docs/analytics.md documents every column; a test keeps the
-- two equal and proves what the role cannot do (read-api/tests/it/analytics.rs).
--
-- Stable means: a column keeps its name, type and meaning. New columns may be added; a
-- change that breaks a query gets a new view name instead. The views pick their columns
-- (no search vectors, no secrets), so the tables behind them can change freely.

CREATE SCHEMA IF NOT EXISTS analytics;
COMMENT ON SCHEMA analytics IS 'gescom: stable, read-only views over the read models, for analysts and BI tools.';

CREATE VIEW analytics.products AS
SELECT id, sku, name, category, unit, price, vat_rate, barcode, low_stock_threshold, status,
       version, created_at, updated_at
  FROM public.products;

CREATE VIEW analytics.customers AS
SELECT id, code, legal_name, siren, siret, vat_number, email, phone, payment_terms,
       credit_limit, status,
       billing_address ->> 'postal_code'  AS billing_postal_code,
       billing_address ->> 'city'         AS billing_city,
       billing_address ->> 'country'      AS billing_country,
       shipping_address ->> 'postal_code' AS shipping_postal_code,
       shipping_address ->> 'city'        AS shipping_city,
       shipping_address ->> 'country'     AS shipping_country,
       version, created_at, updated_at
  FROM public.customers;

CREATE VIEW analytics.orders AS
SELECT id, number, status, customer_id, customer_code, customer_name, line_count,
       total_net, total_vat, total_gross, valid_until,
       (submitted_at AT TIME ZONE 'Europe/Paris')::date AS submitted_day,
       version, created_at, updated_at, submitted_at
  FROM public.orders;

CREATE VIEW analytics.order_lines AS
SELECT l.order_id, o.number AS order_number, o.status AS order_status, l.line_no,
       l.product_id, l.sku, l.label, l.unit, l.quantity, l.unit_price, l.discount, l.vat_rate,
       l.net
  FROM public.order_lines l
  JOIN public.orders o ON o.id = l.order_id;

CREATE VIEW analytics.sales_by_day AS
SELECT day, status, orders, net, vat, gross
  FROM public.sales_daily;

CREATE VIEW analytics.sales_by_product AS
SELECT s.day, s.product_id, p.sku, p.name, p.category, s.quantity, s.net, s.orders
  FROM public.sales_by_product_daily s
  LEFT JOIN public.products p ON p.id = s.product_id;

CREATE VIEW analytics.sales_by_customer AS
SELECT s.day, s.customer_id, c.code, c.legal_name, s.orders, s.net, s.gross
  FROM public.sales_by_customer_daily s
  LEFT JOIN public.customers c ON c.id = s.customer_id;

CREATE VIEW analytics.stock_levels AS
SELECT product_id, sku, name, category, unit, on_hand, reserved, available,
       low_stock_threshold, low, version, updated_at
  FROM public.stock_levels;

CREATE VIEW analytics.stock_movements AS
SELECT product_id, sequence, kind, quantity, reason, order_id, on_hand, reserved, occurred_at
  FROM public.stock_movements;

-- The role. Roles belong to the cluster, not to one database: every database migrated
-- here (each test's own) creates it at most once, and concurrent migrations may race, so
-- only the one that creates it also sets it up (concurrent ALTER ROLE would collide).
-- It can log in, but has no password until ops gives it one (README, "Analysts"); its
-- sessions are read-only by default (a first wall: the privileges below are the second)
-- and a runaway query stops after a minute. Settings of a role are not inherited by its
-- members: a personal login made a member gets the privileges, and should get the same
-- two settings. Where the migrating account may not create roles, a DBA creates it
-- first (docs/analytics.md); without it, the migration grants nothing and says so.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gescom_analyst') THEN
        BEGIN
            -- A BI tool needs a few connections; a runaway notebook should not take all.
            CREATE ROLE gescom_analyst LOGIN CONNECTION LIMIT 10;
            ALTER ROLE gescom_analyst SET default_transaction_read_only = on;
            ALTER ROLE gescom_analyst SET statement_timeout = '60s';
            -- A transaction left open (a notebook) would hold locks that block migrations.
            ALTER ROLE gescom_analyst SET idle_in_transaction_session_timeout = '5min';
            COMMENT ON ROLE gescom_analyst IS 'gescom: reads the analytics schema, nothing else.';
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN
                NULL;
            WHEN insufficient_privilege THEN
                RAISE WARNING 'role gescom_analyst not created (no CREATEROLE): see docs/analytics.md';
                RETURN;
        END;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO gescom_analyst', current_database());
    -- Every role may create temporary tables by default: a write the analyst must not have.
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    GRANT USAGE ON SCHEMA analytics TO gescom_analyst;
    GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO gescom_analyst;
    -- Views added by later migrations are readable too.
    ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT SELECT ON TABLES TO gescom_analyst;
END
$$;

-- Every role may create and write large objects by default (persistent storage outside any
-- table): gescom uses none, and the analyst must not write. Per database, like the grants.
REVOKE EXECUTE ON FUNCTION lo_create(oid), lo_creat(integer), lo_from_bytea(oid, bytea),
    lo_put(oid, bigint, bytea), lo_import(text), lo_import(text, oid), lowrite(integer, bytea)
    FROM PUBLIC;
