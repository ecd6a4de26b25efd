//! `products`: one row per product, with the version it reflects.

use contracts::envelope::{EventEnvelope, Stored};
use contracts::events::{AggregateType, ProductEvent};
use contracts::ids::ProductId;
use contracts::product::ProductStatus;
use sqlx::PgConnection;

use super::error::ProjectionError;

pub async fn apply(
    conn: &mut PgConnection,
    stored: Stored<ProductId, ProductEvent>,
) -> Result<(), ProjectionError> {
    if let ProductEvent::ProductCreated { .. } = stored.event {
        return create_many(conn, vec![stored]).await;
    }
    let id = stored.id;
    match stored.event {
        // Projected above, with runs of creations.
        ProductEvent::ProductCreated { .. } => {}
        ProductEvent::ProductUpdated { details, .. } => {
            sqlx::query(
                "UPDATE stock_levels
                    SET name = $2, category = $3, unit = $4, low_stock_threshold = $5
                  WHERE product_id = $1",
            )
            .bind(id)
            .bind(details.name.as_str())
            .bind(details.category.as_str())
            .bind(details.unit.as_str())
            .bind(details.low_stock_threshold.map(|q| q.value()))
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "UPDATE products
                    SET name = $2, price = $3, vat_rate = $4, unit = $5, category = $6,
                        barcode = $7, low_stock_threshold = $8, version = $9,
                        updated_at = $10, updated_by = $11, last_correlation_id = $12
                  WHERE id = $1",
            )
            .bind(id)
            .bind(details.name.as_str())
            .bind(details.price.amount())
            .bind(details.vat_rate.percent())
            .bind(details.unit.as_str())
            .bind(details.category.as_str())
            .bind(details.barcode.as_ref().map(|b| b.as_str()))
            .bind(details.low_stock_threshold.map(|q| q.value()))
            .bind(stored.sequence)
            .bind(stored.meta.occurred_at)
            .bind(&stored.meta.actor_id)
            .bind(&stored.meta.correlation_id)
            .execute(conn)
            .await?;
        }
        ProductEvent::ProductArchived {} => {
            set_status(
                conn,
                id,
                stored.sequence,
                &stored.meta,
                ProductStatus::Archived,
            )
            .await?;
        }
        ProductEvent::ProductReactivated {} => {
            set_status(
                conn,
                id,
                stored.sequence,
                &stored.meta,
                ProductStatus::Active,
            )
            .await?;
        }
    }
    Ok(())
}

/// Whether `envelope` creates a product: runs of them are projected by [`create_many`].
pub fn is_creation(envelope: &EventEnvelope) -> bool {
    envelope.aggregate_type == AggregateType::Product.as_str()
        && envelope.event_type == "ProductCreated"
}

/// Projects product creations, one or a run of them, in one statement. An event that is
/// not a creation is an error (the caller picks them with [`is_creation`]).
///
/// Its stock level holds copies of the product's columns for the stock list's filters.
/// Whichever of the product and its stock events is projected first creates the row; each
/// side writes only its own columns, so the order in which the two streams arrive never
/// changes the result.
pub async fn create_many(
    conn: &mut PgConnection,
    created: Vec<Stored<ProductId, ProductEvent>>,
) -> Result<(), ProjectionError> {
    let mut c = Columns::default();
    for stored in created {
        let ProductEvent::ProductCreated {
            product_id,
            sku,
            details,
        } = stored.event
        else {
            return Err(ProjectionError::NotACreation(stored.sequence));
        };
        c.id.push(product_id.as_uuid());
        c.sku.push(sku.as_str().to_owned());
        c.name.push(details.name.as_str().to_owned());
        c.price.push(details.price.amount());
        c.vat_rate.push(details.vat_rate.percent());
        c.unit.push(details.unit.as_str().to_owned());
        c.category.push(details.category.as_str().to_owned());
        c.barcode
            .push(details.barcode.as_ref().map(|b| b.as_str().to_owned()));
        c.low_stock_threshold
            .push(details.low_stock_threshold.map(|q| q.value()));
        c.version.push(stored.sequence);
        c.at.push(stored.meta.occurred_at);
        c.by.push(stored.meta.actor_id);
        c.correlation.push(stored.meta.correlation_id);
    }
    let status = vec![ProductStatus::Active.as_str(); c.id.len()];
    sqlx::query(
        "WITH product AS (
             INSERT INTO products (id, sku, name, price, vat_rate, unit, category, barcode,
                                   low_stock_threshold, status, version, created_at,
                                   updated_at, updated_by, last_correlation_id)
             SELECT id, sku, name, price, vat_rate, unit, category, barcode,
                    low_stock_threshold, status, version, at, at, by, correlation
               FROM unnest($1::uuid[], $2::text[], $3::text[], $4::numeric[], $5::numeric[],
                           $6::text[], $7::text[], $8::text[], $9::numeric[], $10::text[],
                           $11::bigint[], $12::timestamptz[], $13::text[], $14::text[])
                    AS c(id, sku, name, price, vat_rate, unit, category, barcode,
                         low_stock_threshold, status, version, at, by, correlation)
             RETURNING id, sku, name, category, unit, low_stock_threshold, created_at)
         INSERT INTO stock_levels AS s (product_id, sku, name, category, unit,
                                        low_stock_threshold, updated_at)
         SELECT * FROM product
         ON CONFLICT (product_id) DO UPDATE
            SET sku = EXCLUDED.sku, name = EXCLUDED.name, category = EXCLUDED.category,
                unit = EXCLUDED.unit, low_stock_threshold = EXCLUDED.low_stock_threshold",
    )
    .bind(c.id)
    .bind(c.sku)
    .bind(c.name)
    .bind(c.price)
    .bind(c.vat_rate)
    .bind(c.unit)
    .bind(c.category)
    .bind(c.barcode)
    .bind(c.low_stock_threshold)
    .bind(status)
    .bind(c.version)
    .bind(c.at)
    .bind(c.by)
    .bind(c.correlation)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Default)]
struct Columns {
    id: Vec<uuid::Uuid>,
    sku: Vec<String>,
    name: Vec<String>,
    price: Vec<rust_decimal::Decimal>,
    vat_rate: Vec<rust_decimal::Decimal>,
    unit: Vec<String>,
    category: Vec<String>,
    barcode: Vec<Option<String>>,
    low_stock_threshold: Vec<Option<rust_decimal::Decimal>>,
    version: Vec<i64>,
    at: Vec<chrono::DateTime<chrono::Utc>>,
    by: Vec<String>,
    correlation: Vec<String>,
}

async fn set_status(
    conn: &mut PgConnection,
    id: ProductId,
    sequence: i64,
    meta: &contracts::metadata::EventMeta,
    status: ProductStatus,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE products
            SET status = $2, version = $3, updated_at = $4, updated_by = $5,
                last_correlation_id = $6
          WHERE id = $1",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(sequence)
    .bind(meta.occurred_at)
    .bind(&meta.actor_id)
    .bind(&meta.correlation_id)
    .execute(conn)
    .await
    .map(drop)
}
