//! Running a command against an aggregate stored by postgres-es.
//!
//! `CqrsFramework::execute_with_metadata` returns `()`, but every command must report the
//! version it produced (read-your-writes, `ETag`) and honour `If-Match`. So this module
//! drives the same cqrs-es steps itself over the plain postgres-es event store: load,
//! check the expected version, `handle`, commit, and return the new version. The snapshot
//! and aggregate stores are not used (DESIGN §2: they apply events twice in 0.5.0).

use std::time::Duration;

use contracts::metadata::EventMeta;

use crate::domain::Keyed;
use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::{EventStoreAggregateContext, PersistedEventStore};
use cqrs_es::{Aggregate, AggregateError, DomainEvent, EventStore};
use futures::TryStreamExt;
use postgres_es::PostgresEventRepository;
use sqlx::PgPool;
use tracing::Instrument;

/// SQLSTATEs raised by the project's own triggers on `events` (see `migrations/`).
pub mod sqlstate {
    pub const SKU_TAKEN: &str = "GS001";
    pub const EMAIL_TAKEN: &str = "GS002";
    pub const CUSTOMER_CODE_TAKEN: &str = "GS003";
    /// The change would leave no enabled admin.
    pub const LAST_ADMIN: &str = "GS004";
    /// The order has an invoice already (`migrations/0014_invoices.sql`).
    pub const ORDER_ALREADY_INVOICED: &str = "GS005";
}

/// Commands handled, by `aggregate`, `command` and `outcome` (accepted, unchanged,
/// refused, version_mismatch, conflict, unavailable, failed).
pub const COMMANDS: &str = "gescom_commands_total";

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

impl<E: std::error::Error> CommandError<E> {
    /// A database error outside the event store's own calls.
    pub fn database(error: sqlx::Error) -> Self {
        if platform::db::is_connection_loss(&error) {
            Self::Unavailable(error.to_string())
        } else {
            Self::Store(error.to_string())
        }
    }
}

pub struct CommandBus<A: Aggregate> {
    store: PersistedEventStore<PostgresEventRepository, A>,
    services: A::Services,
    max_attempts: u32,
}

