//! Transmission: every issued invoice and credit note handed to the approved platform,
//! once, and what the platform reports of it recorded as events of the invoice.
//!
//! **Outbox.** `transmissions` rows are written by a trigger in the transaction that
//! issues the document (`migrations/0015_transmissions.sql`), so nothing issued can be
//! forgotten and nothing unissued sent. The dispatcher claims one due row at a time
//! (`FOR UPDATE SKIP LOCKED`: several command-api processes share the work, none takes a
//! row another holds), fetches the document from read-api at the version that issued it,
//! deposits it, records the report through the Invoice aggregate, then marks the row, and
//! commits. A crash anywhere before that commit leaves the row due: the deposit is made
//! again under the same idempotency key (the document's number) and the platform
//! answers with the first deposit, which the aggregate sees is no news. So the platform
//! holds each document once, and each status is one event.
//!
//! **Statuses.** A deposited document is asked for its status every `poll_every` until
//! it is paid or rejected; a status that moves it forward becomes a
//! `DeliveryStatusRecorded` event (the aggregate ignores the rest).
//!
//! **Failures.** A platform or read-api that is down, slow or not understood is tried
//! again after a back-off (`retry_base` doubling, at most `retry_max`); a refusal is
//! final and recorded as `rejected` with the platform's words.

pub mod http;
pub mod port;

use std::time::Duration;

use chrono::Utc;
use contracts::ids::{CreditNoteId, InvoiceId};
use contracts::input::kept_text;
use contracts::invoice::{DeliveryStatus, DocumentKind, DocumentRef};
use contracts::metadata::EventMeta;
use sqlx::postgres::PgListener;
use sqlx::{PgPool, Postgres, Transaction};

use self::http::{DocumentPath, ReadApiDocuments};
use self::port::{Outbound, Platform, PortError, Report, Syntax};
use crate::domain::invoice::{Invoice, InvoiceCommand};
use crate::es::CommandBus;

/// Documents handed over or refused, by outcome (`deposited`, `rejected`, `failed`), and
/// status reports recorded (`reported`).
pub const TRANSMISSIONS: &str = "gescom_transmissions_total";

/// Most characters kept of the platform's words or of an error.
const MAX_TEXT: usize = 500;

/// The channel the outbox trigger notifies.
const CHANNEL: &str = "gescom_transmissions";

#[derive(Debug, Clone)]
pub struct DispatcherConfig {
    pub syntax: Syntax,
    /// How often a deposited document is asked for its status.
    pub poll_every: Duration,
    /// The first retry's delay, doubled at each failure up to `retry_max`.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// How often due rows are looked for without a notification (a retry falling due).
    pub tick: Duration,
}

impl Default for DispatcherConfig {
    fn default() -> Self {
        Self {
            syntax: Syntax::FacturX,
            poll_every: Duration::from_secs(300),
            retry_base: Duration::from_secs(5),
            retry_max: Duration::from_secs(3600),
            tick: Duration::from_secs(1),
        }
    }
}

pub struct Dispatcher<P> {
    pool: PgPool,
    invoices: CommandBus<Invoice>,
    documents: ReadApiDocuments,
    platform: P,
    config: DispatcherConfig,
}

/// A claimed `transmissions` row.
#[derive(Debug, sqlx::FromRow)]
struct Due {
    invoice_id: uuid::Uuid,
    document_id: uuid::Uuid,
    kind: DocumentKind,
    number: String,
    invoice_version: i64,
    status: String,
    platform_ref: Option<String>,
    attempts: i32,
}

