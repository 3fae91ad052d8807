//! Unit administration: DPIN's admin manages DPIN's users, offices and settings and nothing of
//! UNHCR's; every other role is refused; escalation is refused; a disabled user stops at once;
//! one-time codes work once and expire.

use std::time::Duration;

use amparo_api::auth::AuthConfig;
use amparo_tests::{TestDb, TestServer, both_backends, error_code, start, world};
use serde_json::{Value, json};

use crate::sessions::{next, subscribe, unauthenticated};
use crate::support::exec;

const USERS: &str = "query($after: String) { users(first: 100, after: $after) { totalCount edges { node { id username status version roles scopeLevel officeId lastLoginAt } } pageInfo { hasNextPage endCursor } } }";
const CREATE: &str = "mutation($i: CreateUserInput!) { createUser(input: $i) { clientMutationId oneTimeCode codeExpiresAt user { id username status version roles scopeLevel } } }";
const UPDATE: &str = "mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { id version roles scopeLevel officeId mustChangePassword } } }";
const DISABLE: &str =
    "mutation($i: UserStatusInput!) { disableUser(input: $i) { user { id status version } } }";
const ENABLE: &str =
    "mutation($i: UserStatusInput!) { enableUser(input: $i) { user { id status version } } }";
const RESET: &str = "mutation($i: IssueResetCodeInput!) { issueResetCode(input: $i) { oneTimeCode codeExpiresAt user { id } } }";
const SESSIONS: &str = "query($u: ID!) { userSessions(userId: $u) { id kind } }";
const END: &str = "mutation($i: EndSessionInput!) { endSession(input: $i) { ended } }";
const SET_PASSWORD: &str = "mutation($u: String!, $c: String!, $p: String!) { setPasswordWithCode(input: {username: $u, code: $c, newPassword: $p}) { token } }";
const SAVE_OFFICE: &str = "mutation($i: OfficeInput!) { saveOffice(input: $i) { office { id code name timeZone holidays workingHours version } } }";
const SETTINGS: &str = "{ unitSettings { version modules settings } }";
const UPDATE_SETTINGS: &str = "mutation($i: UpdateUnitSettingsInput!) { updateUnitSettings(input: $i) { settings { version settings } } }";
const REVIEW: &str = "{ accessReview { user { username } fieldGroups officeCodes readsPersons } }";
const NEW_PASSWORD: &str = "río napo en la mañana";

fn ok<'a>(r: &'a Value, field: &str) -> &'a Value {
    assert!(r["errors"].is_null(), "{field}: {r}");
    &r["data"][field]
}

async fn user_id(srv: &TestServer, admin: &str, username: &str) -> (String, i64) {
    let r = srv.gql(Some(admin), USERS, json!({})).await;
    let edges = ok(&r, "users")["edges"].as_array().expect("edges").clone();
    let u = edges
        .iter()
        .find(|e| e["node"]["username"] == username)
        .unwrap_or_else(|| panic!("{username} in {r}"));
    (
        u["node"]["id"].as_str().expect("id").to_string(),
        u["node"]["version"].as_i64().expect("version"),
    )
}

/// Creates a user as `admin` and returns (id, one-time code).
async fn create(
    srv: &TestServer,
    admin: &str,
    cmid: &str,
    username: &str,
    roles: &[&str],
    office: &str,
    scope: &str,
) -> (String, String) {
    let r = srv
        .gql(
            Some(admin),
            CREATE,
            json!({ "i": { "clientMutationId": cmid, "username": username, "displayName": username, "roles": roles, "officeId": office, "scopeLevel": scope } }),
        )
        .await;
    let p = ok(&r, "createUser");
    (
        p["user"]["id"].as_str().expect("id").to_string(),
        p["oneTimeCode"].as_str().expect("code").to_string(),
    )
}

async fn set_password(srv: &TestServer, username: &str, code: &str, password: &str) -> Value {
    srv.gql(
        None,
        SET_PASSWORD,
        json!({ "u": username, "c": code, "p": password }),
    )
    .await
}

