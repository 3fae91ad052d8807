//! Modules per unit: a query or mutation of a module the caller's unit does not run is refused
//! with FORBIDDEN and reason MODULE_NOT_ENABLED before anything runs, and the refusal is audited.
//! Every root operation of the schema is classified here, so a new one cannot be added without
//! saying which module it belongs to; each module operation is then called, with the least input
//! its types accept, by a unit that lacks the module and by one that runs it.

use std::collections::BTreeMap;

use amparo_api::auth::AuthConfig;
use amparo_tests::{TestDb, both_backends, error_code, start, world};
use serde_json::{Value, json};

use super::support::{count_rows, exec};

/// Every root query and mutation and the module it belongs to (None: every unit has it).
const OPERATIONS: &[(&str, Option<&str>)] = &[
    // Session, reference data, the caller's own things, administration, audit.
    ("me", None),
    ("offices", None),
    ("auditTrail", None),
    ("apiTokens", None),
    ("codeLists", None),
    ("users", None),
    ("userSessions", None),
    ("unitOffices", None),
    ("unitSettings", None),
    ("accessReview", None),
    ("unitSettingsHistory", None),
    ("login", None),
    ("logout", None),
    ("createApiToken", None),
    ("revokeApiToken", None),
    ("createUser", None),
    ("updateUser", None),
    ("disableUser", None),
    ("enableUser", None),
    ("issueResetCode", None),
    ("endSession", None),
    ("saveOffice", None),
    ("updateUnitSettings", None),
    ("setPasswordWithCode", None),
    // Statistics: every unit's own figures, whatever modules it runs.
    ("statistics", None),
    ("publicStatistics", None),
    ("dataQuality", None),
    // Field nodes and their sync: every unit's, whatever modules it runs.
    ("fieldNodes", None),
    ("syncConflicts", None),
    ("syncStatus", None),
    ("fieldNode", None),
    ("registerNode", None),
    ("revokeNode", None),
    ("resolveSyncConflict", None),
    // Registration.
    ("individual", Some("registration")),
    ("preRegistrations", Some("registration")),
    ("convertPreRegistration", Some("registration")),
    ("dismissPreRegistration", Some("registration")),
    ("updateDocument", Some("registration")),
    ("importReviews", Some("registration")),
    ("importReview", Some("registration")),
    ("decideImportReview", Some("registration")),
    ("requestExport", Some("registration")),
    ("exportJob", Some("registration")),
    ("exportJobs", Some("registration")),
    ("exportFields", Some("registration")),
    ("individuals", Some("registration")),
    ("registrationGroup", Some("registration")),
    ("registrationGroups", Some("registration")),
    ("registerGroup", Some("registration")),
    ("updateIndividual", Some("registration")),
    ("addSpecificNeed", Some("registration")),
    ("reviewSpecificNeed", Some("registration")),
    ("addDocument", Some("registration")),
    ("splitGroup", Some("registration")),
    ("mergeGroups", Some("registration")),
    ("biometricReviews", Some("registration")),
    ("biometricReview", Some("registration")),
    ("verifyIdentity", Some("registration")),
    ("enrolBiometrics", Some("registration")),
    ("decideDuplicate", Some("registration")),
    // Refugee status determination.
    ("case", Some("rsd")),
    ("cases", Some("rsd")),
    ("myWork", Some("rsd")),
    ("caseQueue", Some("rsd")),
    ("caseSummary", Some("rsd")),
    ("assignableOfficers", Some("rsd")),
    ("openCase", Some("rsd")),
    ("decideAdmissibility", Some("rsd")),
    ("scheduleInterview", Some("rsd")),
    ("recordInterview", Some("rsd")),
    ("recordNoShow", Some("rsd")),
    ("recordContact", Some("rsd")),
    ("submitAssessment", Some("rsd")),
    ("reviewAssessment", Some("rsd")),
    ("notifyDecision", Some("rsd")),
    ("lodgeAppeal", Some("rsd")),
    ("withdrawCase", Some("rsd")),
    ("closeCase", Some("rsd")),
    ("confirmAbandonment", Some("rsd")),
    ("reopenCase", Some("rsd")),
    ("assignCase", Some("rsd")),
    ("assignCases", Some("rsd")),
    ("putCaseOnHold", Some("rsd")),
    ("resumeCase", Some("rsd")),
    // Protection case management.
    ("protectionCases", Some("protection")),
    ("protectionCase", Some("protection")),
    ("openProtectionCase", Some("protection")),
    ("updateProtectionRisk", Some("protection")),
    ("addProtectionPlanAction", Some("protection")),
    ("completeProtectionPlanAction", Some("protection")),
    ("referProtectionCase", Some("protection")),
    ("recordReferralOutcome", Some("protection")),
    ("scheduleFollowUp", Some("protection")),
    ("recordFollowUp", Some("protection")),
    ("recordBestInterestsAssessment", Some("protection")),
    ("recordBestInterestsDetermination", Some("protection")),
    ("assignProtectionCase", Some("protection")),
    ("closeProtectionCase", Some("protection")),
    ("reopenProtectionCase", Some("protection")),
    // Assistance.
    ("assistanceProgrammes", Some("assistance")),
    ("assistanceProgramme", Some("assistance")),
    ("eligibilityAssessment", Some("assistance")),
    ("distributionLists", Some("assistance")),
    ("distributionList", Some("assistance")),
    ("distributions", Some("assistance")),
    ("assistanceReconciliation", Some("assistance")),
    ("createAssistanceProgramme", Some("assistance")),
    ("updateAssistanceProgramme", Some("assistance")),
    ("assessEligibility", Some("assistance")),
    ("createDistributionList", Some("assistance")),
    ("addToDistributionList", Some("assistance")),
    ("recordDistribution", Some("assistance")),
    // Resettlement.
    ("resettlementCases", Some("resettlement")),
    ("resettlementCase", Some("resettlement")),
    ("openResettlementCase", Some("resettlement")),
    ("actOnResettlementCase", Some("resettlement")),
    // Sharing between units: every unit may refer and be referred to.
    ("dataSharingAgreements", None),
    ("referralConsents", None),
    ("referrals", None),
    ("referral", None),
    ("recordDataSharingAgreement", None),
    ("recordReferralConsent", None),
    ("withdrawReferralConsent", None),
    ("referPerson", None),
    ("acceptReferral", None),
    ("declineReferral", None),
];

