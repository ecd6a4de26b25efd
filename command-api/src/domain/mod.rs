//! Aggregates: pure `decide`/`evolve` (`decide.rs`), no I/O, no HTTP, no SQL; the order
//! reads the catalogue through its `Catalogue` service.

pub mod customer;
mod decide;
pub mod login_attempt;
pub mod order;
pub mod product;
pub mod session;
pub mod stock;
pub mod user;