impl Due {
    fn document(&self) -> DocumentRef {
        match self.kind {
            DocumentKind::Invoice => DocumentRef::Invoice,
            DocumentKind::CreditNote => DocumentRef::CreditNote {
                credit_note_id: CreditNoteId::from(self.document_id),
            },
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

impl<P: Platform> Dispatcher<P> {
    pub fn new(
        pool: PgPool,
        documents: ReadApiDocuments,
        platform: P,
        config: DispatcherConfig,
    ) -> Self {
        Self {
            invoices: CommandBus::new(pool.clone(), ()),
            pool,
            documents,
            platform,
            config,
        }
    }

    /// Hands over what is due until `shutdown` resolves.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send) {
        tokio::pin!(shutdown);
        let mut listener = None;
        loop {
            if listener.is_none() {
                listener = self.listen().await;
            }
            let worked = match self.step().await {
                Ok(worked) => worked,
                Err(e) => {
                    tracing::warn!(error = %e, "transmission step failed");
                    listener = None;
                    false
                }
            };
            if worked {
                continue;
            }
            let wait = async {
                match listener.as_mut() {
                    Some(listener) => {
                        let _ = tokio::time::timeout(self.config.tick, listener.recv()).await;
                    }
                    None => tokio::time::sleep(self.config.tick).await,
                }
            };
            tokio::select! {
                () = &mut shutdown => return,
                () = wait => {}
            }
        }
    }

    async fn listen(&self) -> Option<PgListener> {
        let mut listener = PgListener::connect_with(&self.pool).await.ok()?;
        listener.listen(CHANNEL).await.ok()?;
        Some(listener)
    }

    /// Takes one due row, if any, and moves it on. True when there was one.
    pub async fn step(&self) -> Result<bool, StepError> {
        let mut tx = self.pool.begin().await?;
        let due: Option<Due> = sqlx::query_as(
            "SELECT invoice_id, document_id, kind, number, invoice_version, status,
                    platform_ref, attempts
               FROM transmissions
              WHERE status NOT IN ('rejected', 'paid') AND due_at <= now()
              ORDER BY due_at
              LIMIT 1
              FOR UPDATE SKIP LOCKED",
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(due) = due else {
            return Ok(false);
        };
        let outcome = match (&due.platform_ref, due.status.as_str()) {
            (Some(platform_ref), status) if status != "pending" => {
                self.platform.status(platform_ref).await
            }
            _ => self.deposit(&due).await,
        };
        self.settle(&mut tx, &due, outcome).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn deposit(&self, due: &Due) -> Result<Report, PortError> {
        let path = DocumentPath {
            invoice_id: due.invoice_id,
            credit_note_id: (due.kind == DocumentKind::CreditNote).then_some(due.document_id),
            version: due.invoice_version,
        };
        let body = self
            .documents
            .fetch(path, self.config.syntax)
            .await
            .map_err(|e| PortError::Unavailable(e.to_string()))?;
        let outbound = Outbound {
            number: due.number.clone(),
            kind: due.kind,
            syntax: self.config.syntax,
            body,
        };
        self.platform.deposit(&outbound).await
    }

    /// Records what came of the step, and when to look at the row again.
    async fn settle(
        &self,
        tx: &mut Transaction<'static, Postgres>,
        due: &Due,
        outcome: Result<Report, PortError>,
    ) -> Result<(), StepError> {
        let report = match outcome {
            Ok(report) => report,
            Err(PortError::Refused(reason)) => Report {
                platform_ref: due.platform_ref.clone().unwrap_or_default(),
                status: DeliveryStatus::Rejected,
                reason: Some(reason),
            },
            Err(e @ PortError::Unavailable(_)) => return self.retry(tx, due, &e.to_string()).await,
        };
        // The platform's words go into events and tables: no control character.
        let report = Report {
            reason: report
                .reason
                .as_deref()
                .and_then(|r| kept_text(r, MAX_TEXT)),
            ..report
        };
        if let Err(e) = self.record(due, &report).await {
            return self.retry(tx, due, &e).await;
        }
        let outcome = match report.status {
            DeliveryStatus::Rejected => "rejected",
            _ if due.status == "pending" => "deposited",
            _ => "reported",
        };
        metrics::counter!(TRANSMISSIONS, "outcome" => outcome).increment(1);
        sqlx::query(
            "UPDATE transmissions
                SET status = $3, platform_ref = $4, attempts = 0, last_error = NULL,
                    due_at = now() + $5, updated_at = now()
              WHERE invoice_id = $1 AND document_id = $2",
        )
        .bind(due.invoice_id)
        .bind(due.document_id)
        .bind(report.status.as_str())
        .bind(Some(report.platform_ref).filter(|r| !r.is_empty()))
        .bind(self.config.poll_every)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The report as an event of the invoice (none when it is no news).
    async fn record(&self, due: &Due, report: &Report) -> Result<(), String> {
        let command = InvoiceCommand::RecordDelivery {
            document: due.document(),
            status: report.status,
            platform_ref: Some(report.platform_ref.clone()).filter(|r| !r.is_empty()),
            reason: report.reason.clone(),
            reported_at: Utc::now(),
        };
        let metadata = EventMeta::system(format!("transmission-{}", due.number));
        self.invoices
            .execute(InvoiceId::from(due.invoice_id), command, None, metadata)
            .await
            .map(drop)
            .map_err(|e| format!("recording the platform's report: {e}"))
    }

    async fn retry(
        &self,
        tx: &mut Transaction<'static, Postgres>,
        due: &Due,
        error: &str,
    ) -> Result<(), StepError> {
        tracing::warn!(number = %due.number, attempts = due.attempts + 1, error, "transmission will be retried");
        metrics::counter!(TRANSMISSIONS, "outcome" => "failed").increment(1);
        let exponent = u32::try_from(due.attempts.clamp(0, 20)).unwrap_or(20);
        let delay = self
            .config
            .retry_base
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(self.config.retry_max);
        sqlx::query(
            "UPDATE transmissions
                SET attempts = attempts + 1, last_error = $3, due_at = now() + $4,
                    updated_at = now()
              WHERE invoice_id = $1 AND document_id = $2",
        )
        .bind(due.invoice_id)
        .bind(due.document_id)
        .bind(kept_text(error, MAX_TEXT))
        .bind(delay)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}
