//! What every list reads from its query string: page and limit, sort, text and
//! closed-set filters.

use contracts::read::ClosedSet;
use sqlx::{Postgres, QueryBuilder};

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

/// A list's order: an indexed SQL expression and `ASC` or `DESC`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: &'static str,
    pub direction: &'static str,
}

/// A list's order: `key` or `-key` (descending), each key mapped to the indexed SQL
/// expression it sorts by.
pub fn sort_by(raw: Option<&str>, default: &str, keys: &[(&str, &'static str)]) -> Result<Sort> {
    let raw = raw.unwrap_or(default).trim();
    let (direction, key) = match raw.strip_prefix('-') {
        Some(key) => ("DESC", key),
        None => ("ASC", raw),
    };
    keys.iter()
        .find(|(name, _)| *name == key)
        .map(|(_, column)| Sort { column, direction })
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

/// The longest text search (`q`) a list takes.
pub const MAX_SEARCH_CHARS: usize = 100;

/// `q`, a text search, as a `LIKE` pattern.
pub fn search(raw: Option<&str>) -> Result<Option<String>> {
    Ok(text_filter("q", raw, MAX_SEARCH_CHARS)?.map(|q| like_pattern(&q)))
}

/// A filter on a closed set (a status, a role…): absent or empty is no filter; anything
/// else is one of `T`'s names, or 400 naming the parameter and the values it takes.
pub fn one_of<T: ClosedSet>(name: &'static str, raw: Option<&str>) -> Result<Option<T>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(raw) => T::from_name(raw)
            .map(Some)
            .ok_or_else(|| ApiError::NotOneOf {
                parameter: name,
                value: raw.to_owned(),
                allowed: T::ALL.iter().map(|value| value.name()).collect(),
            }),
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
            Sort {
                column: "price",
                direction: "DESC"
            }
        );
        assert_eq!(
            sort_by(None, "name", &keys).unwrap(),
            Sort {
                column: "lower(name)",
                direction: "ASC"
            }
        );
        assert!(sort_by(Some("colour"), "name", &keys).is_err());
    }

    #[test]
    fn a_closed_set_filter_takes_its_names_only() {
        use contracts::product::ProductStatus;
        assert_eq!(one_of::<ProductStatus>("status", None).unwrap(), None);
        assert_eq!(one_of::<ProductStatus>("status", Some(" ")).unwrap(), None);
        assert_eq!(
            one_of::<ProductStatus>("status", Some(" archived ")).unwrap(),
            Some(ProductStatus::Archived)
        );
        let refused = one_of::<ProductStatus>("status", Some("Archived")).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "status `Archived`: expected one of active, archived"
        );
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
