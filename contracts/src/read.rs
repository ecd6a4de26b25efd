//! Read-model rows as the read API returns them. Written only by the projector.
//!
//! A column that holds one of a closed set is the domain's enum, decoded from the text the
//! projector writes (the enum's `as_str`, see [`ClosedSet`]); an amount is [`Money`]; a
//! JSON column whose shape the domain defines is that type.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::account::UserStatus;
use crate::auth::Role;
use crate::customer::{Address, PaymentTerms};
use crate::events::{AggregateType, OrderStatus, Shortage};
use crate::ids::{CreditNoteId, CustomerId, InvoiceId, OrderId, PaymentId, ProductId};
use crate::invoice::{Buyer, DeliveryStatus, DocumentKind, InvoiceStatus, PaymentMethod, Seller};
use crate::money::Money;
use crate::pricing::VatLine;
use crate::product::{ProductStatus, Unit};
use crate::stock::AdjustmentReason;

/// The company's calendar for sales figures: the dashboard books an order on its
/// submission day here (a sale at 23:30 UTC on 31 March belongs to April in Paris).
pub const SALES_TIME_ZONE: &str = "Europe/Paris";

/// A closed set that a read-model column holds as text: every value, and the text of each,
/// which is what the projector writes (the enum's `as_str`). Lists parse their filters
/// with it, and a test checks each type's `sqlx` decoding against it.
pub trait ClosedSet: Copy + Eq + std::fmt::Debug + Send + Sync + 'static {
    /// Every value, in the order an error message lists them.
    const ALL: &'static [Self];

    /// The text a column holds.
    fn name(self) -> &'static str;

    fn from_name(raw: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|value| value.name() == raw)
    }

    /// Every name, for a message: `active, archived`.
    fn names() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|value| value.name()).collect();
        names.join(", ")
    }
}

/// `$ty` with the list of its values that its module keeps (`Unit::ALL`).
macro_rules! closed_set {
    ($ty:ident, $all:expr) => {
        impl ClosedSet for $ty {
            const ALL: &'static [Self] = &$all;

            fn name(self) -> &'static str {
                self.as_str()
            }
        }
    };
}

closed_set!(ProductStatus, ProductStatus::ALL);
closed_set!(Unit, Unit::ALL);
closed_set!(PaymentTerms, PaymentTerms::ALL);
closed_set!(CustomerStatus, CustomerStatus::ALL);
closed_set!(UserStatus, UserStatus::ALL);
closed_set!(Role, Role::ALL);
closed_set!(OrderStatus, OrderStatus::ALL);
closed_set!(AggregateType, AggregateType::ALL);
closed_set!(StockMovementKind, StockMovementKind::ALL);
closed_set!(DeliveryStatus, DeliveryStatus::ALL);
closed_set!(DocumentKind, DocumentKind::ALL);
closed_set!(AdjustmentReason, AdjustmentReason::ALL);
closed_set!(InvoiceStatus, InvoiceStatus::ALL);
closed_set!(PaymentMethod, PaymentMethod::ALL);

/// Whether a customer can be put on new orders. The customer aggregate keeps it as a flag;
/// its read model holds one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum CustomerStatus {
    Active,
    Archived,
}

impl CustomerStatus {
    pub const ALL: [CustomerStatus; 2] = [CustomerStatus::Active, CustomerStatus::Archived];

    pub fn as_str(self) -> &'static str {
        match self {
            CustomerStatus::Active => "active",
            CustomerStatus::Archived => "archived",
        }
    }
}

/// What moved a product's stock, one per stock event that moves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum StockMovementKind {
    /// Counted, received, lost…: on hand changes.
    Adjusted,
    /// Held for a submitted order.
    Reserved,
    /// An order's hold given back.
    Released,
    /// A fulfilled order's hold leaves on-hand stock.
    Consumed,
}

