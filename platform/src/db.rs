//! Database platform code: the embedded migrations and the advisory-lock keys that
//! keep one active instance of a singleton task.

use sqlx::migrate::{MigrateError, Migrator};
use sqlx::PgPool;

use crate::config::DatabaseConfig;

/// The SQL migrations of `migrations/`, embedded in every service binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// Applies pending migrations. sqlx serialises concurrent runs with an advisory lock,
/// so every service may call this at start-up.
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error("DATABASE_URL is not a valid PostgreSQL URL: {0}")]
    Url(sqlx::Error),
    #[error("cannot apply migrations: {0}")]
    Migrate(#[from] MigrateError),
}

/// The pool every service starts with: built from the settings, migrations applied.
pub async fn connect_and_migrate(config: &DatabaseConfig) -> Result<PgPool, DatabaseError> {
    let pool = config.pool().map_err(DatabaseError::Url)?;
    migrate(&pool).await?;
    Ok(pool)
}

/// Advisory-lock keys (`pg_advisory_lock(bigint)`), one per singleton role.
pub mod locks {
    /// The outbox relay: one publisher at a time keeps commit order on the stream.
    pub const OUTBOX_RELAY: i64 = 0x6765_7363_6f6d_0001;
    /// The projector: one active consumer writes the read models.
    pub const PROJECTOR: i64 = 0x6765_7363_6f6d_0002;
    /// Held by `projector rebuild` while it waits for and holds [`PROJECTOR`]: the active
    /// projector sees it taken, steps down, and no standby takes over meanwhile.
    pub const REBUILD: i64 = 0x6765_7363_6f6d_0003;
}

/// Channels for `LISTEN`/`NOTIFY`, used to wake waiters instead of polling.
pub mod channels {
    /// Notified by the `events` trigger when a transaction appends events.
    pub const OUTBOX: &str = "gescom_outbox";
    /// Notified by the projector when it commits a read-model change.
    pub const PROJECTED: &str = "gescom_projected";
}

/// Whether a database error says the connection or the server went away (lost or
/// refused connection, server shutting down or out of connection slots) rather than
/// something about the statement: the same request may well succeed a moment later,
/// on a fresh connection, so callers answer 503 with `Retry-After` (or retry) instead
/// of 500.
pub fn is_connection_loss(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // 08: connection exception; 57P01-57P03: admin or crash shutdown, cannot
        // connect now; 53300: too many connections.
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || code.starts_with("57P") || code == "53300"
        }),
        _ => false,
    }
}
