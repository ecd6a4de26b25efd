-- Read models. Written only by the projector; read by read-api.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Last sequence applied per aggregate stream, updated in the same transaction as the
-- read-model change: a redelivered event is skipped, an early one is not applied ahead
-- of a gap.
CREATE TABLE projector_checkpoints
(
    aggregate_type text   NOT NULL,
    aggregate_id   text   NOT NULL,
    last_sequence  bigint NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id)
);

CREATE TABLE products
(
    id                  uuid PRIMARY KEY,
    sku                 text        NOT NULL,
    name                text        NOT NULL,
    price               numeric     NOT NULL CHECK (price >= 0),
    vat_rate            numeric     NOT NULL,
    unit                text        NOT NULL,
    category            text        NOT NULL,
    barcode             text,
    low_stock_threshold numeric,
    status              text        NOT NULL,
    version             bigint      NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    updated_by          text        NOT NULL,
    last_correlation_id text        NOT NULL,
    -- What text search looks in, lower-cased once at write time: one trigram index and
    -- a plain LIKE instead of two indexes and ILIKE, which the planner mis-costs into a
    -- sequential scan (200 ms against 2 ms over 100,000 rows).
    search              text GENERATED ALWAYS AS (lower(sku) || ' ' || lower(name)) STORED
);

CREATE INDEX products_search_trgm ON products USING gin (search gin_trgm_ops);
-- Sorts, each with the id as a tie-breaker so that pages are stable.
CREATE INDEX products_by_name ON products (lower(name), id);
CREATE INDEX products_by_sku ON products (lower(sku), id);
CREATE INDEX products_by_price ON products (price, id);
CREATE INDEX products_by_updated ON products (updated_at, id);
CREATE INDEX products_by_category ON products (category);

-- Row counts per (status, category), kept by triggers in the projector's transaction, so
-- that a list's total costs a few rows instead of counting the table (a count over
-- 100,000 products takes tens of milliseconds). TRUNCATE fires no row trigger: a rebuild
-- truncates this table with `products`.
CREATE TABLE product_counts
(
    status   text   NOT NULL,
    category text   NOT NULL,
    n        bigint NOT NULL CHECK (n >= 0),
    PRIMARY KEY (status, category)
);

CREATE FUNCTION count_products() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE product_counts SET n = n - 1
         WHERE status = OLD.status AND category = OLD.category;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO product_counts (status, category, n)
        VALUES (NEW.status, NEW.category, 1)
        ON CONFLICT (status, category) DO UPDATE SET n = product_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER products_count_insert_delete
    AFTER INSERT OR DELETE ON products
    FOR EACH ROW EXECUTE FUNCTION count_products();

CREATE TRIGGER products_count_update
    AFTER UPDATE OF status, category ON products
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.category IS DISTINCT FROM NEW.category)
    EXECUTE FUNCTION count_products();
