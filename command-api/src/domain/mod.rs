//! Aggregates: pure `handle`/`apply`, no I/O, no HTTP, no SQL.

pub mod customer;
pub mod login_attempt;
pub mod order;
pub mod product;
pub mod session;
pub mod stock;
pub mod user;