/// A field of the SDL: its arguments (name, type as written) and its type.
#[derive(Debug, Clone)]
struct Field {
    name: String,
    args: Vec<(String, String)>,
    ty: String,
}

/// The schema's definitions the test needs: root fields, input fields, enum values and which
/// names are object types.
struct Sdl {
    blocks: BTreeMap<String, (String, Vec<Field>)>,
}

impl Sdl {
    fn parse(sdl: &str) -> Self {
        // Descriptions carry no structure: drop block strings and one-line strings.
        let text: String = sdl.split("\"\"\"").step_by(2).collect::<Vec<_>>().join(" ");
        let text: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('"'))
            .collect::<Vec<_>>()
            .join("\n");
        let mut blocks = BTreeMap::new();
        let mut rest = text.as_str();
        while let Some(open) = rest.find('{') {
            let head: Vec<&str> = rest[..open].split_whitespace().collect();
            let close = rest[open..].find('}').map(|c| open + c).expect("block end");
            let body = &rest[open + 1..close];
            if let (Some(kind), Some(name)) = (
                head.iter()
                    .rev()
                    .find(|w| matches!(**w, "type" | "input" | "enum")),
                head.iter()
                    .position(|w| matches!(*w, "type" | "input" | "enum"))
                    .and_then(|i| head.get(i + 1)),
            ) {
                blocks.insert(
                    name.to_string(),
                    (kind.to_string(), Self::fields(kind, body)),
                );
            }
            rest = &rest[close + 1..];
        }
        Self { blocks }
    }

    fn fields(kind: &str, body: &str) -> Vec<Field> {
        if kind == "enum" {
            return body
                .split_whitespace()
                .map(|v| Field {
                    name: v.to_string(),
                    args: Vec::new(),
                    ty: String::new(),
                })
                .collect();
        }
        let mut out = Vec::new();
        let mut rest = body.trim();
        while !rest.is_empty() {
            let stop = rest.find([':', '(']).expect("field");
            let name = rest[..stop].trim().to_string();
            let mut args = Vec::new();
            if rest[stop..].starts_with('(') {
                let end = rest.find(')').expect("args end");
                for a in rest[stop + 1..end].split([',', '\n']) {
                    if let Some((n, t)) = a.split_once(':') {
                        let t = t.split('=').next().unwrap_or_default();
                        args.push((n.trim().to_string(), t.trim().to_string()));
                    }
                }
                rest = &rest[end + 1..];
            } else {
                rest = &rest[stop..];
            }
            let after = rest
                .trim_start()
                .strip_prefix(':')
                .expect("type")
                .trim_start();
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            out.push(Field {
                name,
                args,
                ty: after[..end].trim().to_string(),
            });
            rest = after[end..].trim_start();
            // A default value (`= false`, `= []`) is one token after the type.
            if let Some(d) = rest.strip_prefix('=') {
                let d = d.trim_start();
                rest = d[d.find(char::is_whitespace).unwrap_or(d.len())..].trim_start();
            }
        }
        out
    }

    fn root(&self, name: &str) -> Vec<Field> {
        self.blocks
            .get(name)
            .map(|b| b.1.clone())
            .unwrap_or_default()
    }

    fn is_object(&self, ty: &str) -> bool {
        let base = ty.trim_matches(|c| matches!(c, '[' | ']' | '!'));
        self.blocks.get(base).is_some_and(|b| b.0 == "type")
    }

    /// The least value of a type: its required fields only, each the least value it accepts.
    fn least(&self, ty: &str) -> Value {
        if ty.starts_with('[') {
            return json!([]);
        }
        let base = ty.trim_end_matches('!');
        match base {
            "String" | "ID" => json!("019af000-0000-7000-8000-000000000000"),
            "Int" => json!(1),
            "Float" => json!(1.0),
            "Boolean" => json!(false),
            "DateTime" => json!("2026-12-01T15:00:00Z"),
            "NaiveDate" => json!("2026-12-01"),
            "JSON" => json!({}),
            _ => match self.blocks.get(base) {
                Some((kind, values)) if kind == "enum" => json!(values[0].name),
                Some((_, fields)) => Value::Object(
                    fields
                        .iter()
                        .filter(|f| f.ty.ends_with('!'))
                        .map(|f| (f.name.clone(), self.least(&f.ty)))
                        .collect(),
                ),
                None => panic!("unknown type {base}"),
            },
        }
    }

    /// A request calling `field` with the least arguments its types accept.
    fn call(&self, op: &str, field: &Field) -> (String, Value) {
        let required: Vec<_> = field
            .args
            .iter()
            .filter(|(_, t)| t.ends_with('!'))
            .collect();
        let decl: Vec<String> = required.iter().map(|(n, t)| format!("${n}: {t}")).collect();
        let pass: Vec<String> = required.iter().map(|(n, _)| format!("{n}: ${n}")).collect();
        let vars: serde_json::Map<String, Value> = required
            .iter()
            .map(|(n, t)| (n.clone(), self.least(t)))
            .collect();
        let decl = if decl.is_empty() {
            String::new()
        } else {
            format!("({})", decl.join(", "))
        };
        let pass = if pass.is_empty() {
            String::new()
        } else {
            format!("({})", pass.join(", "))
        };
        let select = if self.is_object(&field.ty) {
            " { __typename }"
        } else {
            ""
        };
        (
            format!("{op}{decl} {{ {}{pass}{select} }}", field.name),
            Value::Object(vars),
        )
    }
}

