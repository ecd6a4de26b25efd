//! OpenAPI schemas (`utoipa`) of the types the HTTP APIs send, behind the `openapi`
//! feature: ids are uuid strings, amounts and quantities decimal strings (never JSON
//! numbers), value types strings, and each closed set a string enum of the names serde
//! writes ([`ClosedSet::name`], checked equal by `read`'s tests).

use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{KnownFormat, RefOr, Schema};

use crate::read::ClosedSet;

fn string(format: Option<SchemaFormat>, description: &str, example: Option<&str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(format)
        .description(Some(description))
        .examples(example.map(serde_json::Value::from))
        .into()
}

/// A decimal written as a JSON string, e.g. `"12.50"`.
pub fn decimal(description: &str, example: &str) -> RefOr<Schema> {
    string(
        Some(SchemaFormat::Custom("decimal".to_owned())),
        description,
        Some(example),
    )
}

/// A closed set: a string among its names.
pub fn closed_set<T: ClosedSet>() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(T::ALL.iter().map(|v| v.name())))
        .into()
}

/// Implements `ToSchema` with the given schema function.
macro_rules! schema {
    ($ty:ty, $name:expr, $schema:expr) => {
        impl utoipa::PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                $schema
            }
        }
        impl utoipa::ToSchema for $ty {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed($name)
            }
        }
    };
}

macro_rules! ids {
    ($($ty:ident),*) => {$(
        schema!(crate::ids::$ty, stringify!($ty), string(
            Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)),
            concat!("A ", stringify!($ty), ": a UUID."),
            None,
        ));
    )*};
}
ids!(
    ProductId,
    CustomerId,
    OrderId,
    UserId,
    SessionId,
    InvoiceId,
    CreditNoteId,
    PaymentId
);

macro_rules! closed_sets {
    ($($ty:ty = $name:literal),*) => {$(
        schema!($ty, $name, closed_set::<$ty>());
    )*};
}
closed_sets!(
    crate::product::ProductStatus = "ProductStatus",
    crate::product::Unit = "Unit",
    crate::customer::PaymentTerms = "PaymentTerms",
    crate::read::CustomerStatus = "CustomerStatus",
    crate::account::UserStatus = "UserStatus",
    crate::auth::Role = "Role",
    crate::events::OrderStatus = "OrderStatus",
    crate::events::AggregateType = "AggregateType",
    crate::read::StockMovementKind = "StockMovementKind",
    crate::stock::AdjustmentReason = "AdjustmentReason",
    crate::invoice::InvoiceStatus = "InvoiceStatus",
    crate::invoice::PaymentMethod = "PaymentMethod"
);

schema!(
    crate::money::Money,
    "Money",
    decimal(
        "An amount in euros, a decimal string (never a JSON number).",
        "12.50"
    )
);
schema!(
    crate::product::Quantity,
    "Quantity",
    decimal("A quantity, a decimal string.", "3")
);
schema!(
    crate::product::VatRate,
    "VatRate",
    decimal("A VAT rate in percent, a decimal string.", "20")
);
schema!(
    crate::pricing::Discount,
    "Discount",
    decimal("A discount in percent, a decimal string.", "5")
);
schema!(
    crate::product::Sku,
    "Sku",
    string(None, "A stock-keeping unit.", Some("SKU-001"))
);
schema!(
    crate::customer::Country,
    "Country",
    string(None, "An ISO 3166-1 alpha-2 country code.", Some("FR"))
);
