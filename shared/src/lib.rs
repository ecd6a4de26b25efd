//! Contracts and platform code shared by every gescom service.
//!
//! Everything that crosses a process boundary lives here: domain events (stored in
//! `events`, carried over NATS), value types, read-model rows, the problem+json body,
//! the NATS subject and envelope format. Services depend on this crate, never on each other.
//! There are no HTTP handlers and no table-specific SQL here.

pub mod access;
pub mod account;
pub mod auth;
mod checksum;
pub mod config;
pub mod csv_cell;
pub mod csv_columns;
pub mod customer;
pub mod db;
pub mod events;
#[cfg(test)]
mod identifier_vectors;
pub mod ids;
pub mod input;
pub mod integration;
pub mod metadata;
pub mod money;
pub mod nats;
pub mod pricing;
pub mod problem;
pub mod product;
#[cfg(test)]
mod prop;
pub mod read;
pub mod shutdown;
pub mod stock;
pub mod telemetry;
pub mod web;

/// Why a raw value was refused by a value type's constructor. The caller names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    /// Stable, machine-readable reason, e.g. `too_long`.
    pub code: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}