fn reason(r: &Value) -> (Option<&str>, Option<&str>) {
    let ext = &r["errors"][0]["extensions"];
    (ext["reason"].as_str(), ext["params"]["module"].as_str())
}

async fn operations_of_a_module_the_unit_lacks_are_refused(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let sdl = Sdl::parse(&amparo_api::graphql::sdl());
    let mut calls = Vec::new();
    for (root, op) in [("QueryRoot", "query"), ("MutationRoot", "mutation")] {
        let fields = sdl.root(root);
        assert!(!fields.is_empty(), "{root} parsed");
        for f in fields {
            let Some((_, module)) = OPERATIONS.iter().find(|(n, _)| *n == f.name) else {
                panic!(
                    "{} is not classified: add it to OPERATIONS with its module",
                    f.name
                );
            };
            if let Some(m) = module {
                let (q, v) = sdl.call(op, &f);
                calls.push((f.name.clone(), *m, q, v));
            }
        }
    }
    assert!(calls.len() >= 40, "{}", calls.len());

    // Each caller's unit refuses exactly the modules it lacks, and audits each refusal. UNHCR
    // runs assistance, protection and resettlement: no RSD, but registration (partners
    // register the people they meet). DPIN runs registration and RSD.
    let unhcr = srv.login("unhcr.officer").await;
    let supervisor = srv.login("supervisor").await;
    refuses_exactly(&t.db, &srv, &unhcr, &calls, &["rsd"]).await;
    refuses_exactly(
        &t.db,
        &srv,
        &supervisor,
        &calls,
        &["protection", "assistance", "resettlement"],
    )
    .await;

    // The operator takes registration away from DPIN: its next request is refused, with the
    // same token, and nothing is written.
    exec(
        &t.db,
        "UPDATE operation_units SET modules = 'rsd' WHERE code = 'DPIN'",
    );
    let groups_before = count_rows(&t.db, "registration_groups");
    refuses_exactly(
        &t.db,
        &srv,
        &supervisor,
        &calls,
        &["registration", "protection", "assistance", "resettlement"],
    )
    .await;
    assert_eq!(count_rows(&t.db, "registration_groups"), groups_before);
    let r = srv
        .gql(Some(&supervisor), "{ me { username } }", json!({}))
        .await;
    assert_eq!(r["data"]["me"]["username"], "supervisor", "{r}");
}

