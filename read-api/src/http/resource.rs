//! The one list/detail skeleton. A resource states its table, columns and key
//! ([`Resource`]); a list states its filters ([`Filters`]) and order. Paging, the total,
//! read-your-writes and the 404 are written here once.

use std::str::FromStr;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use contracts::read::Page;
use platform::problem::Code;
use platform::web::AppPath;
use serde::Serialize;
use sqlx::postgres::PgRow;
use sqlx::{Encode, FromRow, PgPool, Postgres, QueryBuilder, Type};

use super::consistency::{wait_min_version, MinVersion};
use super::error::{ApiError, Result};
use super::extract::{path_id, AppQuery};
use super::paging::{Paging, Sort};
use super::state::AppState;

/// Where a list or a detail reads its rows.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// The read-model table.
    pub name: &'static str,
    /// What a row is selected as (the row struct's fields).
    pub columns: &'static str,
    /// The unique key: a detail's id and every order's last tie-breaker, so that pages are
    /// stable.
    pub key: &'static str,
    /// The rows the API shows (`true`: all of them).
    pub shown: &'static str,
}

impl Table {
    /// Every row of `name`, keyed by `id`.
    pub const fn new(name: &'static str, columns: &'static str) -> Self {
        Self {
            name,
            columns,
            key: "id",
            shown: "true",
        }
    }

    pub const fn keyed_by(self, key: &'static str) -> Self {
        Self { key, ..self }
    }

    pub const fn showing(self, shown: &'static str) -> Self {
        Self { shown, ..self }
    }

    /// `SELECT <columns> FROM <table> WHERE <shown>`, narrowed by `filters`.
    pub fn select(&self, filters: &Filters) -> QueryBuilder<'static, Postgres> {
        let mut sql = QueryBuilder::new(format!(
            "SELECT {} FROM {} WHERE {}",
            self.columns, self.name, self.shown
        ));
        filters.push(&mut sql);
        sql
    }

    /// The number of rows `filters` lets through.
    pub fn count(&self, filters: &Filters) -> QueryBuilder<'static, Postgres> {
        let mut sql = QueryBuilder::new(format!(
            "SELECT count(*) FROM {} WHERE {}",
            self.name, self.shown
        ));
        filters.push(&mut sql);
        sql
    }

    /// `ORDER BY` the sort, then the key the same way.
    pub fn order(&self, sort: Sort) -> String {
        let Sort { column, direction } = sort;
        format!("{column} {direction}, {} {direction}", self.key)
    }
}

/// A read model with a detail route: a row that a path id names.
pub trait Resource: for<'r> FromRow<'r, PgRow> + Send + Unpin + 'static {
    type Id: FromStr + Copy + Send + Sync + for<'q> Encode<'q, Postgres> + Type<Postgres>;
    const TABLE: Table;
    /// What the path holds, for a 400: "a product id".
    const ID: &'static str;
    /// The 404's code and detail.
    const NOT_FOUND: (Code, &'static str);

    fn not_found() -> ApiError {
        let (code, message) = Self::NOT_FOUND;
        ApiError::NotFound {
            code,
            message: message.to_owned(),
        }
    }
}

/// The id of a path, once its row has reached the version the caller asked for
/// (`min_version` or `X-Min-Version`).
pub async fn id_at_version<R: Resource>(
    state: &AppState,
    raw: &str,
    min_version: Option<String>,
    headers: &HeaderMap,
) -> Result<R::Id> {
    let id: R::Id = path_id(raw, R::ID)?;
    let table = R::TABLE;
    let version_sql = format!(
        "SELECT version FROM {} WHERE {} = $1",
        table.name, table.key
    );
    wait_min_version(state, min_version, headers, &version_sql, id).await?;
    Ok(id)
}

/// The row with this id, if the API shows one.
pub async fn get<R: Resource>(pool: &PgPool, id: R::Id) -> Result<Option<R>, sqlx::Error> {
    let table = R::TABLE;
    let mut sql = table.select(&Filters::new());
    sql.push(format_args!(" AND {} = ", table.key))
        .push_bind(id);
    sql.build_query_as::<R>().fetch_optional(pool).await
}

/// The row with this id, or 404.
pub async fn find<R: Resource>(pool: &PgPool, id: R::Id) -> Result<R> {
    get::<R>(pool, id).await?.ok_or_else(R::not_found)
}

