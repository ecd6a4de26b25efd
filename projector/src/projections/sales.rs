//! The dashboard's sales read models (`sales_daily`, `sales_by_product_daily`,
//! `sales_by_customer_daily`), booked from the `orders` and `order_lines` rows.
//!
//! They move in the transaction that applies the order's event, under the same
//! checkpoint, so a redelivery never books a sale twice. An order is booked on its
//! submission day as a calendar day in [`SALES_TIME_ZONE`]. A rebuild books nothing
//! while it replays and calls [`rebook_all`] once at the end: the same sums in one pass.

use shared::read::SALES_TIME_ZONE;
use sqlx::PgConnection;

#[derive(Debug, Clone, Copy)]
enum Bucket {
    Submitted,
    Fulfilled,
}

impl Bucket {
    fn as_str(self) -> &'static str {
        match self {
            Bucket::Submitted => "submitted",
            Bucket::Fulfilled => "fulfilled",
        }
    }
}

/// `OrderSubmitted`: the order counts from now on.
pub async fn submitted(conn: &mut PgConnection, order_id: &str) -> Result<(), sqlx::Error> {
    book_totals(conn, order_id, Bucket::Submitted, 1).await?;
    book_breakdowns(conn, order_id, 1).await
}

/// `OrderFulfilled`: the same sale, now under `fulfilled`.
pub async fn fulfilled(conn: &mut PgConnection, order_id: &str) -> Result<(), sqlx::Error> {
    book_totals(conn, order_id, Bucket::Submitted, -1).await?;
    book_totals(conn, order_id, Bucket::Fulfilled, 1).await?;
    prune(conn, order_id).await
}

/// `OrderCancelled` of a submitted order: the sale is taken out. A draft was never booked.
pub async fn cancelled(conn: &mut PgConnection, order_id: &str) -> Result<(), sqlx::Error> {
    book_totals(conn, order_id, Bucket::Submitted, -1).await?;
    book_breakdowns(conn, order_id, -1).await?;
    prune(conn, order_id).await
}

/// Adds (`sign` 1) or removes (−1) the order's totals in `bucket`, on its submission day.
async fn book_totals(
    conn: &mut PgConnection,
    order_id: &str,
    bucket: Bucket,
    sign: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sales_daily AS s (day, status, orders, net, vat, gross)
         SELECT (submitted_at AT TIME ZONE $4)::date, $2, $3, $3 * total_net, $3 * total_vat,
                $3 * total_gross
           FROM orders WHERE id = $1::uuid AND submitted_at IS NOT NULL
         ON CONFLICT (day, status) DO UPDATE SET
             orders = s.orders + EXCLUDED.orders, net = s.net + EXCLUDED.net,
             vat = s.vat + EXCLUDED.vat, gross = s.gross + EXCLUDED.gross",
    )
    .bind(order_id)
    .bind(bucket.as_str())
    .bind(sign)
    .bind(SALES_TIME_ZONE)
    .execute(conn)
    .await
    .map(drop)
}

/// Adds or removes the order's lines per product and its total for its customer.
async fn book_breakdowns(
    conn: &mut PgConnection,
    order_id: &str,
    sign: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sales_by_product_daily AS s (day, product_id, quantity, net, orders)
         SELECT (o.submitted_at AT TIME ZONE $3)::date, l.product_id, $2 * sum(l.quantity),
                $2 * sum(l.net), $2
           FROM orders o JOIN order_lines l ON l.order_id = o.id
          WHERE o.id = $1::uuid AND o.submitted_at IS NOT NULL
          GROUP BY o.submitted_at, l.product_id
         ON CONFLICT (day, product_id) DO UPDATE SET
             quantity = s.quantity + EXCLUDED.quantity, net = s.net + EXCLUDED.net,
             orders = s.orders + EXCLUDED.orders",
    )
    .bind(order_id)
    .bind(sign)
    .bind(SALES_TIME_ZONE)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO sales_by_customer_daily AS s (day, customer_id, orders, net, gross)
         SELECT (submitted_at AT TIME ZONE $3)::date, customer_id, $2, $2 * total_net,
                $2 * total_gross
           FROM orders
          WHERE id = $1::uuid AND submitted_at IS NOT NULL AND customer_id IS NOT NULL
         ON CONFLICT (day, customer_id) DO UPDATE SET
             orders = s.orders + EXCLUDED.orders, net = s.net + EXCLUDED.net,
             gross = s.gross + EXCLUDED.gross",
    )
    .bind(order_id)
    .bind(sign)
    .bind(SALES_TIME_ZONE)
    .execute(conn)
    .await
    .map(drop)
}

/// Deletes the rows of the order's day that fell to zero orders.
async fn prune(conn: &mut PgConnection, order_id: &str) -> Result<(), sqlx::Error> {
    for table in [
        "sales_daily",
        "sales_by_product_daily",
        "sales_by_customer_daily",
    ] {
        sqlx::query(&format!(
            "DELETE FROM {table}
              WHERE orders = 0
                AND day = (SELECT (submitted_at AT TIME ZONE $2)::date FROM orders
                            WHERE id = $1::uuid)"
        ))
        .bind(order_id)
        .bind(SALES_TIME_ZONE)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Every sale from the `orders` and `order_lines` rows in one pass (the SQL function of
/// migration 0006): what the bookings above add up to.
pub async fn rebook_all(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT rebook_sales($1)")
        .bind(SALES_TIME_ZONE)
        .execute(conn)
        .await
        .map(drop)
}
