//! The GraphQL layer: types, inputs and resolvers. No SQL here: resolvers call the store with
//! the caller's scope and map errors to `extensions.code`.

pub mod admin;
pub mod assistance;
pub mod batch;
pub mod biometrics;
pub mod calendar;
pub mod codes;
pub mod connection;
pub mod context;
pub mod exports;
pub mod guarded;
pub mod imports;
pub mod inputs;
pub mod mutation;
pub mod nodes;
pub mod prereg;
pub mod protection;
pub mod query;
pub mod queues;
pub mod reads;
pub mod resettlement;
pub mod rsd;
pub mod sharing;
pub mod stats;
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
    admin::AdminQuery,
    prereg::PreRegistrationQuery,
    protection::ProtectionQuery,
    imports::ImportQuery,
    assistance::AssistanceQuery,
    stats::StatisticsQuery,
    resettlement::ResettlementQuery,
    sharing::SharingQuery,
    exports::ExportQuery,
    nodes::NodeQuery,
);

/// Writes. Every mutation is idempotent by clientMutationId; every update checks the version read.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    mutation::RegistryMutation,
    rsd::CaseMutation,
    biometrics::BiometricMutation,
    admin::AdminMutation,
    prereg::PreRegistrationMutation,
    protection::ProtectionMutation,
    imports::ImportMutation,
    assistance::AssistanceMutation,
    resettlement::ResettlementMutation,
    sharing::SharingMutation,
    exports::ExportMutation,
    nodes::NodeMutation,
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
    limited().finish()
}

/// The schema served to callers without a token: the same, but its errors suggest no field
/// names, so the shape of the API is not guessed from typos.
pub fn build_anonymous_schema() -> AppSchema {
    limited().disable_suggestions().finish()
}

fn limited() -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, subscription::SubscriptionRoot>
{
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        subscription::SubscriptionRoot,
    )
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
    .limit_recursive_depth(32)
    .limit_directives(10)
}

/// The most one field may add to a request's complexity. Far above [`MAX_COMPLEXITY`], far below
/// what the schema library's unchecked sums could wrap around, however many fields a request has.
const FIELD_COST_CAP: usize = 1 << 32;

/// The complexity of a page of `first` items (`default` when absent) of `child` each. A page size
/// out of range costs the cap, so the request is refused rather than wrapped around.
pub fn page_cost(first: Option<i32>, default: i32, child: usize) -> usize {
    match usize::try_from(first.unwrap_or(default)) {
        Ok(n) if (1..=connection::MAX_FIRST as usize).contains(&n) => n
            .saturating_mul(child)
            .saturating_add(1)
            .min(FIELD_COST_CAP),
        _ => FIELD_COST_CAP,
    }
}

/// The complexity of a list without `first` (see [`types::LIST_COST`]).
pub fn list_cost(child: usize) -> usize {
    types::LIST_COST
        .saturating_mul(child)
        .saturating_add(1)
        .min(FIELD_COST_CAP)
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    build_schema().sdl()
}
