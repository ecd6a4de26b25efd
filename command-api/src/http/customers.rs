//! `/customers` commands: create, update (with `If-Match`), archive, reactivate. Roles:
//! admin, sales.

use axum::extract::State;
use axum::response::Response;
use contracts::account::Email;
use contracts::customer::{Address, CustomerCode, PaymentTerms, Phone, Siren, Siret, VatNumber};
use contracts::events::CustomerDetails;
use contracts::ids::CustomerId;
use contracts::money::Money;
use contracts::product::bounded_text;
use contracts::FieldCode;
use serde::Deserialize;

use super::error::Result;
use super::extract::{present, AppJson, CommandContext, Fields, Target};
use super::reply::execute_new;
use super::state::AppState;
use crate::domain::customer::{CustomerCommand, CustomerPatch};

/// An address as JSON.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    pub line1: String,
    #[serde(default)]
    pub line2: Option<String>,
    pub postal_code: String,
    pub city: String,
    pub country: String,
}

/// The fields of a customer as a request sends them. On create, `code` and `legal_name`
/// are required; on update, `code` is refused and an absent field is left as it is.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    /// Required on create.
    #[schema(example = "ACME")]
    pub code: Option<String>,
    /// Required on create.
    #[schema(example = "Acme SARL")]
    pub legal_name: Option<String>,
    /// 9 digits with a Luhn check digit (`invalid_siren`).
    #[serde(default, deserialize_with = "present")]
    pub siren: Option<Option<String>>,
    /// 14 digits: a valid SIREN, then the establishment, with a Luhn check digit over the
    /// whole; La Poste's establishments have digits summing to a multiple of 5 instead
    /// (`invalid_siret`).
    #[serde(default, deserialize_with = "present")]
    pub siret: Option<Option<String>>,
    /// An intra-EU VAT number, checked for form only: a member state's prefix (`EL` or
    /// `GR` for Greece, `XI` for Northern Ireland), that state's format
    /// (`unknown_vat_country`, `invalid_vat_number`) and its check digits
    /// (`invalid_vat_check_digit`; for FR, `invalid_vat_key`). Spaces, dots and hyphens
    /// are dropped. Whether the number is registered (VIES) is not checked.
    #[serde(default, deserialize_with = "present")]
    pub vat_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub billing_address: Option<Option<AddressInput>>,
    #[serde(default, deserialize_with = "present")]
    pub shipping_address: Option<Option<AddressInput>>,
    pub payment_terms: Option<String>,
    /// Decimal string, EUR.
    #[serde(default, deserialize_with = "present")]
    pub credit_limit: Option<Option<String>>,
}

fn address(f: &mut Fields, field: &str, input: &AddressInput) -> Option<Address> {
    Address::parse(
        &input.line1,
        input.line2.as_deref(),
        &input.postal_code,
        &input.city,
        &input.country,
    )
    .map_err(|errors| {
        for (part, e) in errors {
            f.push(&format!("{field}.{part}"), e);
        }
    })
    .ok()
}

impl CustomerInput {
    /// Every field parsed; all broken rules collected in `f`.
    pub fn patch(self, f: &mut Fields) -> CustomerPatch {
        fn opt<T>(
            f: &mut Fields,
            field: &str,
            raw: Option<Option<String>>,
            parse: impl FnOnce(&str) -> Result<T, contracts::Invalid>,
        ) -> Option<Option<T>> {
            raw.and_then(|v| f.optional(field, v.as_deref(), parse))
        }
        // In field order, so that errors come in the order of the form.
        let legal_name = self
            .legal_name
            .and_then(|n| f.check("legal_name", bounded_text(&n, 200)));
        let siren = opt(f, "siren", self.siren, Siren::parse);
        let siret = opt(f, "siret", self.siret, Siret::parse);
        let vat_number = opt(f, "vat_number", self.vat_number, VatNumber::parse);
        let email = opt(f, "email", self.email, Email::parse);
        let phone = opt(f, "phone", self.phone, Phone::parse);
        let billing = self.billing_address.map(|a| match a {
            None => Some(None),
            Some(a) => address(f, "billing_address", &a).map(Some),
        });
        let shipping = self.shipping_address.map(|a| match a {
            None => Some(None),
            Some(a) => address(f, "shipping_address", &a).map(Some),
        });
        CustomerPatch {
            legal_name,
            siren,
            siret,
            vat_number,
            email,
            phone,
            billing_address: billing.flatten(),
            shipping_address: shipping.flatten(),
            payment_terms: self
                .payment_terms
                .and_then(|t| f.check("payment_terms", PaymentTerms::parse(&t))),
            credit_limit: opt(f, "credit_limit", self.credit_limit, Money::parse),
        }
    }

