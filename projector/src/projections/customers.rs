//! `customers`: one row per customer.

use contracts::envelope::Stored;
use contracts::events::{CustomerDetails, CustomerEvent};
use contracts::ids::CustomerId;
use contracts::read::CustomerStatus;
use sqlx::PgConnection;

use super::error::ProjectionError;

pub async fn apply(
    conn: &mut PgConnection,
    stored: Stored<CustomerId, CustomerEvent>,
) -> Result<(), ProjectionError> {
    let id = stored.id;
    let status = match stored.event {
        CustomerEvent::CustomerCreated {
            customer_id,
            code,
            details,
        } => {
            sqlx::query(
                "INSERT INTO customers (id, code, status, version, created_at, updated_at, legal_name,
                                        payment_terms)
                 VALUES ($1, $2, $3, $4, $5, $5, '', '')",
            )
            .bind(customer_id)
            .bind(code.as_str())
            .bind(CustomerStatus::Active)
            .bind(stored.sequence)
            .bind(stored.meta.occurred_at)
            .execute(&mut *conn)
            .await?;
            write_details(conn, id, &details).await?;
            refresh_orders(conn, &customer_id).await?;
            return Ok(());
        }
        CustomerEvent::CustomerUpdated { details, .. } => {
            write_details(conn, id, &details).await?;
            refresh_orders(conn, &id).await?;
            None
        }
        CustomerEvent::CustomerArchived {} => Some(CustomerStatus::Archived),
        CustomerEvent::CustomerReactivated {} => Some(CustomerStatus::Active),
    };
    sqlx::query(
        "UPDATE customers SET status = coalesce($2, status), version = $3, updated_at = $4
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

/// Orders show their customer's current code and name: every order of the customer is
/// rewritten, whether it was projected before or after the customer (see
/// `orders::lock_customer`).
async fn refresh_orders(conn: &mut PgConnection, id: &CustomerId) -> Result<(), sqlx::Error> {
    super::orders::lock_customer(conn, Some(id)).await?;
    sqlx::query(
        "UPDATE orders o SET customer_code = c.code, customer_name = c.legal_name
           FROM customers c
          WHERE c.id = $1 AND o.customer_id = $1
            AND (o.customer_code, o.customer_name) IS DISTINCT FROM (c.code, c.legal_name)",
    )
    .bind(id)
    .execute(conn)
    .await
    .map(drop)
}

async fn write_details(
    conn: &mut PgConnection,
    id: CustomerId,
    d: &CustomerDetails,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE customers
            SET legal_name = $2, siren = $3, siret = $4, vat_number = $5, email = $6, phone = $7,
                billing_address = $8, shipping_address = $9, payment_terms = $10,
                credit_limit = $11
          WHERE id = $1",
    )
    .bind(id)
    .bind(&d.legal_name)
    .bind(d.siren.as_ref().map(|s| s.as_str()))
    .bind(d.siret.as_ref().map(|s| s.as_str()))
    .bind(d.vat_number.as_ref().map(|s| s.as_str()))
    .bind(d.email.as_ref().map(|s| s.as_str()))
    .bind(d.phone.as_ref().map(|s| s.as_str()))
    .bind(d.billing_address.as_ref().map(sqlx::types::Json))
    .bind(d.shipping_address.as_ref().map(sqlx::types::Json))
    .bind(d.payment_terms.as_str())
    .bind(d.credit_limit.map(|m| m.amount()))
    .execute(conn)
    .await
    .map(drop)
}
