//! `orders` (one row per order, with its totals) and `order_lines`.

use contracts::envelope::Stored;
use contracts::events::{OrderEvent, OrderLine, OrderStatus};
use contracts::ids::OrderId;
use contracts::money::Money;
use contracts::pricing;
use contracts::product::VatRate;
use rust_decimal::Decimal;
use sqlx::PgConnection;

use super::error::ProjectionError;
use super::sales;

/// The customer's code and name on an order are current values: copied here from the
/// customer's row when the order names it, and rewritten by the customers projection
/// whenever the customer changes ([`super::customers`]). Both sides take this lock
/// first, so that of two transactions projecting an order and its customer at once, the
/// second sees what the first committed: the copy is right whichever commits first.
pub(crate) async fn lock_customer(
    conn: &mut PgConnection,
    customer_id: Option<&contracts::ids::CustomerId>,
) -> Result<(), sqlx::Error> {
    if let Some(id) = customer_id {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('gescom.customer:' || $1, 0))")
            .bind(id.to_string())
            .execute(conn)
            .await?;
    }
    Ok(())
}

pub async fn apply(
    conn: &mut PgConnection,
    stored: Stored<OrderId, OrderEvent>,
    // False in a rebuild, which books every sale at the end.
    booking: bool,
) -> Result<(), ProjectionError> {
    let id = stored.id;
    let status = match stored.event {
        OrderEvent::OrderCreated {
            order_id,
            number,
            customer_id,
        } => {
            lock_customer(conn, customer_id.as_ref()).await?;
            sqlx::query(
                "INSERT INTO orders (id, number, status, customer_id, customer_code, customer_name,
                                     version, created_at, updated_at)
                 SELECT $1, $2, $6, $3, c.code, c.legal_name, $4, $5, $5
                   FROM (SELECT 1) AS one LEFT JOIN customers c ON c.id = $3",
            )
            .bind(order_id)
            .bind(number)
            .bind(customer_id)
            .bind(stored.sequence)
            .bind(stored.meta.occurred_at)
            .bind(OrderStatus::Draft)
            .execute(conn)
            .await?;
            return Ok(());
        }
        OrderEvent::OrderLineAdded { line } | OrderEvent::OrderLineChanged { line } => {
            upsert_line(conn, id, &line).await?;
            recompute_totals(conn, id).await?;
            None
        }
        OrderEvent::OrderLineRemoved { line_no } => {
            sqlx::query("DELETE FROM order_lines WHERE order_id = $1 AND line_no = $2")
                .bind(id)
                .bind(line_no as i32)
                .execute(&mut *conn)
                .await?;
            recompute_totals(conn, id).await?;
            None
        }
        OrderEvent::OrderCustomerSet { customer_id } => {
            lock_customer(conn, Some(&customer_id)).await?;
            sqlx::query(
                "UPDATE orders o SET customer_id = $2, customer_code = c.code, customer_name = c.legal_name
                   FROM (SELECT 1) AS one LEFT JOIN customers c ON c.id = $2
                  WHERE o.id = $1",
            )
            .bind(id)
            .bind(customer_id)
            .execute(&mut *conn)
            .await?;
            None
        }
        OrderEvent::OrderTermsSet { notes, valid_until } => {
            sqlx::query("UPDATE orders SET notes = $2, valid_until = $3 WHERE id = $1")
                .bind(id)
                .bind(notes)
                .bind(valid_until)
                .execute(&mut *conn)
                .await?;
            None
        }
        OrderEvent::OrderSubmissionStarted { .. } => Some(OrderStatus::Submitting),
        OrderEvent::OrderSubmitted { .. } => {
            sqlx::query("UPDATE orders SET submitted_at = $2, shortages = NULL WHERE id = $1")
                .bind(id)
                .bind(stored.meta.occurred_at)
                .execute(&mut *conn)
                .await?;
            if booking {
                sales::submitted(conn, id).await?;
            }
            Some(OrderStatus::Submitted)
        }
        OrderEvent::OrderSubmissionRejected { shortages } => {
            sqlx::query("UPDATE orders SET shortages = $2 WHERE id = $1")
                .bind(id)
                .bind(sqlx::types::Json(shortages))
                .execute(&mut *conn)
                .await?;
            Some(OrderStatus::Draft)
        }
        OrderEvent::OrderCancelled { .. } => {
            // Only a submitted order was booked; a cancelled draft never counted.
            let was: Option<OrderStatus> =
                sqlx::query_scalar("SELECT status FROM orders WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
            if booking && was == Some(OrderStatus::Submitted) {
                sales::cancelled(conn, id).await?;
            }
            Some(OrderStatus::Cancelled)
        }
        OrderEvent::OrderFulfilled { .. } => {
            if booking {
                sales::fulfilled(conn, id).await?;
            }
            Some(OrderStatus::Fulfilled)
        }
        OrderEvent::OrderStockReleased {} | OrderEvent::OrderStockConsumed {} => None,
    };
    sqlx::query(
        "UPDATE orders SET status = coalesce($2, status), version = $3, updated_at = $4
          WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(stored.sequence)
    .bind(stored.meta.occurred_at)
    .execute(conn)
    .await?;
    Ok(())
}

async fn upsert_line(
    conn: &mut PgConnection,
    id: OrderId,
    line: &OrderLine,
) -> Result<(), sqlx::Error> {
    let net = pricing::line_net(line.quantity, line.unit_price, line.discount);
    sqlx::query(
        "INSERT INTO order_lines (order_id, line_no, product_id, sku, label, unit, quantity,
                                  unit_price, discount, vat_rate, net)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (order_id, line_no) DO UPDATE SET
             quantity = EXCLUDED.quantity, unit_price = EXCLUDED.unit_price,
             discount = EXCLUDED.discount, net = EXCLUDED.net",
    )
    .bind(id)
    .bind(line.line_no as i32)
    .bind(line.product_id)
    .bind(line.sku.as_str())
    .bind(line.label.as_str())
    .bind(line.unit.as_str())
    .bind(line.quantity.value())
    .bind(line.unit_price.amount())
    .bind(line.discount.percent())
    .bind(line.vat_rate.percent())
    .bind(net.amount())
    .execute(conn)
    .await
    .map(drop)
}

/// Totals from the stored lines, by the money rules of `contracts::pricing`.
async fn recompute_totals(conn: &mut PgConnection, id: OrderId) -> Result<(), ProjectionError> {
    let lines: Vec<(Decimal, Decimal)> =
        sqlx::query_as("SELECT vat_rate, net FROM order_lines WHERE order_id = $1")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let parsed = lines
        .into_iter()
        .map(|(rate, net)| Ok((VatRate::new(rate)?, Money::new(net)?)))
        .collect::<Result<Vec<_>, ProjectionError>>()?;
    let count = parsed.len() as i32;
    let totals = pricing::totals(parsed);
    sqlx::query(
        "UPDATE orders SET line_count = $2, total_net = $3, total_vat = $4, total_gross = $5,
                           vat_lines = $6
          WHERE id = $1",
    )
    .bind(id)
    .bind(count)
    .bind(totals.net.amount())
    .bind(totals.vat_total.amount())
    .bind(totals.gross.amount())
    .bind(sqlx::types::Json(&totals.vat))
    .execute(conn)
    .await?;
    Ok(())
}