    /// An update: every field sent, parsed; the code, which cannot change, refused.
    fn update(self) -> Result<CustomerPatch> {
        let mut f = Fields::default();
        if self.code.is_some() {
            f.push(
                "code",
                contracts::Invalid::new(FieldCode::Immutable, "a customer's code cannot change"),
            );
        }
        let patch = self.patch(&mut f);
        f.into_result(patch)
    }
}

/// The details a new customer starts with: the patch over empty details.
pub fn new_details(patch: CustomerPatch) -> CustomerDetails {
    CustomerDetails {
        legal_name: patch.legal_name.unwrap_or_default(),
        siren: patch.siren.flatten(),
        siret: patch.siret.flatten(),
        vat_number: patch.vat_number.flatten(),
        email: patch.email.flatten(),
        phone: patch.phone.flatten(),
        billing_address: patch.billing_address.flatten(),
        shipping_address: patch.shipping_address.flatten(),
        payment_terms: patch.payment_terms.unwrap_or_default(),
        credit_limit: patch.credit_limit.flatten(),
    }
}

/// Parses a create request: the code and the details, or every broken rule.
pub fn parse_new(input: CustomerInput) -> Result<(CustomerCode, CustomerDetails)> {
    let mut f = Fields::default();
    let code = match input.code.as_deref() {
        Some(raw) => f.check("code", CustomerCode::parse(raw)),
        None => {
            f.push(
                "code",
                contracts::Invalid::new(FieldCode::Required, "must not be empty"),
            );
            None
        }
    };
    if input.legal_name.is_none() {
        f.push(
            "legal_name",
            contracts::Invalid::new(FieldCode::Required, "must not be empty"),
        );
    }
    let patch = input.patch(&mut f);
    match code {
        Some(code) if f.is_empty() => Ok((code, new_details(patch))),
        _ => Err(f.invalid()),
    }
}

/// `POST /customers`. Roles: admin, sales.
#[utoipa::path(
    post,
    path = "/customers",
    tag = "customers",
    summary = "Create a customer",
    request_body = CustomerInput,
    responses(super::CreatedDoc),
    extensions(("x-problem-codes" = json!(["@json", "@commit", "customer_code_taken", "customer_exists"])))
)]
pub async fn create(
    State(state): State<AppState>,
    CommandContext(metadata): CommandContext,
    AppJson(body): AppJson<CustomerInput>,
) -> Result<Response> {
    let (code, details) = parse_new(body)?;
    let id = CustomerId::generate();
    let command = CustomerCommand::Create { id, code, details };
    execute_new(&state.customers, "/customers", id, command, metadata).await
}

/// `PATCH /customers/{id}`, optionally with `If-Match`; `null` clears an optional field.
/// Roles: admin, sales.
#[utoipa::path(
    patch,
    path = "/customers/{id}",
    tag = "customers",
    summary = "Change a customer",
    params(("id" = uuid::Uuid, Path, description = "The customer's id."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    request_body = CustomerInput,
    responses(super::UpdatedDoc),
    extensions(("x-problem-codes" = json!(["@target", "@json", "@commit", "customer_not_found"])))
)]
pub async fn update(
    customer: Target<CustomerId>,
    AppJson(body): AppJson<CustomerInput>,
) -> Result<Response> {
    let patch = body.update()?;
    customer.run(CustomerCommand::Update(patch)).await
}

/// `POST /customers/{id}/archive`: no new order may use it. Roles: admin, sales.
#[utoipa::path(
    post,
    path = "/customers/{id}/archive",
    tag = "customers",
    summary = "Archive a customer",
    params(("id" = uuid::Uuid, Path, description = "The customer's id."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    responses(super::UpdatedDoc),
    extensions(("x-problem-codes" = json!(["@target", "@commit", "customer_not_found"])))
)]
pub async fn archive(customer: Target<CustomerId>) -> Result<Response> {
    customer.run(CustomerCommand::Archive).await
}

/// `POST /customers/{id}/reactivate`. Roles: admin, sales.
#[utoipa::path(
    post,
    path = "/customers/{id}/reactivate",
    tag = "customers",
    summary = "Reactivate a customer",
    params(("id" = uuid::Uuid, Path, description = "The customer's id."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    responses(super::UpdatedDoc),
    extensions(("x-problem-codes" = json!(["@target", "@commit", "customer_not_found"])))
)]
pub async fn reactivate(customer: Target<CustomerId>) -> Result<Response> {
    customer.run(CustomerCommand::Reactivate).await
}
