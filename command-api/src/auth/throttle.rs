//! Slowing, then refusing, repeated failed logins per account and per source address.
//!
//! Counts live in Postgres (`login_throttle`) so that every replica of command-api sees
//! the same ones. A failure adds a growing delay to its own answer; beyond the limit the
//! key is locked, and attempts are refused with 429 and `Retry-After` until the lock
//! ends, whether the password is right or not. Wrong current passwords given to
//! `POST /auth/password` count against the same account key.

use std::time::Duration;

use contracts::account::Email;
use contracts::ids::UserId;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

#[derive(Debug, Clone)]
pub struct ThrottleConfig {
    /// Failures for one account within `window` before it is locked.
    pub max_per_account: u32,
    /// Failures from one address within `window` before it is locked: higher, since an
    /// office shares one address.
    pub max_per_address: u32,
    pub window: Duration,
    pub lockout: Duration,
    /// Delay added to the n-th failure's answer: (n − 1) × step, at most 2 s.
    pub slowdown_step: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            max_per_account: 5,
            max_per_address: 20,
            window: Duration::from_secs(15 * 60),
            lockout: Duration::from_secs(15 * 60),
            slowdown_step: Duration::from_millis(250),
        }
    }
}

const MAX_SLOWDOWN: Duration = Duration::from_secs(2);

#[derive(Debug, Clone)]
pub struct Throttle {
    pool: PgPool,
    config: ThrottleConfig,
}

/// The keys one attempt counts against: the account the email resolved to (or, for an
/// email no account has, its normal form), and the source address.
#[derive(Debug, Clone)]
pub struct Keys {
    account: String,
    address: Option<String>,
}

impl Keys {
    /// `account`: the account the lookup resolved, so that every spelling of its email
    /// shares one allowance; `email` counts only when no account has it.
    pub fn new(account: Option<UserId>, email: &str, address: Option<std::net::IpAddr>) -> Self {
        let account = match account {
            Some(id) => format!("user:{id}"),
            // Hashed: a key is bounded and free of bytes PostgreSQL's text refuses (NUL),
            // whatever was typed.
            None => {
                let digest = Sha256::digest(Email::normalize(email).as_bytes());
                let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
                format!("email:{hex}")
            }
        };
        Self {
            account,
            address: address.map(|a| format!("ip:{a}")),
        }
    }

    fn all(&self) -> Vec<&str> {
        std::iter::once(self.account.as_str())
            .chain(self.address.as_deref())
            .collect()
    }

    fn with_limits<'a>(&'a self, config: &ThrottleConfig) -> Vec<(&'a str, u32)> {
        std::iter::once((self.account.as_str(), config.max_per_account))
            .chain(self.address.as_deref().map(|a| (a, config.max_per_address)))
            .collect()
    }
}

/// An attempt admitted by [`Throttle::begin`]: already counted as a failure against its
/// keys, until [`Throttle::succeed`] takes it back.
#[derive(Debug)]
#[must_use = "an attempt ends in `fail` or `succeed`"]
pub struct Attempt {
    keys: Keys,
    /// The most failures, this one included, on any of its keys.
    failures: i32,
}

