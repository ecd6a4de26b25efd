//! `stock_levels` (one row per product, created with the product) and `stock_movements`
//! (every change of a product's stock).

use rust_decimal::Decimal;
use shared::events::StockEvent;
use shared::ids::OrderId;
use shared::nats::EventEnvelope;
use sqlx::PgConnection;

use super::{decode, ProjectionError, Stamp};

pub async fn apply(
    conn: &mut PgConnection,
    envelope: &EventEnvelope,
    stamp: &Stamp<'_>,
) -> Result<(), ProjectionError> {
    // (kind, quantity, Δ on hand, Δ reserved, reason, comment, order)
    let (kind, quantity, on_hand, reserved, reason, comment, order): (
        &str,
        Decimal,
        Decimal,
        Decimal,
        Option<&str>,
        Option<String>,
        Option<OrderId>,
    ) = match decode(envelope)? {
        StockEvent::StockAdjusted {
            delta,
            reason,
            comment,
            ..
        } => (
            "adjusted",
            delta.value(),
            delta.value(),
            Decimal::ZERO,
            Some(reason.as_str()),
            comment,
            None,
        ),
        StockEvent::StockReserved { order_id, quantity } => (
            "reserved",
            quantity.value(),
            Decimal::ZERO,
            quantity.value(),
            None,
            None,
            Some(order_id),
        ),
        StockEvent::StockReleased { order_id, quantity } => (
            "released",
            quantity.value(),
            Decimal::ZERO,
            -quantity.value(),
            None,
            None,
            Some(order_id),
        ),
        StockEvent::StockConsumed { order_id, quantity } => (
            "consumed",
            quantity.value(),
            -quantity.value(),
            -quantity.value(),
            None,
            None,
            Some(order_id),
        ),
        // An alert, not a movement: the `low` flag of the level already shows it.
        StockEvent::StockLow { .. } => {
            sqlx::query("UPDATE stock_levels SET version = $2 WHERE product_id = $1::uuid")
                .bind(&envelope.aggregate_id)
                .bind(stamp.sequence)
                .execute(conn)
                .await?;
            return Ok(());
        }
    };
    let (after_on_hand, after_reserved): (Decimal, Decimal) = sqlx::query_as(
        "UPDATE stock_levels
            SET on_hand = on_hand + $2, reserved = reserved + $3, version = $4, updated_at = $5
          WHERE product_id = $1::uuid
      RETURNING on_hand, reserved",
    )
    .bind(&envelope.aggregate_id)
    .bind(on_hand)
    .bind(reserved)
    .bind(stamp.sequence)
    .bind(stamp.occurred_at)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO stock_movements (product_id, sequence, kind, quantity, reason, comment,
                                      order_id, on_hand, reserved, occurred_at, actor_id)
         VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&envelope.aggregate_id)
    .bind(stamp.sequence)
    .bind(kind)
    .bind(quantity)
    .bind(reason)
    .bind(comment)
    .bind(order)
    .bind(after_on_hand)
    .bind(after_reserved)
    .bind(stamp.occurred_at)
    .bind(stamp.actor_id)
    .execute(conn)
    .await?;
    Ok(())
}
