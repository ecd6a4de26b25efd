//! gescom's write side: aggregates, command handlers, the command HTTP API and the
//! outbox relay. See ARCHITECTURE.md for the data path.

pub mod app;
pub mod auth;
pub mod cli;
pub mod domain;
pub mod es;
pub mod http;
pub mod import;
pub mod relay;
pub mod startup;
pub mod transmission;
