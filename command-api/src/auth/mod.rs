//! Login and token issuing: the flows over the User, Session and LoginAttempt aggregates.
//! HTTP-free; `http::auth` maps requests and errors.

pub mod keys;
pub mod passwords;
pub mod throttle;
pub mod tokens;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use shared::account::{DisplayName, Email, UserStatus};
use shared::auth::{Principal, Role, Roles};
use shared::events::{LoginFailure, SessionEnd, SessionEvent};
use shared::ids::{SessionId, UserId};
use shared::metadata::CommandMetadata;
use sqlx::PgPool;

use self::passwords::{HashError, Password};
use self::throttle::{Keys, Throttle};
use self::tokens::{AccessToken, RefreshToken, Subject, TokenIssuer};
use crate::domain::login_attempt::{LoginAttempt, RecordFailure};
use crate::domain::session::{Session, SessionCommand, SessionError};
use crate::domain::user::{User, UserCommand, UserError};
use crate::es::{CommandBus, CommandError, Committed};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("this account is disabled")]
    AccountDisabled,
    #[error("too many failed logins; retry in {} s", .retry_after.as_secs())]
    Throttled { retry_after: Duration },
    #[error("the refresh token is invalid, expired or revoked")]
    InvalidRefreshToken,
    #[error("a rotated refresh token was presented again: the session is revoked")]
    RefreshTokenReused,
    #[error("the current password is wrong")]
    WrongCurrentPassword,
    #[error("{field}: {invalid}")]
    Invalid {
        field: &'static str,
        invalid: shared::Invalid,
    },
    #[error(transparent)]
    User(#[from] CommandError<UserError>),
    #[error("session store: {0}")]
    Session(CommandError<SessionError>),
    #[error("{0}")]
    Internal(String),
}

impl From<sqlx::Error> for AuthError {
    fn from(e: sqlx::Error) -> Self {
        AuthError::Internal(format!("database: {e}"))
    }
}

impl From<HashError> for AuthError {
    fn from(e: HashError) -> Self {
        AuthError::Internal(e.to_string())
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
}

/// Longest email kept from a failed login, for the audit trail.
const MAX_RECORDED_EMAIL: usize = 254;

impl Auth {
    pub fn new(pool: PgPool, issuer: TokenIssuer, throttle: throttle::ThrottleConfig) -> Self {
        Self {
            users: Arc::new(CommandBus::new(pool.clone(), ())),
            sessions: Arc::new(CommandBus::new(pool.clone(), ())),
            attempts: Arc::new(CommandBus::new(pool.clone(), ())),
            throttle: Throttle::new(pool.clone(), throttle),
            pool,
            issuer,
        }
    }

    pub fn access_ttl(&self) -> chrono::Duration {
        self.issuer.access_ttl
    }

    async fn user_id_by_email(&self, email: &str) -> Result<Option<UserId>, AuthError> {
        let id: Option<String> =
            sqlx::query_scalar("SELECT user_id FROM user_email_keys WHERE email = lower($1)")
                .bind(email.trim())
                .fetch_optional(&self.pool)
                .await?;
        Ok(id.and_then(|id| id.parse().ok()))
    }

    pub async fn login(
        &self,
        email: &str,
        password: &str,
        metadata: CommandMetadata,
    ) -> Result<Grant, AuthError> {
        let keys = Keys::new(email, metadata.source_ip.as_deref());
        if let Some(retry_after) = self.throttle.locked_for(&keys).await? {
            return Err(AuthError::Throttled { retry_after });
        }
        let user_id = self.user_id_by_email(email).await?;
        let user = match user_id {
            Some(id) => self.users.load(&id.to_string()).await?.0.state().cloned(),
            None => None,
        };
        let matches = match Password::presented(password) {
            Some(p) => passwords::verify(p, user.as_ref().map(|u| u.password_hash.clone())).await?,
            None => false,
        };
        let Some(user) = user.filter(|_| matches) else {
            let hold = self.throttle.fail(&keys).await?;
            let reason = if user_id.is_some() {
                LoginFailure::WrongPassword
            } else {
                LoginFailure::UnknownEmail
            };
            self.record_failure(email, user_id, reason, metadata)
                .await?;
            tokio::time::sleep(hold).await;
            return Err(AuthError::InvalidCredentials);
        };
        if user.status == UserStatus::Disabled {
            self.record_failure(email, user_id, LoginFailure::AccountDisabled, metadata)
                .await?;
            return Err(AuthError::AccountDisabled);
        }
        self.throttle.succeed(&keys).await?;
        let session_id = SessionId::generate();
        let refresh = RefreshToken::generate(session_id);
        let now = Utc::now();
        let refresh_expires_at = now + self.issuer.refresh_ttl;
        let metadata = as_actor(metadata, user.id, &user.roles);
        self.sessions
            .execute_new_detached(
                session_id.to_string(),
                SessionCommand::Start {
                    id: session_id,
                    user_id: user.id,
                    email: user.email.clone(),
                    token_hash: refresh.hash(),
                    expires_at: refresh_expires_at,
                },
                metadata,
            )
            .await
            .map_err(AuthError::Session)?;
        self.grant(&user, session_id, refresh, refresh_expires_at, now)
    }

