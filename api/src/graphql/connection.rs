//! Relay-style connections: `first` (capped at 100), `after`, `pageInfo` and a `totalCount`
//! that is only counted when asked for.

use async_graphql::{Context, SimpleObject};
use base64::Engine;

use super::context::{GqlResult, scoped_read};
use super::types::{Case, Individual, RegistrationGroup};
use crate::error::Error;
use crate::store::queries::{self, CaseQuery, IndividualQuery};

/// Largest page a caller may ask for.
pub const MAX_FIRST: i32 = 100;
/// Page size when `first` is not given.
pub const DEFAULT_FIRST: i32 = 20;

/// Where a page stands in the whole list.
#[derive(SimpleObject, Clone)]
pub struct PageInfo {
    /// Whether another page follows.
    pub has_next_page: bool,
    /// Cursor of the last item: pass it as `after` for the next page.
    pub end_cursor: Option<String>,
}

pub fn encode_cursor(id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

pub fn decode_cursor(cursor: Option<&str>) -> Result<Option<String>, Error> {
    cursor
        .map(|c| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(c)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .filter(|s| s.len() <= 64)
                .ok_or_else(|| Error::validation("after", "is not a cursor this API returned"))
        })
        .transpose()
}

pub fn check_first(first: Option<i32>) -> Result<i64, Error> {
    match first.unwrap_or(DEFAULT_FIRST) {
        n if (1..=MAX_FIRST).contains(&n) => Ok(n as i64),
        _ => Err(Error::validation(
            "first",
            format!("must be between 1 and {MAX_FIRST}"),
        )),
    }
}

/// Keyset paging, for lists ordered by their items' ids: the page size `first` asks for and the
/// id the `after` cursor names.
pub fn keyset_page(
    first: Option<i32>,
    after: Option<&str>,
) -> Result<(i64, Option<String>), Error> {
    Ok((check_first(first)?, decode_cursor(after)?))
}

/// A keyset page's edges, each with its item's id as its cursor, and where the page stands.
pub fn keyset_edges<T, E>(
    items: Vec<T>,
    has_next: bool,
    id: impl Fn(&T) -> &str,
    edge: impl Fn(String, T) -> E,
) -> (PageInfo, Vec<E>) {
    let info = PageInfo {
        has_next_page: has_next,
        end_cursor: items.last().map(|v| encode_cursor(id(v))),
    };
    let edges = items
        .into_iter()
        .map(|v| edge(encode_cursor(id(&v)), v))
        .collect();
    (info, edges)
}

/// Offset paging, for lists ordered by something other than a unique key (a deadline, the
/// latest change): the page size `first` asks for and the offset the `after` cursor names.
pub fn offset_page(first: Option<i32>, after: Option<&str>) -> Result<(i64, i64), Error> {
    let first = check_first(first)?;
    let offset = match decode_cursor(after)? {
        Some(c) => c
            .parse::<i64>()
            .map_err(|_| Error::validation("after", "is not a cursor this API returned"))?,
        None => 0,
    };
    Ok((first, offset))
}

/// Where an offset page of `len` items read from `offset` stands; the cursor names the
/// offset of the next page.
pub fn offset_info(offset: i64, len: usize, more: bool) -> PageInfo {
    let end = offset + i64::try_from(len).unwrap_or(i64::MAX - offset);
    PageInfo {
        has_next_page: more,
        end_cursor: more.then(|| encode_cursor(&end.to_string())),
    }
}

macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ty, $doc:literal, $edge_doc:literal) => {
        #[doc = $edge_doc]
        #[derive(SimpleObject)]
        pub struct $edge {
            /// The item.
            pub node: $node,
            /// Its cursor.
            pub cursor: String,
        }

        #[doc = $doc]
        pub struct $conn {
            pub edges: Vec<$edge>,
            pub page_info: PageInfo,
            pub(crate) count: Counter,
        }

        #[doc = $doc]
        #[async_graphql::Object]
        impl $conn {
            /// The items of this page.
            async fn edges(&self) -> &[$edge] {
                &self.edges
            }
            /// Paging information.
            async fn page_info(&self) -> &PageInfo {
                &self.page_info
            }
            /// How many items match in all pages (counted only when asked for).
            async fn total_count(&self, ctx: &Context<'_>) -> GqlResult<i64> {
                self.count.count(ctx).await
            }
        }
    };
}

/// What to count for `totalCount`.
pub(crate) enum Counter {
    Individuals(IndividualQuery),
    Groups,
    Cases(CaseQuery),
}

impl Counter {
    async fn count(&self, ctx: &Context<'_>) -> GqlResult<i64> {
        match self {
            Counter::Individuals(q) => {
                let q = q.clone();
                scoped_read(ctx, "count", None, move |c, s, r| {
                    queries::count_individuals(c, s, r, &q)
                })
                .await
            }
            Counter::Groups => scoped_read(ctx, "count", None, queries::count_groups).await,
            Counter::Cases(q) => {
                let q = q.clone();
                scoped_read(ctx, "count", None, move |c, s, r| {
                    queries::count_cases(c, s, r, &q)
                })
                .await
            }
        }
    }
}

connection!(
    IndividualConnection,
    IndividualEdge,
    Individual,
    "A page of individuals.",
    "An individual in a page."
);
connection!(
    RegistrationGroupConnection,
    RegistrationGroupEdge,
    RegistrationGroup,
    "A page of registration groups.",
    "A registration group in a page."
);
connection!(
    CaseConnection,
    CaseEdge,
    Case,
    "A page of cases.",
    "A case in a page."
);

pub fn page_info(ids: &[&str], has_next: bool) -> PageInfo {
    PageInfo {
        has_next_page: has_next,
        end_cursor: ids.last().map(|id| encode_cursor(id)),
    }
}
