//! The Customer aggregate: a unique code, legal identity (SIREN, SIRET, VAT number),
//! contacts, addresses, payment terms, credit limit, and a status.

use super::decide::{pure_aggregate, Decide};
use contracts::account::Email;
use contracts::customer::{Address, CustomerCode, PaymentTerms, Phone, Siren, Siret, VatNumber};
use contracts::events::{aggregate_types, CustomerDetails, CustomerEvent};
use contracts::ids::CustomerId;
use contracts::money::Money;
use contracts::Invalid;
use serde::{Deserialize, Serialize};

/// The fields a caller wants to change; `None` leaves a field as it is, and for the
/// optional fields `Some(None)` clears it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CustomerPatch {
    pub legal_name: Option<String>,
    pub siren: Option<Option<Siren>>,
    pub siret: Option<Option<Siret>>,
    pub vat_number: Option<Option<VatNumber>>,
    pub email: Option<Option<Email>>,
    pub phone: Option<Option<Phone>>,
    pub billing_address: Option<Option<Address>>,
    pub shipping_address: Option<Option<Address>>,
    pub payment_terms: Option<PaymentTerms>,
    pub credit_limit: Option<Option<Money>>,
}

impl CustomerPatch {
    /// The details after the patch, and the names of the fields it really changed.
    pub fn apply_to(self, current: &CustomerDetails) -> (CustomerDetails, Vec<String>) {
        let mut next = current.clone();
        let mut changed = Vec::new();
        macro_rules! set {
            ($($field:ident),*) => {$(
                if let Some(value) = self.$field {
                    if value != next.$field {
                        next.$field = value;
                        changed.push(stringify!($field).to_owned());
                    }
                }
            )*};
        }
        set!(
            legal_name,
            siren,
            siret,
            vat_number,
            email,
            phone,
            billing_address,
            shipping_address,
            payment_terms,
            credit_limit
        );
        (next, changed)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum CustomerCommand {
    Create {
        id: CustomerId,
        code: CustomerCode,
        details: CustomerDetails,
    },
    Update(CustomerPatch),
    Archive,
    Reactivate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomerError {
    #[error("no such customer")]
    NotFound,
    #[error("a customer with this id already exists")]
    AlreadyExists,
    /// Fields that contradict each other, each named.
    #[error("inconsistent fields")]
    Inconsistent(Vec<(&'static str, Invalid)>),
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Customer {
    state: Option<State>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    pub code: CustomerCode,
    pub details: CustomerDetails,
    pub archived: bool,
}

impl Customer {
    pub fn state(&self) -> Option<&State> {
        self.state.as_ref()
    }
}

fn consistent(details: &CustomerDetails) -> Result<(), CustomerError> {
    let found = details.inconsistencies();
    if found.is_empty() {
        Ok(())
    } else {
        Err(CustomerError::Inconsistent(found))
    }
}

pure_aggregate!(Customer, aggregate_types::CUSTOMER);

impl Decide for Customer {
    type Command = CustomerCommand;
    type Event = CustomerEvent;
    type Error = CustomerError;

    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, Self::Error> {
        let event = match (command, &self.state) {
            (CustomerCommand::Create { id, code, details }, None) => {
                consistent(&details)?;
                CustomerEvent::CustomerCreated {
                    customer_id: id,
                    code,
                    details,
                }
            }
            (CustomerCommand::Create { .. }, Some(_)) => return Err(CustomerError::AlreadyExists),
            (_, None) => return Err(CustomerError::NotFound),
            (CustomerCommand::Update(patch), Some(s)) => {
                let (details, changed) = patch.apply_to(&s.details);
                if changed.is_empty() {
                    return Ok(vec![]);
                }
                consistent(&details)?;
                CustomerEvent::CustomerUpdated { details, changed }
            }
            (CustomerCommand::Archive, Some(s)) if !s.archived => {
                CustomerEvent::CustomerArchived {}
            }
            (CustomerCommand::Reactivate, Some(s)) if s.archived => {
                CustomerEvent::CustomerReactivated {}
            }
            (_, Some(_)) => return Ok(vec![]),
        };
        Ok(vec![event])
    }

    fn evolve(&mut self, event: Self::Event) {
        match event {
            CustomerEvent::CustomerCreated { code, details, .. } => {
                self.state = Some(State {
                    code,
                    details,
                    archived: false,
                })
            }
            CustomerEvent::CustomerUpdated { details, .. } => {
                if let Some(s) = &mut self.state {
                    s.details = details;
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use contracts::FieldCode;
    use cqrs_es::test::TestFramework;

    type CustomerTest = TestFramework<Customer>;

    fn details() -> CustomerDetails {
        CustomerDetails {
            legal_name: "Renault SAS".to_owned(),
            siren: Some(Siren::parse("732829320").unwrap()),
            siret: None,
            vat_number: None,
            email: None,
            phone: None,
            billing_address: None,
            shipping_address: None,
            payment_terms: PaymentTerms::Net30,
            credit_limit: None,
        }
    }

    fn created() -> CustomerEvent {
        CustomerEvent::CustomerCreated {
            customer_id: "0190a3c4-0000-7000-8000-0000000000e1".parse().unwrap(),
            code: CustomerCode::parse("RENAULT").unwrap(),
            details: details(),
        }
    }

    #[test]
    fn a_siret_of_another_company_is_refused() {
        let mut wrong = details();
        wrong.siret = Some(Siret::parse("44306184100047").unwrap());
        CustomerTest::with(())
            .given_no_previous_events()
            .when(CustomerCommand::Create {
                id: CustomerId::generate(),
                code: CustomerCode::parse("X").unwrap(),
                details: wrong,
            })
            .then_expect_error(CustomerError::Inconsistent(vec![(
                "siret",
                Invalid::new(
                    FieldCode::SiretSirenMismatch,
                    "a SIRET starts with its SIREN",
                ),
            )]));
    }

    #[test]
    fn an_update_names_what_changed_and_checks_consistency() {
        let vat = VatNumber::parse("FR40303265045").unwrap();
        CustomerTest::with(())
            .given(vec![created()])
            .when(CustomerCommand::Update(CustomerPatch {
                vat_number: Some(Some(vat)),
                ..CustomerPatch::default()
            }))
            .then_expect_error(CustomerError::Inconsistent(vec![(
                "vat_number",
                Invalid::new(
                    FieldCode::VatSirenMismatch,
                    "a French VAT number holds the company's SIREN",
                ),
            )]));
        let mut expected = details();
        expected.payment_terms = PaymentTerms::EndOfMonth45;
        CustomerTest::with(())
            .given(vec![created()])
            .when(CustomerCommand::Update(CustomerPatch {
                payment_terms: Some(PaymentTerms::EndOfMonth45),
                legal_name: Some("Renault SAS".to_owned()),
                ..CustomerPatch::default()
            }))
            .then_expect_events(vec![CustomerEvent::CustomerUpdated {
                details: expected,
                changed: vec!["payment_terms".to_owned()],
            }]);
    }
}
