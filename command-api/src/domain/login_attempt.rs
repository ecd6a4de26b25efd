//! A refused login, recorded as a stream of its own so that the audit trail shows it
//! and so that bursts of failures never contend on one stream.

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};
use shared::events::{aggregate_types, LoginAttemptEvent, LoginFailure};
use shared::ids::UserId;

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

impl Aggregate for LoginAttempt {
    const TYPE: &'static str = aggregate_types::LOGIN_ATTEMPT;
    type Command = RecordFailure;
    type Event = LoginAttemptEvent;
    type Error = AlreadyRecorded;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        if self.recorded {
            return Err(AlreadyRecorded);
        }
        let event = LoginAttemptEvent::LoginFailed {
            email: command.email,
            user_id: command.user_id,
            reason: command.reason,
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, _event: Self::Event) {
        self.recorded = true;
    }
}