impl<A> CommandBus<A>
where
    A: Keyed + 'static,
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
        id: A::Id,
        command: A::Command,
        expected_version: Option<u64>,
        metadata: EventMeta,
    ) -> Result<Committed<A::Event>, CommandError<A::Error>> {
        self.run(&id.to_string(), command, expected_version, metadata, false)
            .await
    }

    /// Runs the command in a `command` span carrying its correlation id, and counts it
    /// by aggregate, command and outcome (`gescom_commands_total`).
    async fn run(
        &self,
        id: &str,
        command: A::Command,
        expected_version: Option<u64>,
        metadata: EventMeta,
        fresh: bool,
    ) -> Result<Committed<A::Event>, CommandError<A::Error>> {
        let name = A::command_name(&command);
        let span = tracing::info_span!(
            "command",
            aggregate = A::TYPE,
            command = name,
            correlation_id = %metadata.correlation_id,
        );
        // The relay and the projector continue this trace (when traces are exported).
        let mut metadata = metadata;
        if metadata.traceparent.is_none() {
            metadata.traceparent = platform::telemetry::traceparent(&span);
        }
        let result = self
            .attempt(id, command, expected_version, metadata, fresh)
            .instrument(span)
            .await;
        let outcome = match &result {
            Ok(committed) if committed.events.is_empty() => "unchanged",
            Ok(_) => "accepted",
            Err(CommandError::Domain(_) | CommandError::Rejected { .. }) => "refused",
            Err(CommandError::VersionMismatch { .. }) => "version_mismatch",
            Err(CommandError::Conflict) => "conflict",
            Err(CommandError::Unavailable(_)) => "unavailable",
            Err(CommandError::Store(_)) => "failed",
        };
        metrics::counter!(
            COMMANDS,
            "aggregate" => A::TYPE,
            "command" => name,
            "outcome" => outcome,
        )
        .increment(1);
        result
    }

    async fn attempt(
        &self,
        id: &str,
        command: A::Command,
        expected_version: Option<u64>,
        metadata: EventMeta,
        fresh: bool,
    ) -> Result<Committed<A::Event>, CommandError<A::Error>> {
        let metadata = metadata.to_map();
        let mut attempt = 1;
        loop {
            let mut context = if fresh && attempt == 1 {
                EventStoreAggregateContext {
                    aggregate_id: id.to_owned(),
                    aggregate: A::default(),
                    current_sequence: 0,
                    current_snapshot: None,
                }
            } else {
                self.store.load_aggregate(id).await.map_err(from_store)?
            };
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

    /// What `commands`, handled in turn, would record on a stream known not to exist yet,
    /// without recording it. For [`append_all`], which commits many streams at once. (If
    /// the stream does exist by the time of the append, the append fails as a conflict.)
    pub async fn decide_new(
        &self,
        id: A::Id,
        commands: impl IntoIterator<Item = A::Command>,
    ) -> Result<Pending, CommandError<A::Error>> {
        self.decide_on(A::default(), 0, id, commands).await
    }

    /// Many aggregates in one query, keyed by id, with their versions: for imports,
    /// which decide thousands of updates at once. Reads the rows postgres-es writes, each
    /// payload decoded once from its text straight into the event type.
    pub async fn load_many(
        &self,
        pool: &PgPool,
        ids: &[A::Id],
    ) -> Result<std::collections::HashMap<A::Id, (A, u64)>, CommandError<A::Error>> {
        let mut loaded: std::collections::HashMap<A::Id, (A, u64)> =
            std::collections::HashMap::with_capacity(ids.len());
        if ids.is_empty() {
            return Ok(loaded);
        }
        let mut rows = sqlx::query_as::<_, (String, i64, String)>(
            "SELECT aggregate_id, sequence, payload::text FROM events
              WHERE aggregate_type = $1 AND aggregate_id = ANY($2)
              ORDER BY aggregate_id, sequence",
        )
        .bind(A::TYPE)
        .bind(ids.iter().map(ToString::to_string).collect::<Vec<_>>())
        .fetch(pool);
        while let Some((id, sequence, payload)) =
            rows.try_next().await.map_err(CommandError::database)?
        {
            let event: A::Event =
                serde_json::from_str(&payload).map_err(|e| CommandError::Store(e.to_string()))?;
            let id: A::Id = id
                .parse()
                .map_err(|_| CommandError::Store(format!("`{id}` is not a {} id", A::TYPE)))?;
            let entry = loaded.entry(id).or_insert_with(|| (A::default(), 0));
            entry.0.apply(event);
            entry.1 = sequence as u64;
        }
        Ok(loaded)
    }

    /// What `commands`, each handled on the state the previous ones left, would record
    /// on an aggregate loaded at `version`, without recording it.
    pub async fn decide_on(
        &self,
        mut aggregate: A,
        version: u64,
        id: A::Id,
        commands: impl IntoIterator<Item = A::Command>,
    ) -> Result<Pending, CommandError<A::Error>> {
        let mut decided = Vec::new();
        for command in commands {
            // The sink applies each event to `aggregate` as it is written.
            let sink = EventSink::<A>::default();
            aggregate
                .handle(command, &self.services, &sink)
                .await
                .map_err(CommandError::Domain)?;
            decided.extend(sink.collect().await);
        }
        // Exactly as many as decided: an import holds one of these per row.
        let mut events = Vec::with_capacity(decided.len());
        for event in &decided {
            events.push(PendingEvent::of(event).map_err(|e| CommandError::Store(e.to_string()))?);
        }
        Ok(Pending {
            aggregate_type: A::TYPE,
            aggregate_id: id.to_string(),
            after_version: version,
            events,
        })
    }

    /// The aggregate's current state and version (0: the stream does not exist).
    pub async fn load(&self, id: A::Id) -> Result<(A, u64), CommandError<A::Error>> {
        let context = self
            .store
            .load_aggregate(&id.to_string())
            .await
            .map_err(from_store)?;
        let version = context.current_sequence as u64;
        Ok((context.aggregate, version))
    }

    /// [`Self::execute`] in a task of its own, so that it runs to its end even if the
    /// caller is dropped (a client hangs up, a request times out): a dropped future
    /// must not abandon a transaction between its statements.
    pub async fn execute_detached(
        self: &std::sync::Arc<Self>,
        id: A::Id,
        command: A::Command,
        expected_version: Option<u64>,
        metadata: EventMeta,
    ) -> Result<Committed<A::Event>, CommandError<A::Error>> {
        self.run_detached(id, command, expected_version, metadata, false)
            .await
    }

    /// [`Self::execute_detached`] for a stream that should not exist yet (a new id): the
    /// first attempt skips reading it, one round trip fewer on every create. Should it
    /// exist after all, the append collides and the command is handled again on the
    /// loaded state, which refuses it as the aggregate says.
    pub async fn execute_new_detached(
        self: &std::sync::Arc<Self>,
        id: A::Id,
        command: A::Command,
        metadata: EventMeta,
    ) -> Result<Committed<A::Event>, CommandError<A::Error>> {
        self.run_detached(id, command, None, metadata, true).await
    }

    async fn run_detached(
        self: &std::sync::Arc<Self>,
        id: A::Id,
        command: A::Command,
        expected_version: Option<u64>,
        metadata: EventMeta,
        fresh: bool,
    ) -> Result<Committed<A::Event>, CommandError<A::Error>> {
        let bus = std::sync::Arc::clone(self);
        tokio::spawn(
            async move {
                bus.run(&id.to_string(), command, expected_version, metadata, fresh)
                    .await
            }
            .in_current_span(),
        )
        .await
        .map_err(|e| CommandError::Store(format!("command task failed: {e}")))?
    }
}

/// Events decided for one stream, not yet stored.
#[derive(Debug, Clone)]
pub struct Pending {
    pub aggregate_type: &'static str,
    pub aggregate_id: String,
    /// The stream's version the events follow.
    pub after_version: u64,
    pub events: Vec<PendingEvent>,
}

#[derive(Debug, Clone)]
pub struct PendingEvent {
    pub event_type: String,
    pub event_version: String,
    /// The event as JSON text, serialised once, here, and stored as it is: no JSON tree
    /// is built for it (an import of 100,000 rows would hold 100,000 of them).
    pub payload: String,
}

impl PendingEvent {
    pub fn of<E: DomainEvent>(event: &E) -> Result<Self, serde_json::Error> {
        Ok(Self {
            event_type: event.event_type(),
            event_version: event.event_version(),
            payload: {
                let mut text = serde_json::to_string(event)?;
                // The serialiser's buffer grows by doubling: held by the thousand, the
                // slack would weigh as much as the text.
                text.shrink_to_fit();
                text
            },
        })
    }
}

/// Why [`append_all`] stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error("a stream was changed concurrently")]
    Conflict,
    #[error("{message}")]
    Rejected { sqlstate: String, message: String },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// Events per `INSERT` of [`append_all`]: bounds the statement's parameters (and what
/// is held encoded at once) whatever the size of the import.
const APPEND_CHUNK: usize = 10_000;

/// Stores the events of many streams in one transaction: all or none. The rows are the
/// ones postgres-es writes (same columns, payload and metadata as JSON), so its triggers
/// (outbox, unique keys) fire the same, and loading reads them back as usual. A stream
/// changed since its events were decided makes the whole append fail with `Conflict`.
///
/// The events go in chunks of [`APPEND_CHUNK`] rows, one `INSERT … SELECT FROM UNNEST`
/// each, all in the one transaction; the statement-level triggers of migration 0009 then
/// write the outbox rows and reserve the keys once per chunk, not once per row.
pub async fn append_all(
    pool: &PgPool,
    pending: Vec<Pending>,
    metadata: EventMeta,
) -> Result<usize, AppendError> {
    // Sorted keys, as postgres-es writes it.
    let metadata = serde_json::to_value(metadata.to_map())
        .unwrap_or_default()
        .to_string();
    let mut events = pending.into_iter().flat_map(|stream| {
        let (aggregate_type, aggregate_id, after) = (
            stream.aggregate_type,
            stream.aggregate_id,
            stream.after_version,
        );
        stream
            .events
            .into_iter()
            .enumerate()
            .map(move |(n, event)| {
                (
                    aggregate_type,
                    aggregate_id.clone(),
                    (after + n as u64 + 1) as i64,
                    event,
                )
            })
    });
    let mut count = 0;
    let mut tx = pool.begin().await?;
    loop {
        let mut chunk = Chunk::default();
        // Moved, not cloned: each payload is held once.
        for (aggregate_type, id, sequence, event) in events.by_ref().take(APPEND_CHUNK) {
            chunk.types.push(aggregate_type);
            chunk.ids.push(id);
            chunk.sequences.push(sequence);
            chunk.event_types.push(event.event_type);
            chunk.versions.push(event.event_version);
            chunk.payloads.push(event.payload);
        }
        if chunk.types.is_empty() {
            break;
        }
        count += chunk.types.len();
        // A stream extended by another writer since `decide` collides on the primary key
        // (type, id, sequence) and fails the whole transaction.
        let inserted = sqlx::query(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type,
                                 event_version, payload, metadata)
             SELECT t, i, s, e, v, p::json, $7::json
               FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                           $6::text[]) AS x(t, i, s, e, v, p)",
        )
        .bind(&chunk.types)
        .bind(&chunk.ids)
        .bind(&chunk.sequences)
        .bind(&chunk.event_types)
        .bind(&chunk.versions)
        .bind(&chunk.payloads)
        .bind(&metadata)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("23505") => {
                return Err(AppendError::Conflict)
            }
            Err(sqlx::Error::Database(db)) if db.code().is_some_and(|c| c.starts_with("GS")) => {
                return Err(AppendError::Rejected {
                    sqlstate: db.code().map(|c| c.into_owned()).unwrap_or_default(),
                    message: db.message().to_owned(),
                })
            }
            Err(other) => return Err(other.into()),
        }
    }
    tx.commit().await?;
    Ok(count)
}

/// One `INSERT` of [`append_all`], column by column.
#[derive(Default)]
struct Chunk {
    types: Vec<&'static str>,
    ids: Vec<String>,
    sequences: Vec<i64>,
    event_types: Vec<String>,
    versions: Vec<String>,
    payloads: Vec<String>,
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
            Some(error) if platform::db::is_connection_loss(error) => {
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
