//! CSV import of products and customers: each row becomes a command (create, or update
//! when the SKU or code exists), decided against the current state; then either every
//! row's events are stored in one transaction, or, if any row is invalid, none is.
//!
//! The file is read as spreadsheets save it (see [`table`]: encodings, separators, line
//! numbers); decimals with a comma or a point; the columns are the ones the export writes.
//! A line break inside a quoted cell (Alt+Enter in Excel) is kept only in an address's
//! street lines, where it separates line 1 from line 2; anywhere else the row is refused
//! with the column named, since no other field of gescom is multi-line.
//!
//! One planner ([`plan`]) serves every resource; what differs (columns, key, how a row
//! reads, which commands it becomes) is the resource's [`RowMapper`]: [`ProductRows`],
//! [`CustomerRows`].

mod customers;
mod error;
mod products;
mod row;
mod table;

use contracts::FieldCode;
use std::collections::{HashMap, HashSet};

use contracts::Invalid;

use crate::domain::Keyed;
use platform::problem::FieldError;
use serde::Serialize;
use sqlx::PgPool;

use crate::es::{CommandBus, CommandError, Pending};
pub use customers::CustomerRows;
pub use error::ImportError;
pub use products::ProductRows;
pub use row::{RowFields, RowMapper};
pub use table::{Dialect, EncodingSource, Table};

/// `active` (or empty) or `archived`.
fn archived(f: &mut RowFields<'_>) -> Option<bool> {
    match f.text("status").ok()? {
        None | Some("active") => Some(false),
        Some("archived") => Some(true),
        Some(_) => {
            f.push(
                "status",
                Invalid::new(FieldCode::UnknownStatus, "active or archived"),
            );
            None
        }
    }
}

impl ImportError {
    /// What is wrong with the file as a whole, for a client to branch on: `encoding`,
    /// `header`, `malformed`; `None` for what is not the file's fault.
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            ImportError::Encoding(_) => Some("encoding"),
            ImportError::Header(_)
            | ImportError::MissingColumns(_)
            | ImportError::UnknownColumns(_)
            | ImportError::DuplicateColumns(_)
            | ImportError::Empty => Some("header"),
            ImportError::Malformed(_) => Some("malformed"),
            ImportError::Database(_) | ImportError::Store(_) | ImportError::Unavailable(_) => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    Created,
    Updated,
    Unchanged,
    Error,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowReport {
    /// The line in the file (the header is line 1).
    pub line: u64,
    /// The row's SKU or code, as written.
    pub key: String,
    pub status: RowStatus,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub error: usize,
}

/// What an import did (or, on a dry run or with errors, would do).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Whether the rows' changes are stored: false on a dry run and when a row is invalid.
    pub applied: bool,
    /// How the file was read: encoding, separator, line endings.
    pub file: Dialect,
    pub counts: Counts,
    pub rows: Vec<RowReport>,
}

/// The rows' reports and the events to store.
pub struct Plan {
    pub file: Dialect,
    pub rows: Vec<RowReport>,
    pub pending: Vec<Pending>,
}

impl Plan {
    /// The report, taking the rows' reports along (an import of 100,000 rows has as
    /// many).
    pub fn into_report(self, dry_run: bool, applied: bool) -> ImportReport {
        let mut counts = Counts::default();
        for row in &self.rows {
            match row.status {
                RowStatus::Created => counts.created += 1,
                RowStatus::Updated => counts.updated += 1,
                RowStatus::Unchanged => counts.unchanged += 1,
                RowStatus::Error => counts.error += 1,
            }
        }
        ImportReport {
            dry_run,
            applied,
            file: self.file,
            counts,
            rows: self.rows,
        }
    }

    pub fn has_errors(&self) -> bool {
        self.rows.iter().any(|r| r.status == RowStatus::Error)
    }
}

fn row_error(line: u64, key: &str, errors: Vec<FieldError>) -> RowReport {
    RowReport {
        line,
        key: key.to_owned(),
        status: RowStatus::Error,
        errors,
    }
}