impl StockMovementKind {
    pub const ALL: [StockMovementKind; 4] = [
        StockMovementKind::Adjusted,
        StockMovementKind::Reserved,
        StockMovementKind::Released,
        StockMovementKind::Consumed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StockMovementKind::Adjusted => "adjusted",
            StockMovementKind::Reserved => "reserved",
            StockMovementKind::Released => "released",
            StockMovementKind::Consumed => "consumed",
        }
    }
}

/// Serde by [`ClosedSet::name`], for an enum whose serde spelling is not its column's
/// (`PaymentTerms`: `net30` in events, `net_30` in the read model and the API).
pub mod by_name {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    use super::ClosedSet;

    pub fn serialize<T: ClosedSet, S: Serializer>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(value.name())
    }

    pub fn deserialize<'de, T: ClosedSet, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<T, D::Error> {
        let raw = String::deserialize(deserializer)?;
        T::from_name(&raw)
            .ok_or_else(|| D::Error::custom(format!("`{raw}`: expected one of {}", T::names())))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductRow {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub price: Money,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal"))]
    pub vat_rate: Decimal,
    pub unit: Unit,
    pub category: String,
    pub barcode: Option<String>,
    #[serde(with = "rust_decimal::serde::str_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = "decimal"))]
    pub low_stock_threshold: Option<Decimal>,
    pub status: ProductStatus,
    /// The aggregate version this row reflects.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
    pub last_correlation_id: String,
}

/// One page of a list, with the total number of matching rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRow {
    pub id: crate::ids::UserId,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub status: UserStatus,
    pub must_change_password: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

