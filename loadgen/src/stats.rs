//! Latency histograms per endpoint, error counts by status, and their summaries.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Latencies in microseconds, up to a minute, 3 significant digits.
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("static bounds are valid")
}

#[derive(Default)]
struct Endpoint {
    latency: Option<Histogram<u64>>,
    errors: BTreeMap<u16, u64>,
}

/// What one scenario recorded, shared by its workers.
#[derive(Default)]
pub struct Recorder {
    endpoints: Mutex<BTreeMap<&'static str, Endpoint>>,
}

impl Recorder {
    pub fn record(&self, endpoint: &'static str, status: u16, latency: Duration) {
        let Ok(mut endpoints) = self.endpoints.lock() else {
            return;
        };
        let entry = endpoints.entry(endpoint).or_default();
        if (200..300).contains(&status) || status == 304 {
            let h = entry.latency.get_or_insert_with(histogram);
            let _ = h.record(latency.as_micros().clamp(1, 60_000_000) as u64);
        } else {
            *entry.errors.entry(status).or_default() += 1;
        }
    }

    pub fn ok_count(&self) -> u64 {
        self.endpoints
            .lock()
            .map(|e| {
                e.values()
                    .filter_map(|x| x.latency.as_ref())
                    .map(Histogram::len)
                    .sum()
            })
            .unwrap_or(0)
    }

    pub fn summary(&self, elapsed: Duration) -> Vec<EndpointSummary> {
        let Ok(endpoints) = self.endpoints.lock() else {
            return Vec::new();
        };
        endpoints
            .iter()
            .map(|(name, e)| {
                let count = e.latency.as_ref().map_or(0, Histogram::len);
                let q = |p: f64| {
                    e.latency
                        .as_ref()
                        .map_or(0.0, |h| h.value_at_quantile(p) as f64 / 1000.0)
                };
                EndpointSummary {
                    endpoint: name,
                    ok: count,
                    per_second: count as f64 / elapsed.as_secs_f64().max(1e-9),
                    p50_ms: q(0.50),
                    p95_ms: q(0.95),
                    p99_ms: q(0.99),
                    max_ms: e.latency.as_ref().map_or(0.0, |h| h.max() as f64 / 1000.0),
                    errors: e.errors.iter().map(|(s, n)| (s.to_string(), *n)).collect(),
                }
            })
            .collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EndpointSummary {
    pub endpoint: &'static str,
    pub ok: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Failed answers by HTTP status (`0`: no answer).
    pub errors: BTreeMap<String, u64>,
}

/// A simple distribution summary for lags measured outside HTTP.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Lag {
    pub samples: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Projection lags (commit → visible), shared by a scenario's workers.
pub struct Lags(Mutex<Histogram<u64>>);

impl Default for Lags {
    fn default() -> Self {
        Self(Mutex::new(histogram()))
    }
}

impl Lags {
    pub fn record(&self, lag: Duration) {
        if let Ok(mut h) = self.0.lock() {
            let _ = h.record(lag.as_micros().clamp(1, 60_000_000) as u64);
        }
    }

    pub fn summary(&self) -> Lag {
        self.0.lock().map_or_else(
            |_| Lag::default(),
            |h| Lag {
                samples: h.len(),
                p50_ms: h.value_at_quantile(0.5) as f64 / 1000.0,
                p99_ms: h.value_at_quantile(0.99) as f64 / 1000.0,
                max_ms: h.max() as f64 / 1000.0,
            },
        )
    }
}
