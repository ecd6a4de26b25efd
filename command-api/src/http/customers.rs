//! `/customers` commands (as far as orders need them). Roles: admin, sales.

use std::str::FromStr;

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use shared::ids::CustomerId;
use shared::product::bounded_text;
use shared::Invalid;

use super::error::{ApiError, Result};
use super::extract::{AppJson, CommandContext, Fields, IfMatch};
use super::{accepted, AppState};
use crate::domain::customer::CustomerCommand;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomer {
    pub code: String,
    pub legal_name: String,
}

fn code(raw: &str) -> Result<String, Invalid> {
    let code = bounded_text(raw, 32)?;
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(Invalid::new("invalid_code", "letters, digits and -_. only"));
    }
    Ok(code)
}

pub fn customer_id(raw: &str) -> Result<CustomerId> {
    CustomerId::from_str(raw.trim())
        .map_err(|_| ApiError::BadPath(format!("`{raw}` is not a customer id")))
}

/// `POST /customers`. Roles: admin, sales.
pub async fn create(
    State(state): State<AppState>,
    CommandContext(metadata): CommandContext,
    AppJson(body): AppJson<CreateCustomer>,
) -> Result<Response> {
    let mut f = Fields::default();
    let code = f.check("code", code(&body.code));
    let legal_name = f.check("legal_name", bounded_text(&body.legal_name, 200));
    let (Some(code), Some(legal_name)) = (code, legal_name) else {
        return Err(f.invalid());
    };
    let id = CustomerId::generate();
    let command = CustomerCommand::Create {
        id,
        code,
        legal_name,
    };
    let committed = state
        .customers
        .execute_detached(id.to_string(), command, None, metadata)
        .await?;
    Ok(accepted(
        true,
        "/customers",
        &id.to_string(),
        committed.version,
    ))
}

/// `POST /customers/{id}/archive`: no new order may use it. Roles: admin, sales.
pub async fn archive(
    state: State<AppState>,
    id: Path<String>,
    expected: IfMatch,
    context: CommandContext,
) -> Result<Response> {
    change_status(state, id, expected, context, CustomerCommand::Archive).await
}

/// `POST /customers/{id}/reactivate`. Roles: admin, sales.
pub async fn reactivate(
    state: State<AppState>,
    id: Path<String>,
    expected: IfMatch,
    context: CommandContext,
) -> Result<Response> {
    change_status(state, id, expected, context, CustomerCommand::Reactivate).await
}

async fn change_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
    CommandContext(metadata): CommandContext,
    command: CustomerCommand,
) -> Result<Response> {
    let id = customer_id(&id)?;
    let committed = state
        .customers
        .execute_detached(id.to_string(), command, expected, metadata)
        .await?;
    Ok(accepted(
        false,
        "/customers",
        &id.to_string(),
        committed.version,
    ))
}
