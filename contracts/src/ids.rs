//! Typed identifiers: a `ProductId` cannot be passed where an `OrderId` is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
        #[serde(transparent)]
        #[cfg_attr(feature = "sqlx", sqlx(transparent))]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered id (UUID v7), so that b-tree inserts stay local.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                Self(value)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

typed_id!(
    /// Identifies a Product aggregate.
    ProductId
);

typed_id!(
    /// Identifies a Customer aggregate.
    CustomerId
);

typed_id!(
    /// Identifies an Order aggregate (a sales order, quoted as a proforma).
    OrderId
);

typed_id!(
    /// Identifies a User aggregate (an account).
    UserId
);

typed_id!(
    /// Identifies an Invoice aggregate: one invoice, with its credit notes and payments.
    InvoiceId
);

typed_id!(
    /// Identifies a credit note (an *avoir*) within its invoice's stream.
    CreditNoteId
);

typed_id!(
    /// Identifies a payment within its invoice's stream.
    PaymentId
);

typed_id!(
    /// Identifies a Session aggregate: one login and its chain of refresh tokens.
    SessionId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_product_id_round_trips_through_its_string_form() {
        let id = ProductId::generate();
        assert_eq!(id.to_string().parse::<ProductId>().unwrap(), id);
    }

    #[test]
    fn a_malformed_id_is_refused() {
        assert!("not-a-uuid".parse::<ProductId>().is_err());
    }

    mod properties {
        use super::super::*;
        use crate::prop::{accepted_round_trips, config, hostile};
        use proptest::prelude::*;

        /// A UUID in each of the forms `Uuid::parse_str` reads, or close to one.
        fn uuid_text() -> impl Strategy<Value = String> + Clone {
            (any::<u128>(), 0..4_u8).prop_map(|(n, form)| {
                let id = Uuid::from_u128(n);
                match form {
                    0 => id.hyphenated().to_string(),
                    1 => id.simple().to_string(),
                    2 => id.braced().to_string(),
                    _ => id.urn().to_string().to_uppercase(),
                }
            })
        }

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn ids_never_panic_and_round_trip(raw in hostile(uuid_text())) {
                accepted_round_trips(&raw, ProductId::from_str)?;
                accepted_round_trips(&raw, CustomerId::from_str)?;
                accepted_round_trips(&raw, OrderId::from_str)?;
                accepted_round_trips(&raw, UserId::from_str)?;
                accepted_round_trips(&raw, SessionId::from_str)?;
                accepted_round_trips(&raw, InvoiceId::from_str)?;
                accepted_round_trips(&raw, CreditNoteId::from_str)?;
                accepted_round_trips(&raw, PaymentId::from_str)?;
            }
        }
    }
}
