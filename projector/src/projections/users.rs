//! `users`: one row per account, without any secret; `last_login_at` from sessions, kept
//! in `user_logins` (the sessions' own rows) and copied onto the account's row whichever
//! of the two is projected first.

use contracts::account::UserStatus;
use contracts::envelope::Stored;
use contracts::events::{SessionEvent, UserEvent};
use contracts::ids::{SessionId, UserId};
use sqlx::PgConnection;

use super::error::ProjectionError;

pub async fn apply(
    conn: &mut PgConnection,
    stored: Stored<UserId, UserEvent>,
) -> Result<(), ProjectionError> {
    let at = Stamp {
        id: stored.id,
        sequence: stored.sequence,
        occurred_at: stored.meta.occurred_at,
    };
    match stored.event {
        UserEvent::UserCreated {
            user_id,
            email,
            display_name,
            roles,
            must_change_password,
            ..
        } => {
            lock_account(conn, user_id).await?;
            sqlx::query(
                "INSERT INTO users (id, email, display_name, roles, status, must_change_password,
                                    version, created_at, updated_at, last_login_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8,
                         (SELECT last_login_at FROM user_logins WHERE user_id = $1))",
            )
            .bind(user_id)
            .bind(email.as_str())
            .bind(display_name.as_str())
            .bind(roles.iter().map(|r| r.as_str()).collect::<Vec<_>>())
            .bind(UserStatus::Active.as_str())
            .bind(must_change_password)
            .bind(at.sequence)
            .bind(at.occurred_at)
            .execute(conn)
            .await?;
        }
        UserEvent::UserRolesChanged { roles } => {
            let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            set(conn, &at, SET_ROLES, roles).await?;
        }
        UserEvent::UserDisabled {} => {
            set(conn, &at, SET_STATUS, UserStatus::Disabled.as_str()).await?;
        }
        UserEvent::UserEnabled {} => {
            set(conn, &at, SET_STATUS, UserStatus::Active.as_str()).await?;
        }
        UserEvent::UserPasswordChanged { by_admin, .. } => {
            set(conn, &at, SET_MUST_CHANGE, by_admin).await?;
        }
    }
    Ok(())
}

const SET_ROLES: &str = "UPDATE users SET roles = $2, version = $3, updated_at = $4 WHERE id = $1";
const SET_STATUS: &str =
    "UPDATE users SET status = $2, version = $3, updated_at = $4 WHERE id = $1";
const SET_MUST_CHANGE: &str =
    "UPDATE users SET must_change_password = $2, version = $3, updated_at = $4 WHERE id = $1";

/// The account an event changes, and when.
struct Stamp {
    id: UserId,
    sequence: i64,
    occurred_at: chrono::DateTime<chrono::Utc>,
}

/// Runs one of the `SET_*` updates: one column, the version and the update time.
async fn set<'q, T>(
    conn: &mut PgConnection,
    at: &Stamp,
    sql: &'static str,
    value: T,
) -> Result<(), sqlx::Error>
where
    T: sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + 'q,
{
    sqlx::query(sql)
        .bind(at.id)
        .bind(value)
        .bind(at.sequence)
        .bind(at.occurred_at)
        .execute(conn)
        .await
        .map(drop)
}

/// A login stamps the account's `last_login_at`.
pub async fn apply_session(
    conn: &mut PgConnection,
    stored: Stored<SessionId, SessionEvent>,
) -> Result<(), ProjectionError> {
    if let SessionEvent::LoggedIn { user_id, .. } = stored.event {
        lock_account(conn, user_id).await?;
        // The latest login wins whatever order sessions arrive in.
        sqlx::query(
            "WITH login AS (
                 INSERT INTO user_logins AS l (user_id, last_login_at) VALUES ($1, $2)
                 ON CONFLICT (user_id) DO UPDATE
                    SET last_login_at = greatest(l.last_login_at, EXCLUDED.last_login_at)
                 RETURNING last_login_at)
             UPDATE users SET last_login_at = (SELECT last_login_at FROM login) WHERE id = $1",
        )
        .bind(user_id)
        .bind(stored.meta.occurred_at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Taken by the account's and its sessions' projections before they touch the copy, so
/// that two transactions projecting both at once see each other's rows in turn.
async fn lock_account(
    conn: &mut PgConnection,
    id: contracts::ids::UserId,
) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('gescom.account:' || $1, 0))")
        .bind(id.to_string())
        .execute(conn)
        .await
        .map(drop)
}
