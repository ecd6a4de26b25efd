//! The Customer aggregate, as far as orders need it: a unique code, a legal name, a
//! status. (The full customer record, with legal ids and addresses, is its own issue.)

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};
use shared::events::{aggregate_types, CustomerEvent};
use shared::ids::CustomerId;

#[derive(Debug, Clone, PartialEq)]
pub enum CustomerCommand {
    Create {
        id: CustomerId,
        code: String,
        legal_name: String,
    },
    Archive,
    Reactivate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomerError {
    #[error("no such customer")]
    NotFound,
    #[error("a customer with this id already exists")]
    AlreadyExists,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Customer {
    state: Option<State>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    pub code: String,
    pub legal_name: String,
    pub archived: bool,
}

impl Customer {
    pub fn state(&self) -> Option<&State> {
        self.state.as_ref()
    }
}

impl Aggregate for Customer {
    const TYPE: &'static str = aggregate_types::CUSTOMER;
    type Command = CustomerCommand;
    type Event = CustomerEvent;
    type Error = CustomerError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let event = match (command, &self.state) {
            (
                CustomerCommand::Create {
                    id,
                    code,
                    legal_name,
                },
                None,
            ) => CustomerEvent::CustomerCreated {
                customer_id: id,
                code,
                legal_name,
            },
            (CustomerCommand::Create { .. }, Some(_)) => return Err(CustomerError::AlreadyExists),
            (_, None) => return Err(CustomerError::NotFound),
            (CustomerCommand::Archive, Some(s)) if !s.archived => {
                CustomerEvent::CustomerArchived {}
            }
            (CustomerCommand::Reactivate, Some(s)) if s.archived => {
                CustomerEvent::CustomerReactivated {}
            }
            (_, Some(_)) => return Ok(()),
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            CustomerEvent::CustomerCreated {
                code, legal_name, ..
            } => {
                self.state = Some(State {
                    code,
                    legal_name,
                    archived: false,
                })
            }
            CustomerEvent::CustomerArchived {} => {
                if let Some(s) = &mut self.state {
                    s.archived = true;
                }
            }
            CustomerEvent::CustomerReactivated {} => {
                if let Some(s) = &mut self.state {
                    s.archived = false;
                }
            }
        }
    }
}
