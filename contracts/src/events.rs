//! Domain events: the facts stored in `events` and carried over NATS.
//!
//! These types are contracts. Their serialized names (`event_type`) and versions are stored
//! forever; changing a field is a versioning decision (new version plus upcaster), not a
//! refactor. The JSON is serde's externally tagged form: `{"ProductCreated": {...}}`.

use crate::FieldCode;
use serde::{Deserialize, Serialize};

use chrono::{DateTime, Utc};

use crate::account::{DisplayName, Email};
use crate::auth::Roles;
use crate::customer::{Address, CustomerCode, PaymentTerms, Phone, Siren, Siret, VatNumber};
use crate::ids::{
    CreditNoteId, CustomerId, InvoiceId, OrderId, PaymentId, ProductId, SessionId, UserId,
};
use crate::invoice::{Buyer, CreditNoteLine, InvoiceLine, PaymentMethod, Seller};
use crate::money::Money;
use crate::pricing::{Discount, Totals};
use crate::product::{Barcode, Category, ProductName, Quantity, Sku, Unit, VatRate};
use crate::stock::{AdjustmentReason, StockDelta};

/// Aggregate type names, as stored in `events.aggregate_type` and used in NATS subjects.
pub mod aggregate_types {
    pub const PRODUCT: &str = "Product";
    pub const USER: &str = "User";
    /// One login and the chain of refresh tokens issued from it.
    pub const SESSION: &str = "Session";
    /// One refused login: a stream of one event, so that failures never contend.
    pub const LOGIN_ATTEMPT: &str = "LoginAttempt";
    /// One stream per product, keyed by the product id.
    pub const STOCK: &str = "Stock";
    pub const CUSTOMER: &str = "Customer";
    pub const ORDER: &str = "Order";
    /// One invoice, with its credit notes and payments.
    pub const INVOICE: &str = "Invoice";
}

/// The aggregate types, as a closed set: what a reader of the store switches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text"))]
pub enum AggregateType {
    Product,
    User,
    Session,
    LoginAttempt,
    Stock,
    Customer,
    Order,
    Invoice,
}

impl AggregateType {
    pub const ALL: [AggregateType; 8] = [
        AggregateType::Product,
        AggregateType::User,
        AggregateType::Session,
        AggregateType::LoginAttempt,
        AggregateType::Stock,
        AggregateType::Customer,
        AggregateType::Order,
        AggregateType::Invoice,
    ];

    /// The stored name ([`aggregate_types`]).
    pub fn as_str(self) -> &'static str {
        match self {
            AggregateType::Product => aggregate_types::PRODUCT,
            AggregateType::User => aggregate_types::USER,
            AggregateType::Session => aggregate_types::SESSION,
            AggregateType::LoginAttempt => aggregate_types::LOGIN_ATTEMPT,
            AggregateType::Stock => aggregate_types::STOCK,
            AggregateType::Customer => aggregate_types::CUSTOMER,
            AggregateType::Order => aggregate_types::ORDER,
            AggregateType::Invoice => aggregate_types::INVOICE,
        }
    }

    /// The type a stored name names, if it is one of ours.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

macro_rules! domain_event {
    ($ty:ident { $($variant:ident),* $(,)? }) => {
        #[cfg(feature = "cqrs")]
        impl cqrs_es::DomainEvent for $ty {
            fn event_type(&self) -> String {
                match self {
                    $($ty::$variant { .. } => stringify!($variant),)*
                }
                .to_owned()
            }

            fn event_version(&self) -> String {
                "1".to_owned()
            }
        }
    };
}

/// The details of a product that can change after creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductDetails {
    pub name: ProductName,
    pub price: Money,
    pub vat_rate: VatRate,
    pub unit: Unit,
    pub category: Category,
    pub barcode: Option<Barcode>,
    /// `None`: no alert; `Some(0)`: alert only when out of stock.
    pub low_stock_threshold: Option<Quantity>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ProductEvent {
    ProductCreated {
        product_id: ProductId,
        sku: Sku,
        #[serde(flatten)]
        details: ProductDetails,
    },
    /// Carries the full new details, and which of them changed, so that the projection
    /// is a plain overwrite and the audit trail can say what was touched.
    ProductUpdated {
        #[serde(flatten)]
        details: ProductDetails,
        changed: Vec<String>,
    },
    ProductArchived {},
    ProductReactivated {},
}

