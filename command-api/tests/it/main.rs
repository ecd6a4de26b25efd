//! command-api integration tests, against the real PostgreSQL and NATS JetStream.

mod helpers;
mod products_api;
mod relay;
