//! `GET /stock` (levels), `GET /stock/{product_id}` and its movements. Roles: any.

use axum::extract::State;
use axum::Json;
use contracts::ids::ProductId;
use contracts::product::Category;
use contracts::read::{Page, StockLevelRow, StockMovementRow};
use platform::problem::Code;
use platform::web::AppPath;
use serde::Deserialize;

use super::error::Result;
use super::extract::{path_id, AppQuery};
use super::paging::{search, sort_by, text_filter, Paging};
use super::resource::{self, Filters, Resource, Table};
use super::state::AppState;

impl Resource for StockLevelRow {
    type Id = ProductId;
    const TABLE: Table = Table::new(
        "stock_levels",
        "product_id, sku, name, category, unit, on_hand, reserved, available,
         low_stock_threshold, low, version, updated_at",
    )
    .keyed_by("product_id")
    // A level whose product is not projected yet has no SKU to show it by.
    .showing("sku IS NOT NULL");
    const ID: &'static str = "a product id";
    const NOT_FOUND: (Code, &'static str) = (Code::ProductNotFound, "no product has this id");
}

/// A product's movements: the page names the product.
const MOVEMENTS: Table = Table::new(
    "stock_movements",
    "sequence, kind, quantity, reason, comment, order_id, on_hand, reserved, occurred_at,
     actor_id",
)
.keyed_by("sequence");

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// From 1 (default 1).
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Rows per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `true`: only products at or below their threshold.
    pub low: Option<bool>,
    pub category: Option<String>,
    /// Text search on SKU and name.
    pub q: Option<String>,
    /// `sku` (default), `name` or `available`; `-` for descending.
    pub sort: Option<String>,
}

/// `GET /stock`. Roles: any.
#[utoipa::path(
    get,
    path = "/stock",
    tag = "stock",
    summary = "List stock levels",
    params(ListQuery),
    responses((status = 200, description = "One page, with the total.", body = Page<StockLevelRow>)),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn list(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Json<Page<StockLevelRow>>> {
    let paging = Paging::parse(query.page, query.limit)?;
    let sort = sort_by(
        query.sort.as_deref(),
        "sku",
        &[
            ("sku", "lower(sku)"),
            ("name", "lower(name)"),
            ("available", "available"),
        ],
    )?;
    let filters = Filters::new()
        .when(query.low.unwrap_or(false), "low")
        .equal(
            "category",
            text_filter("category", query.category.as_deref(), Category::MAX_CHARS)?,
        )
        .search(search(query.q.as_deref())?);
    Ok(Json(
        resource::list(&state.pool, &filters, sort, paging).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MovementsQuery {
    /// From 1 (default 1).
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Rows per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// `GET /stock/{product_id}/movements`: newest first. Roles: any.
#[utoipa::path(
    get,
    path = "/stock/{id}/movements",
    tag = "stock",
    summary = "A product's stock movements, newest first",
    params(("id" = uuid::Uuid, Path, description = "The product's id."), MovementsQuery),
    responses((status = 200, description = "One page, with the total.", body = Page<StockMovementRow>)),
    extensions(("x-problem-codes" = json!(["@db"])))
)]
pub async fn movements(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    AppQuery(query): AppQuery<MovementsQuery>,
) -> Result<Json<Page<StockMovementRow>>> {
    let id: ProductId = path_id(&id, StockLevelRow::ID)?;
    let paging = Paging::parse(query.page, query.limit)?;
    let filters = Filters::new().equal("product_id", Some(id));
    Ok(Json(
        resource::page(&state.pool, &MOVEMENTS, &filters, "sequence DESC", paging).await?,
    ))
}
