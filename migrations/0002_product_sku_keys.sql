-- SKU uniqueness, ignoring case, enforced in the same transaction as the ProductCreated
-- event. postgres-es maps every unique violation (23505) to a generic aggregate conflict
-- and drops the detail, so the trigger raises its own SQLSTATE (GS001) instead; command-api
-- reads it back from the sqlx error and answers 409 `sku_taken`.
CREATE TABLE product_sku_keys
(
    sku_key    text PRIMARY KEY,
    product_id text NOT NULL
);

CREATE FUNCTION reserve_product_sku() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    wanted text := lower(NEW.payload -> 'ProductCreated' ->> 'sku');
BEGIN
    -- ON CONFLICT waits for a concurrent inserter of the same key to finish, then skips:
    -- exactly one of two racing creates wins, without a subtransaction.
    INSERT INTO product_sku_keys (sku_key, product_id)
    VALUES (wanted, NEW.aggregate_id)
    ON CONFLICT (sku_key) DO NOTHING;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'SKU % is already used by another product', NEW.payload -> 'ProductCreated' ->> 'sku'
            USING ERRCODE = 'GS001';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER events_product_sku
    AFTER INSERT ON events
    FOR EACH ROW
    WHEN (NEW.aggregate_type = 'Product' AND NEW.event_type = 'ProductCreated')
    EXECUTE FUNCTION reserve_product_sku();
