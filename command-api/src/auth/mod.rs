//! Login and token issuing: the flows over the User, Session and LoginAttempt aggregates.
//! HTTP-free; `http::auth` maps requests and errors.

pub mod keys;
pub mod passwords;
pub mod throttle;
pub mod tokens;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use contracts::account::{DisplayName, Email, UserStatus};
use contracts::auth::{Role, Roles};
use contracts::events::{LoginFailure, SessionEnd, SessionEvent};
use contracts::ids::{SessionId, UserId};
use contracts::metadata::EventMeta;
use platform::token::Principal;
use sqlx::PgPool;

use self::passwords::{HashError, Hashing, Password};
use self::throttle::{Keys, Throttle, ThrottleError};
use self::tokens::{AccessToken, RefreshToken, Subject, TokenIssuer};
use crate::domain::login_attempt::{LoginAttempt, RecordFailure};
use crate::domain::session::{Session, SessionCommand, SessionError};
use crate::domain::user::{State as UserState, User, UserCommand, UserError};
use crate::es::{CommandBus, CommandError, Committed};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Also the answer for a disabled account's right password: a different answer
    /// would confirm a guessed password.
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("this account is disabled")]
    AccountDisabled,
    /// The caller's account, as it is now (not as their token says), may not do this.
    #[error("{0}")]
    NotPermitted(&'static str),
    #[error("too many password checks at once; retry in {} s", .retry_after.as_secs())]
    Busy { retry_after: Duration },
    #[error("too many failed logins; retry in {} s", .retry_after.as_secs())]
    Throttled { retry_after: Duration },
    #[error("the refresh token is invalid, expired or revoked")]
    InvalidRefreshToken,
    #[error("a rotated refresh token was presented again: the session is revoked")]
    RefreshTokenReused,
    #[error("the current password is wrong")]
    WrongCurrentPassword,
    #[error("the new password must differ from the current one")]
    PasswordUnchanged,
    #[error("{field}: {invalid}")]
    Invalid {
        field: &'static str,
        invalid: contracts::Invalid,
    },
    #[error(transparent)]
    User(#[from] CommandError<UserError>),
    #[error("session store: {0}")]
    Session(CommandError<SessionError>),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

impl From<sqlx::Error> for AuthError {
    fn from(e: sqlx::Error) -> Self {
        if platform::db::is_connection_loss(&e) {
            AuthError::Unavailable(e.to_string())
        } else {
            AuthError::Internal(format!("database: {e}"))
        }
    }
}

impl From<HashError> for AuthError {
    fn from(e: HashError) -> Self {
        match e {
            HashError::Busy { retry_after } => AuthError::Busy { retry_after },
            other => AuthError::Internal(other.to_string()),
        }
    }
}

impl From<ThrottleError> for AuthError {
    fn from(e: ThrottleError) -> Self {
        match e {
            ThrottleError::Locked(retry_after) => AuthError::Throttled { retry_after },
            ThrottleError::Database(e) => e.into(),
        }
    }
}

impl From<jsonwebtoken::errors::Error> for AuthError {
    fn from(e: jsonwebtoken::errors::Error) -> Self {
        AuthError::Internal(format!("signing: {e}"))
    }
}

/// What a login or a refresh hands back.
#[derive(Debug)]
pub struct Grant {
    pub user_id: UserId,
    pub email: Email,
    pub roles: Roles,
    pub must_change_password: bool,
    pub access: AccessToken,
    pub refresh: RefreshToken,
    pub refresh_expires_at: chrono::DateTime<Utc>,
}

/// A new account's details, already parsed.
#[derive(Debug)]
pub struct NewUser {
    pub email: Email,
    pub display_name: DisplayName,
    pub roles: Roles,
    pub password: Password,
    pub must_change_password: bool,
}

pub struct Auth {
    pool: PgPool,
    pub users: Arc<CommandBus<User>>,
    sessions: Arc<CommandBus<Session>>,
    attempts: Arc<CommandBus<LoginAttempt>>,
    issuer: TokenIssuer,
    throttle: Throttle,
    pub hashing: Hashing,
}

/// Longest email kept from a failed login, for the audit trail.
const MAX_RECORDED_EMAIL: usize = 254;

impl Auth {
    pub fn new(
        pool: PgPool,
        issuer: TokenIssuer,
        throttle: throttle::ThrottleConfig,
        hashing: Hashing,
    ) -> Self {
        Self {
            users: Arc::new(CommandBus::new(pool.clone(), ())),
            sessions: Arc::new(CommandBus::new(pool.clone(), ())),
            attempts: Arc::new(CommandBus::new(pool.clone(), ())),
            throttle: Throttle::new(pool.clone(), throttle),
            hashing,
            pool,
            issuer,
        }
    }

    pub fn access_ttl(&self) -> chrono::Duration {
        self.issuer.access_ttl
    }

    /// The account of an email, compared in [`Email::normalize`]'s form only. A text
    /// that is not an email (a NUL byte, 10 kB) has no account and never reaches SQL.
    async fn user_id_by_email(&self, email: &str) -> Result<Option<UserId>, AuthError> {
        let Ok(email) = Email::parse(email) else {
            return Ok(None);
        };
        let id: Option<String> =
            sqlx::query_scalar("SELECT user_id FROM user_email_keys WHERE email = $1")
                .bind(email.as_str())
                .fetch_optional(&self.pool)
                .await?;
        Ok(id.and_then(|id| id.parse().ok()))
    }

    async fn load_user(&self, id: UserId) -> Result<(Option<UserState>, u64), AuthError> {
        let (user, version) = self.users.load(id).await?;
        Ok((user.state().cloned(), version))
    }

    /// Logs in. The throttle counts the attempt before the password is checked, on the
    /// account the email resolves to: every spelling of the address, and every parallel
    /// guess, draws on one allowance. A wrong password, an unknown email and a disabled
    /// account's right password all get the same answer after the same work.
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        metadata: EventMeta,
    ) -> Result<Grant, AuthError> {
        let user_id = self.user_id_by_email(email).await?;
        let keys = Keys::new(user_id, email, metadata.source_ip);
        let attempt = self.throttle.begin(&keys).await?;
        let user = match user_id {
            Some(id) => self.load_user(id).await?.0,
            None => None,
        };
        let stored = user.as_ref().map(|u| u.password_hash.clone());
        let matches = match self.check(Password::presented(password), stored).await {
            Ok(matches) => matches,
            Err(e) => {
                self.throttle.abandon(attempt).await?;
                return Err(e);
            }
        };
        let granted = user.filter(|u| matches && u.status == UserStatus::Active);
        let Some(user) = granted else {
            let reason = match (user_id, matches) {
                (None, _) => LoginFailure::UnknownEmail,
                (Some(_), true) => LoginFailure::AccountDisabled,
                (Some(_), false) => LoginFailure::WrongPassword,
            };
            let hold = self.throttle.fail(attempt).await?;
            self.record_failure(email, user_id, reason, metadata)
                .await?;
            tokio::time::sleep(hold).await;
            return Err(AuthError::InvalidCredentials);
        };
        self.throttle.succeed(attempt).await?;
        let session_id = SessionId::generate();
        let refresh = RefreshToken::generate(session_id);
        let now = Utc::now();
        let refresh_expires_at = now + self.issuer.refresh_ttl;
        let metadata = as_actor(metadata, user.id, &user.roles);
        self.sessions
            .execute_new_detached(
                session_id,
                SessionCommand::Start {
                    id: session_id,
                    user_id: user.id,
                    email: user.email.clone(),
                    token_hash: refresh.hash(),
                    expires_at: refresh_expires_at,
                    password_epoch: user.password_epoch,
                },
                metadata,
            )
            .await
            .map_err(AuthError::Session)?;
        self.grant(&user, session_id, refresh, refresh_expires_at, now)
    }

    /// Whether a presented password (`None`: too long to be anyone's) matches.
    async fn check(
        &self,
        presented: Option<Password>,
        stored: Option<String>,
    ) -> Result<bool, AuthError> {
        match presented {
            Some(p) => Ok(self.hashing.verify(p, stored).await?),
            None => Ok(false),
        }
    }

    fn grant(
        &self,
        user: &UserState,
        session_id: SessionId,
        refresh: RefreshToken,
        refresh_expires_at: chrono::DateTime<Utc>,
        now: chrono::DateTime<Utc>,
    ) -> Result<Grant, AuthError> {
        let access = self.issuer.access(
            Subject {
                user_id: user.id,
                session_id,
                email: &user.email,
                roles: &user.roles,
                must_change_password: user.must_change_password,
            },
            now,
        )?;
        Ok(Grant {
            user_id: user.id,
            email: user.email.clone(),
            roles: user.roles.clone(),
            must_change_password: user.must_change_password,
            access,
            refresh,
            refresh_expires_at,
        })
    }

    async fn record_failure(
        &self,
        email: &str,
        user_id: Option<UserId>,
        reason: LoginFailure,
        metadata: EventMeta,
    ) -> Result<(), AuthError> {
        // As typed, for the audit trail, but never a control character: a NUL cannot be
        // stored in JSON text at all.
        let email: String = email
            .trim()
            .chars()
            .take(MAX_RECORDED_EMAIL)
            .map(|c| {
                if c.is_control() {
                    char::REPLACEMENT_CHARACTER
                } else {
                    c
                }
            })
            .collect();
        let id = uuid::Uuid::now_v7();
        self.attempts
            .execute_new_detached(
                id,
                RecordFailure {
                    email,
                    user_id,
                    reason,
                },
                metadata,
            )
            .await
            .map(drop)
            .map_err(|e| match e {
                CommandError::Unavailable(cause) => AuthError::Unavailable(cause),
                other => AuthError::Internal(format!("recording a failed login: {other}")),
            })
    }

    /// Rotates a refresh token: the presented one stops working, a new one is returned
    /// with a new access token carrying the account's current roles. A session of a
    /// disabled account, or one started before the password last changed, is refused
    /// before anything rotates, and the latter is ended for good.
    pub async fn refresh(&self, presented: &str, metadata: EventMeta) -> Result<Grant, AuthError> {
        let (session_id, token) =
            RefreshToken::parse(presented).ok_or(AuthError::InvalidRefreshToken)?;
        let (session, _) = self
            .sessions
            .load(session_id)
            .await
            .map_err(AuthError::Session)?;
        let session = session.state().ok_or(AuthError::InvalidRefreshToken)?;
        let user = self
            .load_user(session.user_id)
            .await?
            .0
            .ok_or(AuthError::InvalidRefreshToken)?;
        let metadata = as_actor(metadata, user.id, &user.roles);
        if user.status == UserStatus::Disabled {
            return Err(AuthError::AccountDisabled);
        }
        if !user.session_survives(session_id, session.password_epoch) {
            self.end_session(presented, SessionEnd::PasswordChanged, metadata)
                .await?;
            return Err(AuthError::InvalidRefreshToken);
        }
        let now = Utc::now();
        let next = RefreshToken::generate(session_id);
        let refresh_expires_at = now + self.issuer.refresh_ttl;
        let committed = self
            .sessions
            .execute_detached(
                session_id,
                SessionCommand::Refresh {
                    presented_hash: token.hash(),
                    new_hash: next.hash(),
                    now,
                    expires_at: refresh_expires_at,
                },
                None,
                metadata,
            )
            .await
            .map_err(session_error)?;
        if ended_by_reuse(&committed) {
            return Err(AuthError::RefreshTokenReused);
        }
        self.grant(&user, session_id, next, refresh_expires_at, now)
    }

    /// Ends the session of `presented`. Ending an ended session is a no-op.
    pub async fn logout(&self, presented: &str, metadata: EventMeta) -> Result<(), AuthError> {
        // The route is public (the refresh token is the credential): the audit trail names
        // the session's owner, as a refresh does, not "anonymous".
        let metadata = match self.session_owner(presented).await? {
            Some(user) => as_actor(metadata, user.id, &user.roles),
            None => metadata,
        };
        self.end_session(presented, SessionEnd::Logout, metadata)
            .await
    }

    /// The account whose session the refresh token names, if both exist.
    async fn session_owner(&self, presented: &str) -> Result<Option<UserState>, AuthError> {
        let Some((session_id, _)) = RefreshToken::parse(presented) else {
            return Ok(None);
        };
        let (session, _) = self
            .sessions
            .load(session_id)
            .await
            .map_err(AuthError::Session)?;
        let Some(session) = session.state() else {
            return Ok(None);
        };
        Ok(self.load_user(session.user_id).await?.0)
    }

    async fn end_session(
        &self,
        presented: &str,
        reason: SessionEnd,
        metadata: EventMeta,
    ) -> Result<(), AuthError> {
        let (session_id, token) =
            RefreshToken::parse(presented).ok_or(AuthError::InvalidRefreshToken)?;
        let committed = self
            .sessions
            .execute_detached(
                session_id,
                SessionCommand::End {
                    presented_hash: token.hash(),
                    reason,
                },
                None,
                metadata,
            )
            .await
            .map_err(session_error)?;
        if ended_by_reuse(&committed) {
            return Err(AuthError::RefreshTokenReused);
        }
        Ok(())
    }

    /// The caller changes their own password, proving they know the current one. A wrong
    /// current password counts against the account like a failed login (and is audited),
    /// so this route is no way around the login lock. Every other session of the account
    /// ends; the answer carries a fresh access token without the pending-change mark.
    pub async fn change_own_password(
        &self,
        caller: &Principal,
        current: &str,
        new: &str,
        metadata: EventMeta,
    ) -> Result<(u64, AccessToken), AuthError> {
        let (user, version) = self.load_user(caller.user_id).await?;
        let user = user.ok_or(CommandError::Domain(UserError::NotFound))?;
        if user.status == UserStatus::Disabled {
            return Err(AuthError::AccountDisabled);
        }
        let keys = Keys::new(Some(user.id), user.email.as_str(), metadata.source_ip);
        let attempt = self.throttle.begin(&keys).await?;
        let presented = Password::presented(current);
        let stored = Some(user.password_hash.clone());
        let matches = match self.check(presented.clone(), stored).await {
            Ok(matches) => matches,
            Err(e) => {
                self.throttle.abandon(attempt).await?;
                return Err(e);
            }
        };
        let current = match (presented, matches) {
            (Some(current), true) => current,
            _ => {
                let hold = self.throttle.fail(attempt).await?;
                self.record_failure(
                    user.email.as_str(),
                    Some(user.id),
                    LoginFailure::WrongCurrentPassword,
                    metadata,
                )
                .await?;
                tokio::time::sleep(hold).await;
                return Err(AuthError::WrongCurrentPassword);
            }
        };
        self.throttle.succeed(attempt).await?;
        let new = Password::new(new, Some(user.email.as_str())).map_err(|invalid| {
            AuthError::Invalid {
                field: "new_password",
                invalid,
            }
        })?;
        if new.same_as(&current) {
            return Err(AuthError::PasswordUnchanged);
        }
        let password_hash = self.hashing.hash(new).await?;
        // At the version whose hash was checked: a password changed meanwhile is a
        // conflict, never a change made with a stale proof.
        let committed = self
            .users
            .execute_detached(
                user.id,
                UserCommand::ChangePassword {
                    password_hash,
                    by_admin: false,
                    kept_session: Some(caller.session_id),
                },
                Some(version),
                metadata,
            )
            .await?;
        let access = self.issuer.access(
            Subject {
                user_id: user.id,
                session_id: caller.session_id,
                email: &user.email,
                roles: &user.roles,
                must_change_password: false,
            },
            Utc::now(),
        )?;
        Ok((committed.version, access))
    }

    /// The caller's account as it is now must be an enabled admin: a token issued before
    /// the account was disabled or demoted still carries the admin role until it
    /// expires, and user management is where that matters most.
    pub async fn require_admin(&self, caller: &Principal) -> Result<(), AuthError> {
        let (user, _) = self.load_user(caller.user_id).await?;
        match user {
            Some(user) if user.may_act_as(Role::Admin) => Ok(()),
            _ => Err(AuthError::NotPermitted(
                "your account is no longer an enabled admin",
            )),
        }
    }

    /// An admin's command on an account, after checking the admin's current state.
    pub async fn manage_user(
        &self,
        caller: &Principal,
        target: UserId,
        command: UserCommand,
        expected: Option<u64>,
        metadata: EventMeta,
    ) -> Result<Committed<contracts::events::UserEvent>, AuthError> {
        self.require_admin(caller).await?;
        Ok(self
            .users
            .execute_detached(target, command, expected, metadata)
            .await?)
    }

    /// An admin sets a new password, which the user must change at next login; every
    /// session of the account ends. The password may be neither the account's email nor
    /// its current password.
    pub async fn reset_password(
        &self,
        caller: &Principal,
        target: UserId,
        new: &str,
        expected: Option<u64>,
        metadata: EventMeta,
    ) -> Result<Committed<contracts::events::UserEvent>, AuthError> {
        self.require_admin(caller).await?;
        let (user, version) = self.load_user(target).await?;
        let user = user.ok_or(CommandError::Domain(UserError::NotFound))?;
        if let Some(expected) = expected.filter(|e| *e != version) {
            return Err(CommandError::<UserError>::VersionMismatch {
                expected,
                current: version,
            }
            .into());
        }
        let new = Password::new(new, Some(user.email.as_str())).map_err(|invalid| {
            AuthError::Invalid {
                field: "new_password",
                invalid,
            }
        })?;
        if self
            .hashing
            .verify(new.clone(), Some(user.password_hash.clone()))
            .await?
        {
            return Err(AuthError::PasswordUnchanged);
        }
        let password_hash = self.hashing.hash(new).await?;
        Ok(self
            .users
            .execute_detached(
                target,
                UserCommand::ChangePassword {
                    password_hash,
                    by_admin: true,
                    kept_session: None,
                },
                Some(version),
                metadata,
            )
            .await?)
    }

    /// A new account, created by an admin whose current state is checked.
    pub async fn create_user(
        &self,
        caller: &Principal,
        user: NewUser,
        metadata: EventMeta,
    ) -> Result<(UserId, u64), AuthError> {
        self.require_admin(caller).await?;
        create_user(&self.users, &self.hashing, user, metadata).await
    }

    /// Creates the first admin from configuration when no account exists yet. Several
    /// replicas may race: the email's uniqueness lets exactly one win.
    pub async fn ensure_first_admin(
        &self,
        email: Email,
        password: Password,
    ) -> Result<Option<UserId>, AuthError> {
        let any: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM user_email_keys)")
            .fetch_one(&self.pool)
            .await?;
        if any {
            return Ok(None);
        }
        let new = NewUser {
            display_name: DisplayName::parse("Administrator").map_err(|invalid| {
                AuthError::Invalid {
                    field: "display_name",
                    invalid,
                }
            })?,
            email,
            roles: Roles::one(Role::Admin),
            password,
            must_change_password: false,
        };
        match create_user(
            &self.users,
            &self.hashing,
            new,
            EventMeta::system(uuid_v7()),
        )
        .await
        {
            Ok((id, _)) => Ok(Some(id)),
            Err(AuthError::User(CommandError::Rejected { sqlstate, .. }))
                if sqlstate == crate::es::sqlstate::EMAIL_TAKEN =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

/// Hashes the password and records the account. Also used by `command-api admin create`,
/// which has no token issuer.
pub async fn create_user(
    users: &Arc<CommandBus<User>>,
    hashing: &Hashing,
    user: NewUser,
    metadata: EventMeta,
) -> Result<(UserId, u64), AuthError> {
    let id = UserId::generate();
    let password_hash = hashing.hash(user.password).await?;
    let committed = users
        .execute_new_detached(
            id,
            UserCommand::Create {
                id,
                email: user.email,
                display_name: user.display_name,
                roles: user.roles,
                password_hash,
                must_change_password: user.must_change_password,
            },
            metadata,
        )
        .await?;
    Ok((id, committed.version))
}

fn ended_by_reuse(committed: &Committed<SessionEvent>) -> bool {
    committed.events.iter().any(|e| {
        matches!(
            e,
            SessionEvent::SessionEnded {
                reason: SessionEnd::RefreshTokenReused
            }
        )
    })
}

fn session_error(e: CommandError<SessionError>) -> AuthError {
    match e {
        CommandError::Domain(_) => AuthError::InvalidRefreshToken,
        other => AuthError::Session(other),
    }
}

/// The request's metadata, with the signed-in user as the actor.
fn as_actor(mut metadata: EventMeta, user: UserId, roles: &Roles) -> EventMeta {
    metadata.actor_id = user.to_string();
    metadata.actor_roles = Some(roles.clone());
    metadata
}

fn uuid_v7() -> String {
    uuid::Uuid::now_v7().to_string()
}
