-- Stock, customers and orders: write-side keys and processes, and their read models.

-- Customer codes, unique ignoring case (see 0002 for why a trigger raises its own SQLSTATE).
CREATE TABLE customer_code_keys
(
    code        text PRIMARY KEY,
    customer_id text NOT NULL
);

CREATE FUNCTION reserve_customer_code() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    wanted text := lower(NEW.payload -> 'CustomerCreated' ->> 'code');
BEGIN
    INSERT INTO customer_code_keys (code, customer_id)
    VALUES (wanted, NEW.aggregate_id)
    ON CONFLICT (code) DO NOTHING;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'customer code % is already used', NEW.payload -> 'CustomerCreated' ->> 'code'
            USING ERRCODE = 'GS003';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER events_customer_code
    AFTER INSERT ON events
    FOR EACH ROW
    WHEN (NEW.aggregate_type = 'Customer' AND NEW.event_type = 'CustomerCreated')
    EXECUTE FUNCTION reserve_customer_code();

-- Order numbers, gap-free per year: PRO-<year>-<6 digits>. The counter row is updated in
-- the OrderCreated event's own transaction, so a number is used exactly when the order
-- exists; concurrent creations queue on the year's row for the rest of their (short)
-- transaction. The number is written into the event before it is stored.
CREATE TABLE order_number_counters
(
    year bigint PRIMARY KEY,
    last bigint NOT NULL
);

CREATE FUNCTION assign_order_number() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    y bigint := extract(year FROM now() AT TIME ZONE 'UTC');
    n bigint;
BEGIN
    INSERT INTO order_number_counters AS c (year, last) VALUES (y, 1)
    ON CONFLICT (year) DO UPDATE SET last = c.last + 1
    RETURNING last INTO n;
    -- `events.payload` is json (postgres-es): edit it as jsonb.
    NEW.payload := jsonb_set(NEW.payload::jsonb, '{OrderCreated,number}',
                             to_jsonb(format('PRO-%s-%s', y, lpad(n::text, 6, '0'))))::json;
    RETURN NEW;
END
$$;

CREATE TRIGGER events_order_number
    BEFORE INSERT ON events
    FOR EACH ROW
    WHEN (NEW.aggregate_type = 'Order' AND NEW.event_type = 'OrderCreated')
    EXECUTE FUNCTION assign_order_number();

-- Order processes in flight: a row from the event that starts a multi-stream step
-- (reserve at submit, release after a cancel, consume after fulfilment) to the event that
-- ends it, kept in those events' transactions. command-api resumes every row on start-up
-- and periodically, so a crash between two stock commands completes or compensates.
-- A driver holds a lease (`lease_until`) rather than a lock, so that no connection is
-- held across the process's transactions; a crashed driver's lease simply runs out.
CREATE TABLE order_processes
(
    order_id    text PRIMARY KEY,
    step        text        NOT NULL CHECK (step IN ('submit', 'release', 'consume')),
    started_at  timestamptz NOT NULL DEFAULT now(),
    lease_until timestamptz
);

CREATE FUNCTION track_order_process() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    CASE NEW.event_type
        WHEN 'OrderSubmissionStarted' THEN
            INSERT INTO order_processes (order_id, step) VALUES (NEW.aggregate_id, 'submit')
            ON CONFLICT (order_id) DO UPDATE SET step = 'submit', started_at = now();
        WHEN 'OrderCancelled' THEN
            IF (NEW.payload -> 'OrderCancelled' ->> 'release')::boolean THEN
                INSERT INTO order_processes (order_id, step) VALUES (NEW.aggregate_id, 'release')
                ON CONFLICT (order_id) DO UPDATE SET step = 'release', started_at = now();
            END IF;
        WHEN 'OrderFulfilled' THEN
            INSERT INTO order_processes (order_id, step) VALUES (NEW.aggregate_id, 'consume')
            ON CONFLICT (order_id) DO UPDATE SET step = 'consume', started_at = now();
        WHEN 'OrderSubmitted', 'OrderSubmissionRejected', 'OrderStockReleased', 'OrderStockConsumed' THEN
            DELETE FROM order_processes WHERE order_id = NEW.aggregate_id;
        ELSE
            NULL;
    END CASE;
    RETURN NULL;
END
$$;

CREATE TRIGGER events_order_process
    AFTER INSERT ON events
    FOR EACH ROW
    WHEN (NEW.aggregate_type = 'Order')
    EXECUTE FUNCTION track_order_process();