#[cfg(feature = "cqrs")]
impl cqrs_es::DomainEvent for ProductEvent {
    fn event_type(&self) -> String {
        match self {
            ProductEvent::ProductCreated { .. } => "ProductCreated",
            ProductEvent::ProductUpdated { .. } => "ProductUpdated",
            ProductEvent::ProductArchived {} => "ProductArchived",
            ProductEvent::ProductReactivated {} => "ProductReactivated",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

/// Events of a User (an account).
///
/// The password hash is an argon2id PHC string (salted, memory-hard). It travels on the
/// internal event stream only; no read model and no integration event copies it, and the
/// audit trail shows it redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum UserEvent {
    UserCreated {
        user_id: UserId,
        email: Email,
        display_name: DisplayName,
        roles: Roles,
        password_hash: String,
        must_change_password: bool,
    },
    UserRolesChanged {
        roles: Roles,
    },
    UserDisabled {},
    UserEnabled {},
    /// `by_admin`: an admin reset it, and the user must choose a new one at next login.
    /// Every session started before it ends, except `kept_session`: the one the user
    /// changed their own password from.
    UserPasswordChanged {
        password_hash: String,
        by_admin: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kept_session: Option<SessionId>,
    },
}

#[cfg(feature = "cqrs")]
impl cqrs_es::DomainEvent for UserEvent {
    fn event_type(&self) -> String {
        match self {
            UserEvent::UserCreated { .. } => "UserCreated",
            UserEvent::UserRolesChanged { .. } => "UserRolesChanged",
            UserEvent::UserDisabled {} => "UserDisabled",
            UserEvent::UserEnabled {} => "UserEnabled",
            UserEvent::UserPasswordChanged { .. } => "UserPasswordChanged",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

/// Fields that the audit trail and any log show as `"<redacted>"`.
pub const SECRET_FIELDS: &[&str] = &["password_hash", "token_hash"];

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionEnd {
    Logout,
    /// A refresh token that had already been rotated was presented again: someone else
    /// may hold it, so the whole family is revoked.
    RefreshTokenReused,
    /// The account's password was changed or reset after the session started.
    PasswordChanged,
}

/// Events of a Session: one login and its refresh-token family. Only SHA-256 hashes of
/// refresh tokens are stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SessionEvent {
    LoggedIn {
        session_id: SessionId,
        user_id: UserId,
        email: Email,
        token_hash: String,
        expires_at: DateTime<Utc>,
        /// How many times the account's password had changed at login: a session is
        /// good only while that count stands (sessions recorded before the count existed
        /// read 0, and end at their account's first change).
        #[serde(default)]
        password_epoch: u64,
    },
    TokenRefreshed {
        token_hash: String,
        expires_at: DateTime<Utc>,
    },
    SessionEnded {
        reason: SessionEnd,
    },
}

#[cfg(feature = "cqrs")]
impl cqrs_es::DomainEvent for SessionEvent {
    fn event_type(&self) -> String {
        match self {
            SessionEvent::LoggedIn { .. } => "LoggedIn",
            SessionEvent::TokenRefreshed { .. } => "TokenRefreshed",
            SessionEvent::SessionEnded { .. } => "SessionEnded",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginFailure {
    UnknownEmail,
    WrongPassword,
    AccountDisabled,
    /// A wrong current password given to change one's own password.
    WrongCurrentPassword,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LoginAttemptEvent {
    LoginFailed {
        /// As typed, bounded: an unknown address is worth seeing in the audit trail.
        email: String,
        user_id: Option<UserId>,
        reason: LoginFailure,
    },
}

#[cfg(feature = "cqrs")]
impl cqrs_es::DomainEvent for LoginAttemptEvent {
    fn event_type(&self) -> String {
        "LoginFailed".to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

/// Events of a product's stock. Quantities are in the product's unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum StockEvent {
    StockAdjusted {
        product_id: ProductId,
        delta: StockDelta,
        reason: AdjustmentReason,
        comment: Option<String>,
        /// On hand after the adjustment.
        on_hand: Quantity,
    },
    /// Keyed by order: an order holds at most one reservation per product.
    StockReserved {
        order_id: OrderId,
        quantity: Quantity,
    },
    StockReleased {
        order_id: OrderId,
        quantity: Quantity,
    },
    /// At fulfilment: the reservation leaves on-hand stock.
    StockConsumed {
        order_id: OrderId,
        quantity: Quantity,
    },
    /// Available stock went from above the product's threshold to at or below it.
    StockLow {
        product_id: ProductId,
        available: Quantity,
        threshold: Quantity,
    },
}

domain_event!(StockEvent {
    StockAdjusted,
    StockReserved,
    StockReleased,
    StockConsumed,
    StockLow
});

/// The details of a customer that can change after creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerDetails {
    pub legal_name: String,
    pub siren: Option<Siren>,
    pub siret: Option<Siret>,
    pub vat_number: Option<VatNumber>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub billing_address: Option<Address>,
    pub shipping_address: Option<Address>,
    pub payment_terms: PaymentTerms,
    /// In EUR; none: no limit set.
    pub credit_limit: Option<Money>,
}

impl CustomerDetails {
    /// The rules that tie fields together: a SIRET starts with the SIREN, a French VAT
    /// number holds the SIREN. Each broken one names its field.
    pub fn inconsistencies(&self) -> Vec<(&'static str, crate::Invalid)> {
        let mut found = Vec::new();
        if let (Some(siren), Some(siret)) = (&self.siren, &self.siret) {
            if siret.siren() != siren.as_str() {
                found.push((
                    "siret",
                    crate::Invalid::new(
                        FieldCode::SiretSirenMismatch,
                        "a SIRET starts with its SIREN",
                    ),
                ));
            }
        }
        let siren = self
            .siren
            .as_ref()
            .map(|s| s.as_str())
            .or(self.siret.as_ref().map(Siret::siren));
        if let (Some(siren), Some(vat_siren)) = (
            siren,
            self.vat_number.as_ref().and_then(VatNumber::french_siren),
        ) {
            if siren != vat_siren {
                found.push((
                    "vat_number",
                    crate::Invalid::new(
                        FieldCode::VatSirenMismatch,
                        "a French VAT number holds the company's SIREN",
                    ),
                ));
            }
        }
        found
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CustomerEvent {
    CustomerCreated {
        customer_id: CustomerId,
        code: CustomerCode,
        #[serde(flatten)]
        details: CustomerDetails,
    },
    /// The full new details and the names of the fields that changed.
    CustomerUpdated {
        #[serde(flatten)]
        details: CustomerDetails,
        changed: Vec<String>,
    },
    CustomerArchived {},
    CustomerReactivated {},
}

domain_event!(CustomerEvent {
    CustomerCreated,
    CustomerUpdated,
    CustomerArchived,
    CustomerReactivated
});

/// An order line: the product's details as they were when the line was added, so that
/// later catalogue changes never alter an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderLine {
    /// Stable within the order: 1, 2, 3… never reused.
    pub line_no: u32,
    pub product_id: ProductId,
    pub sku: Sku,
    pub label: ProductName,
    pub unit: Unit,
    pub quantity: Quantity,
    pub unit_price: Money,
    pub discount: Discount,
    pub vat_rate: VatRate,
}

/// A line that could not be reserved: what it asked, what there was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shortage {
    pub product_id: ProductId,
    pub sku: Sku,
    pub requested: Quantity,
    pub available: Quantity,
}

/// What one product of a submitted order needs: its lines' quantities summed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Need {
    pub product_id: ProductId,
    pub sku: Sku,
    pub quantity: Quantity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum OrderStatus {
    Draft,
    /// Its stock is being reserved; nothing else may happen meanwhile.
    Submitting,
    Submitted,
    Fulfilled,
    Cancelled,
}

impl OrderStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [OrderStatus; 5] = [
        OrderStatus::Draft,
        OrderStatus::Submitting,
        OrderStatus::Submitted,
        OrderStatus::Fulfilled,
        OrderStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Draft => "draft",
            OrderStatus::Submitting => "submitting",
            OrderStatus::Submitted => "submitted",
            OrderStatus::Fulfilled => "fulfilled",
            OrderStatus::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OrderEvent {
    /// `number` is assigned in the event's own transaction by a trigger
    /// (`migrations/0005_stock_and_orders.sql`): gap-free per year.
    OrderCreated {
        order_id: OrderId,
        number: String,
        customer_id: Option<CustomerId>,
    },
    OrderLineAdded {
        line: OrderLine,
    },
    OrderLineChanged {
        line: OrderLine,
    },
    OrderLineRemoved {
        line_no: u32,
    },
    OrderCustomerSet {
        customer_id: CustomerId,
    },
    OrderTermsSet {
        notes: Option<String>,
        valid_until: Option<chrono::NaiveDate>,
    },
    /// The submit process starts: the order is frozen while its stock is reserved.
    OrderSubmissionStarted {
        needs: Vec<Need>,
    },
    OrderSubmitted {
        number: String,
        customer_id: CustomerId,
        totals: Totals,
        /// What was reserved, product by product.
        lines: Vec<Need>,
    },
    /// Some line was short: what was reserved has been released; back to draft.
    OrderSubmissionRejected {
        shortages: Vec<Shortage>,
    },
    /// `release`: the order held stock, which the process now releases.
    OrderCancelled {
        number: String,
        customer_id: Option<CustomerId>,
        reason: Option<String>,
        release: bool,
    },
    OrderStockReleased {},
    /// Final; the process now consumes the reservations.
    OrderFulfilled {
        number: String,
        customer_id: CustomerId,
    },
    OrderStockConsumed {},
}

domain_event!(OrderEvent {
    OrderCreated,
    OrderLineAdded,
    OrderLineChanged,
    OrderLineRemoved,
    OrderCustomerSet,
    OrderTermsSet,
    OrderSubmissionStarted,
    OrderSubmitted,
    OrderSubmissionRejected,
    OrderCancelled,
    OrderStockReleased,
    OrderFulfilled,
    OrderStockConsumed
});

/// Events of an Invoice stream: the invoice, then its credit notes and payments. None of
/// them changes what an earlier one recorded: an issued invoice or credit note is final.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum InvoiceEvent {
    /// `number` (`FAC-<year>-<6 digits>`, the year of `issue_date`) is assigned in the
    /// event's own transaction by a trigger, gap-free per year, which also refuses a
    /// second invoice of the same order (`migrations/0014_invoices.sql`). `seller`,
    /// `buyer` and `lines` are snapshots taken at issue time.
    InvoiceIssued {
        invoice_id: InvoiceId,
        number: String,
        order_id: OrderId,
        order_number: String,
        customer_id: CustomerId,
        issue_date: chrono::NaiveDate,
        /// The day the order was fulfilled (goods delivered).
        delivery_date: chrono::NaiveDate,
        /// From `issue_date` and `payment_terms`.
        due_date: chrono::NaiveDate,
        payment_terms: PaymentTerms,
        /// Boxed for the enum's size only: serialized as the value itself.
        seller: Box<Seller>,
        buyer: Box<Buyer>,
        lines: Vec<InvoiceLine>,
        totals: Totals,
    },
    /// A credit note (*avoir*) on the invoice, numbered `AV-<year>-<6 digits>` in its own
    /// gap-free sequence, the same way. `invoice_number` and `customer_id` repeat the
    /// invoice's, for readers of this event alone.
    CreditNoteIssued {
        credit_note_id: CreditNoteId,
        number: String,
        invoice_number: String,
        customer_id: CustomerId,
        issue_date: chrono::NaiveDate,
        reason: String,
        lines: Vec<CreditNoteLine>,
        totals: Totals,
    },
    /// `balance`: what the invoice still owes after this payment (TTC, less credit notes
    /// and payments).
    PaymentRecorded {
        payment_id: PaymentId,
        invoice_number: String,
        customer_id: CustomerId,
        paid_on: chrono::NaiveDate,
        amount: Money,
        method: PaymentMethod,
        reference: Option<String>,
        balance: Money,
    },
    /// What the approved platform reported of one of the invoice's documents, once the
    /// document moved forward in its life cycle (`DeliveryStatus::advances`). Recorded
    /// by command-api's transmission dispatcher (a system actor); `reported_at` is when
    /// the platform's answer was read.
    DeliveryStatusRecorded {
        document: crate::invoice::DocumentRef,
        /// The document's number (`FAC-…` or `AV-…`).
        number: String,
        status: crate::invoice::DeliveryStatus,
        /// The platform's id of the deposit (none when it refused the deposit itself).
        platform_ref: Option<String>,
        /// Why it was rejected, as the platform words it.
        reason: Option<String>,
        reported_at: chrono::DateTime<chrono::Utc>,
    },
}

domain_event!(InvoiceEvent {
    InvoiceIssued,
    CreditNoteIssued,
    PaymentRecorded,
    DeliveryStatusRecorded
});

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn product_created_keeps_its_stored_shape() {
        let id: ProductId = "0190a3c4-0000-7000-8000-000000000001".parse().unwrap();
        let event = ProductEvent::ProductCreated {
            product_id: id,
            sku: Sku::parse("AB-1").unwrap(),
            details: ProductDetails {
                name: ProductName::parse("Vis").unwrap(),
                price: Money::new(Decimal::new(1250, 2)).unwrap(),
                vat_rate: VatRate::new(Decimal::new(20, 0)).unwrap(),
                unit: Unit::Piece,
                category: Category::parse("Quincaillerie").unwrap(),
                barcode: None,
                low_stock_threshold: Some(Quantity::new(Decimal::ZERO).unwrap()),
            },
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"ProductCreated": {
                "product_id": "0190a3c4-0000-7000-8000-000000000001",
                "sku": "AB-1", "name": "Vis", "price": "12.50", "vat_rate": "20",
                "unit": "piece", "category": "Quincaillerie", "barcode": null,
                "low_stock_threshold": "0"
            }})
        );
        let back: ProductEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }
}
