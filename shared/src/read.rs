//! Read-model rows as the read API returns them. Written only by the projector.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::ProductId;

/// The company's calendar for sales figures: the dashboard books an order on its
/// submission day here (a sale at 23:30 UTC on 31 March belongs to April in Paris).
pub const SALES_TIME_ZONE: &str = "Europe/Paris";

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
    /// Where a list that supports keyset paging goes on: pass it as `after` to get the
    /// next page at the cost of the first (absent on the last page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct UserRow {
    pub id: crate::ids::UserId,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub status: String,
    pub must_change_password: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

/// One event as the audit trail shows it: who, when, from where, what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AuditRow {
    pub occurred_at: DateTime<Utc>,
    pub actor_id: String,
    pub actor_roles: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub correlation_id: String,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    /// The event's payload, secrets redacted.
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct CustomerRow {
    pub id: crate::ids::CustomerId,
    pub code: String,
    pub legal_name: String,
    pub siren: Option<String>,
    pub siret: Option<String>,
    pub vat_number: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `{line1, line2, postal_code, city, country}`.
    pub billing_address: Option<serde_json::Value>,
    pub shipping_address: Option<serde_json::Value>,
    pub payment_terms: String,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub credit_limit: Option<Decimal>,
    pub status: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct StockLevelRow {
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    pub category: String,
    pub unit: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub on_hand: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub reserved: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub available: Decimal,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub low_stock_threshold: Option<Decimal>,
    /// At or below the threshold (a threshold of 0: out of stock).
    pub low: bool,
    /// The Stock stream's version (0: no movement yet).
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct StockMovementRow {
    pub sequence: i64,
    /// adjusted, reserved, released or consumed.
    pub kind: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub quantity: Decimal,
    pub reason: Option<String>,
    pub comment: Option<String>,
    pub order_id: Option<crate::ids::OrderId>,
    /// On hand and reserved after the movement.
    #[serde(with = "rust_decimal::serde::str")]
    pub on_hand: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub reserved: Decimal,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct OrderRow {
    pub id: crate::ids::OrderId,
    pub number: String,
    pub status: String,
    pub customer_id: Option<crate::ids::CustomerId>,
    /// The customer's *current* code and name: the customer's events keep every order's
    /// copy up to date.
    pub customer_code: Option<String>,
    pub customer_name: Option<String>,
    pub notes: Option<String>,
    pub valid_until: Option<chrono::NaiveDate>,
    pub line_count: i32,
    #[serde(with = "rust_decimal::serde::str")]
    pub total_net: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub total_vat: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub total_gross: Decimal,
    /// `[{rate, base, amount}]`, highest rate first.
    pub vat_lines: serde_json::Value,
    /// The short lines of the last refused submit, if the order is still a draft.
    pub shortages: Option<serde_json::Value>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct OrderLineRow {
    pub line_no: i32,
    pub product_id: ProductId,
    /// `sku`, `label`, `unit`, `unit_price` and `vat_rate` are a *snapshot* of the product
    /// when the line was added (carried by `OrderLineAdded`): renaming or repricing the
    /// product later never rewrites an order.
    pub sku: String,
    pub label: String,
    pub unit: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub quantity: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub unit_price: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub discount: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub vat_rate: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub net: Decimal,
}

/// An order with its lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: OrderRow,
    pub lines: Vec<OrderLineRow>,
}
