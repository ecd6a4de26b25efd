-- Sales are booked by one implementation, the projector's (`projections/sales.rs`), for
-- the live path and for rebuilds alike; the SQL copy a rebuild used is dropped.
DROP FUNCTION rebook_sales(text);
