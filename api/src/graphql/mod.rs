//! The GraphQL layer: types, inputs and resolvers. No SQL here: resolvers call the store with
//! the caller's scope and map errors to `extensions.code`.

pub mod biometrics;
pub mod calendar;
pub mod codes;
pub mod connection;
pub mod context;
pub mod inputs;
pub mod mutation;
pub mod query;
pub mod queues;
pub mod rsd;
pub mod subscription;
pub mod types;

use async_graphql::{MergedObject, Schema};

pub use context::{ApiConfig, AppState, RequestData};

/// Reads. Every read of personal data is scoped to the caller's operation unit and audited.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    query::RegistryQuery,
    queues::QueueQuery,
    biometrics::BiometricQuery,
    codes::CodeQuery,
);

/// Writes. Every mutation is idempotent by clientMutationId; every update checks the version read.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    mutation::RegistryMutation,
    rsd::CaseMutation,
    biometrics::BiometricMutation,
);

/// The API's schema type.
pub type AppSchema = Schema<QueryRoot, MutationRoot, subscription::SubscriptionRoot>;

/// Deepest selection a request may nest.
pub const MAX_DEPTH: usize = 12;
/// Highest complexity a request may reach (list sizes multiply their children).
pub const MAX_COMPLEXITY: usize = 20_000;
/// Most aliases a request may use.
pub const MAX_ALIASES: usize = 30;

/// Builds the schema with its limits.
pub fn build_schema() -> AppSchema {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        subscription::SubscriptionRoot,
    )
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
    .limit_recursive_depth(32)
    .limit_directives(10)
    .finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    build_schema().sdl()
}
