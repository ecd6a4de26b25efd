//! Slowing, then refusing, repeated failed logins per account and per source address.
//!
//! Counts live in Postgres (`login_throttle`) so that every replica of command-api sees
//! the same ones. A failure adds a growing delay to its own answer; at the limit the key
//! is locked, and attempts are refused with 429 and `Retry-After` until the lock ends,
//! whether the password is right or not.

use std::time::Duration;

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

/// The keys one login attempt counts against.
#[derive(Debug, Clone)]
pub struct Keys {
    account: String,
    address: Option<String>,
}

impl Keys {
    pub fn new(email: &str, address: Option<&str>) -> Self {
        Self {
            account: format!("email:{}", email.trim().to_lowercase()),
            address: address.map(|a| format!("ip:{a}")),
        }
    }

    fn all(&self) -> Vec<&str> {
        std::iter::once(self.account.as_str())
            .chain(self.address.as_deref())
            .collect()
    }
}

impl Throttle {
    pub fn new(pool: PgPool, config: ThrottleConfig) -> Self {
        Self { pool, config }
    }

    /// How long until the keys may try again, if one of them is locked.
    pub async fn locked_for(&self, keys: &Keys) -> Result<Option<Duration>, sqlx::Error> {
        let seconds: Option<f64> = sqlx::query_scalar(
            "SELECT extract(epoch FROM max(locked_until) - now())::float8
               FROM login_throttle
              WHERE key = ANY($1) AND locked_until > now()",
        )
        .bind(keys.all())
        .fetch_one(&self.pool)
        .await?;
        Ok(seconds.map(|s| Duration::from_secs_f64(s.max(0.0))))
    }

    /// Counts a failure against every key, and returns how long to hold the answer.
    pub async fn fail(&self, keys: &Keys) -> Result<Duration, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let mut worst = 0;
        let limits = std::iter::once((keys.account.as_str(), self.config.max_per_account)).chain(
            keys.address
                .as_deref()
                .map(|a| (a, self.config.max_per_address)),
        );
        for (key, max) in limits {
            let failures: i32 = sqlx::query_scalar(
                "INSERT INTO login_throttle AS t (key, failures, window_start)
                 VALUES ($1, 1, now())
                 ON CONFLICT (key) DO UPDATE SET
                     failures = CASE WHEN t.window_start < now() - make_interval(secs => $2)
                                     THEN 1 ELSE t.failures + 1 END,
                     window_start = CASE WHEN t.window_start < now() - make_interval(secs => $2)
                                         THEN now() ELSE t.window_start END
                 RETURNING failures",
            )
            .bind(key)
            .bind(self.config.window.as_secs_f64())
            .fetch_one(&mut *tx)
            .await?;
            if failures >= max as i32 {
                sqlx::query(
                    "UPDATE login_throttle
                        SET locked_until = now() + make_interval(secs => $2),
                            failures = 0, window_start = now()
                      WHERE key = $1",
                )
                .bind(key)
                .bind(self.config.lockout.as_secs_f64())
                .execute(&mut *tx)
                .await?;
            }
            worst = worst.max(failures);
        }
        // Forget what no longer counts, so that the table stays as small as the traffic.
        sqlx::query(
            "DELETE FROM login_throttle
              WHERE window_start < now() - make_interval(secs => $1)
                AND (locked_until IS NULL OR locked_until < now())",
        )
        .bind(self.config.window.as_secs_f64())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let step = self
            .config
            .slowdown_step
            .saturating_mul((worst.max(1) - 1) as u32);
        Ok(step.min(MAX_SLOWDOWN))
    }

    /// A successful login clears its account's count (not its address's: one good
    /// password does not vouch for the other attempts from there).
    pub async fn succeed(&self, keys: &Keys) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM login_throttle WHERE key = $1 AND locked_until IS NULL")
            .bind(&keys.account)
            .execute(&self.pool)
            .await
            .map(drop)
    }
}