    fn grant(
        &self,
        user: &crate::domain::user::State,
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
        metadata: CommandMetadata,
    ) -> Result<(), AuthError> {
        let email: String = email.trim().chars().take(MAX_RECORDED_EMAIL).collect();
        let id = uuid_v7();
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
            .map_err(|e| AuthError::Internal(format!("recording a failed login: {e}")))
    }

    /// Rotates a refresh token: the presented one stops working, a new one is returned
    /// with a new access token carrying the account's current roles.
    pub async fn refresh(
        &self,
        presented: &str,
        metadata: CommandMetadata,
    ) -> Result<Grant, AuthError> {
        let (session_id, token) =
            RefreshToken::parse(presented).ok_or(AuthError::InvalidRefreshToken)?;
        let (session, _) = self
            .sessions
            .load(&session_id.to_string())
            .await
            .map_err(AuthError::Session)?;
        let user_id = session
            .state()
            .map(|s| s.user_id)
            .ok_or(AuthError::InvalidRefreshToken)?;
        let (user, _) = self.users.load(&user_id.to_string()).await?;
        let user = user
            .state()
            .cloned()
            .ok_or(AuthError::InvalidRefreshToken)?;
        let now = Utc::now();
        let next = RefreshToken::generate(session_id);
        let refresh_expires_at = now + self.issuer.refresh_ttl;
        let committed = self
            .sessions
            .execute_detached(
                session_id.to_string(),
                SessionCommand::Refresh {
                    presented_hash: token.hash(),
                    new_hash: next.hash(),
                    now,
                    expires_at: refresh_expires_at,
                },
                None,
                as_actor(metadata, user.id, &user.roles),
            )
            .await
            .map_err(session_error)?;
        if ended_by_reuse(&committed) {
            return Err(AuthError::RefreshTokenReused);
        }
        if user.status == UserStatus::Disabled {
            return Err(AuthError::AccountDisabled);
        }
        self.grant(&user, session_id, next, refresh_expires_at, now)
    }

    /// Ends the session of `presented`. Ending an ended session is a no-op.
    pub async fn logout(
        &self,
        presented: &str,
        metadata: CommandMetadata,
    ) -> Result<(), AuthError> {
        let (session_id, token) =
            RefreshToken::parse(presented).ok_or(AuthError::InvalidRefreshToken)?;
        let committed = self
            .sessions
            .execute_detached(
                session_id.to_string(),
                SessionCommand::Logout {
                    presented_hash: token.hash(),
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

    /// The caller changes their own password, proving they know the current one. The
    /// answer carries a fresh access token without the pending-change mark.
    pub async fn change_own_password(
        &self,
        caller: &Principal,
        current: &str,
        new: &str,
        metadata: CommandMetadata,
    ) -> Result<(u64, AccessToken), AuthError> {
        let (user, version) = self.users.load(&caller.user_id.to_string()).await?;
        let user = user
            .state()
            .cloned()
            .ok_or(CommandError::Domain(UserError::NotFound))?;
        let current = Password::presented(current).ok_or(AuthError::WrongCurrentPassword)?;
        if !passwords::verify(current, Some(user.password_hash.clone())).await? {
            return Err(AuthError::WrongCurrentPassword);
        }
        let new = Password::new(new, Some(user.email.as_str())).map_err(|invalid| {
            AuthError::Invalid {
                field: "new_password",
                invalid,
            }
        })?;
        let password_hash = passwords::hash(new).await?;
        // At the version whose hash was checked: a password changed meanwhile is a
        // conflict, never a change made with a stale proof.
        let committed = self
            .users
            .execute_detached(
                user.id.to_string(),
                UserCommand::ChangePassword {
                    password_hash,
                    by_admin: false,
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

    pub async fn create_user(
        &self,
        user: NewUser,
        metadata: CommandMetadata,
    ) -> Result<(UserId, u64), AuthError> {
        create_user(&self.users, user, metadata).await
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
        match self
            .create_user(new, CommandMetadata::system(uuid_v7()))
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
    user: NewUser,
    metadata: CommandMetadata,
) -> Result<(UserId, u64), AuthError> {
    let id = UserId::generate();
    let password_hash = passwords::hash(user.password).await?;
    let committed = users
        .execute_new_detached(
            id.to_string(),
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
fn as_actor(mut metadata: CommandMetadata, user: UserId, roles: &Roles) -> CommandMetadata {
    metadata.actor_id = user.to_string();
    metadata.actor_roles = Some(roles.joined());
    metadata
}

fn uuid_v7() -> String {
    uuid::Uuid::now_v7().to_string()
}
