//! Aggregates: pure `handle`/`apply`, no I/O, no HTTP, no SQL.

pub mod product;
pub mod login_attempt;
pub mod session;
pub mod user;