/// A detail route: the row of the path's id at the version asked for, or 404.
pub async fn detail<R: Resource>(
    state: &AppState,
    raw: &str,
    min_version: Option<String>,
    headers: &HeaderMap,
) -> Result<R> {
    let id = id_at_version::<R>(state, raw, min_version, headers).await?;
    find(&state.pool, id).await
}

/// `GET /<resource>/{id}` where the detail is the row itself, with `min_version` for
/// read-your-writes.
pub async fn show<R: Resource + Serialize>(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    headers: HeaderMap,
    AppQuery(query): AppQuery<MinVersion>,
) -> Result<Json<R>> {
    detail::<R>(&state, &id, query.min_version, &headers)
        .await
        .map(Json)
}

/// A list route of a resource: one page in `sort` order, with the total.
pub async fn list<R: Resource>(
    pool: &PgPool,
    filters: &Filters,
    sort: Sort,
    paging: Paging,
) -> Result<Page<R>> {
    let table = R::TABLE;
    page(pool, &table, filters, &table.order(sort), paging).await
}

/// One page of `table`'s rows that `filters` lets through, in `order` (ending on a unique
/// key), with their total.
pub async fn page<T>(
    pool: &PgPool,
    table: &Table,
    filters: &Filters,
    order: &str,
    paging: Paging,
) -> Result<Page<T>>
where
    T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    let mut rows = table.select(filters);
    rows.push(" ORDER BY ").push(order);
    fetch_page(pool, rows, table.count(filters), paging).await
}

/// `rows` (filtered and ordered) cut to the page, and the total from `count`. The two run
/// at once on two connections: a window count in the page query would make it sort every
/// matching row instead of walking the sort index (150 ms instead of 1 ms over 100,000
/// products).
pub async fn fetch_page<T>(
    pool: &PgPool,
    mut rows: QueryBuilder<'static, Postgres>,
    mut count: QueryBuilder<'static, Postgres>,
    paging: Paging,
) -> Result<Page<T>>
where
    T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    paging.push(&mut rows);
    let (items, total) = tokio::try_join!(
        rows.build_query_as::<T>().fetch_all(pool),
        count.build_query_scalar::<i64>().fetch_one(pool),
    )?;
    Ok(Page {
        items,
        total,
        page: paging.page,
        limit: paging.limit,
        next_after: None,
    })
}

type Condition = Box<dyn Fn(&mut QueryBuilder<'static, Postgres>) + Send + Sync>;

/// What a list's query string narrows its rows to: `AND` conditions, pushed the same way
/// onto the page, the count and the export.
#[derive(Default)]
pub struct Filters(Vec<Condition>);

impl Filters {
    pub fn new() -> Self {
        Self::default()
    }

    /// `column = value`, when there is a value.
    pub fn equal<T>(self, column: &'static str, value: Option<T>) -> Self
    where
        T: for<'q> Encode<'q, Postgres> + Type<Postgres> + Clone + Send + Sync + 'static,
    {
        self.compare(column, "=", value)
    }

    /// `column <operator> value`, when there is a value.
    pub fn compare<T>(self, column: &'static str, operator: &'static str, value: Option<T>) -> Self
    where
        T: for<'q> Encode<'q, Postgres> + Type<Postgres> + Clone + Send + Sync + 'static,
    {
        self.on(value, move |sql, value| {
            sql.push(format_args!(" AND {column} {operator} "))
                .push_bind(value.clone());
        })
    }

    /// The table's lower-cased `search` column (trigram-indexed) against a `LIKE` pattern
    /// (see [`super::paging::search`]).
    pub fn search(self, pattern: Option<String>) -> Self {
        self.on(pattern, |sql, pattern| {
            sql.push(" AND search LIKE lower(")
                .push_bind(pattern.clone())
                .push(")");
        })
    }

    /// A condition without a value (`low`), when `on`.
    pub fn when(self, on: bool, condition: &'static str) -> Self {
        self.on(on.then_some(()), move |sql, ()| {
            sql.push(format_args!(" AND {condition}"));
        })
    }

    /// Any other condition on a value, when there is one: `push` writes ` AND …`.
    pub fn on<T: Send + Sync + 'static>(
        mut self,
        value: Option<T>,
        push: impl Fn(&mut QueryBuilder<'static, Postgres>, &T) + Send + Sync + 'static,
    ) -> Self {
        if let Some(value) = value {
            self.0.push(Box::new(move |sql| push(sql, &value)));
        }
        self
    }

    pub fn push(&self, sql: &mut QueryBuilder<'static, Postgres>) {
        for condition in &self.0 {
            condition(sql);
        }
    }
}
