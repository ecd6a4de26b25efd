//! `/products` commands: create, update (with `If-Match`), archive, reactivate.

use axum::extract::State;
use axum::response::Response;
use contracts::events::ProductDetails;
use contracts::ids::ProductId;
use contracts::money::Money;
use contracts::product::{Barcode, Category, ProductName, Quantity, Sku, Unit, VatRates};
use serde::Deserialize;

use super::error::Result;
use super::extract::{present, vat_rate, AppJson, CommandContext, Fields, Target};
use super::reply::execute_new;
use super::state::AppState;
use crate::domain::product::{ProductCommand, ProductPatch};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProduct {
    #[schema(example = "SKU-CONTRACT-1")]
    pub sku: String,
    #[schema(example = "Vis inox M6")]
    pub name: String,
    /// Decimal as a string, e.g. `"12.50"`: never a float.
    #[schema(example = "12.50")]
    pub price: String,
    #[schema(example = "20")]
    pub vat_rate: String,
    #[schema(value_type = contracts::product::Unit, example = "piece")]
    pub unit: String,
    #[schema(example = "Fixations")]
    pub category: String,
    #[serde(default)]
    pub barcode: Option<String>,
    #[serde(default)]
    pub low_stock_threshold: Option<String>,
}

/// Absent fields are left as they are; `null` clears an optional field.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProduct {
    pub name: Option<String>,
    pub price: Option<String>,
    pub vat_rate: Option<String>,
    #[schema(value_type = Option<contracts::product::Unit>)]
    pub unit: Option<String>,
    pub category: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub barcode: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub low_stock_threshold: Option<Option<String>>,
}

impl UpdateProduct {
    /// Every field sent, parsed; all broken rules at once.
    fn patch(self, vat_rates: &VatRates) -> Result<ProductPatch> {
        let mut f = Fields::default();
        let patch = ProductPatch {
            name: self
                .name
                .and_then(|v| f.check("name", ProductName::parse(&v))),
            price: self.price.and_then(|v| f.check("price", Money::parse(&v))),
            vat_rate: self
                .vat_rate
                .and_then(|v| f.check("vat_rate", vat_rate(vat_rates, &v))),
            unit: self.unit.and_then(|v| f.check("unit", Unit::parse(&v))),
            category: self
                .category
                .and_then(|v| f.check("category", Category::parse(&v))),
            barcode: self
                .barcode
                .and_then(|v| f.optional("barcode", v.as_deref(), Barcode::parse)),
            low_stock_threshold: self
                .low_stock_threshold
                .and_then(|v| f.optional("low_stock_threshold", v.as_deref(), Quantity::parse)),
        };
        f.into_result(patch)
    }
}

/// `POST /products`. Roles: admin, sales.
#[utoipa::path(
    post,
    path = "/products",
    tag = "products",
    summary = "Create a product",
    request_body = CreateProduct,
    responses(super::CreatedDoc),
    extensions(("x-problem-codes" = json!(["@json", "@commit", "sku_taken", "product_exists"])))
)]
pub async fn create(
    State(state): State<AppState>,
    CommandContext(metadata): CommandContext,
    AppJson(body): AppJson<CreateProduct>,
) -> Result<Response> {
    let mut f = Fields::default();
    let sku = f.check("sku", Sku::parse(&body.sku));
    let name = f.check("name", ProductName::parse(&body.name));
    let price = f.check("price", Money::parse(&body.price));
    let vat = f.check("vat_rate", vat_rate(&state.vat_rates, &body.vat_rate));
    let unit = f.check("unit", Unit::parse(&body.unit));
    let category = f.check("category", Category::parse(&body.category));
    let barcode = f.optional("barcode", body.barcode.as_deref(), Barcode::parse);
    let threshold = f.optional(
        "low_stock_threshold",
        body.low_stock_threshold.as_deref(),
        Quantity::parse,
    );
    let (
        Some(sku),
        Some(name),
        Some(price),
        Some(vat_rate),
        Some(unit),
        Some(category),
        Some(barcode),
        Some(low_stock_threshold),
    ) = (sku, name, price, vat, unit, category, barcode, threshold)
    else {
        return Err(f.invalid());
    };
    let id = ProductId::generate();
    let command = ProductCommand::Create {
        id,
        sku,
        details: ProductDetails {
            name,
            price,
            vat_rate,
            unit,
            category,
            barcode,
            low_stock_threshold,
        },
    };
    execute_new(&state.products, "/products", id, command, metadata).await
}

/// `PATCH /products/{id}`, optionally with `If-Match`. Roles: admin, sales.
#[utoipa::path(
    patch,
    path = "/products/{id}",
    tag = "products",
    summary = "Change a product",
    params(("id" = uuid::Uuid, Path, description = "The product's id."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    request_body = UpdateProduct,
    responses(super::UpdatedDoc),
    extensions(("x-problem-codes" = json!(["@target", "@json", "@commit", "product_not_found"])))
)]
pub async fn update(
    product: Target<ProductId>,
    AppJson(body): AppJson<UpdateProduct>,
) -> Result<Response> {
    let patch = body.patch(&product.state.vat_rates)?;
    product.run(ProductCommand::Update(patch)).await
}

/// `POST /products/{id}/archive`: no new order may use it. Roles: admin, sales.
#[utoipa::path(
    post,
    path = "/products/{id}/archive",
    tag = "products",
    summary = "Archive a product",
    params(("id" = uuid::Uuid, Path, description = "The product's id."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    responses(super::UpdatedDoc),
    extensions(("x-problem-codes" = json!(["@target", "@commit", "product_not_found"])))
)]
pub async fn archive(product: Target<ProductId>) -> Result<Response> {
    product.run(ProductCommand::Archive).await
}

/// `POST /products/{id}/reactivate`. Roles: admin, sales.
#[utoipa::path(
    post,
    path = "/products/{id}/reactivate",
    tag = "products",
    summary = "Reactivate a product",
    params(("id" = uuid::Uuid, Path, description = "The product's id."), ("If-Match" = Option<String>, Header, description = "The version last read, as its `ETag` (`\"3\"`, also `W/\"3\"` or `3`); `*` or absent: no precondition. A stale one: 412 `version_mismatch`.")),
    responses(super::UpdatedDoc),
    extensions(("x-problem-codes" = json!(["@target", "@commit", "product_not_found"])))
)]
pub async fn reactivate(product: Target<ProductId>) -> Result<Response> {
    product.run(ProductCommand::Reactivate).await
}
