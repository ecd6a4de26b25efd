//! `stock_levels` (one row per product) and `stock_movements` (every change of a
//! product's stock). A level row is created by whichever comes first, the product or its
//! stock: this projection writes only the stock's columns (quantities, version), the
//! products projection only the product's copies, so neither waits for the other.

use contracts::envelope::Stored;
use contracts::events::StockEvent;
use contracts::ids::{OrderId, ProductId};
use contracts::read::StockMovementKind;
use rust_decimal::Decimal;
use sqlx::PgConnection;

use super::error::ProjectionError;

pub async fn apply(
    conn: &mut PgConnection,
    stored: Stored<ProductId, StockEvent>,
) -> Result<(), ProjectionError> {
    let id = stored.id;
    // (kind, quantity, Δ on hand, Δ reserved, reason, comment, order)
    let (kind, quantity, on_hand, reserved, reason, comment, order): (
        StockMovementKind,
        Decimal,
        Decimal,
        Decimal,
        Option<&str>,
        Option<String>,
        Option<OrderId>,
    ) = match stored.event {
        StockEvent::StockAdjusted {
            delta,
            reason,
            comment,
            ..
        } => (
            StockMovementKind::Adjusted,
            delta.value(),
            delta.value(),
            Decimal::ZERO,
            Some(reason.as_str()),
            comment,
            None,
        ),
        StockEvent::StockReserved { order_id, quantity } => (
            StockMovementKind::Reserved,
            quantity.value(),
            Decimal::ZERO,
            quantity.value(),
            None,
            None,
            Some(order_id),
        ),
        StockEvent::StockReleased { order_id, quantity } => (
            StockMovementKind::Released,
            quantity.value(),
            Decimal::ZERO,
            -quantity.value(),
            None,
            None,
            Some(order_id),
        ),
        StockEvent::StockConsumed { order_id, quantity } => (
            StockMovementKind::Consumed,
            quantity.value(),
            -quantity.value(),
            -quantity.value(),
            None,
            None,
            Some(order_id),
        ),
        // An alert, not a movement: the `low` flag of the level already shows it.
        StockEvent::StockLow { .. } => {
            sqlx::query(
                "INSERT INTO stock_levels (product_id, version, updated_at)
                 VALUES ($1, $2, $3)
                 ON CONFLICT (product_id) DO UPDATE SET version = EXCLUDED.version",
            )
            .bind(id)
            .bind(stored.sequence)
            .bind(stored.meta.occurred_at)
            .execute(conn)
            .await?;
            return Ok(());
        }
    };
    let (after_on_hand, after_reserved): (Decimal, Decimal) = sqlx::query_as(
        "INSERT INTO stock_levels AS s (product_id, on_hand, reserved, version, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (product_id) DO UPDATE
            SET on_hand = s.on_hand + $2, reserved = s.reserved + $3, version = $4,
                updated_at = $5
      RETURNING on_hand, reserved",
    )
    .bind(id)
    .bind(on_hand)
    .bind(reserved)
    .bind(stored.sequence)
    .bind(stored.meta.occurred_at)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO stock_movements (product_id, sequence, kind, quantity, reason, comment,
                                      order_id, on_hand, reserved, occurred_at, actor_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(stored.sequence)
    .bind(kind)
    .bind(quantity)
    .bind(reason)
    .bind(comment)
    .bind(order)
    .bind(after_on_hand)
    .bind(after_reserved)
    .bind(stored.meta.occurred_at)
    .bind(&stored.meta.actor_id)
    .execute(conn)
    .await?;
    Ok(())
}
