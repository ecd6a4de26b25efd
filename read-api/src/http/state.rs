//! What every query handler is given.

use std::sync::Arc;

use sqlx::PgPool;
use tokio::sync::Semaphore;

use crate::freshness::Freshness;
use crate::proforma::{Issuer, ProformaSettings};

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub freshness: Freshness,
    pub proforma: Option<Arc<Issuer>>,
    /// Proformas render on the blocking pool, at most one per core at once: a burst
    /// queues instead of filling memory with half-built documents.
    pub renders: Arc<Semaphore>,
}

impl AppState {
    pub fn new(pool: PgPool, freshness: Freshness) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            pool,
            freshness,
            proforma: None,
            renders: Arc::new(Semaphore::new(cores)),
        }
    }

    pub fn with_proforma(mut self, settings: Option<ProformaSettings>) -> Self {
        self.proforma = settings.map(|s| Arc::new(Issuer::new(s)));
        self
    }
}