/// Calls every module operation as `token`: those of `lacking` modules are FORBIDDEN with
/// MODULE_NOT_ENABLED naming the module, and audited; the others reach their resolvers (and
/// fail there, on made-up ids or missing rights, but never for the module).
async fn refuses_exactly(
    db: &amparo_api::store::Database,
    srv: &amparo_tests::TestServer,
    token: &str,
    calls: &[(String, &str, String, Value)],
    lacking: &[&str],
) {
    let audited = "audit_events WHERE outcome = 'denied' AND action = 'use_module'";
    let before = count_rows(db, audited);
    let mut refused = 0i64;
    for (name, module, q, v) in calls {
        let r = srv.gql(Some(token), q, v.clone()).await;
        if lacking.contains(module) {
            assert_eq!(error_code(&r), Some("FORBIDDEN"), "{name}: {q} {v} → {r}");
            assert_eq!(
                reason(&r),
                (Some("MODULE_NOT_ENABLED"), Some(*module)),
                "{name}: {r}"
            );
            refused += 1;
        } else {
            assert_ne!(reason(&r).0, Some("MODULE_NOT_ENABLED"), "{name}: {r}");
        }
    }
    assert!(refused > 0, "{lacking:?}");
    assert_eq!(
        count_rows(db, audited) - before,
        refused,
        "every refusal audited"
    );
}

both_backends!(operations_of_a_module_the_unit_lacks_are_refused);
