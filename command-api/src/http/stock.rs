//! `POST /stock/{product_id}/adjustments`. Roles: admin, warehouse.

use axum::extract::State;
use axum::response::Response;
use contracts::ids::ProductId;
use contracts::product::bounded_text;
use contracts::stock::{AdjustmentReason, StockDelta};
use platform::problem::Code;
use platform::web::AppPath;
use serde::Deserialize;

use super::error::{ApiError, Result};
use super::extract::{path_id, AppJson, CommandContext, Fields};
use super::reply::execute;
use super::state::AppState;
use crate::app::order_process::stock_command;
use crate::domain::stock::StockAction;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    /// Signed decimal string: `"12"` received, `"-2"` lost.
    #[schema(example = "12")]
    pub quantity: String,
    /// receipt, inventory_count, loss, return or correction.
    #[schema(value_type = contracts::stock::AdjustmentReason, example = "receipt")]
    pub reason: String,
    #[serde(default)]
    pub comment: Option<String>,
}

/// `POST /stock/{product_id}/adjustments`: on-hand stock changes by a signed quantity,
/// never below what is reserved. Roles: admin, warehouse.
#[utoipa::path(
    post,
    path = "/stock/{id}/adjustments",
    tag = "stock",
    summary = "Adjust a product's on-hand stock",
    params(("id" = uuid::Uuid, Path, description = "The product's id."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    request_body = Adjustment,
    responses(super::UpdatedDoc),
    extensions(("x-problem-codes" = json!(["@target", "@json", "@commit", "product_not_found", "below_reserved"])))
)]
pub async fn adjust(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    CommandContext(metadata): CommandContext,
    AppJson(body): AppJson<Adjustment>,
) -> Result<Response> {
    let product: ProductId = path_id(&id)?;
    let mut f = Fields::default();
    let delta = f.check("quantity", StockDelta::parse(&body.quantity));
    let reason = f.check("reason", AdjustmentReason::parse(&body.reason));
    let comment = f.optional("comment", body.comment.as_deref(), |c| bounded_text(c, 500));
    let (Some(delta), Some(reason), Some(comment)) = (delta, reason, comment) else {
        return Err(f.invalid());
    };
    let (found, _) = state.products.load(product).await?;
    if found.state().is_none() {
        return Err(ApiError::NotFound {
            code: Code::ProductNotFound,
            message: "no product has this id".to_owned(),
        });
    }
    let command = stock_command(
        &state.products,
        product,
        StockAction::Adjust {
            delta,
            reason,
            comment,
        },
    )
    .await?;
    execute(
        &state.orders.stock,
        "/stock",
        product,
        command,
        None,
        metadata,
    )
    .await
}
