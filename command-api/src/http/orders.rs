//! `/orders` commands: drafts, lines, submit, cancel, fulfil. Roles: admin and sales,
//! except fulfil (admin, warehouse).

use contracts::FieldCode;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use contracts::ids::{CustomerId, OrderId, ProductId};
use contracts::metadata::EventMeta;
use contracts::money::Money;
use contracts::pricing::Discount;
use contracts::product::bounded_text;
use contracts::product::Quantity;
use platform::web::AppPath;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, Result};
use super::extract::{
    path_id, present, AppJson, CommandContext, Fields, IfMatch, MaybeJson, Target,
};
use super::reply::{accepted, accepted_with, execute};
use super::state::AppState;
use crate::app::order_process::{OrderProcesses, ProcessError, SubmitOutcome};
use crate::domain::order::OrderCommand;

fn line_no(raw: &str) -> Result<u32> {
    raw.trim()
        .parse()
        .map_err(|_| ApiError::BadPath(format!("`{raw}` is not a line number")))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrder {
    #[serde(default)]
    pub customer_id: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Created {
    id: String,
    version: u64,
    number: String,
}

fn customer_id(raw: &str) -> Result<CustomerId> {
    raw.trim().parse().map_err(|_| {
        ApiError::Validation(vec![ApiError::field(
            "customer_id",
            contracts::Invalid::new(FieldCode::InvalidId, "not a customer id"),
        )])
    })
}

/// `POST /orders`: a draft, numbered `PRO-<year>-<n>`. Roles: admin, sales.
#[utoipa::path(
    post,
    path = "/orders",
    tag = "orders",
    summary = "Create a draft order",
    request_body(content = Option<CreateOrder>, description = "Optional: the customer.", content_type = "application/json"),
    responses((status = 201, description = "Created: the draft's id, version and number.", body = Created, headers(("ETag" = String, description = "The new version, quoted."), ("Location" = String, description = "`/orders/{id}`")))),
    extensions(("x-problem-codes" = json!(["@json", "@commit", "order_exists"])))
)]
pub async fn create(
    State(state): State<AppState>,
    CommandContext(metadata): CommandContext,
    MaybeJson(body): MaybeJson<CreateOrder>,
) -> Result<Response> {
    let body = body.unwrap_or_default();
    let customer_id = match body.customer_id.as_deref() {
        Some(raw) => Some(customer_id(raw)?),
        None => None,
    };
    let id = OrderId::generate();
    let committed = state
        .orders
        .orders
        .execute_new_detached(id, OrderCommand::Create { id, customer_id }, metadata)
        .await?;
    let (order, _) = state.orders.orders.load(id).await?;
    let number = order.state().map(|s| s.number.clone()).unwrap_or_default();
    let body = Created {
        id: id.to_string(),
        version: committed.version,
        number,
    };
    Ok(accepted_with(
        true,
        "/orders",
        &body.id,
        committed.version,
        &body,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddLine {
    pub product_id: String,
    pub quantity: String,
    /// Overrides the catalogue price.
    #[serde(default)]
    pub unit_price: Option<String>,
    /// Percent, e.g. `"10"`.
    #[serde(default)]
    pub discount: Option<String>,
}

/// `POST /orders/{id}/lines`: copies the product's SKU, label, unit, price and VAT rate.
/// Roles: admin, sales.
#[utoipa::path(
    post,
    path = "/orders/{id}/lines",
    tag = "orders",
    summary = "Add a line",
    params(("id" = uuid::Uuid, Path, description = "The order's id."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    request_body = AddLine,
    responses(super::UpdatedDoc),
    extensions(("x-problem-codes" = json!(["@target", "@commit", "order_not_found", "@json", "order_not_draft", "too_many_lines"])))
)]
pub async fn add_line(
    target: Target<OrderId>,
    AppJson(body): AppJson<AddLine>,
) -> Result<Response> {
    let mut f = Fields::default();
    let product = f.check(
        "product_id",
        body.product_id
            .trim()
            .parse::<ProductId>()
            .map_err(|_| contracts::Invalid::new(FieldCode::InvalidId, "not a product id")),
    );
    let qty = f.check(
        "quantity",
        Quantity::parse(&body.quantity).and_then(positive),
    );
    let price = f.optional("unit_price", body.unit_price.as_deref(), Money::parse);
    let disc = f.optional("discount", body.discount.as_deref(), Discount::parse);
    let (Some(product_id), Some(quantity), Some(unit_price), Some(discount)) =
        (product, qty, price, disc)
    else {
        return Err(f.invalid());
    };
    let command = OrderCommand::AddLine {
        product_id,
        quantity,
        unit_price,
        discount: discount.unwrap_or(Discount::NONE),
    };
    target.run(command).await
}

fn positive(
    q: contracts::product::Quantity,
) -> Result<contracts::product::Quantity, contracts::Invalid> {
    if q.value().is_zero() {
        Err(contracts::Invalid::new(
            FieldCode::Zero,
            "must be more than zero",
        ))
    } else {
        Ok(q)
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeLine {
    pub quantity: Option<String>,
    pub unit_price: Option<String>,
    pub discount: Option<String>,
}

/// `PATCH /orders/{id}/lines/{line_no}`. Roles: admin, sales.
#[utoipa::path(
    patch,
    path = "/orders/{id}/lines/{line_no}",
    tag = "orders",
    summary = "Change a line",
    params(("id" = uuid::Uuid, Path, description = "The order's id."), ("line_no" = u32, Path, description = "The line's number, from 1."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    request_body = ChangeLine,
    responses(super::UpdatedDoc),
    extensions(("x-problem-codes" = json!(["@target", "@commit", "order_not_found", "@json", "order_not_draft", "line_not_found"])))
)]
pub async fn change_line(
    State(state): State<AppState>,
    AppPath((id, line)): AppPath<(String, String)>,
    IfMatch(expected): IfMatch,
    CommandContext(metadata): CommandContext,
    AppJson(body): AppJson<ChangeLine>,
) -> Result<Response> {
    let id = path_id(&id)?;
    let line_no = line_no(&line)?;
    let mut f = Fields::default();
    let command = OrderCommand::ChangeLine {
        line_no,
        quantity: body
            .quantity
            .and_then(|q| f.check("quantity", Quantity::parse(&q).and_then(positive))),
        unit_price: body
            .unit_price
            .and_then(|p| f.check("unit_price", Money::parse(&p))),
        discount: body
            .discount
            .and_then(|d| f.check("discount", Discount::parse(&d))),
    };
    if !f.is_empty() {
        return Err(f.invalid());
    }
    run(&state, id, command, expected, metadata).await
}

/// `DELETE /orders/{id}/lines/{line_no}`. Roles: admin, sales.
#[utoipa::path(
    delete,
    path = "/orders/{id}/lines/{line_no}",
    tag = "orders",
    summary = "Remove a line",
    params(("id" = uuid::Uuid, Path, description = "The order's id."), ("line_no" = u32, Path, description = "The line's number, from 1."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    responses(super::UpdatedDoc),
    extensions(("x-problem-codes" = json!(["@target", "@commit", "order_not_found", "order_not_draft", "line_not_found"])))
)]
pub async fn remove_line(
    State(state): State<AppState>,
    AppPath((id, line)): AppPath<(String, String)>,
    IfMatch(expected): IfMatch,
    CommandContext(metadata): CommandContext,
) -> Result<Response> {
    let id = path_id(&id)?;
    let command = OrderCommand::RemoveLine {
        line_no: line_no(&line)?,
    };
    run(&state, id, command, expected, metadata).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetCustomer {
    pub customer_id: String,
}

/// `PUT /orders/{id}/customer`: an active customer. Roles: admin, sales.
#[utoipa::path(
    put,
    path = "/orders/{id}/customer",
    tag = "orders",
    summary = "Set an order's customer",
    params(("id" = uuid::Uuid, Path, description = "The order's id."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    request_body = SetCustomer,
    responses(super::UpdatedDoc),
    extensions(("x-problem-codes" = json!(["@target", "@commit", "order_not_found", "@json", "order_not_draft"])))
)]
pub async fn set_customer(
    target: Target<OrderId>,
    AppJson(body): AppJson<SetCustomer>,
) -> Result<Response> {
    let customer_id = customer_id(&body.customer_id)?;
    target.run(OrderCommand::SetCustomer { customer_id }).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetTerms {
    #[serde(default, deserialize_with = "present")]
    pub notes: Option<Option<String>>,
    /// `YYYY-MM-DD`: how long the proforma's offer stands.
    #[serde(default, deserialize_with = "present")]
    pub valid_until: Option<Option<String>>,
}

/// `PUT /orders/{id}/terms`: notes and validity date. Roles: admin, sales.
#[utoipa::path(
    put,
    path = "/orders/{id}/terms",
    tag = "orders",
    summary = "Set an order's notes and validity",
    params(("id" = uuid::Uuid, Path, description = "The order's id."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    request_body = SetTerms,
    responses(super::UpdatedDoc),
    extensions(("x-problem-codes" = json!(["@target", "@commit", "order_not_found", "@json", "order_not_draft"])))
)]
pub async fn set_terms(
    target: Target<OrderId>,
    AppJson(body): AppJson<SetTerms>,
) -> Result<Response> {
    let mut f = Fields::default();
    let notes = body
        .notes
        .flatten()
        .and_then(|n| f.optional("notes", Some(&n), |n| bounded_text(n, 2000)))
        .flatten();
    let valid_until = body.valid_until.flatten().and_then(|d| {
        f.check(
            "valid_until",
            chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                contracts::Invalid::new(FieldCode::InvalidDate, "a date as YYYY-MM-DD")
            }),
        )
    });
    if !f.is_empty() {
        return Err(f.invalid());
    }
    target
        .run(OrderCommand::SetTerms { notes, valid_until })
        .await
}

#[derive(Serialize, utoipa::ToSchema)]
struct Submitted {
    id: String,
    version: u64,
    status: &'static str,
}

/// `POST /orders/{id}/submit`: reserves every line or none. 422 `insufficient_stock`
/// names each short line with the quantities. Roles: admin, sales.
#[utoipa::path(
    post,
    path = "/orders/{id}/submit",
    tag = "orders",
    summary = "Submit an order, reserving its stock",
    params(("id" = uuid::Uuid, Path, description = "The order's id."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    responses((status = 200, description = "Submitted.", body = Submitted, headers(("ETag" = String, description = "The new version, quoted.")))),
    extensions(("x-problem-codes" = json!(["@target", "@commit", "order_not_found", "@process", "order_not_draft", "order_empty", "customer_required", "insufficient_stock", "validation_failed"])))
)]
pub async fn submit(target: Target<OrderId>) -> Result<Response> {
    let id = target.id;
    let outcome = detached(target, |orders, id, expected, metadata| async move {
        orders.submit(id, expected, metadata).await
    })
    .await?;
    match outcome {
        SubmitOutcome::Submitted { version } => {
            let body = Submitted {
                id: id.to_string(),
                version,
                status: "submitted",
            };
            Ok(accepted_with(false, "/orders", &body.id, version, &body))
        }
        SubmitOutcome::Rejected { shortages, .. } => Err(ApiError::Shortages(shortages)),
    }
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cancel {
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /orders/{id}/cancel`: final; a submitted order's stock is released. Roles: admin,
/// sales.
#[utoipa::path(
    post,
    path = "/orders/{id}/cancel",
    tag = "orders",
    summary = "Cancel an order",
    params(("id" = uuid::Uuid, Path, description = "The order's id."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    request_body(content = Option<Cancel>, description = "Optional: why.", content_type = "application/json"),
    responses(super::UpdatedDoc),
    extensions(("x-problem-codes" = json!(["@target", "@commit", "order_not_found", "@json", "@process"])))
)]
pub async fn cancel(
    target: Target<OrderId>,
    MaybeJson(body): MaybeJson<Cancel>,
) -> Result<Response> {
    let body = body.unwrap_or_default();
    let reason = match body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        Some(r) => Some(
            bounded_text(r, 500)
                .map_err(|e| ApiError::Validation(vec![ApiError::field("reason", e)]))?,
        ),
        None => None,
    };
    let id = target.id;
    let version = detached(target, |orders, id, expected, metadata| async move {
        orders.cancel(id, expected, reason, metadata).await
    })
    .await?;
    Ok(accepted(false, "/orders", &id.to_string(), version))
}

/// `POST /orders/{id}/fulfil`: the reservations leave on-hand stock. Roles: admin,
/// warehouse.
#[utoipa::path(
    post,
    path = "/orders/{id}/fulfil",
    tag = "orders",
    summary = "Fulfil a submitted order",
    params(("id" = uuid::Uuid, Path, description = "The order's id."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    responses(super::UpdatedDoc),
    extensions(("x-problem-codes" = json!(["@target", "@commit", "order_not_found", "@process", "no_reservation", "insufficient_stock", "below_reserved"])))
)]
pub async fn fulfil(target: Target<OrderId>) -> Result<Response> {
    let id = target.id;
    let version = detached(target, |orders, id, expected, metadata| async move {
        orders.fulfil(id, expected, metadata).await
    })
    .await?;
    Ok(accepted(false, "/orders", &id.to_string(), version))
}

/// Runs an order process step on the target in a task of its own: a client hanging up
/// must not cut it off between two of its transactions (recovery would finish it, but
/// only later).
async fn detached<T, Step, Work>(target: Target<OrderId>, step: Step) -> Result<T>
where
    T: Send + 'static,
    Step: FnOnce(Arc<OrderProcesses>, OrderId, Option<u64>, EventMeta) -> Work,
    Work: std::future::Future<Output = Result<T, ProcessError>> + Send + 'static,
{
    let Target {
        state,
        id,
        expected,
        metadata,
    } = target;
    tokio::spawn(step(state.orders, id, expected, metadata))
        .await
        .map_err(|e| ApiError::Internal(format!("order process task failed: {e}")))?
        .map_err(ApiError::from)
}

async fn run(
    state: &AppState,
    id: OrderId,
    command: OrderCommand,
    expected: Option<u64>,
    metadata: contracts::metadata::EventMeta,
) -> Result<Response> {
    execute(
        &state.orders.orders,
        "/orders",
        id,
        command,
        expected,
        metadata,
    )
    .await
}