async fn admin_manages_only_their_unit(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let admin = srv.login("admin").await;

    // The list: DPIN's ten users, none of UNHCR's, with status and last login.
    let r = srv.gql(Some(&admin), USERS, json!({})).await;
    let users = ok(&r, "users");
    assert_eq!(users["totalCount"], 10, "{r}");
    assert!(!r.to_string().contains("unhcr.officer"), "{r}");
    assert!(
        users["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .any(|e| e["node"]["username"] == "admin" && !e["node"]["lastLoginAt"].is_null()),
        "the admin's own login is recorded: {r}"
    );

    // An office of the unit, with hours and holidays; versioned.
    let r = srv
        .gql(
            Some(&admin),
            SAVE_OFFICE,
            json!({ "i": { "clientMutationId": "o1", "code": "lag", "name": "Lago Agrio", "holidays": ["2026-12-25"], "workingHours": "{\"day_starts\": 480, \"day_ends\": 990, \"working_days\": [1,2,3,4,5]}" } }),
        )
        .await;
    let office = ok(&r, "saveOffice")["office"].clone();
    assert_eq!(office["code"], "LAG");
    let lag = office["id"].as_str().expect("office id").to_string();
    let r = srv
        .gql(
            Some(&admin),
            SAVE_OFFICE,
            json!({ "i": { "clientMutationId": "o2", "id": lag, "version": 1, "code": "LAG", "name": "Nueva Loja" } }),
        )
        .await;
    assert_eq!(error_code(&r), Some("CONFLICT"), "a stale version: {r}");
    let v = office["version"].as_i64().expect("version");
    let r = srv
        .gql(
            Some(&admin),
            SAVE_OFFICE,
            json!({ "i": { "clientMutationId": "o3", "id": lag, "version": v, "code": "LAG", "name": "Nueva Loja" } }),
        )
        .await;
    assert_eq!(ok(&r, "saveOffice")["office"]["name"], "Nueva Loja");

    // A new user: a one-time code, shown once; a replay returns the same user without it.
    let vars = json!({ "i": { "clientMutationId": "u1", "username": "registrar.lag", "displayName": "Registrador", "roles": ["registration_clerk"], "officeId": lag, "scopeLevel": "office" } });
    let r = srv.gql(Some(&admin), CREATE, vars.clone()).await;
    let created = ok(&r, "createUser").clone();
    assert_eq!(created["user"]["status"], "PENDING");
    let code = created["oneTimeCode"].as_str().expect("code").to_string();
    assert_eq!(code.len(), 14, "XXXX-XXXX-XXXX: {code}");
    let r = srv.gql(Some(&admin), CREATE, vars).await;
    let replay = ok(&r, "createUser");
    assert_eq!(replay["user"]["id"], created["user"]["id"]);
    assert!(
        replay["oneTimeCode"].is_null(),
        "the code is shown once: {r}"
    );
    let new_id = created["user"]["id"].as_str().expect("id").to_string();

    // They set their password; a common one is refused and does not use up the code.
    let r = set_password(&srv, "registrar.lag", &code, "1q2w3e4r5t6y").await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["reason"], "COMMON_PASSWORD");
    let r = set_password(&srv, "registrar.lag", &code, "short").await;
    assert_eq!(r["errors"][0]["extensions"]["reason"], "TOO_SHORT", "{r}");
    assert_eq!(r["errors"][0]["extensions"]["params"]["min"], 12, "{r}");
    let r = set_password(&srv, "registrar.lag", &code.to_lowercase(), NEW_PASSWORD).await;
    let token = ok(&r, "setPasswordWithCode")["token"]
        .as_str()
        .expect("token")
        .to_string();
    let r = srv
        .gql(Some(&token), "{ me { username } }", json!({}))
        .await;
    assert_eq!(ok(&r, "me")["username"], "registrar.lag");

    // Change, disable, enable; each checks the version read.
    let (_, v) = user_id(&srv, &admin, "registrar.lag").await;
    let r = srv
        .gql(
            Some(&admin),
            UPDATE,
            json!({ "i": { "clientMutationId": "up1", "id": new_id, "version": v, "roles": ["registration_clerk", "eligibility_officer"] } }),
        )
        .await;
    let updated = ok(&r, "updateUser")["user"].clone();
    assert_eq!(
        updated["roles"],
        json!(["registration_clerk", "eligibility_officer"])
    );
    let r = srv
        .gql(
            Some(&admin),
            UPDATE,
            json!({ "i": { "clientMutationId": "up2", "id": new_id, "version": v, "displayName": "Otro" } }),
        )
        .await;
    assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
    let v = updated["version"].as_i64().expect("version");
    let r = srv
        .gql(
            Some(&admin),
            DISABLE,
            json!({ "i": { "clientMutationId": "d1", "id": new_id, "version": v } }),
        )
        .await;
    let disabled = ok(&r, "disableUser")["user"].clone();
    assert_eq!(disabled["status"], "DISABLED");
    let r = srv
        .gql(Some(&token), "{ me { username } }", json!({}))
        .await;
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
    let r = srv
        .gql(
            Some(&admin),
            ENABLE,
            json!({ "i": { "clientMutationId": "e1", "id": new_id, "version": disabled["version"] } }),
        )
        .await;
    assert_eq!(ok(&r, "enableUser")["user"]["status"], "ACTIVE");

    // Sessions: listed and ended.
    let token = srv.login_with("registrar.lag", NEW_PASSWORD).await;
    let r = srv
        .gql(Some(&admin), SESSIONS, json!({ "u": new_id }))
        .await;
    let sessions = ok(&r, "userSessions").as_array().expect("list").clone();
    assert_eq!(sessions.len(), 1, "{r}");
    let r = srv
        .gql(
            Some(&admin),
            END,
            json!({ "i": { "clientMutationId": "s1", "id": sessions[0]["id"] } }),
        )
        .await;
    assert_eq!(ok(&r, "endSession")["ended"], true);
    let r = srv
        .gql(Some(&token), "{ me { username } }", json!({}))
        .await;
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");

    // Settings: versioned, validated as a whole, audited with before and after.
    let r = srv.gql(Some(&admin), SETTINGS, json!({})).await;
    let s = ok(&r, "unitSettings").clone();
    assert_eq!(s["modules"], json!(["registration", "rsd"]));
    let mut settings = s["settings"].clone();
    settings["access"]["min_password_length"] = json!(4);
    let r = srv
        .gql(
            Some(&admin),
            UPDATE_SETTINGS,
            json!({ "i": { "clientMutationId": "st1", "version": s["version"], "settings": settings } }),
        )
        .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    settings["access"]["min_password_length"] = json!(14);
    settings["rsd"]["appeal_warning_days"] = json!(10);
    let r = srv
        .gql(
            Some(&admin),
            UPDATE_SETTINGS,
            json!({ "i": { "clientMutationId": "st2", "version": s["version"], "settings": settings } }),
        )
        .await;
    let saved = ok(&r, "updateUnitSettings")["settings"].clone();
    assert_eq!(saved["settings"]["access"]["min_password_length"], 14);
    let detail: String =
        t.db.write_blocking(|c| {
            use amparo_api::store::schema::audit_events;
            use diesel::prelude::*;
            Ok::<_, amparo_api::error::Error>(
                audit_events::table
                    .filter(audit_events::action.eq("update_unit_settings"))
                    .select(audit_events::detail)
                    .first::<Option<String>>(c)?
                    .unwrap_or_default(),
            )
        })
        .expect("audit");
    assert!(
        detail.contains("\"before\"") && detail.contains("\"appeal_warning_days\":10"),
        "audited with before and after: {detail}"
    );

    // The access review: field groups and offices per user.
    let r = srv.gql(Some(&admin), REVIEW, json!({})).await;
    let lines = ok(&r, "accessReview").as_array().expect("lines").clone();
    let line = |name: &str| {
        lines
            .iter()
            .find(|l| l["user"]["username"] == name)
            .unwrap_or_else(|| panic!("{name}: {r}"))
            .clone()
    };
    assert_eq!(line("registrar.lag")["officeCodes"], json!(["LAG"]));
    assert!(
        line("protection")["fieldGroups"]
            .as_array()
            .expect("groups")
            .contains(&json!("medical"))
    );
    assert_eq!(
        line("supervisor")["officeCodes"].as_array().map(Vec::len),
        Some(3)
    );
    assert_eq!(line("admin")["readsPersons"], false);

    // Nothing of UNHCR's: its user is NOT_FOUND to every operation, its office is not ours.
    let unhcr_id: String = {
        t.db.write_blocking(|c| {
            Ok::<_, amparo_api::error::Error>(
                amparo_api::store::users::user_by_username(c, "unhcr.officer")?
                    .expect("unhcr.officer")
                    .id,
            )
        })
        .expect("unhcr id")
    };
    let unhcr_token = srv.login("unhcr.officer").await;
    for (q, vars, field) in [
        (
            UPDATE,
            json!({ "i": { "clientMutationId": "x1", "id": unhcr_id, "version": 1, "displayName": "x" } }),
            "updateUser",
        ),
        (
            DISABLE,
            json!({ "i": { "clientMutationId": "x2", "id": unhcr_id, "version": 1 } }),
            "disableUser",
        ),
        (
            ENABLE,
            json!({ "i": { "clientMutationId": "x3", "id": unhcr_id, "version": 1 } }),
            "enableUser",
        ),
        (
            RESET,
            json!({ "i": { "clientMutationId": "x4", "id": unhcr_id } }),
            "issueResetCode",
        ),
        (SESSIONS, json!({ "u": unhcr_id }), "userSessions"),
    ] {
        let r = srv.gql(Some(&admin), q, vars).await;
        assert_eq!(error_code(&r), Some("NOT_FOUND"), "{field}: {r}");
    }
    let unhcr_session: String = {
        let id = unhcr_id.clone();
        t.db.write_blocking(move |c| {
            use amparo_api::store::schema::sessions;
            use diesel::prelude::*;
            Ok::<_, amparo_api::error::Error>(
                sessions::table
                    .filter(sessions::user_id.eq(&id))
                    .select(sessions::id)
                    .first::<String>(c)?,
            )
        })
        .expect("session")
    };
    let r = srv
        .gql(
            Some(&admin),
            END,
            json!({ "i": { "clientMutationId": "x5", "id": unhcr_session } }),
        )
        .await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
    let r = srv
        .gql(Some(&unhcr_token), "{ me { username } }", json!({}))
        .await;
    assert_eq!(
        ok(&r, "me")["username"],
        "unhcr.officer",
        "UNHCR's session stands"
    );
    let unhcr_office: String =
        t.db.write_blocking(|c| {
            let u = amparo_api::store::users::unit_by_code(c, "UNHCR")?.expect("unit");
            Ok::<_, amparo_api::error::Error>(
                amparo_api::store::users::offices_of(c, &u.id)?[0]
                    .id
                    .clone(),
            )
        })
        .expect("office");
    let r = srv
        .gql(
            Some(&admin),
            CREATE,
            json!({ "i": { "clientMutationId": "x6", "username": "intruder", "displayName": "x", "roles": ["registration_clerk"], "officeId": unhcr_office, "scopeLevel": "office" } }),
        )
        .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    let r = srv
        .gql(
            Some(&admin),
            SAVE_OFFICE,
            json!({ "i": { "clientMutationId": "x7", "id": unhcr_office, "version": 1, "code": "UIO", "name": "x" } }),
        )
        .await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");

    // Every other role is refused, UNHCR's included, for every operation.
    for who in [
        "registrar",
        "officer",
        "supervisor",
        "protection",
        "analyst",
        "unhcr.officer",
    ] {
        let token = srv.login(who).await;
        let attempts = [
            (USERS, json!({})),
            (SESSIONS, json!({ "u": new_id })),
            (SETTINGS, json!({})),
            (REVIEW, json!({})),
            ("{ unitOffices { id } }", json!({})),
            (
                CREATE,
                json!({ "i": { "clientMutationId": format!("{who}1"), "username": format!("{who}.x"), "displayName": "x", "roles": ["registration_clerk"], "officeId": lag, "scopeLevel": "office" } }),
            ),
            (
                UPDATE,
                json!({ "i": { "clientMutationId": format!("{who}2"), "id": new_id, "version": 1, "displayName": "x" } }),
            ),
            (
                DISABLE,
                json!({ "i": { "clientMutationId": format!("{who}3"), "id": new_id, "version": 1 } }),
            ),
            (
                ENABLE,
                json!({ "i": { "clientMutationId": format!("{who}4"), "id": new_id, "version": 1 } }),
            ),
            (
                RESET,
                json!({ "i": { "clientMutationId": format!("{who}5"), "id": new_id } }),
            ),
            (
                END,
                json!({ "i": { "clientMutationId": format!("{who}6"), "id": "x" } }),
            ),
            (
                SAVE_OFFICE,
                json!({ "i": { "clientMutationId": format!("{who}7"), "code": "ZZZ", "name": "x" } }),
            ),
            (
                UPDATE_SETTINGS,
                json!({ "i": { "clientMutationId": format!("{who}8"), "version": 1, "settings": {} } }),
            ),
        ];
        for (q, vars) in attempts {
            let r = srv.gql(Some(&token), q, vars).await;
            assert_eq!(error_code(&r), Some("FORBIDDEN"), "{who}: {q}: {r}");
        }
    }
    let r = srv.gql(Some(&admin), USERS, json!({})).await;
    assert_eq!(
        ok(&r, "users")["totalCount"],
        11,
        "nothing was created: {r}"
    );
}

