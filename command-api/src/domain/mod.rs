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

/// An aggregate's stream id, typed: the command bus takes nothing else, so that a product
/// id cannot name an order's stream.
pub trait Keyed: cqrs_es::Aggregate {
    type Id: Copy
        + Eq
        + std::hash::Hash
        + std::fmt::Display
        + std::str::FromStr
        + Send
        + Sync
        + 'static;
}

impl Keyed for customer::Customer {
    type Id = contracts::ids::CustomerId;
}
impl Keyed for login_attempt::LoginAttempt {
    /// A refused login's own stream: nothing else names it.
    type Id = uuid::Uuid;
}
impl Keyed for order::Order {
    type Id = contracts::ids::OrderId;
}
impl Keyed for product::Product {
    type Id = contracts::ids::ProductId;
}
impl Keyed for session::Session {
    type Id = contracts::ids::SessionId;
}
/// One stock stream per product, keyed by the product's id.
impl Keyed for stock::Stock {
    type Id = contracts::ids::ProductId;
}
impl Keyed for user::User {
    type Id = contracts::ids::UserId;
}
