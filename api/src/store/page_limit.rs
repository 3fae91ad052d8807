//! A page's LIMIT written into the statement's text instead of bound as a parameter.
//!
//! Diesel binds `.limit(n)` as a parameter. For a prepared statement PostgreSQL then weighs a
//! generic plan that must assume an unknown LIMIT (a tenth of the rows) against a plan made for
//! the value at hand, finds the generic one far dearer, and so plans the statement again on
//! every execution: at a million people that planning was 0.14 ms of the 0.37 ms a page of
//! individuals cost the database (`pg_stat_statements` with `track_planning`, 5,196 pages, a
//! plan each). With the number in the text the generic plan is the right one and is kept.
//! A page size is one of at most a hundred values, so each (query, size) is prepared once.

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::RunQueryDsl;
use diesel::result::QueryResult;

/// `query LIMIT n`, with `n` in the text. Only for a query that ends with its ORDER BY (no
/// LIMIT, OFFSET or locking clause of its own).
#[derive(Debug, Clone)]
pub struct Limited<Q> {
    query: Q,
    limit: u32,
}

/// Adds [`Limited`] to any query.
pub trait LimitInText: Sized {
    /// The query with `LIMIT n` appended as text; a negative `n` is taken as 0.
    fn limit_in_text(self, n: i64) -> Limited<Self> {
        Limited {
            query: self,
            limit: u32::try_from(n.max(0)).unwrap_or(u32::MAX),
        }
    }
}

impl<Q: Query> LimitInText for Q {}

impl<Q: Query> Query for Limited<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, DB> QueryFragment<DB> for Limited<Q>
where
    DB: Backend,
    Q: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(&format!(" LIMIT {}", self.limit));
        Ok(())
    }
}

// The text differs with the limit, so the statement has no static id: diesel's statement cache
// then keys it by its SQL.
impl<Q> QueryId for Limited<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q, Conn> RunQueryDsl<Conn> for Limited<Q> {}