-- Read model: customers.
CREATE TABLE customers
(
    id               uuid PRIMARY KEY,
    code             text        NOT NULL,
    legal_name       text        NOT NULL,
    siren            text,
    siret            text,
    vat_number       text,
    email            text,
    phone            text,
    billing_address  jsonb,
    shipping_address jsonb,
    payment_terms    text        NOT NULL,
    credit_limit     numeric,
    status           text        NOT NULL,
    version          bigint      NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    -- What text search looks in (code, legal name, SIRET, SIREN, email), lower-cased
    -- once, under one trigram index (see `products.search`).
    search           text GENERATED ALWAYS AS (
        lower(code) || ' ' || lower(legal_name) || ' ' || coalesce(siret, siren, '') || ' ' ||
        coalesce(lower(email), '')) STORED
);

CREATE INDEX customers_search_trgm ON customers USING gin (search gin_trgm_ops);
CREATE INDEX customers_by_code ON customers (lower(code), id);
CREATE INDEX customers_by_name ON customers (lower(legal_name), id);

-- Read model: stock level per product, with what lists need from the product.
CREATE TABLE stock_levels
(
    product_id          uuid PRIMARY KEY,
    sku                 text        NOT NULL,
    name                text        NOT NULL,
    category            text        NOT NULL,
    unit                text        NOT NULL,
    on_hand             numeric     NOT NULL DEFAULT 0,
    reserved            numeric     NOT NULL DEFAULT 0,
    low_stock_threshold numeric,
    version             bigint      NOT NULL DEFAULT 0,
    updated_at          timestamptz NOT NULL,
    available           numeric GENERATED ALWAYS AS (on_hand - reserved) STORED,
    -- An empty threshold never alerts; 0 alerts when out of stock.
    low                 boolean GENERATED ALWAYS AS (
        low_stock_threshold IS NOT NULL AND on_hand - reserved <= low_stock_threshold) STORED,
    search              text GENERATED ALWAYS AS (lower(sku) || ' ' || lower(name)) STORED
);

CREATE INDEX stock_levels_search_trgm ON stock_levels USING gin (search gin_trgm_ops);
CREATE INDEX stock_levels_by_sku ON stock_levels (lower(sku), product_id);
CREATE INDEX stock_levels_low ON stock_levels (lower(sku), product_id) WHERE low;

-- Read model: every stock movement of a product.
CREATE TABLE stock_movements
(
    product_id  uuid        NOT NULL,
    sequence    bigint      NOT NULL,
    kind        text        NOT NULL,
    quantity    numeric     NOT NULL,
    reason      text,
    comment     text,
    order_id    uuid,
    on_hand     numeric     NOT NULL,
    reserved    numeric     NOT NULL,
    occurred_at timestamptz NOT NULL,
    actor_id    text        NOT NULL,
    PRIMARY KEY (product_id, sequence)
);

-- Read model: orders, with their totals, and their lines.
CREATE TABLE orders
(
    id            uuid PRIMARY KEY,
    number        text        NOT NULL,
    status        text        NOT NULL,
    customer_id   uuid,
    customer_code text,
    customer_name text,
    notes         text,
    valid_until   date,
    line_count    integer     NOT NULL DEFAULT 0,
    total_net     numeric     NOT NULL DEFAULT 0,
    total_vat     numeric     NOT NULL DEFAULT 0,
    total_gross   numeric     NOT NULL DEFAULT 0,
    vat_lines     jsonb       NOT NULL DEFAULT '[]',
    shortages     jsonb,
    version       bigint      NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    submitted_at  timestamptz,
    search        text GENERATED ALWAYS AS (
        lower(number) || ' ' || lower(coalesce(customer_code, '')) || ' ' || lower(coalesce(customer_name, ''))) STORED
);

CREATE UNIQUE INDEX orders_by_number ON orders (number);
CREATE INDEX orders_search_trgm ON orders USING gin (search gin_trgm_ops);
CREATE INDEX orders_by_created ON orders (created_at, id);
CREATE INDEX orders_by_status ON orders (status, created_at);
CREATE INDEX orders_by_customer ON orders (customer_id, created_at);

CREATE TABLE order_lines
(
    order_id   uuid    NOT NULL,
    line_no    integer NOT NULL,
    product_id uuid    NOT NULL,
    sku        text    NOT NULL,
    label      text    NOT NULL,
    unit       text    NOT NULL,
    quantity   numeric NOT NULL,
    unit_price numeric NOT NULL,
    discount   numeric NOT NULL,
    vat_rate   numeric NOT NULL,
    net        numeric NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
