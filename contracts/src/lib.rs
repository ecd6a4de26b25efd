//! gescom's contracts: what crosses a process boundary. Domain events and their
//! envelope, typed ids, value types and their parsing rules, money and pricing, read-model
//! rows, integration events, event metadata. No I/O: the `sqlx` feature adds
//! database encodings, the `cqrs` feature the event-sourcing framework's trait, for the
//! services that need them.

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
