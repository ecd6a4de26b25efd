//! gescom's read side: lists and details over the read-model tables, with bounded
//! read-your-writes waits. It never reads `events`.

pub mod cli;
pub mod facturx;
pub mod freshness;
pub mod http;
pub mod pdf;
pub mod proforma;
pub mod startup;