async fn escalation_is_refused(t: TestDb) {
    let w = world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let admin = srv.login("admin").await;
    let (admin_id, v) = user_id(&srv, &admin, "admin").await;

    // Their own roles, scope and status.
    let r = srv
        .gql(
            Some(&admin),
            UPDATE,
            json!({ "i": { "clientMutationId": "a1", "id": admin_id, "version": v, "roles": ["unit_admin", "supervisor"] } }),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = srv
        .gql(
            Some(&admin),
            DISABLE,
            json!({ "i": { "clientMutationId": "a2", "id": admin_id, "version": v } }),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");

    // A role the unit lacks: without RSD, no eligibility officers.
    exec(
        &t.db,
        "UPDATE operation_units SET modules = 'registration' WHERE code = 'DPIN'",
    );
    let r = srv
        .gql(
            Some(&admin),
            CREATE,
            json!({ "i": { "clientMutationId": "a3", "username": "officer.new", "displayName": "x", "roles": ["eligibility_officer"], "officeId": w.quito, "scopeLevel": "office" } }),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    assert!(r.to_string().contains("eligibility_officer"), "{r}");
    let (officer_id, ov) = user_id(&srv, &admin, "officer").await;
    let r = srv
        .gql(
            Some(&admin),
            UPDATE,
            json!({ "i": { "clientMutationId": "a4", "id": officer_id, "version": ov, "scopeLevel": "own" } }),
        )
        .await;
    assert_eq!(
        error_code(&r),
        Some("FORBIDDEN"),
        "a user keeps no role the unit lacks through another change: {r}"
    );

    // A scope wider than the admin's: an admin of the Quito office only.
    let (_, code) = create(
        &srv,
        &admin,
        "a5",
        "admin.uio",
        &["unit_admin"],
        &w.quito,
        "office",
    )
    .await;
    let r = set_password(&srv, "admin.uio", &code, NEW_PASSWORD).await;
    let office_admin = ok(&r, "setPasswordWithCode")["token"]
        .as_str()
        .expect("token")
        .to_string();
    let r = srv
        .gql(
            Some(&office_admin),
            CREATE,
            json!({ "i": { "clientMutationId": "b1", "username": "clerk.unit", "displayName": "x", "roles": ["registration_clerk"], "officeId": w.quito, "scopeLevel": "unit" } }),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = srv
        .gql(
            Some(&office_admin),
            CREATE,
            json!({ "i": { "clientMutationId": "b2", "username": "clerk.gye", "displayName": "x", "roles": ["registration_clerk"], "officeId": w.guayaquil, "scopeLevel": "office" } }),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "another office: {r}");
    // Guayaquil's users are out of their reach altogether.
    let r = srv.gql(Some(&office_admin), USERS, json!({})).await;
    assert!(
        !r.to_string().contains("registrar.gye"),
        "an office admin lists their office only: {r}"
    );
    let (gye_id, gv) = user_id(&srv, &admin, "registrar.gye").await;
    let r = srv
        .gql(
            Some(&office_admin),
            DISABLE,
            json!({ "i": { "clientMutationId": "b3", "id": gye_id, "version": gv } }),
        )
        .await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
    // Unit settings are for unit-wide admins.
    let r = srv
        .gql(
            Some(&office_admin),
            UPDATE_SETTINGS,
            json!({ "i": { "clientMutationId": "b4", "version": 1, "settings": {} } }),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    // Within their reach they work.
    create(
        &srv,
        &office_admin,
        "b5",
        "clerk.uio",
        &["registration_clerk"],
        &w.quito,
        "office",
    )
    .await;
}

async fn access_changes_reach_open_sessions_at_once(t: TestDb) {
    let w = world(&t.db);
    let config = AuthConfig {
        session_recheck: Duration::from_millis(300),
        ..AuthConfig::default()
    };
    let srv = start(&t.db, config).await;
    let admin = srv.login("admin").await;

    // A role change: the next request runs with the new roles, the live link closes.
    let (id, code) = create(
        &srv,
        &admin,
        "c1",
        "clerk.live",
        &["registration_clerk"],
        &w.quito,
        "office",
    )
    .await;
    let r = set_password(&srv, "clerk.live", &code, NEW_PASSWORD).await;
    let token = ok(&r, "setPasswordWithCode")["token"]
        .as_str()
        .expect("token")
        .to_string();
    let mut ws = subscribe(&srv, &token).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, v) = user_id(&srv, &admin, "clerk.live").await;
    let r = srv
        .gql(
            Some(&admin),
            UPDATE,
            json!({ "i": { "clientMutationId": "c2", "id": id, "version": v, "roles": ["analyst"], "scopeLevel": "unit", "officeId": w.quito } }),
        )
        .await;
    let v = ok(&r, "updateUser")["user"]["version"].clone();
    let r = srv
        .gql(
            Some(&token),
            "{ individuals(first: 1) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        error_code(&r),
        Some("FORBIDDEN"),
        "the next request has the new roles: {r}"
    );
    let told = next(&mut ws, unauthenticated, Duration::from_secs(5)).await;
    assert!(
        told.is_some_and(|v| v.to_string().contains("changed")),
        "the live link closes on a change of roles"
    );

    // Disabling: the open session and a live link end at once.
    let r = srv
        .gql(
            Some(&admin),
            UPDATE,
            json!({ "i": { "clientMutationId": "c3", "id": id, "version": v, "roles": ["registration_clerk"], "scopeLevel": "office" } }),
        )
        .await;
    let v = ok(&r, "updateUser")["user"]["version"].clone();
    let token = srv.login_with("clerk.live", NEW_PASSWORD).await;
    let mut ws = subscribe(&srv, &token).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let r = srv
        .gql(
            Some(&admin),
            DISABLE,
            json!({ "i": { "clientMutationId": "c4", "id": id, "version": v } }),
        )
        .await;
    ok(&r, "disableUser");
    let r = srv
        .gql(Some(&token), "{ me { username } }", json!({}))
        .await;
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
    let told = next(&mut ws, unauthenticated, Duration::from_secs(5)).await;
    assert!(
        told.is_some_and(|v| v.to_string().contains("disabled")),
        "a disabled user's live link ends"
    );
    let r = srv
        .gql(
            None,
            "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }",
            json!({ "u": "clerk.live", "p": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
}

async fn codes_work_once_and_expire(t: TestDb) {
    let w = world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let admin = srv.login("admin").await;
    let (id, code) = create(
        &srv,
        &admin,
        "r1",
        "clerk.code",
        &["registration_clerk"],
        &w.quito,
        "office",
    )
    .await;
    let r = set_password(&srv, "clerk.code", &code, NEW_PASSWORD).await;
    ok(&r, "setPasswordWithCode");
    // Once.
    let r = set_password(&srv, "clerk.code", &code, "otra clave bastante larga").await;
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
    srv.login_with("clerk.code", NEW_PASSWORD).await;

    // A reset code replaces the password; an earlier reset code stops working.
    let reset = |cmid: &'static str| {
        let (srv, admin, id) = (&srv, admin.clone(), id.clone());
        async move {
            let r = srv
                .gql(
                    Some(&admin),
                    RESET,
                    json!({ "i": { "clientMutationId": cmid, "id": id } }),
                )
                .await;
            ok(&r, "issueResetCode")["oneTimeCode"]
                .as_str()
                .expect("code")
                .to_string()
        }
    };
    let first = reset("r2").await;
    let second = reset("r3").await;
    let r = set_password(&srv, "clerk.code", &first, "una clave nueva y larga").await;
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "superseded: {r}");
    let r = set_password(&srv, "clerk.code", &second, "una clave nueva y larga").await;
    ok(&r, "setPasswordWithCode");
    srv.login_with("clerk.code", "una clave nueva y larga")
        .await;

    // Expiry.
    let third = reset("r4").await;
    exec(
        &t.db,
        "UPDATE one_time_codes SET expires_at = created_at WHERE used_at IS NULL",
    );
    let r = set_password(&srv, "clerk.code", &third, "todavia otra clave").await;
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "expired: {r}");

    // A forced password change: the old password alone no longer opens a session.
    let (_, v) = user_id(&srv, &admin, "clerk.code").await;
    let r = srv
        .gql(
            Some(&admin),
            UPDATE,
            json!({ "i": { "clientMutationId": "r5", "id": id, "version": v, "forcePasswordChange": true } }),
        )
        .await;
    assert_eq!(ok(&r, "updateUser")["user"]["mustChangePassword"], true);
    let login = "mutation($u: String!, $p: String!, $n: String) { login(input: {username: $u, password: $p, newPassword: $n}) { token } }";
    let r = srv
        .gql(
            None,
            login,
            json!({ "u": "clerk.code", "p": "una clave nueva y larga" }),
        )
        .await;
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
    assert_eq!(
        r["errors"][0]["extensions"]["reason"], "PASSWORD_CHANGE_REQUIRED",
        "{r}"
    );
    let r = srv
        .gql(
            None,
            login,
            json!({ "u": "clerk.code", "p": "una clave nueva y larga", "n": "la clave del cambio forzado" }),
        )
        .await;
    ok(&r, "login");
    srv.login_with("clerk.code", "la clave del cambio forzado")
        .await;
}

const HISTORY: &str = "query($first: Int, $after: String) { unitSettingsHistory(first: $first, after: $after) { edges { cursor node { at username kind officeId before after } } pageInfo { hasNextPage endCursor } } }";

/// Office time zones are names of the IANA database, refused with a coded reason otherwise;
/// every change of settings and offices is in a history with who, when, before and after,
/// scoped to the unit, its read audited.
async fn settings_history_and_real_time_zones(t: TestDb) {
    let w = world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let admin = srv.login("admin").await;

    // A zone that only looks like one changes nothing: VALIDATION, UNKNOWN_CODE time_zone.
    for (i, bad) in ["America/Quitto", "Europe/Atlantis", "america/guayaquil"]
        .into_iter()
        .enumerate()
    {
        let r = srv
            .gql(
                Some(&admin),
                SAVE_OFFICE,
                json!({ "i": { "clientMutationId": format!("tz{i}"), "code": "LAG", "name": "Lago Agrio", "timeZone": bad } }),
            )
            .await;
        assert_eq!(error_code(&r), Some("VALIDATION"), "{bad}: {r}");
        let ext = &r["errors"][0]["extensions"];
        assert_eq!(ext["reason"], "UNKNOWN_CODE", "{r}");
        assert_eq!(ext["params"]["vocabulary"], "time_zone", "{r}");
        assert_eq!(ext["params"]["value"], bad, "{r}");
        assert_eq!(ext["field"], "input.timeZone", "{r}");
    }
    let r = srv
        .gql(Some(&admin), "{ unitOffices { code } }", json!({}))
        .await;
    assert_eq!(
        ok(&r, "unitOffices").as_array().map(Vec::len),
        Some(2),
        "no office was made: {r}"
    );
    let r = srv.gql(Some(&admin), HISTORY, json!({})).await;
    assert_eq!(ok(&r, "unitSettingsHistory")["edges"], json!([]), "{r}");

    // Three changes: an office made, its zone changed, the password policy raised.
    let r = srv
        .gql(
            Some(&admin),
            SAVE_OFFICE,
            json!({ "i": { "clientMutationId": "h1", "code": "LAG", "name": "Lago Agrio", "timeZone": "America/Guayaquil" } }),
        )
        .await;
    let office = ok(&r, "saveOffice")["office"].clone();
    let lag = office["id"].as_str().expect("id").to_string();
    let r = srv
        .gql(
            Some(&admin),
            SAVE_OFFICE,
            json!({ "i": { "clientMutationId": "h2", "id": lag, "version": office["version"], "code": "LAG", "name": "Lago Agrio", "timeZone": "Pacific/Galapagos" } }),
        )
        .await;
    assert_eq!(
        ok(&r, "saveOffice")["office"]["timeZone"],
        "Pacific/Galapagos"
    );
    let r = srv.gql(Some(&admin), SETTINGS, json!({})).await;
    let current = ok(&r, "unitSettings").clone();
    let mut settings = current["settings"].clone();
    settings["access"]["min_password_length"] = json!(14);
    let r = srv
        .gql(
            Some(&admin),
            UPDATE_SETTINGS,
            json!({ "i": { "clientMutationId": "h3", "version": current["version"], "settings": settings } }),
        )
        .await;
    ok(&r, "updateUnitSettings");

    // Newest first, two to a page, then the rest from the cursor.
    let r = srv.gql(Some(&admin), HISTORY, json!({ "first": 2 })).await;
    let page = ok(&r, "unitSettingsHistory").clone();
    let edges = page["edges"].as_array().expect("edges");
    assert_eq!(edges.len(), 2, "{r}");
    assert_eq!(page["pageInfo"]["hasNextPage"], true, "{r}");
    let first = &edges[0]["node"];
    assert_eq!(first["kind"], "UNIT_SETTINGS", "{r}");
    assert_eq!(first["username"], "admin");
    assert!(first["officeId"].is_null());
    assert_eq!(first["before"]["access"]["min_password_length"], 12, "{r}");
    assert_eq!(first["after"]["access"]["min_password_length"], 14, "{r}");
    let at = first["at"]
        .as_str()
        .and_then(|a| chrono::DateTime::parse_from_rfc3339(a).ok());
    assert!(
        at.is_some_and(|a| (chrono::Utc::now() - a.to_utc()).num_minutes().abs() < 60),
        "saved just now, as RFC 3339: {r}"
    );
    let second = &edges[1]["node"];
    assert_eq!(second["kind"], "OFFICE_CHANGED", "{r}");
    assert_eq!(second["officeId"], lag.as_str());
    assert_eq!(second["before"]["timeZone"], "America/Guayaquil", "{r}");
    assert_eq!(second["after"]["timeZone"], "Pacific/Galapagos", "{r}");
    let r = srv
        .gql(
            Some(&admin),
            HISTORY,
            json!({ "first": 2, "after": page["pageInfo"]["endCursor"] }),
        )
        .await;
    let rest = ok(&r, "unitSettingsHistory").clone();
    assert_eq!(rest["pageInfo"]["hasNextPage"], false, "{r}");
    let created = &rest["edges"][0]["node"];
    assert_eq!(created["kind"], "OFFICE_CREATED", "{r}");
    assert!(created["before"].is_null(), "{r}");
    assert_eq!(created["after"]["code"], "LAG", "{r}");
    let r = srv
        .gql(Some(&admin), HISTORY, json!({ "after": "not a cursor" }))
        .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");

    // The read is audited in DPIN.
    let events =
        t.db.read({
            let dpin = w.dpin.clone();
            move |c| amparo_api::store::audit::trail(c, &dpin, &dpin, 50)
        })
        .await
        .expect("trail");
    assert!(
        events
            .iter()
            .any(|e| e.action == "read" && e.record_type.as_deref() == Some("settings_history")),
        "{events:?}"
    );

    // UNHCR's admin sees none of DPIN's changes; every other role is refused.
    let hash = amparo_api::auth::password::hash(amparo_tests::PASSWORD).expect("hash");
    t.db.write_blocking(|c| {
        amparo_api::store::users::create_user(
            c,
            amparo_api::store::users::NewUser {
                unit_id: &w.unhcr,
                office_id: None,
                username: "unhcr.admin",
                display_name: "unhcr.admin",
                password_hash: Some(&hash),
                roles: "unit_admin",
                scope_level: "unit",
            },
        )
    })
    .expect("UNHCR's admin");
    let unhcr = srv.login("unhcr.admin").await;
    let r = srv.gql(Some(&unhcr), HISTORY, json!({})).await;
    assert_eq!(ok(&r, "unitSettingsHistory")["edges"], json!([]), "{r}");
    for who in [
        "registrar",
        "officer",
        "supervisor",
        "protection",
        "analyst",
        "unhcr.officer",
    ] {
        let token = srv.login(who).await;
        let r = srv.gql(Some(&token), HISTORY, json!({})).await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{who}: {r}");
    }
}

both_backends!(
    admin_manages_only_their_unit,
    escalation_is_refused,
    access_changes_reach_open_sessions_at_once,
    codes_work_once_and_expire,
    settings_history_and_real_time_zones,
);
