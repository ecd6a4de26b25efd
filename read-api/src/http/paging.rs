//! Page/limit parsing shared by every list.

use shared::read::Page;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgPool, Postgres, QueryBuilder};

use super::error::{ApiError, Result};

pub const MAX_LIMIT: u32 = 200;
pub const DEFAULT_LIMIT: u32 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// 1-based.
    pub page: u32,
    pub limit: u32,
}

impl Paging {
    pub fn parse(page: Option<u32>, limit: Option<u32>) -> Result<Self> {
        let page = page.unwrap_or(1);
        if page == 0 {
            return Err(ApiError::BadQuery("page starts at 1".to_owned()));
        }
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::BadQuery(format!(
                "limit must be 1 to {MAX_LIMIT}"
            )));
        }
        Ok(Self { page, limit })
    }

    pub fn push(&self, sql: &mut QueryBuilder<'_, Postgres>) {
        sql.push(" LIMIT ")
            .push_bind(i64::from(self.limit))
            .push(" OFFSET ")
            .push_bind(i64::from(self.page - 1) * i64::from(self.limit));
    }
}

/// One page of `select` (a `SELECT … FROM … WHERE true`), narrowed by `filter` and
/// ordered by `order`, with the total of matching rows from `count` (a `SELECT count(*)
/// … WHERE true`) narrowed the same way. The two queries run at once on two connections:
/// a window count in the page query would make it sort every matching row instead of
/// walking the sort index.
pub async fn fetch_page<T>(
    pool: &PgPool,
    select: &str,
    count: &str,
    filter: impl Fn(&mut QueryBuilder<'static, Postgres>),
    order: &str,
    paging: Paging,
) -> Result<Page<T>>
where
    T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    let mut page_sql = QueryBuilder::new(select);
    filter(&mut page_sql);
    page_sql.push(" ORDER BY ").push(order);
    paging.push(&mut page_sql);
    let mut count_sql = QueryBuilder::new(count);
    filter(&mut count_sql);
    let (items, total) = tokio::try_join!(
        page_sql.build_query_as::<T>().fetch_all(pool),
        count_sql.build_query_scalar::<i64>().fetch_one(pool),
    )?;
    Ok(Page {
        items,
        total,
        page: paging.page,
        limit: paging.limit,
        next_after: None,
    })
}

/// A list's order: `key` or `-key` (descending), each key mapped to the indexed SQL
/// expression it sorts by. Returns the expression and `ASC`/`DESC`.
pub fn sort_by(
    raw: Option<&str>,
    default: &str,
    keys: &[(&str, &'static str)],
) -> Result<(&'static str, &'static str)> {
    let raw = raw.unwrap_or(default).trim();
    let (direction, key) = match raw.strip_prefix('-') {
        Some(key) => ("DESC", key),
        None => ("ASC", raw),
    };
    keys.iter()
        .find(|(name, _)| *name == key)
        .map(|(_, column)| (*column, direction))
        .ok_or_else(|| {
            let names: Vec<&str> = keys.iter().map(|(n, _)| *n).collect();
            ApiError::BadQuery(format!(
                "sort `{key}`: expected {}, optionally prefixed by -",
                names.join(", ")
            ))
        })
}

/// A trimmed, non-empty, bounded text filter.
pub fn text_filter(name: &str, raw: Option<&str>, max_chars: usize) -> Result<Option<String>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.chars().count() > max_chars => Err(ApiError::BadQuery(format!(
            "{name} is limited to {max_chars} characters"
        ))),
        Some(s) => Ok(Some(s.to_owned())),
    }
}

/// `%` and `_` typed by a user are literal characters, not wildcards.
pub fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_wildcards_are_escaped() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }

    #[test]
    fn sort_accepts_known_keys_with_an_optional_minus() {
        let keys = [("name", "lower(name)"), ("price", "price")];
        assert_eq!(
            sort_by(Some("-price"), "name", &keys).unwrap(),
            ("price", "DESC")
        );
        assert_eq!(
            sort_by(None, "name", &keys).unwrap(),
            ("lower(name)", "ASC")
        );
        assert!(sort_by(Some("colour"), "name", &keys).is_err());
    }

    #[test]
    fn paging_is_bounded() {
        assert_eq!(
            Paging::parse(None, None).unwrap(),
            Paging { page: 1, limit: 50 }
        );
        assert!(Paging::parse(Some(0), None).is_err());
        assert!(Paging::parse(None, Some(201)).is_err());
    }
}