#[derive(Debug, thiserror::Error)]
pub enum ThrottleError {
    #[error("locked for {} s", .0.as_secs())]
    Locked(Duration),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl Throttle {
    pub fn new(pool: PgPool, config: ThrottleConfig) -> Self {
        Self { pool, config }
    }

    /// Admits an attempt, or refuses it while one of its keys is locked.
    ///
    /// The attempt is counted as a failure before the password is checked, each key in
    /// one atomic upsert: parallel guesses each take their own number, so at most
    /// `max_per_account` of them are ever checked within a window, and the one beyond
    /// locks the key. A success takes its count back.
    pub async fn begin(&self, keys: &Keys) -> Result<Attempt, ThrottleError> {
        let mut tx = self.pool.begin().await?;
        let mut worst = 0;
        let mut locked: Option<Duration> = None;
        for (key, max) in keys.with_limits(&self.config) {
            let (failures, lock_secs): (i32, Option<f64>) = sqlx::query_as(
                "INSERT INTO login_throttle AS t (key, failures, window_start)
                 VALUES ($1, 1, now())
                 ON CONFLICT (key) DO UPDATE SET
                     failures = CASE
                         WHEN t.locked_until > now() THEN t.failures
                         WHEN t.window_start < now() - make_interval(secs => $2) THEN 1
                         WHEN t.failures + 1 > $3 THEN 0
                         ELSE t.failures + 1 END,
                     window_start = CASE
                         WHEN t.locked_until > now() THEN t.window_start
                         WHEN t.window_start < now() - make_interval(secs => $2)
                           OR t.failures + 1 > $3 THEN now()
                         ELSE t.window_start END,
                     locked_until = CASE
                         WHEN t.locked_until > now() THEN t.locked_until
                         WHEN t.window_start >= now() - make_interval(secs => $2)
                          AND t.failures + 1 > $3 THEN now() + make_interval(secs => $4)
                         END
                 RETURNING failures,
                           extract(epoch FROM locked_until - now())::float8",
            )
            .bind(key)
            .bind(self.config.window.as_secs_f64())
            .bind(max as i32)
            .bind(self.config.lockout.as_secs_f64())
            .fetch_one(&mut *tx)
            .await?;
            match lock_secs {
                Some(secs) if secs > 0.0 => {
                    let secs = Duration::from_secs_f64(secs);
                    locked = Some(locked.map_or(secs, |l| l.max(secs)));
                }
                _ => worst = worst.max(failures),
            }
        }
        if let Some(retry_after) = locked {
            // Not admitted: what the other key counted for it is taken back.
            tx.rollback().await?;
            self.lock_where_due(keys).await?;
            return Err(ThrottleError::Locked(retry_after));
        }
        tx.commit().await?;
        Ok(Attempt {
            keys: keys.clone(),
            failures: worst,
        })
    }

    /// The rollback in `begin` also undid the lock its own upsert may have set; set it
    /// again on the keys that are over their limit.
    async fn lock_where_due(&self, keys: &Keys) -> Result<(), sqlx::Error> {
        for (key, max) in keys.with_limits(&self.config) {
            sqlx::query(
                "UPDATE login_throttle
                    SET locked_until = now() + make_interval(secs => $3),
                        failures = 0, window_start = now()
                  WHERE key = $1 AND failures >= $2
                    AND (locked_until IS NULL OR locked_until <= now())
                    AND window_start >= now() - make_interval(secs => $4)",
            )
            .bind(key)
            .bind(max as i32)
            .bind(self.config.lockout.as_secs_f64())
            .bind(self.config.window.as_secs_f64())
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// The attempt failed: it stays counted. Returns how long to hold the answer, which
    /// grows with the failures so far.
    pub async fn fail(&self, attempt: Attempt) -> Result<Duration, sqlx::Error> {
        // Forget what no longer counts, so that the table stays as small as the traffic.
        sqlx::query(
            "DELETE FROM login_throttle
              WHERE window_start < now() - make_interval(secs => $1)
                AND (locked_until IS NULL OR locked_until < now())",
        )
        .bind(self.config.window.as_secs_f64())
        .execute(&self.pool)
        .await?;
        let step = self
            .config
            .slowdown_step
            .saturating_mul((attempt.failures.max(1) - 1) as u32);
        Ok(step.min(MAX_SLOWDOWN))
    }

    /// The attempt was never judged (the password check could not run): it is taken back
    /// on every key, so that a saturated server does not lock its users out.
    pub async fn abandon(&self, attempt: Attempt) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE login_throttle SET failures = greatest(failures - 1, 0)
              WHERE key = ANY($1) AND locked_until IS NULL",
        )
        .bind(attempt.keys.all())
        .execute(&self.pool)
        .await
        .map(drop)
    }

    /// The attempt succeeded: its account's count is cleared, and the address gets back
    /// the one this attempt took (one good password does not vouch for the other
    /// attempts from there).
    pub async fn succeed(&self, attempt: Attempt) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM login_throttle WHERE key = $1 AND locked_until IS NULL")
            .bind(&attempt.keys.account)
            .execute(&mut *tx)
            .await?;
        if let Some(address) = &attempt.keys.address {
            sqlx::query(
                "UPDATE login_throttle SET failures = greatest(failures - 1, 0)
                  WHERE key = $1 AND locked_until IS NULL",
            )
            .bind(address)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }
}
