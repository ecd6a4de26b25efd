//! gescom's platform code, shared by the services: HTTP layers and route access,
//! access-token verification, configuration, the database pool and migrations, NATS
//! streams and subjects, metrics, telemetry and shutdown. No business rule lives here.

pub mod access;
pub mod config;
pub mod csv_cell;
pub mod db;
pub mod metrics;
pub mod nats;
pub mod openapi;
pub mod problem;
pub mod shutdown;
pub mod telemetry;
pub mod token;
pub mod web;
