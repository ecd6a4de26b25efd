//! gescom's contracts: what crosses a process boundary. Domain events and their
//! envelope, typed ids, value types and their parsing rules, money and pricing, read-model
//! rows, integration events, event metadata. No I/O: the `sqlx` feature adds
//! database encodings, the `cqrs` feature the event-sourcing framework's trait, for the
//! services that need them.

/// Declares a closed list of wire codes from one list, each variant beside its text: the
/// enum (with the attributes given), `ALL` in the list's order, `as_str` and `Display`.
/// Problem codes and field-error codes are declared with it.
#[macro_export]
macro_rules! wire_codes {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $($variant:ident = $text:literal,)* }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $($variant,)*
        }

        impl $name {
            /// Every code, in the order listed (alphabetical).
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod account;
pub mod auth;
mod checksum;
pub mod csv_columns;
pub mod customer;
pub mod envelope;
pub mod events;
mod field_code;
#[cfg(test)]
mod identifier_vectors;
pub mod ids;
pub mod input;
pub mod integration;
pub mod invoice;
pub mod metadata;
pub mod money;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod pricing;
pub mod product;
#[cfg(test)]
mod prop;
pub mod read;
pub mod stock;

pub use field_code::FieldCode;

/// Why a raw value was refused by a value type's constructor. The caller names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    /// Stable, machine-readable reason, e.g. `too_long`.
    pub code: FieldCode,
    pub message: String,
}

impl Invalid {
    pub fn new(code: FieldCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}
