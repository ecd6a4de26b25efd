//! Tracing set-up: `RUST_LOG` filters, `GESCOM_LOG_FORMAT=json` for machine-readable logs.

/// The filter when `RUST_LOG` is unset. sqlx reports every server NOTICE (such as "relation
/// already exists, skipping" at each start-up migration check) at INFO.
pub const DEFAULT_FILTER: &str = "info,sqlx::postgres::notice=warn";

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Variables every service reads outside its command line (README's configuration table
/// lists them with the rest): logging, the allocator, and the OpenTelemetry SDK's own
/// (read only by builds with the `otlp` feature).
pub const PROCESS_VARIABLES: &[&str] = &[
    "RUST_LOG",
    "GESCOM_LOG_FORMAT",
    "MALLOC_ARENA_MAX",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_SERVICE_NAME",
    "OTEL_SDK_DISABLED",
    "OTEL_TRACES_EXPORTER",
];

/// What the layers of the process's subscriber sit on.
type Base = tracing_subscriber::layer::Layered<EnvFilter, tracing_subscriber::Registry>;

/// Keeps trace export running; dropping it at the end of `main` flushes the spans not yet
/// sent.
#[must_use = "dropping it stops trace export"]
#[derive(Default)]
pub struct Telemetry {
    #[cfg(feature = "otlp")]
    provider: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        #[cfg(feature = "otlp")]
        if let Some(provider) = self.provider.take() {
            if let Err(error) = provider.shutdown() {
                tracing::warn!(%error, "cannot flush the last spans");
            }
        }
    }
}

/// Installs the process's subscriber: logs (text, or JSON with `GESCOM_LOG_FORMAT=json`),
/// filtered by `RUST_LOG`, and, when built with the `otlp` feature and
/// `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, spans
/// exported over OTLP (HTTP/protobuf). A second call (tests) keeps the first subscriber.
pub fn init() -> Telemetry {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let json = std::env::var("GESCOM_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    #[allow(unused_mut)]
    let mut layers: Vec<Box<dyn Layer<Base> + Send + Sync>> = vec![if json {
        tracing_subscriber::fmt::layer().json().boxed()
    } else {
        tracing_subscriber::fmt::layer().boxed()
    }];
    #[allow(unused_mut)]
    let mut telemetry = Telemetry::default();
    #[cfg(feature = "otlp")]
    match otlp::start() {
        Ok(Some((layer, provider))) => {
            layers.push(layer);
            telemetry.provider = Some(provider);
        }
        Ok(None) => {}
        // Logs are not up yet: say it on standard error, and run without export.
        Err(error) => eprintln!("OTLP trace export not started: {error}"),
    }
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(layers)
        .try_init();
    telemetry
}

/// Like [`init`], with spans given trace ids and a `traceparent` but exported nowhere:
/// for tests of propagation.
#[cfg(feature = "otlp")]
pub fn init_unexported() -> Telemetry {
    use opentelemetry::trace::TracerProvider as _;
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
    let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("gescom"));
    let _ = tracing_subscriber::registry()
        .with(EnvFilter::new(DEFAULT_FILTER))
        .with(layer)
        .try_init();
    Telemetry {
        provider: Some(provider),
    }
}

#[cfg(feature = "otlp")]
mod otlp {
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_sdk::trace::SdkTracerProvider;
    use opentelemetry_sdk::Resource;
    use tracing_subscriber::Layer;

    use super::Base;

