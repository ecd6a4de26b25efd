//! Password policy and hashing. Hashes are argon2id in PHC form, with the crate's default
//! cost (19 MiB, 2 passes: OWASP's recommendation). Hashing and checking are CPU-bound,
//! so they run on the blocking pool, never on the async workers, and [`Hashing`] bounds
//! how many run at once: each takes 19 MiB, and a burst of logins must not take the
//! process's memory with it.

use contracts::FieldCode;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use contracts::Invalid;
use tokio::sync::Semaphore;

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 256;
/// zxcvbn's score (0–4) a new password must reach: 3 is "safely unguessable: moderate
/// protection from an offline slow-hash scenario" (10^10 guesses).
pub const MIN_STRENGTH: u8 = 3;
/// zxcvbn's matching grows faster than linearly with length; a password strong in its
/// first 100 characters is strong, and a longer one is only judged on those.
const STRENGTH_PREFIX_CHARS: usize = 100;

const COMMON: &str = include_str!("common-passwords.txt");

/// A password that passed the policy. Its `Debug` never shows it.
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

fn too_weak(message: &str) -> Invalid {
    Invalid::new(FieldCode::PasswordTooWeak, message.to_owned())
}

impl Password {
    /// Applies the policy: length within bounds, no control character, not blank or one
    /// repeated character, not a known common password, not the account's own email,
    /// and a zxcvbn strength of at least [`MIN_STRENGTH`] (with the email as a word an
    /// attacker would try first).
    pub fn new(raw: &str, email: Option<&str>) -> Result<Self, Invalid> {
        let chars = raw.chars().count();
        if chars < MIN_CHARS {
            return Err(Invalid::new(
                FieldCode::PasswordTooShort,
                format!("at least {MIN_CHARS} characters"),
            ));
        }
        if chars > MAX_CHARS {
            return Err(Invalid::new(
                FieldCode::PasswordTooLong,
                format!("at most {MAX_CHARS} characters"),
            ));
        }
        if raw.chars().any(char::is_control) {
            return Err(Invalid::new(
                FieldCode::ControlCharacter,
                "must not contain control characters",
            ));
        }
        if raw.trim().is_empty() {
            return Err(too_weak("a password cannot be only spaces"));
        }
        let mut distinct = raw.chars();
        let first = distinct.next();
        if distinct.all(|c| Some(c) == first) {
            return Err(too_weak("a password cannot be one repeated character"));
        }
        let lower = raw.to_lowercase();
        let common = COMMON
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .any(|l| l == lower);
        let email = email.map(contracts::account::Email::normalize);
        let local = email.as_deref().and_then(|e| e.split('@').next());
        let is_email = email.as_deref() == Some(lower.as_str()) || local == Some(lower.as_str());
        if common || is_email {
            return Err(Invalid::new(
                FieldCode::PasswordTooCommon,
                "this password is too common or too easy to guess",
            ));
        }
        let judged: String = raw.chars().take(STRENGTH_PREFIX_CHARS).collect();
        let hints: Vec<&str> = ["gescom"]
            .into_iter()
            .chain(email.as_deref())
            .chain(local)
            .collect();
        let score = u8::from(zxcvbn::zxcvbn(&judged, &hints).score());
        if score < MIN_STRENGTH {
            return Err(too_weak(
                "this password is easy to guess: use a few unrelated words or a longer phrase",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// What was typed at login: no policy, only a bound, so that a huge body cannot make
    /// argon2 work for nothing.
    pub fn presented(raw: &str) -> Option<Self> {
        (raw.chars().count() <= MAX_CHARS).then(|| Self(raw.to_owned()))
    }

    /// Whether two passwords are the same text (a new one equal to the one it replaces).
    pub fn same_as(&self, other: &Password) -> bool {
        self.0 == other.0
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("the hashing task failed: {0}")]
    Task(String),
    /// Every hashing slot and every place in the queue is taken.
    #[error("too many password checks at once; retry in {} s", .retry_after.as_secs())]
    Busy { retry_after: Duration },
}

/// How many argon2 computations may run at once, and how many may wait for a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingConfig {
    pub concurrent: usize,
    pub queued: usize,
}

/// Memory one argon2id computation takes with the crate's default parameters.
pub const ARGON2_MIB: usize = 19;

impl HashingConfig {
    /// One computation per core (more only wait on the CPU), fewer if `memory_mib` cannot
    /// hold that many; up to eight waiters per slot, about a quarter of a second of work
    /// each, before callers are told to come back.
    pub fn sized(cores: usize, memory_mib: usize) -> Self {
        let concurrent = cores.min(memory_mib / ARGON2_MIB).max(1);
        Self {
            concurrent,
            queued: concurrent * 8,
        }
    }

    /// Sized from this machine's cores and a memory budget in MiB.
    pub fn for_this_machine(memory_mib: usize) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::sized(cores, memory_mib)
    }
}

/// Runs argon2 within [`HashingConfig`]'s bounds: a caller beyond them gets
/// [`HashError::Busy`] at once instead of a place in an unbounded queue.
#[derive(Debug, Clone)]
pub struct Hashing {
    running: Arc<Semaphore>,
    admitted: Arc<Semaphore>,
}

const BUSY_RETRY: Duration = Duration::from_secs(1);

impl Hashing {
    pub fn new(config: HashingConfig) -> Self {
        Self {
            running: Arc::new(Semaphore::new(config.concurrent.max(1))),
            admitted: Arc::new(Semaphore::new(config.concurrent.max(1) + config.queued)),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let busy = || HashError::Busy {
            retry_after: BUSY_RETRY,
        };
        let _admitted = Arc::clone(&self.admitted)
            .try_acquire_owned()
            .map_err(|_| busy())?;
        let _running = Arc::clone(&self.running)
            .acquire_owned()
            .await
            .map_err(|_| busy())?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| HashError::Task(e.to_string()))?
    }

    pub async fn hash(&self, password: Password) -> Result<String, HashError> {
        self.run(move || hash_now(&password.0)).await
    }

    /// Whether `password` matches `stored`. With no stored hash (unknown account), checks
    /// against a dummy one anyway, so that the answer takes as long and reveals nothing.
    pub async fn verify(
        &self,
        password: Password,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        self.run(move || {
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
    }
}

fn hash_now(password: &str) -> Result<String, HashError> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| HashError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError::Hash(e.to_string()))
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

    #[test]
    fn the_policy_refuses_blank_repeated_and_guessable_passwords() {
        let code = |raw: &str| Password::new(raw, Some("ana.dupont@example.com")).map(drop);
        assert_eq!(code(&" ".repeat(20)).unwrap_err().code, "password_too_weak");
        assert_eq!(
            code(&"\u{3000}".repeat(14)).unwrap_err().code,
            "password_too_weak"
        );
        assert_eq!(code(&"a".repeat(20)).unwrap_err().code, "password_too_weak");
        assert_eq!(code(&"é".repeat(13)).unwrap_err().code, "password_too_weak");
        assert_eq!(code("Password2026!").unwrap_err().code, "password_too_weak");
        assert_eq!(
            code("abcdefghijklmnop").unwrap_err().code,
            "password_too_weak"
        );
        assert_eq!(
            code("ana.dupont1234").unwrap_err().code,
            "password_too_weak"
        );
        assert_eq!(code("ANA.DUPONT").unwrap_err().code, "password_too_short");
        assert_eq!(
            code("a long\u{0}password here").unwrap_err().code,
            "control_character"
        );
        assert!(code("tulipe quinze Grenoble ardoise").is_ok());
        assert!(code(&"x7#Kp2!q".repeat(32)).is_ok());
    }

    #[test]
    fn hashing_is_sized_from_cores_and_memory() {
        assert_eq!(HashingConfig::sized(2, 4096).concurrent, 2);
        assert_eq!(HashingConfig::sized(16, 64).concurrent, 3);
        assert_eq!(HashingConfig::sized(4, 1).concurrent, 1);
        assert_eq!(HashingConfig::sized(2, 4096).queued, 16);
    }

    #[tokio::test]
    async fn a_caller_beyond_the_queue_is_told_to_come_back() {
        let hashing = Hashing::new(HashingConfig {
            concurrent: 1,
            queued: 0,
        });
        let good = Password::new("correct horse battery staple", None).unwrap();
        let (first, second) = tokio::join!(hashing.hash(good.clone()), hashing.hash(good));
        let busy = [&first, &second]
            .iter()
            .filter(|r| matches!(r, Err(HashError::Busy { .. })))
            .count();
        assert_eq!(busy, 1, "one of two at once, with no queue, is refused");
        assert!(first.is_ok() || second.is_ok());
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hashing = Hashing::new(HashingConfig::sized(2, 1024));
        let good = Password::new("correct horse battery staple", None).unwrap();
        let stored = hashing.hash(good.clone()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(hashing
            .verify(good.clone(), Some(stored.clone()))
            .await
            .unwrap());
        let bad = Password::presented("correct horse battery stapler").unwrap();
        assert!(!hashing.verify(bad, Some(stored)).await.unwrap());
        assert!(!hashing.verify(good, None).await.unwrap());
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            // zxcvbn judges each case: few of them.
            #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

            /// Whatever is typed, the policy answers (never a panic), and what it accepts
            /// holds no control character and is accepted again.
            #[test]
            fn the_policy_never_panics(
                raw in prop_oneof![
                    any::<String>(),
                    "\\PC{10,40}".prop_map(String::from),
                    ("[a-z]{4,8}", "[😀é\u{301}ß\u{0}\u{85}\t]{1,3}", "[a-z]{4,8}", "[0-9]{2,4}")
                        .prop_map(|(a, b, c, d)| format!("{a}{b}{c} {d}")),
                ],
                email in proptest::option::of("\\PC{0,20}"),
            ) {
                let _ = Password::presented(&raw);
                if let Ok(password) = Password::new(&raw, email.as_deref()) {
                    prop_assert!(!contracts::input::contains_control(&password.0));
                    prop_assert!(Password::new(&password.0, email.as_deref()).is_ok());
                }
            }
        }
    }
}
