//! Domain events: the facts stored in `events` and carried over NATS.
//!
//! These types are contracts. Their serialized names (`event_type`) and versions are stored
//! forever; changing a field is a versioning decision (new version plus upcaster), not a
//! refactor. The JSON is serde's externally tagged form: `{"ProductCreated": {...}}`.

use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use chrono::{DateTime, Utc};

use crate::account::{DisplayName, Email};
use crate::auth::Roles;
use crate::ids::{ProductId, SessionId, UserId};
use crate::money::Money;
use crate::product::{Barcode, Category, ProductName, Quantity, Sku, Unit, VatRate};

/// Aggregate type names, as stored in `events.aggregate_type` and used in NATS subjects.
pub mod aggregate_types {
    pub const PRODUCT: &str = "Product";
    pub const USER: &str = "User";
    /// One login and the chain of refresh tokens issued from it.
    pub const SESSION: &str = "Session";
    /// One refused login: a stream of one event, so that failures never contend.
    pub const LOGIN_ATTEMPT: &str = "LoginAttempt";
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

impl DomainEvent for ProductEvent {
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
    UserPasswordChanged {
        password_hash: String,
        by_admin: bool,
    },
}

impl DomainEvent for UserEvent {
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
    },
    TokenRefreshed {
        token_hash: String,
        expires_at: DateTime<Utc>,
    },
    SessionEnded {
        reason: SessionEnd,
    },
}

impl DomainEvent for SessionEvent {
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

impl DomainEvent for LoginAttemptEvent {
    fn event_type(&self) -> String {
        "LoginFailed".to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

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
