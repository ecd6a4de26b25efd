//! The application layer: use cases that span aggregates. Each module runs one use case
//! over the aggregates of `crate::domain` and the event store of `crate::es`; the HTTP
//! handlers (`crate::http`) only parse requests into these calls.

pub mod catalogue;
pub mod invoicing;
pub mod order_process;
