//! Running a command against an aggregate stored by postgres-es.
//!
//! `CqrsFramework::execute_with_metadata` returns `()`, but every command must report the
//! version it produced (read-your-writes, `ETag`) and honour `If-Match`. So this module
//! drives the same cqrs-es steps itself over the plain postgres-es event store: load,
//! check the expected version, `handle`, commit, and return the new version. The snapshot
//! and aggregate stores are not used (DESIGN §2: they apply events twice in 0.5.0).

use std::time::Duration;

use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{Aggregate, AggregateError, EventStore};
use postgres_es::PostgresEventRepository;
use shared::metadata::CommandMetadata;
use sqlx::PgPool;

/// SQLSTATEs raised by the project's own triggers on `events` (see `migrations/`).
pub mod sqlstate {
    pub const SKU_TAKEN: &str = "GS001";
    pub const EMAIL_TAKEN: &str = "GS002";
    pub const CUSTOMER_CODE_TAKEN: &str = "GS003";
}

/// Attempts for a command sent without `If-Match` that loses an optimistic-concurrency
/// race: it is handled again against the fresh state.
const DEFAULT_ATTEMPTS: u32 = 4;

/// What a successful command produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Committed<E> {
    /// The aggregate's version after the command (its last sequence number). Unchanged
    /// when the command was a no-op.
    pub version: u64,
    /// The events it recorded, for callers whose answer depends on which one it was.
    pub events: Vec<E>,
}

#[derive(Debug, thiserror::Error)]
pub enum CommandError<E: std::error::Error> {
    #[error(transparent)]
    Domain(E),
    #[error("expected version {expected}, current version is {current}")]
    VersionMismatch { expected: u64, current: u64 },
    #[error("the aggregate was changed concurrently")]
    Conflict,
    /// A rule enforced by a trigger on `events`, reported with its SQLSTATE.
    #[error("{message}")]
    Rejected { sqlstate: String, message: String },
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("event store failure: {0}")]
    Store(String),
}

pub struct CommandBus<A: Aggregate> {
    store: PersistedEventStore<PostgresEventRepository, A>,
    services: A::Services,
    max_attempts: u32,
}

impl<A> CommandBus<A>
where
    A: Aggregate + 'static,
    A::Command: Clone + Send + 'static,
    A::Error: Send + 'static,
    A::Services: Send + Sync,
{
    pub fn new(pool: PgPool, services: A::Services) -> Self {
        let repo = PostgresEventRepository::new(pool);
        Self {
            store: PersistedEventStore::new_event_store(repo),
            services,
            max_attempts: DEFAULT_ATTEMPTS,
        }
    }

    /// For hot streams whose commands are safe to retry (stock reservations): more
    /// attempts, so that a caller never sees a conflict for a change that would fit.
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Handles `command` on aggregate `id`. With `expected_version`, the command applies
    /// only to that version (`If-Match`); without it, a lost race is retried a few times.
    pub async fn execute(
        &self,
        id: &str,
        command: A::Command,
        expected_version: Option<u64>,
        metadata: CommandMetadata,
    ) -> Result<Committed<A::Event>, CommandError<A::Error>> {
        let metadata = metadata.into_map();
        let mut attempt = 1;
        loop {
            let mut context = self.store.load_aggregate(id).await.map_err(from_store)?;
            let current = context.current_sequence as u64;
            // On a stream that does not exist yet, let the aggregate say "not found"
            // rather than answering a precondition failure.
            if let Some(expected) = expected_version {
                if current != 0 && expected != current {
                    return Err(CommandError::VersionMismatch { expected, current });
                }
            }
            let sink = EventSink::<A>::default();
            context
                .aggregate
                .handle(command.clone(), &self.services, &sink)
                .await
                .map_err(CommandError::Domain)?;
            let events = sink.collect().await;
            if events.is_empty() {
                return Ok(Committed {
                    version: current,
                    events,
                });
            }
            let produced = events.len() as u64;
            match self
                .store
                .commit(events.clone(), context, metadata.clone())
                .await
            {
                Ok(_) => {
                    return Ok(Committed {
                        version: current + produced,
                        events,
                    })
                }
                Err(AggregateError::AggregateConflict)
                    if expected_version.is_none() && attempt < self.max_attempts =>
                {
                    attempt += 1;
                    tokio::time::sleep(jitter(attempt)).await;
                }
                Err(AggregateError::AggregateConflict) => {
                    return Err(match expected_version {
                        Some(expected) => {
                            let fresh = self.store.load_aggregate(id).await.map_err(from_store)?;
                            CommandError::VersionMismatch {
                                expected,
                                current: fresh.current_sequence as u64,
                            }
                        }
                        None => CommandError::Conflict,
                    })
                }
                Err(other) => return Err(from_store(other)),
            }
        }
    }

    /// The aggregate's current state and version (0: the stream does not exist).
    pub async fn load(&self, id: &str) -> Result<(A, u64), CommandError<A::Error>> {
        let context = self.store.load_aggregate(id).await.map_err(from_store)?;
        let version = context.current_sequence as u64;
        Ok((context.aggregate, version))
    }

    /// [`Self::execute`] in a task of its own, so that it runs to its end even if the
    /// caller is dropped (a client hangs up, a request times out): a dropped future
    /// must not abandon a transaction between its statements.
    pub async fn execute_detached(
        self: &std::sync::Arc<Self>,
        id: String,
        command: A::Command,
        expected_version: Option<u64>,
        metadata: CommandMetadata,
    ) -> Result<Committed<A::Event>, CommandError<A::Error>> {
        let bus = std::sync::Arc::clone(self);
        tokio::spawn(async move { bus.execute(&id, command, expected_version, metadata).await })
            .await
            .map_err(|e| CommandError::Store(format!("command task failed: {e}")))?
    }
}

/// A short random pause so that retrying writers do not collide again in lockstep.
fn jitter(attempt: u32) -> Duration {
    Duration::from_micros(rand::random_range(0..500 * u64::from(attempt)))
}

fn from_store<E: std::error::Error>(error: AggregateError<E>) -> CommandError<E> {
    match error {
        AggregateError::UserError(e) => CommandError::Domain(e),
        AggregateError::AggregateConflict => CommandError::Conflict,
        AggregateError::DatabaseConnectionError(e) => CommandError::Unavailable(e.to_string()),
        AggregateError::UnexpectedError(e) => match e.downcast_ref::<sqlx::Error>() {
            Some(sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)) => {
                CommandError::Unavailable(e.to_string())
            }
            Some(sqlx::Error::Database(db)) if db.code().is_some_and(|c| c.starts_with("GS")) => {
                CommandError::Rejected {
                    sqlstate: db.code().map(|c| c.into_owned()).unwrap_or_default(),
                    message: db.message().to_owned(),
                }
            }
            _ => CommandError::Store(e.to_string()),
        },
        AggregateError::DeserializationError(e) => CommandError::Store(e.to_string()),
    }
}
