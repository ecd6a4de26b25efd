-- The outbox rows and the SKU and customer-code keys are written once per statement that
-- appends events, from its transition table, instead of once per row: a CSV import
-- appends 100,000 events in ten statements, and the row triggers ran a PL/pgSQL call, an
-- INSERT and a pg_notify for each of them. One function does the three jobs, so that a
-- command, which appends one or a few events per statement, still pays for one trigger
-- call (three statement triggers cost it about 10 µs more per statement). Same tables,
-- same SQLSTATEs, same transaction: what 0001, 0002 and 0005 promise still holds.

DROP TRIGGER events_outbox ON events;
DROP TRIGGER events_product_sku ON events;
DROP TRIGGER events_customer_code ON events;
DROP FUNCTION events_to_outbox();
DROP FUNCTION reserve_product_sku();
DROP FUNCTION reserve_customer_code();

CREATE FUNCTION events_appended() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    products  bigint;
    customers bigint;
    reserved  bigint;
    taken     text;
BEGIN
    -- Outbox (see 0001): one row per event, in insert order, since the relay publishes
    -- by outbox id and an aggregate's events must go out in sequence.
    INSERT INTO outbox (aggregate_type, aggregate_id, sequence)
    SELECT aggregate_type, aggregate_id, sequence
      FROM new_events
     ORDER BY position;
    -- Delivered at commit, once per transaction (identical payloads are folded).
    PERFORM pg_notify('gescom_outbox', '');

    SELECT count(*) FILTER (WHERE aggregate_type = 'Product' AND event_type = 'ProductCreated'),
           count(*) FILTER (WHERE aggregate_type = 'Customer' AND event_type = 'CustomerCreated')
      INTO products, customers
      FROM new_events;

    -- SKUs, unique ignoring case (see 0002). Keys go in key order, so that two imports
    -- racing on the same keys queue rather than deadlock; ON CONFLICT DO NOTHING still
    -- waits for a concurrent inserter of a key to finish. A key taken by another product
    -- (or twice in one statement) fails the statement with GS001, naming the SKU.
    IF products > 0 THEN
        INSERT INTO product_sku_keys (sku_key, product_id)
        SELECT lower(payload -> 'ProductCreated' ->> 'sku'), aggregate_id
          FROM new_events
         WHERE aggregate_type = 'Product' AND event_type = 'ProductCreated'
         ORDER BY 1
        ON CONFLICT (sku_key) DO NOTHING;
        GET DIAGNOSTICS reserved = ROW_COUNT;
        IF reserved < products THEN
            SELECT e.payload -> 'ProductCreated' ->> 'sku'
              INTO taken
              FROM new_events e
              JOIN product_sku_keys k
                ON k.sku_key = lower(e.payload -> 'ProductCreated' ->> 'sku')
             WHERE e.aggregate_type = 'Product'
               AND e.event_type = 'ProductCreated'
               AND k.product_id <> e.aggregate_id
             LIMIT 1;
            RAISE EXCEPTION 'SKU % is already used by another product', taken
                USING ERRCODE = 'GS001';
        END IF;
    END IF;

    -- Customer codes, the same way (see 0005), GS003.
    IF customers > 0 THEN
        INSERT INTO customer_code_keys (code, customer_id)
        SELECT lower(payload -> 'CustomerCreated' ->> 'code'), aggregate_id
          FROM new_events
         WHERE aggregate_type = 'Customer' AND event_type = 'CustomerCreated'
         ORDER BY 1
        ON CONFLICT (code) DO NOTHING;
        GET DIAGNOSTICS reserved = ROW_COUNT;
        IF reserved < customers THEN
            SELECT e.payload -> 'CustomerCreated' ->> 'code'
              INTO taken
              FROM new_events e
              JOIN customer_code_keys k
                ON k.code = lower(e.payload -> 'CustomerCreated' ->> 'code')
             WHERE e.aggregate_type = 'Customer'
               AND e.event_type = 'CustomerCreated'
               AND k.customer_id <> e.aggregate_id
             LIMIT 1;
            RAISE EXCEPTION 'customer code % is already used', taken
                USING ERRCODE = 'GS003';
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER events_appended
    AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION events_appended();