/// One event as the audit trail shows it: who, when, from where, what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerRow {
    pub id: crate::ids::CustomerId,
    pub code: String,
    pub legal_name: String,
    pub siren: Option<String>,
    pub siret: Option<String>,
    pub vat_number: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[cfg_attr(feature = "sqlx", sqlx(json(nullable)))]
    pub billing_address: Option<Address>,
    #[cfg_attr(feature = "sqlx", sqlx(json(nullable)))]
    pub shipping_address: Option<Address>,
    #[serde(with = "by_name")]
    pub payment_terms: PaymentTerms,
    pub credit_limit: Option<Money>,
    pub status: CustomerStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockLevelRow {
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    pub category: String,
    pub unit: Unit,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal"))]
    pub on_hand: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal"))]
    pub reserved: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal"))]
    pub available: Decimal,
    #[serde(with = "rust_decimal::serde::str_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = "decimal"))]
    pub low_stock_threshold: Option<Decimal>,
    /// At or below the threshold (a threshold of 0: out of stock).
    pub low: bool,
    /// The Stock stream's version (0: no movement yet).
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockMovementRow {
    pub sequence: i64,
    pub kind: StockMovementKind,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal"))]
    pub quantity: Decimal,
    /// Why an adjustment was made (none on an order's movements).
    pub reason: Option<AdjustmentReason>,
    pub comment: Option<String>,
    pub order_id: Option<crate::ids::OrderId>,
    /// On hand and reserved after the movement.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal"))]
    pub on_hand: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal"))]
    pub reserved: Decimal,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderRow {
    pub id: crate::ids::OrderId,
    pub number: String,
    pub status: OrderStatus,
    pub customer_id: Option<crate::ids::CustomerId>,
    /// The customer's *current* code and name: the customer's events keep every order's
    /// copy up to date.
    pub customer_code: Option<String>,
    pub customer_name: Option<String>,
    pub notes: Option<String>,
    pub valid_until: Option<chrono::NaiveDate>,
    pub line_count: i32,
    pub total_net: Money,
    pub total_vat: Money,
    pub total_gross: Money,
    /// Highest rate first.
    #[cfg_attr(feature = "sqlx", sqlx(json))]
    pub vat_lines: Vec<VatLine>,
    /// The short lines of the last refused submit, if the order is still a draft.
    #[cfg_attr(feature = "sqlx", sqlx(json(nullable)))]
    pub shortages: Option<Vec<Shortage>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderLineRow {
    pub line_no: i32,
    pub product_id: ProductId,
    /// `sku`, `label`, `unit`, `unit_price` and `vat_rate` are a *snapshot* of the product
    /// when the line was added (carried by `OrderLineAdded`): renaming or repricing the
    /// product later never rewrites an order.
    pub sku: String,
    pub label: String,
    pub unit: Unit,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal"))]
    pub quantity: Decimal,
    pub unit_price: Money,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal"))]
    pub discount: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal"))]
    pub vat_rate: Decimal,
    pub net: Money,
}

/// An order with its lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: OrderRow,
    pub lines: Vec<OrderLineRow>,
}

/// An invoice as lists show it. Its customer's code and name are *snapshots* taken at
/// issue time (carried by `InvoiceIssued`), as printed on the invoice: a later rename of
/// the customer never rewrites an issued invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceRow {
    pub id: InvoiceId,
    /// `FAC-<year>-<6 digits>`.
    pub number: String,
    /// `overdue` is worked out when read: `issued` or `partly_paid`, still owing, and
    /// past `due_date` (today in the company's calendar, Europe/Paris).
    pub status: InvoiceStatus,
    pub order_id: OrderId,
    pub order_number: String,
    pub customer_id: CustomerId,
    pub customer_code: String,
    pub customer_name: String,
    pub issue_date: chrono::NaiveDate,
    /// The day the order was fulfilled.
    pub delivery_date: chrono::NaiveDate,
    pub due_date: chrono::NaiveDate,
    #[serde(with = "by_name")]
    pub payment_terms: PaymentTerms,
    /// Always `EUR`.
    pub currency: String,
    pub line_count: i32,
    pub total_net: Money,
    pub total_vat: Money,
    pub total_gross: Money,
    /// Highest rate first.
    #[cfg_attr(feature = "sqlx", sqlx(json))]
    pub vat_lines: Vec<VatLine>,
    /// TTC of its credit notes.
    pub credited: Money,
    /// Sum of its payments.
    pub paid: Money,
    /// `total_gross − credited − paid`: what the customer still owes; negative when a
    /// credit note came after payment (a refund is owed).
    pub balance: Money,
    pub version: i64,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An invoice line: a snapshot of the order line it invoices, and what credit notes took
/// off it so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceLineRow {
    pub line_no: i32,
    pub order_line_no: i32,
    pub product_id: ProductId,
    pub sku: String,
    pub label: String,
    pub unit: Unit,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal"))]
    pub quantity: Decimal,
    pub unit_price: Money,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal"))]
    pub discount: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal"))]
    pub vat_rate: Decimal,
    pub net: Money,
    /// Units given back by credit notes.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal"))]
    pub credited_quantity: Decimal,
    /// Net (HT) taken off by credit notes.
    pub credited_net: Money,
}

/// A credit note (*avoir*) on an invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditNoteRow {
    pub id: CreditNoteId,
    /// `AV-<year>-<6 digits>`.
    pub number: String,
    pub issue_date: chrono::NaiveDate,
    pub reason: String,
    pub total_net: Money,
    pub total_vat: Money,
    pub total_gross: Money,
    #[cfg_attr(feature = "sqlx", sqlx(json))]
    pub vat_lines: Vec<VatLine>,
    pub created_at: DateTime<Utc>,
    /// Who issued it (a user id).
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditNoteLineRow {
    pub line_no: i32,
    pub invoice_line_no: i32,
    /// The invoice line's SKU and label.
    pub sku: String,
    pub label: String,
    /// Units given back; none for an amount taken off the line.
    #[serde(with = "rust_decimal::serde::str_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = "decimal"))]
    pub quantity: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "decimal"))]
    pub vat_rate: Decimal,
    pub net: Money,
}

