//! projector integration tests, against the real PostgreSQL and NATS JetStream.

// A failed unwrap here is a failed test, which is what it should be.
#![allow(clippy::unwrap_used)]

mod accounts;
mod helpers;
mod metrics;
mod projection;
mod rebuild;
mod trust;
