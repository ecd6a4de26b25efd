//! `customers`: one row per customer, as far as orders need them.

use shared::events::CustomerEvent;
use shared::nats::EventEnvelope;
use sqlx::PgConnection;

use super::{decode, ProjectionError, Stamp};

pub async fn apply(
    conn: &mut PgConnection,
    envelope: &EventEnvelope,
) -> Result<(), ProjectionError> {
    let stamp = Stamp::of(envelope)?;
    let status = match decode(envelope)? {
        CustomerEvent::CustomerCreated {
            customer_id,
            code,
            legal_name,
        } => {
            sqlx::query(
                "INSERT INTO customers (id, code, legal_name, status, version, created_at, updated_at)
                 VALUES ($1, $2, $3, 'active', $4, $5, $5)",
            )
            .bind(customer_id)
            .bind(code)
            .bind(legal_name)
            .bind(stamp.sequence)
            .bind(stamp.occurred_at)
            .execute(conn)
            .await?;
            return Ok(());
        }
        CustomerEvent::CustomerArchived {} => "archived",
        CustomerEvent::CustomerReactivated {} => "active",
    };
    sqlx::query(
        "UPDATE customers SET status = $2, version = $3, updated_at = $4 WHERE id = $1::uuid",
    )
    .bind(&envelope.aggregate_id)
    .bind(status)
    .bind(stamp.sequence)
    .bind(stamp.occurred_at)
    .execute(conn)
    .await?;
    Ok(())
}