/// A credit note with its lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditNoteDetail {
    #[serde(flatten)]
    pub credit_note: CreditNoteRow,
    pub lines: Vec<CreditNoteLineRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentRow {
    pub id: PaymentId,
    /// The day the money was received.
    pub paid_on: chrono::NaiveDate,
    pub amount: Money,
    pub method: PaymentMethod,
    pub reference: Option<String>,
    pub recorded_at: DateTime<Utc>,
    /// Who recorded it (a user id).
    pub recorded_by: String,
}

/// Where one of the invoice's documents stands at the approved platform, as it last
/// reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransmissionRow {
    /// The invoice's id, or the credit note's.
    pub document_id: uuid::Uuid,
    pub kind: DocumentKind,
    pub number: String,
    pub status: DeliveryStatus,
    /// The platform's id of the deposit (none when it refused the deposit).
    pub platform_ref: Option<String>,
    /// Why it was rejected, in the platform's words.
    pub reason: Option<String>,
    pub reported_at: DateTime<Utc>,
}

/// An invoice with the parties as issued, its lines, credit notes and payments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceDetail {
    #[serde(flatten)]
    pub invoice: InvoiceRow,
    /// Snapshots taken at issue time.
    pub seller: Seller,
    pub buyer: Buyer,
    pub lines: Vec<InvoiceLineRow>,
    /// Oldest first.
    pub credit_notes: Vec<CreditNoteDetail>,
    /// Oldest first.
    pub payments: Vec<PaymentRow>,
    /// Each document handed to the approved platform, by number (none until then).
    pub transmissions: Vec<TransmissionRow>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row serializes each closed set as serde spells it: the same text as its column,
    /// so that the API shows what it showed when rows held strings.
    fn serde_spells_each_name<T: ClosedSet + Serialize>() {
        for value in T::ALL {
            assert_eq!(
                serde_json::to_value(value).unwrap(),
                serde_json::Value::from(value.name()),
                "{value:?}"
            );
        }
    }

    #[test]
    fn rows_show_the_text_their_columns_hold() {
        serde_spells_each_name::<ProductStatus>();
        serde_spells_each_name::<Unit>();
        serde_spells_each_name::<CustomerStatus>();
        serde_spells_each_name::<UserStatus>();
        serde_spells_each_name::<Role>();
        serde_spells_each_name::<OrderStatus>();
        serde_spells_each_name::<StockMovementKind>();
        serde_spells_each_name::<AdjustmentReason>();
        serde_spells_each_name::<InvoiceStatus>();
        serde_spells_each_name::<PaymentMethod>();
        serde_spells_each_name::<DeliveryStatus>();
        serde_spells_each_name::<DocumentKind>();
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Terms {
        #[serde(with = "by_name")]
        terms: PaymentTerms,
    }

    #[test]
    fn payment_terms_are_shown_by_name_not_as_events_spell_them() {
        let terms = Terms {
            terms: PaymentTerms::EndOfMonth45,
        };
        let json = serde_json::to_string(&terms).unwrap();
        assert_eq!(json, r#"{"terms":"end_of_month_45"}"#);
        assert_eq!(serde_json::from_str::<Terms>(&json).unwrap(), terms);
        let refused = serde_json::from_str::<Terms>(r#"{"terms":"endofmonth45"}"#).unwrap_err();
        assert!(refused
            .to_string()
            .contains("expected one of immediate, net_30"));
    }

    #[test]
    fn a_name_outside_the_set_is_none() {
        assert_eq!(
            OrderStatus::from_name("cancelled"),
            Some(OrderStatus::Cancelled)
        );
        assert_eq!(OrderStatus::from_name("Cancelled"), None);
        assert_eq!(ProductStatus::names(), "active, archived");
        assert_eq!(Unit::from_name("kg"), Some(Unit::Kg));
        assert_eq!(Unit::from_name("KG"), None);
    }
}
