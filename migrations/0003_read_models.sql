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
    last_correlation_id text        NOT NULL
);

-- Text search on name and SKU (ILIKE '%…%' uses the trigram indexes).
CREATE INDEX products_name_trgm ON products USING gin (name gin_trgm_ops);
CREATE INDEX products_sku_trgm ON products USING gin (sku gin_trgm_ops);
-- Sorts, each with the id as a tie-breaker so that pages are stable.
CREATE INDEX products_by_name ON products (lower(name), id);
CREATE INDEX products_by_sku ON products (lower(sku), id);
CREATE INDEX products_by_price ON products (price, id);
CREATE INDEX products_by_updated ON products (updated_at, id);
CREATE INDEX products_by_category ON products (category);
