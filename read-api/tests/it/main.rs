//! read-api integration tests, against the real PostgreSQL (and, end to end, the whole
//! write path through the real NATS JetStream).

// A failed unwrap here is a failed test, which is what it should be.
#![allow(clippy::unwrap_used)]

mod analytics;
mod audit;
mod contract;
mod csv;
mod dashboard;
mod end_to_end;
mod facturx;
mod helpers;
mod input;
mod invoices;
mod observability;
mod pipeline;
mod products;
mod proforma;
mod rbac;
mod rebuild;
mod transmission;
mod typed;
