//! The Session aggregate: one login and its family of refresh tokens.
//!
//! Each refresh rotates the token: the presented one stops working and a new one is
//! issued. A rotated token presented again means it leaked (or a client misbehaves), so
//! the whole family ends there and every holder must log in again. Concurrent refreshes
//! with one token meet on the stream's optimistic lock: one rotates, the other then
//! presents a rotated token and ends the family.

use super::decide::{pure_aggregate, Decide};
use chrono::{DateTime, Utc};
use contracts::account::Email;
use contracts::events::{aggregate_types, SessionEnd, SessionEvent};
use contracts::ids::{SessionId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq)]
pub enum SessionCommand {
    Start {
        id: SessionId,
        user_id: UserId,
        email: Email,
        token_hash: String,
        expires_at: DateTime<Utc>,
        password_epoch: u64,
    },
    Refresh {
        presented_hash: String,
        new_hash: String,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    },
    /// Ends the session for `reason` (a logout, or a password changed since it began),
    /// given its current refresh token. Ending an ended session is a no-op.
    End {
        presented_hash: String,
        reason: SessionEnd,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("no such session")]
    NotFound,
    #[error("this session already exists")]
    AlreadyExists,
    #[error("the session has ended")]
    Ended,
    #[error("the refresh token has expired")]
    Expired,
    #[error("the refresh token does not belong to this session")]
    WrongToken,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Session {
    state: Option<State>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    pub user_id: UserId,
    current_hash: String,
    expires_at: DateTime<Utc>,
    rotated: Vec<String>,
    pub ended: Option<SessionEnd>,
    pub password_epoch: u64,
}

impl Session {
    pub fn state(&self) -> Option<&State> {
        self.state.as_ref()
    }
}

pure_aggregate!(Session, aggregate_types::SESSION);

impl Decide for Session {
    type Command = SessionCommand;
    type Event = SessionEvent;
    type Error = SessionError;

    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, Self::Error> {
        let event = match (command, &self.state) {
            (
                SessionCommand::Start {
                    id,
                    user_id,
                    email,
                    token_hash,
                    expires_at,
                    password_epoch,
                },
                None,
            ) => SessionEvent::LoggedIn {
                session_id: id,
                user_id,
                email,
                token_hash,
                expires_at,
                password_epoch,
            },
            (SessionCommand::Start { .. }, Some(_)) => return Err(SessionError::AlreadyExists),
            (_, None) => return Err(SessionError::NotFound),
            (SessionCommand::End { .. }, Some(state)) if state.ended.is_some() => {
                return Ok(vec![])
            }
            (_, Some(state)) if state.ended.is_some() => return Err(SessionError::Ended),
            (
                SessionCommand::Refresh {
                    presented_hash,
                    new_hash,
                    now,
                    expires_at,
                },
                Some(state),
            ) => {
                if presented_hash == state.current_hash {
                    if now >= state.expires_at {
                        return Err(SessionError::Expired);
                    }
                    SessionEvent::TokenRefreshed {
                        token_hash: new_hash,
                        expires_at,
                    }
                } else if state.rotated.contains(&presented_hash) {
                    SessionEvent::SessionEnded {
                        reason: SessionEnd::RefreshTokenReused,
                    }
                } else {
                    return Err(SessionError::WrongToken);
                }
            }
            (
                SessionCommand::End {
                    presented_hash,
                    reason,
                },
                Some(state),
            ) => {
                if presented_hash == state.current_hash {
                    SessionEvent::SessionEnded { reason }
                } else if state.rotated.contains(&presented_hash) {
                    SessionEvent::SessionEnded {
                        reason: SessionEnd::RefreshTokenReused,
                    }
                } else {
                    return Err(SessionError::WrongToken);
                }
            }
        };
        Ok(vec![event])
    }

    fn evolve(&mut self, event: Self::Event) {
        match event {
            SessionEvent::LoggedIn {
                user_id,
                token_hash,
                expires_at,
                password_epoch,
                ..
            } => {
                self.state = Some(State {
                    user_id,
                    current_hash: token_hash,
                    expires_at,
                    rotated: Vec::new(),
                    ended: None,
                    password_epoch,
                });
            }
            SessionEvent::TokenRefreshed {
                token_hash,
                expires_at,
            } => {
                if let Some(state) = &mut self.state {
                    let old = std::mem::replace(&mut state.current_hash, token_hash);
                    state.rotated.push(old);
                    state.expires_at = expires_at;
                }
            }
            SessionEvent::SessionEnded { reason } => {
                if let Some(state) = &mut self.state {
                    state.ended = Some(reason);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use cqrs_es::test::TestFramework;

    type SessionTest = TestFramework<Session>;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, hour, 0, 0).unwrap()
    }

    fn logged_in() -> SessionEvent {
        SessionEvent::LoggedIn {
            session_id: "0190a3c4-0000-7000-8000-0000000000b1".parse().unwrap(),
            user_id: "0190a3c4-0000-7000-8000-00000000000a".parse().unwrap(),
            email: Email::parse("ana@example.com").unwrap(),
            token_hash: "h1".to_owned(),
            expires_at: at(12),
            password_epoch: 0,
        }
    }

    fn refreshed(hash: &str) -> SessionEvent {
        SessionEvent::TokenRefreshed {
            token_hash: hash.to_owned(),
            expires_at: at(13),
        }
    }

    fn refresh(presented: &str, now: u32) -> SessionCommand {
        SessionCommand::Refresh {
            presented_hash: presented.to_owned(),
            new_hash: "next".to_owned(),
            now: at(now),
            expires_at: at(13),
        }
    }

    #[test]
    fn the_current_token_rotates() {
        SessionTest::with(())
            .given(vec![logged_in()])
            .when(refresh("h1", 10))
            .then_expect_events(vec![refreshed("next")]);
    }

    #[test]
    fn a_rotated_token_presented_again_ends_the_family() {
        SessionTest::with(())
            .given(vec![logged_in(), refreshed("h2")])
            .when(refresh("h1", 10))
            .then_expect_events(vec![SessionEvent::SessionEnded {
                reason: SessionEnd::RefreshTokenReused,
            }]);
    }

    #[test]
    fn an_expired_token_is_refused() {
        SessionTest::with(())
            .given(vec![logged_in()])
            .when(refresh("h1", 12))
            .then_expect_error(SessionError::Expired);
    }

    #[test]
    fn a_stranger_token_is_refused_without_ending_the_session() {
        SessionTest::with(())
            .given(vec![logged_in()])
            .when(refresh("forged", 10))
            .then_expect_error(SessionError::WrongToken);
    }

    #[test]
    fn an_ended_session_refreshes_no_more() {
        SessionTest::with(())
            .given(vec![
                logged_in(),
                SessionEvent::SessionEnded {
                    reason: SessionEnd::Logout,
                },
            ])
            .when(refresh("h1", 10))
            .then_expect_error(SessionError::Ended);
    }

    #[test]
    fn logout_ends_the_session_once() {
        SessionTest::with(())
            .given(vec![logged_in()])
            .when(SessionCommand::End {
                presented_hash: "h1".to_owned(),
                reason: SessionEnd::Logout,
            })
            .then_expect_events(vec![SessionEvent::SessionEnded {
                reason: SessionEnd::Logout,
            }]);
        SessionTest::with(())
            .given(vec![
                logged_in(),
                SessionEvent::SessionEnded {
                    reason: SessionEnd::Logout,
                },
            ])
            .when(SessionCommand::End {
                presented_hash: "h1".to_owned(),
                reason: SessionEnd::Logout,
            })
            .then_expect_events(vec![]);
    }
}
