//! Password policy and hashing. Hashes are argon2id in PHC form, with the crate's default
//! cost (19 MiB, 2 passes: OWASP's recommendation). Hashing and checking are CPU-bound,
//! so they run on the blocking pool, never on the async workers.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use shared::Invalid;

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 256;

const COMMON: &str = include_str!("common-passwords.txt");

/// A password that passed the policy. Its `Debug` never shows it.
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl Password {
    /// Applies the policy: length within bounds, not a known common password, not the
    /// account's own email.
    pub fn new(raw: &str, email: Option<&str>) -> Result<Self, Invalid> {
        let chars = raw.chars().count();
        if chars < MIN_CHARS {
            return Err(Invalid::new(
                "password_too_short",
                format!("at least {MIN_CHARS} characters"),
            ));
        }
        if chars > MAX_CHARS {
            return Err(Invalid::new(
                "password_too_long",
                format!("at most {MAX_CHARS} characters"),
            ));
        }
        let lower = raw.to_lowercase();
        let common = COMMON
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .any(|l| l == lower);
        let is_email = email.is_some_and(|e| {
            let e = e.to_lowercase();
            lower == e || e.split('@').next().is_some_and(|local| lower == local)
        });
        if common || is_email {
            return Err(Invalid::new(
                "password_too_common",
                "this password is too common or too easy to guess",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// What was typed at login: no policy, only a bound, so that a huge body cannot make
    /// argon2 work for nothing.
    pub fn presented(raw: &str) -> Option<Self> {
        (raw.chars().count() <= MAX_CHARS).then(|| Self(raw.to_owned()))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("the hashing task failed: {0}")]
    Task(String),
}

pub async fn hash(password: Password) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || hash_now(&password.0))
        .await
        .map_err(|e| HashError::Task(e.to_string()))?
}

fn hash_now(password: &str) -> Result<String, HashError> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| HashError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError::Hash(e.to_string()))
}

/// Whether `password` matches `stored`. With no stored hash (unknown account), checks
/// against a dummy one anyway, so that the answer takes as long and reveals nothing.
pub async fn verify(password: Password, stored: Option<String>) -> Result<bool, HashError> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = match stored {
            Some(s) => s,
            None => dummy_hash()?.to_owned(),
        };
        let parsed = PasswordHash::new(&stored).map_err(|e| HashError::Hash(e.to_string()))?;
        let matches = Argon2::default()
            .verify_password(password.0.as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await
    .map_err(|e| HashError::Task(e.to_string()))?
}

fn dummy_hash() -> Result<&'static str, HashError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DUMMY.get() {
        return Ok(h);
    }
    let fresh = hash_now(&format!("{:032x}", rand::random::<u128>()))?;
    Ok(DUMMY.get_or_init(|| fresh))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_refuses_short_common_and_email_passwords() {
        let code = |raw: &str| Password::new(raw, Some("ana.dupont@example.com")).map(drop);
        assert_eq!(code("short").unwrap_err().code, "password_too_short");
        assert_eq!(code("AzertyUIOP").unwrap_err().code, "password_too_short");
        assert_eq!(
            code("MotDePasse2026").unwrap_err().code,
            "password_too_common"
        );
        assert_eq!(
            code("ana.dupont@example.com").unwrap_err().code,
            "password_too_common"
        );
        assert_eq!(
            code(&"x".repeat(300)).unwrap_err().code,
            "password_too_long"
        );
        assert!(code("correct horse battery staple").is_ok());
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let good = Password::new("correct horse battery staple", None).unwrap();
        let stored = hash(good.clone()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify(good.clone(), Some(stored.clone())).await.unwrap());
        let bad = Password::presented("correct horse battery stapler").unwrap();
        assert!(!verify(bad, Some(stored)).await.unwrap());
        assert!(!verify(good, None).await.unwrap());
    }
}