    /// Whether the standard variables ask for OTLP export: an endpoint set, and neither
    /// `OTEL_SDK_DISABLED=true` nor `OTEL_TRACES_EXPORTER=none`.
    pub(super) fn enabled() -> bool {
        let set = |name| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
        let is = |name, value: &str| {
            std::env::var(name).is_ok_and(|v| v.trim().eq_ignore_ascii_case(value))
        };
        (set("OTEL_EXPORTER_OTLP_ENDPOINT") || set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
            && !is("OTEL_SDK_DISABLED", "true")
            && !is("OTEL_TRACES_EXPORTER", "none")
    }

    type Started = (Box<dyn Layer<Base> + Send + Sync>, SdkTracerProvider);

    /// The OpenTelemetry layer and its provider, batching spans to the OTLP endpoint
    /// (the exporter reads the other `OTEL_EXPORTER_OTLP_*` variables itself).
    pub(super) fn start() -> Result<Option<Started>, String> {
        if !enabled() {
            return Ok(None);
        }
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .build()
            .map_err(|e| e.to_string())?;
        let mut resource = Resource::builder();
        // OTEL_SERVICE_NAME wins; else the binary's name (command-api, projector…).
        if std::env::var("OTEL_SERVICE_NAME").is_err() {
            if let Some(name) = std::env::current_exe()
                .ok()
                .and_then(|exe| exe.file_stem().map(|s| s.to_string_lossy().into_owned()))
            {
                resource = resource.with_service_name(name);
            }
        }
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource.build())
            .build();
        let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("gescom"));
        Ok(Some((layer.boxed(), provider)))
    }
}

/// The NATS header (and event metadata key) that carries the W3C trace context.
pub const TRACEPARENT_HEADER: &str = "traceparent";

/// `span`'s W3C `traceparent`, when traces are exported (see [`init`]); `None` otherwise.
pub fn traceparent(span: &tracing::Span) -> Option<String> {
    #[cfg(feature = "otlp")]
    {
        use opentelemetry::trace::TraceContextExt;
        use tracing_opentelemetry::OpenTelemetrySpanExt;
        let context = span.context();
        let otel = context.span();
        let ids = otel.span_context();
        ids.is_valid().then(|| {
            format!(
                "00-{:032x}-{:016x}-{:02x}",
                ids.trace_id(),
                ids.span_id(),
                ids.trace_flags().to_u8()
            )
        })
    }
    #[cfg(not(feature = "otlp"))]
    {
        let _ = span;
        None
    }
}

/// Makes `span` (not entered yet) a child of the remote span `traceparent` names, when
/// traces are exported; does nothing otherwise, or when `traceparent` does not read.
pub fn set_parent(span: &tracing::Span, traceparent: &str) {
    #[cfg(feature = "otlp")]
    {
        use opentelemetry::trace::{
            SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
        };
        use tracing_opentelemetry::OpenTelemetrySpanExt;
        if !contracts::metadata::is_traceparent(traceparent) {
            return;
        }
        let mut parts = traceparent.split('-').skip(1);
        let (Some(trace), Some(id), Some(flags)) = (parts.next(), parts.next(), parts.next())
        else {
            return;
        };
        let (Ok(trace), Ok(id), Ok(flags)) = (
            TraceId::from_hex(trace),
            SpanId::from_hex(id),
            u8::from_str_radix(flags, 16),
        ) else {
            return;
        };
        let remote = SpanContext::new(trace, id, TraceFlags::new(flags), true, TraceState::NONE);
        let _ = span.set_parent(opentelemetry::Context::new().with_remote_span_context(remote));
    }
    #[cfg(not(feature = "otlp"))]
    {
        let _ = (span, traceparent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_export_no_span_has_a_traceparent() {
        let span = tracing::info_span!("x");
        set_parent(
            &span,
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        );
        assert_eq!(traceparent(&span), None);
    }

    #[cfg(feature = "otlp")]
    #[test]
    fn a_span_continues_the_trace_its_parent_traceparent_names() {
        use opentelemetry::trace::TracerProvider as _;
        let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        tracing::subscriber::with_default(subscriber, || {
            let parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
            let span = tracing::info_span!("relay.publish");
            set_parent(&span, parent);
            let own = traceparent(&span).expect("a traceparent");
            assert!(contracts::metadata::is_traceparent(&own), "{own}");
            assert!(
                own.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"),
                "{own}"
            );
            assert_ne!(own, parent);
            // A child in the tracing tree is in the same trace.
            let child = span.in_scope(|| tracing::info_span!("child"));
            let child = traceparent(&child).expect("a traceparent");
            assert!(
                child.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"),
                "{child}"
            );
            // Nonsense is ignored: the span starts a trace of its own.
            let lone = tracing::info_span!("lone");
            set_parent(&lone, "00-zz-00f067aa0ba902b7-01");
            let lone = traceparent(&lone).expect("a traceparent");
            assert!(
                !lone.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"),
                "{lone}"
            );
        });
    }
}
