//! Aggregates: pure `handle`/`apply`, no I/O, no HTTP, no SQL.

pub mod login_attempt;
pub mod product;
pub mod session;
pub mod user;
pub mod customer;
pub mod order;
pub mod stock;
