//! Tracing set-up: `RUST_LOG` filters, `GESCOM_LOG_FORMAT=json` for machine-readable logs.

/// The filter when `RUST_LOG` is unset. sqlx reports every server NOTICE (such as "relation
/// already exists, skipping" at each start-up migration check) at INFO.
pub const DEFAULT_FILTER: &str = "info,sqlx::postgres::notice=warn";

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let json = std::env::var("GESCOM_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    // A second init (tests) is harmless: keep the first subscriber.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// The NATS header (and event metadata key) that carries the W3C trace context.
pub const TRACEPARENT_HEADER: &str = "traceparent";

/// `span`'s W3C `traceparent`, when traces are exported (see [`init`]); `None` otherwise.
pub fn traceparent(span: &tracing::Span) -> Option<String> {
    let _ = span;
    None
}

/// Makes `span` a child of the remote span `traceparent` names, when traces are
/// exported; does nothing otherwise, or when `traceparent` does not read.
pub fn set_parent(span: &tracing::Span, traceparent: &str) {
    let _ = (span, traceparent);
}
