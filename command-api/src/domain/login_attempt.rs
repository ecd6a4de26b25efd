//! A refused login, recorded as a stream of its own so that the audit trail shows it
//! and so that bursts of failures never contend on one stream.

use super::decide::{pure_aggregate, Decide};
use contracts::events::{aggregate_types, LoginAttemptEvent, LoginFailure};
use contracts::ids::UserId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq)]
pub struct RecordFailure {
    pub email: String,
    pub user_id: Option<UserId>,
    pub reason: LoginFailure,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this login attempt is already recorded")]
pub struct AlreadyRecorded;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct LoginAttempt {
    recorded: bool,
}

pure_aggregate!(LoginAttempt, aggregate_types::LOGIN_ATTEMPT);

impl Decide for LoginAttempt {
    type Command = RecordFailure;
    type Event = LoginAttemptEvent;
    type Error = AlreadyRecorded;

    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, Self::Error> {
        if self.recorded {
            return Err(AlreadyRecorded);
        }
        let event = LoginAttemptEvent::LoginFailed {
            email: command.email,
            user_id: command.user_id,
            reason: command.reason,
        };
        Ok(vec![event])
    }

    fn evolve(&mut self, _event: Self::Event) {
        self.recorded = true;
    }
}
