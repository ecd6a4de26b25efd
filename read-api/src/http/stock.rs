//! `GET /stock` (levels), `GET /stock/{product_id}` and its movements. Roles: any.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use shared::ids::ProductId;
use shared::product::Category;
use shared::read::{Page, StockLevelRow, StockMovementRow};
use shared::web::AppPath;
use sqlx::{Postgres, QueryBuilder};

use super::consistency::{wait_min_version, MinVersion};
use super::error::{ApiError, Result};
use super::extract::{path_id, AppQuery};
use super::paging::{fetch_page, like_pattern, sort_by, text_filter, Paging};
use super::AppState;

const LEVEL_COLUMNS: &str = "product_id, sku, name, category, unit, on_hand, reserved, available,
                             low_stock_threshold, low, version, updated_at";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub page: Option<u32>,
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
pub async fn list(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Json<Page<StockLevelRow>>> {
    let paging = Paging::parse(query.page, query.limit)?;
    let category = text_filter("category", query.category.as_deref(), Category::MAX_CHARS)?;
    let search = text_filter("q", query.q.as_deref(), 100)?.map(|q| like_pattern(&q));
    let (column, direction) = sort_by(
        query.sort.as_deref(),
        "sku",
        &[
            ("sku", "lower(sku)"),
            ("name", "lower(name)"),
            ("available", "available"),
        ],
    )?;
    let low = query.low.unwrap_or(false);
    let filter = |sql: &mut QueryBuilder<'_, Postgres>| {
        if low {
            sql.push(" AND low");
        }
        if let Some(category) = &category {
            sql.push(" AND category = ").push_bind(category.clone());
        }
        if let Some(pattern) = &search {
            sql.push(" AND search LIKE lower(")
                .push_bind(pattern.clone())
                .push(")");
        }
    };
    let page = fetch_page(
        &state.pool,
        // A level whose product is not projected yet has no SKU to list it by.
        &format!("SELECT {LEVEL_COLUMNS} FROM stock_levels WHERE sku IS NOT NULL"),
        "SELECT count(*) FROM stock_levels WHERE sku IS NOT NULL",
        filter,
        &format!("{column} {direction}, product_id {direction}"),
        paging,
    )
    .await?;
    Ok(Json(page))
}

/// `GET /stock/{product_id}`. Roles: any.
pub async fn detail(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<MinVersion>,
) -> Result<Json<StockLevelRow>> {
    let id: ProductId = path_id(&id, "a product id")?;
    wait_min_version(
        &state,
        query.min_version,
        &headers,
        "SELECT version FROM stock_levels WHERE product_id = $1",
        id,
    )
    .await?;
    sqlx::query_as(&format!(
        "SELECT {LEVEL_COLUMNS} FROM stock_levels WHERE product_id = $1 AND sku IS NOT NULL"
    ))
    .bind(id)
    .fetch_optional(&state.pool)
    .await?
    .map(Json)
    .ok_or_else(|| ApiError::NotFound {
        code: "product_not_found",
        message: "no product has this id".to_owned(),
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MovementsQuery {
    pub page: Option<u32>,
    pub limit: Option<u32>,
}

/// `GET /stock/{product_id}/movements`: newest first. Roles: any.
pub async fn movements(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    AppQuery(query): AppQuery<MovementsQuery>,
) -> Result<Json<Page<StockMovementRow>>> {
    let id: ProductId = path_id(&id, "a product id")?;
    let paging = Paging::parse(query.page, query.limit)?;
    let page = fetch_page(
        &state.pool,
        "SELECT sequence, kind, quantity, reason, comment, order_id, on_hand, reserved,
                occurred_at, actor_id
           FROM stock_movements WHERE true",
        "SELECT count(*) FROM stock_movements WHERE true",
        |sql| {
            sql.push(" AND product_id = ").push_bind(id);
        },
        "sequence DESC",
        paging,
    )
    .await?;
    Ok(Json(page))
}