/// The aggregates the rows name by `key_column` that exist already: their ids by
/// lower-cased key (from the `*_keys` table `keys_sql` reads), and their states, loaded in
/// one query.
async fn load_existing<A>(
    pool: &PgPool,
    bus: &CommandBus<A>,
    table: &Table,
    key_column: &str,
    keys_sql: &str,
) -> Result<(HashMap<String, A::Id>, HashMap<A::Id, (A, u64)>), ImportError>
where
    A: Keyed + 'static,
    A::Command: Clone + Send + 'static,
    A::Error: Send + 'static,
    A::Services: Send + Sync,
{
    let keys: Vec<String> = table
        .rows
        .iter()
        .filter_map(|r| table.get(&r.record, key_column).map(str::to_lowercase))
        .collect();
    let rows: Vec<(String, String)> = sqlx::query_as(keys_sql).bind(keys).fetch_all(pool).await?;
    let ids = rows
        .into_iter()
        .map(|(key, id)| {
            id.parse()
                .map(|id| (key, id))
                .map_err(|_| ImportError::Store(format!("`{id}` is not a {} id", A::TYPE)))
        })
        .collect::<Result<HashMap<String, A::Id>, _>>()?;
    let states = bus
        .load_many(pool, &ids.values().copied().collect::<Vec<_>>())
        .await
        .map_err(|e| match e {
            CommandError::Unavailable(cause) => ImportError::Unavailable(cause),
            other => ImportError::Store(other.to_string()),
        })?;
    Ok((ids, states))
}

/// Decides every row of `table` against the records that exist (created, updated or
/// unchanged, by key), or reports each row's broken rules.
pub async fn plan<M: RowMapper>(
    pool: &PgPool,
    bus: &CommandBus<M::Aggregate>,
    rows: &M,
    table: &Table,
) -> Result<Plan, ImportError> {
    let (existing, mut current) = load_existing(pool, bus, table, M::KEY, M::KEYS_SQL).await?;
    let mut seen = HashSet::new();
    let mut plan = Plan {
        file: table.dialect.clone(),
        rows: Vec::with_capacity(table.len()),
        pending: Vec::with_capacity(table.len()),
    };
    for table::Row { line, record } in &table.rows {
        let mut f = RowFields::new(table, record);
        let key = f.raw(M::KEY).unwrap_or_default().to_owned();
        let row = rows.read(&mut f);
        let archived = archived(&mut f);
        if !key.is_empty() && !seen.insert(key.to_lowercase()) {
            f.push(
                M::KEY,
                Invalid::new(FieldCode::DuplicateInFile, M::DUPLICATE),
            );
        }
        let (Some(row), Some(archived), true) = (row, archived, f.errors.is_empty()) else {
            plan.rows.push(row_error(*line, &key, f.errors));
            continue;
        };
        let status = M::status(archived);
        let decided = match existing.get(&key.to_lowercase()) {
            Some(id) => {
                let (aggregate, version) = current.remove(id).unwrap_or_default();
                bus.decide_on(aggregate, version, *id, [M::update(row), status])
                    .await
                    .map(|p| (p, RowStatus::Updated))
            }
            None => {
                let (id, create) = M::create(row);
                bus.decide_new(id, [create, status])
                    .await
                    .map(|p| (p, RowStatus::Created))
            }
        };
        push_decided(&mut plan, *line, key, decided, M::describe);
    }
    Ok(plan)
}

fn push_decided<E>(
    plan: &mut Plan,
    line: u64,
    key: String,
    decided: Result<(Pending, RowStatus), E>,
    describe: impl Fn(&E) -> FieldError,
) {
    match decided {
        Ok((pending, status)) => {
            let status = if pending.events.is_empty() {
                RowStatus::Unchanged
            } else {
                plan.pending.push(pending);
                status
            };
            plan.rows.push(RowReport {
                line,
                key,
                status,
                errors: Vec::new(),
            });
        }
        Err(e) => plan.rows.push(row_error(line, &key, vec![describe(&e)])),
    }
}

/// A row's values, or its broken rules as `(field, code)`.
#[cfg(test)]
type Read<M> = Result<<M as RowMapper>::Row, Vec<(String, String)>>;

/// Reads every row of `csv` with `rows`, as [`plan`] does before deciding anything.
#[cfg(test)]
fn read_all<M: RowMapper>(rows: &M, csv: &str) -> Vec<Read<M>> {
    let table = Table::read(csv.as_bytes(), None, M::COLUMNS, &M::COLUMNS[..M::REQUIRED])
        .expect("a readable file");
    table
        .rows
        .iter()
        .map(|row| {
            let mut f = RowFields::new(&table, &row.record);
            match rows.read(&mut f) {
                Some(values) if f.errors.is_empty() => Ok(values),
                _ => Err(f
                    .errors
                    .into_iter()
                    .map(|e| (e.field, e.code.as_str().to_owned()))
                    .collect()),
            }
        })
        .collect()
}
