//! Read-model rows as the read API returns them. Written only by the projector.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::ProductId;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ProductRow {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub price: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub vat_rate: Decimal,
    pub unit: String,
    pub category: String,
    pub barcode: Option<String>,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub low_stock_threshold: Option<Decimal>,
    pub status: String,
    /// The aggregate version this row reflects.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
    pub last_correlation_id: String,
}

/// One page of a list, with the total number of matching rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub limit: u32,
}
