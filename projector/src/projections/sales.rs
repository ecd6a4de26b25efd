//! The dashboard's sales read models (`sales_daily`, `sales_by_product_daily`,
//! `sales_by_customer_daily`), booked from the `orders` and `order_lines` rows.
//!
//! They move in the transaction that applies the order's event, under the same
//! checkpoint, so a redelivery never books a sale twice. An order is booked on its
//! submission day as a calendar day in [`SALES_TIME_ZONE`], under `submitted` until it is
//! fulfilled, then under `fulfilled`. A rebuild books nothing while it replays and calls
//! [`rebook_all`] once at the end, which runs the same statements over every order that
//! counts: one implementation, so the two cannot drift apart.

use contracts::events::OrderStatus;
use contracts::ids::OrderId;
use contracts::read::SALES_TIME_ZONE;
use sqlx::PgConnection;

/// The status a sale is booked under: submitted, then fulfilled.
type Bucket = OrderStatus;

/// The orders a booking covers. `$1` is the order id, null for every order.
#[derive(Debug, Clone, Copy)]
enum Orders {
    One(OrderId),
    /// Every submitted or fulfilled order, each under its own status (a rebuild).
    Counted,
}

impl Orders {
    /// The condition on `orders o`: a plain key lookup for one order, so that the live
    /// path stays an index scan.
    fn condition(self) -> &'static str {
        match self {
            Orders::One(_) => "o.id = $1",
            Orders::Counted => "$1::uuid IS NULL AND o.status IN ('submitted', 'fulfilled')",
        }
    }

    fn id(self) -> Option<OrderId> {
        match self {
            Orders::One(id) => Some(id),
            Orders::Counted => None,
        }
    }
}

/// `OrderSubmitted`: the order counts from now on.
pub async fn submitted(conn: &mut PgConnection, id: OrderId) -> Result<(), sqlx::Error> {
    let order = Orders::One(id);
    book_totals(conn, order, Some(OrderStatus::Submitted), 1).await?;
    book_breakdowns(conn, order, 1).await
}

/// `OrderFulfilled`: the same sale, now under `fulfilled`.
pub async fn fulfilled(conn: &mut PgConnection, id: OrderId) -> Result<(), sqlx::Error> {
    let order = Orders::One(id);
    book_totals(conn, order, Some(OrderStatus::Submitted), -1).await?;
    book_totals(conn, order, Some(OrderStatus::Fulfilled), 1).await?;
    prune(conn, id).await
}

/// `OrderCancelled` of a submitted order: the sale is taken out. A draft was never booked.
pub async fn cancelled(conn: &mut PgConnection, id: OrderId) -> Result<(), sqlx::Error> {
    let order = Orders::One(id);
    book_totals(conn, order, Some(OrderStatus::Submitted), -1).await?;
    book_breakdowns(conn, order, -1).await?;
    prune(conn, id).await
}

/// Every sale from the `orders` and `order_lines` rows, in one pass per table (a rebuild,
/// which left the tables empty).
pub async fn rebook_all(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    for table in TABLES {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *conn)
            .await?;
    }
    book_totals(conn, Orders::Counted, None, 1).await?;
    book_breakdowns(conn, Orders::Counted, 1).await
}

const TABLES: [&str; 3] = [
    "sales_daily",
    "sales_by_product_daily",
    "sales_by_customer_daily",
];

/// Adds (`sign` 1) or removes (−1) the orders' totals on their submission days, in
/// `bucket`, or each under its own status when `bucket` is `None`.
async fn book_totals(
    conn: &mut PgConnection,
    orders: Orders,
    bucket: Option<Bucket>,
    sign: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO sales_daily AS s (day, status, orders, net, vat, gross)
         SELECT (o.submitted_at AT TIME ZONE $4)::date, coalesce($2, o.status), $3 * count(*),
                $3 * sum(o.total_net), $3 * sum(o.total_vat), $3 * sum(o.total_gross)
           FROM orders o
          WHERE {} AND o.submitted_at IS NOT NULL
          GROUP BY 1, 2
         ON CONFLICT (day, status) DO UPDATE SET
             orders = s.orders + EXCLUDED.orders, net = s.net + EXCLUDED.net,
             vat = s.vat + EXCLUDED.vat, gross = s.gross + EXCLUDED.gross",
        orders.condition()
    ))
    .bind(orders.id())
    .bind(bucket)
    .bind(sign)
    .bind(SALES_TIME_ZONE)
    .execute(conn)
    .await
    .map(drop)
}

/// Adds or removes the orders' lines per product and their totals per customer.
async fn book_breakdowns(
    conn: &mut PgConnection,
    orders: Orders,
    sign: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO sales_by_product_daily AS s (day, product_id, quantity, net, orders)
         SELECT (o.submitted_at AT TIME ZONE $3)::date, l.product_id, $2 * sum(l.quantity),
                $2 * sum(l.net), $2 * count(DISTINCT o.id)
           FROM orders o JOIN order_lines l ON l.order_id = o.id
          WHERE {} AND o.submitted_at IS NOT NULL
          GROUP BY 1, 2
         ON CONFLICT (day, product_id) DO UPDATE SET
             quantity = s.quantity + EXCLUDED.quantity, net = s.net + EXCLUDED.net,
             orders = s.orders + EXCLUDED.orders",
        orders.condition()
    ))
    .bind(orders.id())
    .bind(sign)
    .bind(SALES_TIME_ZONE)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "INSERT INTO sales_by_customer_daily AS s (day, customer_id, orders, net, gross)
         SELECT (o.submitted_at AT TIME ZONE $3)::date, o.customer_id, $2 * count(*),
                $2 * sum(o.total_net), $2 * sum(o.total_gross)
           FROM orders o
          WHERE {} AND o.submitted_at IS NOT NULL AND o.customer_id IS NOT NULL
          GROUP BY 1, 2
         ON CONFLICT (day, customer_id) DO UPDATE SET
             orders = s.orders + EXCLUDED.orders, net = s.net + EXCLUDED.net,
             gross = s.gross + EXCLUDED.gross",
        orders.condition()
    ))
    .bind(orders.id())
    .bind(sign)
    .bind(SALES_TIME_ZONE)
    .execute(conn)
    .await
    .map(drop)
}

/// Deletes the rows of the order's day that fell to zero orders.
async fn prune(conn: &mut PgConnection, id: OrderId) -> Result<(), sqlx::Error> {
    for table in TABLES {
        sqlx::query(&format!(
            "DELETE FROM {table}
              WHERE orders = 0
                AND day = (SELECT (submitted_at AT TIME ZONE $2)::date FROM orders
                            WHERE id = $1)"
        ))
        .bind(id)
        .bind(SALES_TIME_ZONE)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
