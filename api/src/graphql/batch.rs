//! One request, few round trips: the records under a page of people or cases are loaded in one
//! query per kind for the whole page, and the request's reads of personal data are audited in
//! one append once it has run.
//!
//! Resolvers of a list's items run together; each asks [`Batch`] (async-graphql's DataLoader)
//! for its person's documents, addresses and so on, and the loader answers all of them with one
//! store call (`store::batched`), on one pooled connection. What the request read is collected
//! in its [`RequestReads`] (`reads.rs`) instead of being appended read by read; the HTTP handler appends it
//! all as one batch (one transaction, one lock of the chain's tip) before it answers, and
//! answers with an error instead if that append fails. Every record read is still named by its
//! own audit event, so the chain and `audit verify` mean exactly what they meant before.
//!
//! Where a request has no batch (a live subscription), resolvers fall back to reading one
//! record at a time, audited as they go.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};

use super::context::AppState;
use super::reads::RequestReads;
use crate::error::{Error, Result};
use crate::store::audit::Reads;
use crate::store::rows::*;
use crate::store::{Scope, batched, users};

/// Loads what a page's items need, many at once, with the caller's scope.
pub struct Batch {
    st: Arc<AppState>,
    scope: Scope,
    reads: Arc<RequestReads>,
}

impl Batch {
    /// The loader of one request of a signed-in caller. A query's loads are remembered for the
    /// rest of the request (a person's needs asked twice are read once); a mutation's are not,
    /// since a later field may read what an earlier one changed.
    pub fn loader(
        st: Arc<AppState>,
        scope: Scope,
        reads: Arc<RequestReads>,
        remember: bool,
    ) -> DataLoader<Batch, HashMapCache> {
        let loader = DataLoader::with_cache(
            Batch { st, scope, reads },
            tokio::spawn,
            HashMapCache::default(),
        );
        loader.enable_all_cache(remember);
        loader
    }

    async fn run<T, F>(&self, keys: Vec<String>, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut crate::store::DbConn, &Scope, &[String], &mut Reads) -> Result<T>
            + Send
            + 'static,
    {
        let scope = self.scope.clone();
        let (value, reads) = self
            .st
            .db
            .read(move |c| {
                let mut reads = Reads::default();
                f(c, &scope, &keys, &mut reads).map(|v| (v, reads))
            })
            .await?;
        self.reads.add(reads);
        Ok(value)
    }
}

/// The loader of the request, when it has one.
pub(crate) fn loader<'a>(ctx: &Context<'a>) -> Option<&'a DataLoader<Batch, HashMapCache>> {
    ctx.data_opt::<DataLoader<Batch, HashMapCache>>()
}

/// Loads, for a page of people about to be resolved, each kind of record its items ask for,
/// all keys of a kind in one call, before the items' own resolvers ask one by one (and find
/// them remembered). Without it the loader gathers the items' asks within a short window, which
/// a slow machine can split in two; this way a page costs one query per kind, always. A failure
/// here is left for the items' own loads to report.
pub(crate) async fn prime_people(ctx: &Context<'_>, rows: &[IndividualRow]) {
    let Some(l) = loader(ctx) else { return };
    let node = ctx.look_ahead().field("edges").field("node");
    let ids = || rows.iter().map(|r| r.id.clone());
    let wants = |f: &str| node.field(f).exists();
    let offices: Vec<String> = {
        let mut v: Vec<String> = rows.iter().map(|r| r.office_id.clone()).collect();
        v.sort();
        v.dedup();
        v
    };
    let _ = tokio::join!(
        async {
            if wants("documents") {
                let _ = l.load_many(ids().map(DocumentsOf)).await;
            }
        },
        async {
            if wants("addresses") {
                let _ = l.load_many(ids().map(AddressesOf)).await;
            }
        },
        async {
            if wants("phones") {
                let _ = l.load_many(ids().map(PhonesOf)).await;
            }
        },
        async {
            if wants("languages") {
                let _ = l.load_many(ids().map(LanguagesOf)).await;
            }
        },
        async {
            if wants("specificNeeds") || wants("withheldSpecificNeeds") {
                let _ = l.load_many(ids().map(NeedsOf)).await;
            }
        },
        async {
            if wants("groupMembership") {
                let _ = l.load_many(ids().map(MembershipOf)).await;
            }
        },
        async {
            if wants("cases") {
                let _ = l.load_many(ids().map(CasesOf)).await;
            }
        },
        async {
            if wants("office") {
                let _ = l.load_many(offices.iter().cloned().map(OfficeKey)).await;
            }
        },
    );
}

macro_rules! keyed_loader {
    ($(#[$doc:meta])* $key:ident => $value:ty, |$c:ident, $s:ident, $ids:ident, $r:ident| $body:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Hash, PartialEq, Eq)]
        pub struct $key(pub String);

        // Every key gets an answer, None for nothing found, so that a query's loader
        // remembers the absences too.
        impl Loader<$key> for Batch {
            type Value = Option<$value>;
            type Error = Error;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Option<$value>>> {
                let ids: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
                #[allow(unused_variables)]
                let mut found = self
                    .run(ids, move |$c, $s, $ids, $r| $body)
                    .await?;
                Ok(keys
                    .iter()
                    .map(|k| (k.clone(), found.remove(&k.0)))
                    .collect())
            }
        }
    };
}

keyed_loader!(
    /// An individual by id, if the caller may see them (audited as a read of them).
    PersonKey => IndividualRow, |c, s, ids, r| batched::individuals(c, s, r, ids)
);
keyed_loader!(
    /// A registration group by id, if the caller may see it (audited as a read of it).
    GroupKey => GroupRow, |c, s, ids, r| batched::groups(c, s, r, ids)
);
keyed_loader!(
    /// A person's documents.
    DocumentsOf => Vec<DocumentRow>, |c, s, ids, r| batched::documents(c, s, ids)
);
keyed_loader!(
    /// A person's addresses.
    AddressesOf => Vec<AddressRow>, |c, s, ids, r| batched::addresses(c, s, ids)
);
keyed_loader!(
    /// A person's current phones.
    PhonesOf => Vec<PhoneRow>, |c, s, ids, r| batched::phones(c, s, ids)
);
keyed_loader!(
    /// A person's languages.
    LanguagesOf => Vec<LanguageRow>, |c, s, ids, r| batched::languages(c, s, ids)
);
keyed_loader!(
    /// A person's specific needs the caller may see, and how many were withheld.
    NeedsOf => (Vec<NeedRow>, usize), |c, s, ids, r| batched::needs(c, s, ids)
);
keyed_loader!(
    /// A person's current group membership.
    MembershipOf => MembershipRow, |c, s, ids, r| batched::current_memberships(c, s, ids)
);
keyed_loader!(
    /// The cases a person is a member of, that the caller may see.
    CasesOf => Vec<CaseRow>, |c, s, ids, r| batched::cases_of_individuals(c, s, ids)
);
keyed_loader!(
    /// A case's current members.
    MembersOfCase => Vec<CaseMemberRow>, |c, s, ids, r| batched::case_members(c, s, ids)
);
keyed_loader!(
    /// The open specific-need codes of a case's members the caller may see.
    NeedCodesOfCase => Vec<String>, |c, s, ids, r| batched::open_need_codes_of_cases(c, s, ids)
);
keyed_loader!(
    /// An office by id.
    OfficeKey => users::Office, |c, s, ids, r| batched::offices(c, ids)
);
keyed_loader!(
    /// A user by id.
    UserKey => users::User, |c, s, ids, r| batched::users(c, ids)
);
