//! command-api integration tests, against the real PostgreSQL and NATS JetStream.

// A failed unwrap here is a failed test, which is what it should be.
#![allow(clippy::unwrap_used)]

mod accounts;
mod auth;
mod contract;
mod customers;
mod helpers;
mod input;
mod integration;
mod invoices;
mod metrics;
mod orders;
mod products_api;
mod rbac;
mod relay;
mod reliability;
mod traces;
