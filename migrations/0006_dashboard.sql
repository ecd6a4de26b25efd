-- Sales read models for the dashboard, kept by the projector in the same transaction
-- as `orders` (so a redelivered event never counts twice: the checkpoint guards both).
--
-- A sale is booked on the day it was submitted, as a Paris calendar day. It counts
-- under `submitted` until it is fulfilled, then under `fulfilled` (same day); a
-- cancelled submitted order is taken out again. Rows that fall to zero orders are
-- deleted, so the tables are exactly the sums over the orders that count: what
-- `rebook_sales` computes in one pass for a rebuild.

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
-- rate, so it has no per-product share). Names come from `products` when read.
CREATE TABLE sales_by_product_daily
(
    day        date    NOT NULL,
    product_id uuid    NOT NULL,
    quantity   numeric NOT NULL,
    net        numeric NOT NULL,
    orders     integer NOT NULL,
    PRIMARY KEY (day, product_id)
);

CREATE TABLE sales_by_customer_daily
(
    day         date    NOT NULL,
    customer_id uuid    NOT NULL,
    orders      integer NOT NULL,
    net         numeric NOT NULL,
    gross       numeric NOT NULL,
    PRIMARY KEY (day, customer_id)
);

-- Stock alerts read `stock_levels` by availability.
CREATE INDEX stock_levels_out ON stock_levels (lower(sku), product_id) WHERE available <= 0;

-- The three tables from the `orders` and `order_lines` read models in one pass: what the
-- projector's bookings add up to. A rebuild replays the orders without booking, then
-- calls this once (row-by-row `+=` on the same few rows inside one long transaction piles
-- up row versions that every later update walks: quadratic).
CREATE FUNCTION rebook_sales(time_zone text) RETURNS void
    LANGUAGE sql AS
$$
DELETE FROM sales_daily;
DELETE FROM sales_by_product_daily;
DELETE FROM sales_by_customer_daily;

INSERT INTO sales_daily (day, status, orders, net, vat, gross)
SELECT (submitted_at AT TIME ZONE time_zone)::date, status, count(*), sum(total_net),
       sum(total_vat), sum(total_gross)
  FROM orders
 WHERE status IN ('submitted', 'fulfilled') AND submitted_at IS NOT NULL
 GROUP BY 1, 2;

INSERT INTO sales_by_product_daily (day, product_id, quantity, net, orders)
SELECT (o.submitted_at AT TIME ZONE time_zone)::date, l.product_id, sum(l.quantity),
       sum(l.net), count(DISTINCT o.id)
  FROM orders o JOIN order_lines l ON l.order_id = o.id
 WHERE o.status IN ('submitted', 'fulfilled') AND o.submitted_at IS NOT NULL
 GROUP BY 1, 2;

INSERT INTO sales_by_customer_daily (day, customer_id, orders, net, gross)
SELECT (submitted_at AT TIME ZONE time_zone)::date, customer_id, count(*), sum(total_net),
       sum(total_gross)
  FROM orders
 WHERE status IN ('submitted', 'fulfilled') AND submitted_at IS NOT NULL
   AND customer_id IS NOT NULL
 GROUP BY 1, 2;
$$;

-- A database upgraded to this migration already holds orders: book them.
SELECT rebook_sales('Europe/Paris');

-- `product_counts` had the same quadratic cost in a rebuild. While a rebuild runs
-- (`gescom.rebuild` set for its transaction) the trigger does nothing and the rebuild
-- counts once at the end; a count that falls to zero is deleted, so that both ways give
-- the same rows, and an update that moves neither status nor category costs nothing.
CREATE OR REPLACE FUNCTION count_products() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF current_setting('gescom.rebuild', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.status = NEW.status AND OLD.category = NEW.category THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE product_counts SET n = n - 1
         WHERE status = OLD.status AND category = OLD.category;
        DELETE FROM product_counts
         WHERE status = OLD.status AND category = OLD.category AND n = 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO product_counts (status, category, n)
        VALUES (NEW.status, NEW.category, 1)
        ON CONFLICT (status, category) DO UPDATE SET n = product_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;
DELETE FROM product_counts WHERE n = 0;

CREATE FUNCTION recount_products() RETURNS void
    LANGUAGE sql AS
$$
DELETE FROM product_counts;
INSERT INTO product_counts (status, category, n)
SELECT status, category, count(*) FROM products GROUP BY 1, 2;
$$;
