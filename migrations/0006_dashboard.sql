-- Sales read models for the dashboard, kept by the projector in the same transaction
-- as `orders` (so a redelivered event never counts twice: the checkpoint guards both).
--
-- A sale is booked on the day it was submitted, as a Paris calendar day. It counts
-- under `submitted` until it is fulfilled, then under `fulfilled` (same day); a
-- cancelled submitted order is taken out again. Rows that fall to zero orders are
-- deleted, so an incremental build and a rebuild hold the same rows.

CREATE TABLE sales_daily
(
    day    date    NOT NULL,
    status text    NOT NULL CHECK (status IN ('submitted', 'fulfilled')),
    orders integer NOT NULL,
    net    numeric NOT NULL,
    vat    numeric NOT NULL,
    gross  numeric NOT NULL,
    PRIMARY KEY (day, status)
);

-- Per product and day: quantity and net revenue (HT; VAT is computed per order and
-- rate, so it has no per-product share).
CREATE TABLE sales_by_product_daily
(
    day        date    NOT NULL,
    product_id uuid    NOT NULL,
    sku        text    NOT NULL,
    label      text    NOT NULL,
    unit       text    NOT NULL,
    quantity   numeric NOT NULL,
    net        numeric NOT NULL,
    orders     integer NOT NULL,
    PRIMARY KEY (day, product_id)
);
CREATE INDEX sales_by_product_daily_product ON sales_by_product_daily (product_id, day);

CREATE TABLE sales_by_customer_daily
(
    day         date    NOT NULL,
    customer_id uuid    NOT NULL,
    code        text    NOT NULL,
    name        text    NOT NULL,
    orders      integer NOT NULL,
    net         numeric NOT NULL,
    gross       numeric NOT NULL,
    PRIMARY KEY (day, customer_id)
);
CREATE INDEX sales_by_customer_daily_customer ON sales_by_customer_daily (customer_id, day);

-- Stock alerts read `stock_levels` by availability.
CREATE INDEX stock_levels_out ON stock_levels (lower(sku), product_id) WHERE available <= 0;

-- A database upgraded to this migration already holds orders: book them as the projector
-- would have (a rebuild gives the same figures).
INSERT INTO sales_daily (day, status, orders, net, vat, gross)
SELECT (submitted_at AT TIME ZONE 'Europe/Paris')::date, status, count(*), sum(total_net),
       sum(total_vat), sum(total_gross)
  FROM orders
 WHERE status IN ('submitted', 'fulfilled') AND submitted_at IS NOT NULL
 GROUP BY 1, 2;

INSERT INTO sales_by_product_daily (day, product_id, sku, label, unit, quantity, net, orders)
SELECT (o.submitted_at AT TIME ZONE 'Europe/Paris')::date, l.product_id, min(l.sku),
       min(l.label), min(l.unit), sum(l.quantity), sum(l.net), count(DISTINCT o.id)
  FROM orders o JOIN order_lines l ON l.order_id = o.id
 WHERE o.status IN ('submitted', 'fulfilled') AND o.submitted_at IS NOT NULL
 GROUP BY 1, 2;

INSERT INTO sales_by_customer_daily (day, customer_id, code, name, orders, net, gross)
SELECT (submitted_at AT TIME ZONE 'Europe/Paris')::date, customer_id,
       min(coalesce(customer_code, '')), min(coalesce(customer_name, '')), count(*),
       sum(total_net), sum(total_gross)
  FROM orders
 WHERE status IN ('submitted', 'fulfilled') AND submitted_at IS NOT NULL
   AND customer_id IS NOT NULL
 GROUP BY 1, 2;
