//! Aggregates: pure `handle`/`apply`, no I/O, no HTTP, no SQL.

pub mod product;
