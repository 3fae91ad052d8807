//! Operation units are hard tenants, and roles narrow further. This matrix proves that a user
//! of one unit can neither read, search, count, list nor change another unit's records by any
//! query or mutation, and that refused attempts are audited.

use amparo_api::auth::AuthConfig;
use amparo_tests::{TestDb, both_backends, error_code, start, world};
use serde_json::json;

use super::support::{count_rows, family, register};

async fn other_units_records_are_invisible_and_untouchable(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    let reg = register(&srv, &clerk, family("iso-1", "Pérez")).await;
    let person = reg["members"][0]["id"].clone();
    let son = reg["members"][1]["id"].clone();
    let group = reg["group"]["id"].clone();
    let number = reg["members"][0]["individualNumber"].clone();
    let need = srv
        .gql(
            Some(&clerk),
            "query($id: ID!) { individual(id: $id) { specificNeeds { id } } }",
            json!({ "id": person }),
        )
        .await["data"]["individual"]["specificNeeds"][0]["id"]
        .clone();

    let other = srv.login("unhcr.officer").await;
    // The UNHCR user has its own data, so empty answers are not just an empty database.
    let mut theirs = family("iso-unhcr", "Quispe");
    theirs["members"][0]["person"]["givenNames"] = json!("Rosa");
    theirs["members"][0]["person"]["documents"][0]["number"] = json!("U-0001");
    register(&srv, &other, theirs).await;
    let audit_before = count_rows(&t.db, "audit_events WHERE outcome = 'denied'");
    let reads = [
        (
            "query($id: ID!) { individual(id: $id) { id } }",
            json!({ "id": person }),
        ),
        (
            "query($id: ID!) { registrationGroup(id: $id) { id } }",
            json!({ "id": group }),
        ),
    ];
    for (q, v) in reads {
        let r = srv.gql(Some(&other), q, v).await;
        assert_eq!(error_code(&r), Some("NOT_FOUND"), "{q}: {r}");
    }
    for search in [
        "perez",
        "maria jose perez",
        number.as_str().unwrap_or_default(),
        "V-18.555.321",
    ] {
        let r = srv.gql(Some(&other), "query($q: String!) { individuals(search: $q) { totalCount edges { node { id } } } }", json!({ "q": search })).await;
        assert_eq!(r["data"]["individuals"]["totalCount"], 0, "{search}: {r}");
    }
    let lists = srv.gql(Some(&other), "{ individuals(first: 100) { totalCount edges { node { familyName } } } registrationGroups(first: 100) { totalCount } }", json!({})).await;
    assert_eq!(
        lists["data"]["individuals"]["totalCount"], 3,
        "only UNHCR's own family: {lists}"
    );
    assert!(
        lists["data"]["individuals"]["edges"]
            .as_array()
            .is_some_and(|e| e.iter().all(|n| n["node"]["familyName"] == "Quispe"))
    );
    assert_eq!(lists["data"]["registrationGroups"]["totalCount"], 1);
    // Statistics and data quality count UNHCR's own family only, and list none of DPIN's.
    let figures = srv
        .gql(Some(&other), "{ statistics { population(rows: NATIONALITY) { row count } } dataQuality { rule count records { id } } }", json!({}))
        .await;
    assert_eq!(
        figures["data"]["statistics"]["population"],
        json!([{ "row": "VEN", "count": 3 }]),
        "{figures}"
    );
    assert!(
        figures["data"]["dataQuality"]
            .as_array()
            .is_some_and(|rules| rules.iter().all(|r| r["records"]
                .as_array()
                .is_some_and(|v| v.iter().all(|x| x["id"] != person && x["id"] != son)))),
        "{figures}"
    );
    // UNHCR runs no RSD: case lists are refused for the module before any scope is applied.
    let cases = srv
        .gql(Some(&other), "{ cases { totalCount } }", json!({}))
        .await;
    assert_eq!(error_code(&cases), Some("FORBIDDEN"), "{cases}");
    assert_eq!(
        cases["errors"][0]["extensions"]["reason"],
        "MODULE_NOT_ENABLED"
    );
    let writes = [
        (
            "mutation($i: UpdateIndividualInput!) { updateIndividual(input: $i) { clientMutationId } }",
            json!({ "i": { "clientMutationId": "x1", "id": person, "version": 1, "givenNames": "Hacked" } }),
        ),
        (
            "mutation($i: AddSpecificNeedInput!) { addSpecificNeed(input: $i) { clientMutationId } }",
            json!({ "i": { "clientMutationId": "x2", "individualId": person, "code": "WR" } }),
        ),
        (
            "mutation($i: ReviewSpecificNeedInput!) { reviewSpecificNeed(input: $i) { clientMutationId } }",
            json!({ "i": { "clientMutationId": "x3", "id": need, "version": 1, "status": "RESOLVED" } }),
        ),
        (
            "mutation($i: AddDocumentInput!) { addDocument(input: $i) { clientMutationId } }",
            json!({ "i": { "clientMutationId": "x4", "individualId": person, "document": { "documentType": "passport", "number": "P9" } } }),
        ),
        (
            "mutation($i: SplitGroupInput!) { splitGroup(input: $i) { clientMutationId } }",
            json!({ "i": { "clientMutationId": "x5", "groupId": group, "version": 1, "members": [{ "individualId": son, "relationship": "focal_point" }] } }),
        ),
        (
            "mutation($i: MergeGroupsInput!) { mergeGroups(input: $i) { clientMutationId } }",
            json!({ "i": { "clientMutationId": "x6", "targetGroupId": group, "targetVersion": 1, "sourceGroupId": group, "sourceVersion": 1, "members": [] } }),
        ),
    ];
    for (q, v) in writes {
        let r = srv.gql(Some(&other), q, v).await;
        let code = error_code(&r);
        assert!(
            matches!(
                code,
                Some("NOT_FOUND") | Some("VALIDATION") | Some("FORBIDDEN")
            ),
            "{q}: {r}"
        );
    }
    let trail = srv
        .gql(
            Some(&other),
            "query($id: ID!) { auditTrail(recordId: $id) { action username outcome } }",
            json!({ "id": person }),
        )
        .await;
    // The other unit's trail shows only its own user's refused attempts, nothing of DPIN's work.
    let events = trail["data"]["auditTrail"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!events.is_empty(), "{trail}");
    assert!(
        events
            .iter()
            .all(|e| e["username"] == "unhcr.officer" && e["outcome"] == "denied"),
        "{trail}"
    );
    // Nothing changed, and every refusal left a trace.
    let check = srv.gql(Some(&clerk), "query($id: ID!) { individual(id: $id) { givenNames version documents { number } specificNeeds { status } } }", json!({ "id": person })).await;
    assert_eq!(check["data"]["individual"]["givenNames"], "María José");
    assert_eq!(check["data"]["individual"]["version"], 1);
    assert_eq!(
        check["data"]["individual"]["documents"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        check["data"]["individual"]["specificNeeds"][0]["status"],
        "PENDING_REVIEW"
    );
    assert_eq!(
        count_rows(&t.db, "registration_groups WHERE status = 'active'"),
        2
    );
    assert!(count_rows(&t.db, "audit_events WHERE outcome = 'denied'") >= audit_before + 5);
}

async fn offices_and_roles_narrow_the_view(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let quito = srv.login("registrar").await;
    let reg = register(&srv, &quito, family("off-1", "Pérez")).await;
    let person = reg["members"][0]["id"].clone();
    let gye = srv.login("registrar.gye").await;
    let r = srv
        .gql(
            Some(&gye),
            "query($id: ID!) { individual(id: $id) { id } }",
            json!({ "id": person }),
        )
        .await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "office scope: {r}");
    let count = srv
        .gql(Some(&gye), "{ individuals { totalCount } }", json!({}))
        .await;
    assert_eq!(count["data"]["individuals"]["totalCount"], 0);
    let supervisor = srv.login("supervisor").await;
    let r = srv
        .gql(
            Some(&supervisor),
            "query($id: ID!) { individual(id: $id) { id } }",
            json!({ "id": person }),
        )
        .await;
    assert_eq!(r["data"]["individual"]["id"], person, "unit scope: {r}");
    // Caseload scope: an officer who sees only own cases sees no one without cases.
    let own = srv.login("officer.own").await;
    let r = srv
        .gql(Some(&own), "{ individuals { totalCount } }", json!({}))
        .await;
    assert_eq!(r["data"]["individuals"]["totalCount"], 0, "{r}");
    for role_user in ["analyst", "admin"] {
        let token = srv.login(role_user).await;
        let r = srv
            .gql(
                Some(&token),
                "query($id: ID!) { individual(id: $id) { id } }",
                json!({ "id": person }),
            )
            .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{role_user}: {r}");
        let r = srv
            .gql(Some(&token), "{ individuals { totalCount } }", json!({}))
            .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{role_user}: {r}");
    }
    let analyst = srv.login("analyst").await;
    let r = srv
        .gql(
            Some(&analyst),
            super::support::REGISTER,
            json!({ "input": family("an-1", "X") }),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"));
    // Ethnicity and religion: officers may read them, clerks may not.
    let officer = srv.login("officer").await;
    let upd = srv
        .gql(Some(&officer), "mutation($i: UpdateIndividualInput!) { updateIndividual(input: $i) { individual { religion } } }", json!({ "i": { "clientMutationId": "rel-1", "id": person, "version": 1, "religion": "Catholic" } }))
        .await;
    assert_eq!(
        upd["data"]["updateIndividual"]["individual"]["religion"], "Catholic",
        "{upd}"
    );
    let as_clerk = srv
        .gql(
            Some(&quito),
            "query($id: ID!) { individual(id: $id) { religion restrictedFields } }",
            json!({ "id": person }),
        )
        .await;
    assert!(
        as_clerk["data"]["individual"]["religion"].is_null(),
        "{as_clerk}"
    );
    let clerk_edit = srv
        .gql(Some(&quito), "mutation($i: UpdateIndividualInput!) { updateIndividual(input: $i) { clientMutationId } }", json!({ "i": { "clientMutationId": "rel-2", "id": person, "version": 2, "religion": "None" } }))
        .await;
    assert_eq!(error_code(&clerk_edit), Some("FORBIDDEN"), "{clerk_edit}");
}

/// A refused attempt from another unit is also shown to the record's own supervisors, in the
/// record's audit trail, naming the other unit but not its user; the caller learns nothing
/// from it: a real record of another unit is answered exactly like an id that names nothing.
async fn the_records_unit_sees_refused_outside_attempts(t: TestDb) {
    let w = world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    let reg = register(&srv, &clerk, family("out-1", "Pérez")).await;
    let person = reg["members"][0]["id"].clone();
    let nobody = json!("01a24be0-0000-7000-8000-000000000000");
    let other = srv.login("unhcr.officer").await;
    let read = "query($id: ID!) { individual(id: $id) { id } }";
    let update =
        "mutation($i: UpdateIndividualInput!) { updateIndividual(input: $i) { clientMutationId } }";
    let strip = |mut r: serde_json::Value| {
        // The request id differs between any two answers; nothing else may.
        if let Some(e) = r["errors"][0].as_object_mut() {
            e.remove("locations");
        }
        r
    };
    let real = srv.gql(Some(&other), read, json!({ "id": person })).await;
    let none = srv.gql(Some(&other), read, json!({ "id": nobody })).await;
    assert_eq!(error_code(&real), Some("NOT_FOUND"), "{real}");
    assert_eq!(strip(real), strip(none), "no oracle");
    let real = srv
        .gql(Some(&other), update, json!({ "i": { "clientMutationId": "o-1", "id": person, "version": 1, "givenNames": "X" } }))
        .await;
    let none = srv
        .gql(Some(&other), update, json!({ "i": { "clientMutationId": "o-2", "id": nobody, "version": 1, "givenNames": "X" } }))
        .await;
    assert!(error_code(&real).is_some(), "{real}");
    assert_eq!(strip(real), strip(none), "no oracle");

    let supervisor = srv.login("supervisor").await;
    let trail = srv
        .gql(
            Some(&supervisor),
            "query($id: ID!) { auditTrail(recordId: $id) { at action username outcome detail recordId } }",
            json!({ "id": person }),
        )
        .await;
    let events = trail["data"]["auditTrail"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let told: Vec<_> = events
        .iter()
        .filter(|e| e["action"] == "refused_outside_access")
        .collect();
    assert_eq!(
        told.len(),
        2,
        "one per attempt (a read and an update): {trail}"
    );
    let unhcr_unit = w.unhcr.clone();
    for e in told {
        assert_eq!(e["outcome"], "denied");
        assert_eq!(e["recordId"], person);
        assert!(e["at"].is_string());
        assert!(e["username"].is_null(), "no identity of the user: {e}");
        let detail = e["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(&unhcr_unit), "names the unit: {detail}");
        assert!(!detail.contains("unhcr.officer"), "{detail}");
    }
    // The caller's own unit keeps its record of the attempt; an id that names no record tells
    // no unit anything.
    assert_eq!(
        count_rows(
            &t.db,
            &format!(
                "audit_events WHERE action = 'refused_outside_access' AND record_id = '{}'",
                nobody.as_str().unwrap_or_default()
            )
        ),
        0
    );
}

/// Assistance: DPIN (no assistance module) is refused every assistance query and mutation;
/// given the module, it still reaches none of UNHCR's programmes, lists, distributions or
/// households; and UNHCR's assistance staff reach none of DPIN's.
async fn assistance_of_one_unit_is_invisible_to_the_other(t: TestDb) {
    use super::assistance::{assistance_officer, create_list, create_programme, record};
    let w = world(&t.db);
    let unhcr = assistance_officer(&t.db, &w.unhcr, "unhcr.assistance");
    let srv = start(&t.db, AuthConfig::default()).await;
    let (clerk, staff) = (srv.login("unhcr.officer").await, srv.login(&unhcr).await);
    let g = register(&srv, &clerk, family("iso-a1", "Vera")).await;
    let p = create_programme(
        &srv,
        &staff,
        "p",
        "Efectivo",
        r#"{"household_size": {"min": 1}}"#,
    )
    .await;
    let programme = p["data"]["createAssistanceProgramme"]["programme"]["id"].clone();
    let l = create_list(
        &srv,
        &staff,
        "l",
        &programme,
        "Quito",
        vec![g["group"]["id"].clone()],
    )
    .await;
    let list = l["data"]["createDistributionList"]["distributionList"]["id"].clone();
    let assessment = l["data"]["createDistributionList"]["planned"][0]["assessmentId"].clone();

    let dpin = srv.login("supervisor").await;
    let reads = [
        (
            "query($id: ID!) { assistanceProgramme(id: $id) { id } }",
            json!({ "id": programme }),
        ),
        (
            "query($id: ID!) { distributionList(id: $id) { id } }",
            json!({ "id": list }),
        ),
        (
            "query($id: ID!) { eligibilityAssessment(id: $id) { id } }",
            json!({ "id": assessment }),
        ),
        (
            "query($id: ID!) { assistanceReconciliation(programmeId: $id, cycle: 1) { site } }",
            json!({ "id": programme }),
        ),
    ];
    for (q, v) in &reads {
        let r = srv.gql(Some(&dpin), q, v.clone()).await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "no module: {q} {r}");
    }
    // With the module, DPIN is its own tenant: nothing of UNHCR's is found or listed.
    super::support::exec(
        &t.db,
        "UPDATE operation_units SET modules = 'registration,rsd,assistance' WHERE code = 'DPIN'",
    );
    let dpin = srv.login("supervisor").await;
    for (q, v) in &reads {
        let r = srv.gql(Some(&dpin), q, v.clone()).await;
        assert_eq!(error_code(&r), Some("NOT_FOUND"), "{q} {r}");
    }
    let lists = srv.gql(Some(&dpin), "{ assistanceProgrammes { id } distributionLists { id } distributions { nodes { id } } }", json!({})).await;
    assert_eq!(lists["data"]["assistanceProgrammes"], json!([]), "{lists}");
    assert_eq!(lists["data"]["distributionLists"], json!([]), "{lists}");
    assert_eq!(
        lists["data"]["distributions"]["nodes"],
        json!([]),
        "{lists}"
    );
    let before = count_rows(&t.db, "eligibility_assessments");
    let writes = [
        (
            "mutation($i: AssessEligibilityInput!) { assessEligibility(input: $i) { clientMutationId } }",
            json!({ "i": { "clientMutationId": "x1", "programmeId": programme, "groupId": g["group"]["id"] } }),
        ),
        (
            "mutation($i: AddToDistributionListInput!) { addToDistributionList(input: $i) { clientMutationId } }",
            json!({ "i": { "clientMutationId": "x2", "listId": list, "version": 1, "groupIds": [] } }),
        ),
        (
            "mutation($i: UpdateAssistanceProgrammeInput!) { updateAssistanceProgramme(input: $i) { clientMutationId } }",
            json!({ "i": { "clientMutationId": "x3", "id": programme, "version": 1, "name": "x", "kind": "CASH", "amount": 1.0, "amountUnit": "USD", "cycles": 1, "eligibility": "{\"household_size\": {\"min\": 1}}", "active": true } }),
        ),
    ];
    for (q, v) in writes {
        let r = srv.gql(Some(&dpin), q, v).await;
        assert_eq!(error_code(&r), Some("NOT_FOUND"), "{q}: {r}");
    }
    let (q, v) = record(
        &list,
        &g["group"]["id"],
        &g["members"][0]["id"],
        "V-18.555.321",
        "x4",
    );
    let r = srv.gql(Some(&dpin), &q, v).await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
    assert_eq!(count_rows(&t.db, "eligibility_assessments"), before);
    assert_eq!(count_rows(&t.db, "distributions"), 0);

    // The reverse: DPIN's own programme and household are nothing to UNHCR.
    let registrar = srv.login("registrar").await;
    let theirs = register(&srv, &registrar, family("iso-a2", "Mora")).await;
    let dp = create_programme(
        &srv,
        &dpin,
        "dp",
        "Bono DPIN",
        r#"{"household_size": {"min": 1}}"#,
    )
    .await;
    let dp_id = dp["data"]["createAssistanceProgramme"]["programme"]["id"].clone();
    assert!(dp_id.is_string(), "{dp}");
    let r = srv
        .gql(
            Some(&staff),
            "query($id: ID!) { assistanceProgramme(id: $id) { id } }",
            json!({ "id": dp_id }),
        )
        .await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
    let r = srv.gql(Some(&staff), "mutation($i: AssessEligibilityInput!) { assessEligibility(input: $i) { clientMutationId } }", json!({ "i": { "clientMutationId": "y1", "programmeId": programme, "groupId": theirs["group"]["id"] } })).await;
    assert_eq!(
        error_code(&r),
        Some("VALIDATION"),
        "DPIN's household is no one to UNHCR: {r}"
    );
    let mine = srv
        .gql(Some(&staff), "{ assistanceProgrammes { id } }", json!({}))
        .await;
    assert_eq!(
        mine["data"]["assistanceProgrammes"],
        json!([{ "id": programme }]),
        "{mine}"
    );
}

/// An export is its requester's alone: a user of another unit neither sees its job nor
/// downloads its file, and an export asked for by another unit's user holds none of this
/// unit's records.
async fn other_units_exports_are_invisible(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    register(&srv, &clerk, family("iso-x", "Pérez")).await;
    let key = super::exports::Key::new();
    let r = super::exports::request(&srv, &clerk, "iso-x1", "INDIVIDUALS", None, &key).await;
    let id = r["data"]["requestExport"]["job"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let job = super::exports::finished(&srv, &clerk, &id).await;
    let path = job["downloadPath"].as_str().unwrap_or_default().to_string();
    let other = srv.login("unhcr.officer").await;
    let r = srv
        .gql(
            Some(&other),
            "query($id: ID!) { exportJob(id: $id) { id } exportJobs { id } }",
            json!({ "id": id }),
        )
        .await;
    assert!(r["data"]["exportJob"].is_null(), "{r}");
    assert_eq!(r["data"]["exportJobs"], json!([]), "{r}");
    let (status, _, _) = super::exports::get(&srv, &other, &path, &[]).await;
    assert_eq!(status, 404);
    // UNHCR's own export of individuals has none of DPIN's people.
    let r = super::exports::request(&srv, &other, "iso-x2", "INDIVIDUALS", None, &key).await;
    let theirs = r["data"]["requestExport"]["job"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let job = super::exports::finished(&srv, &other, &theirs).await;
    assert_eq!(job["rowsTotal"], 0, "{job}");
    // UNHCR runs no RSD: an export of cases is refused for the module.
    let r = super::exports::request(&srv, &other, "iso-x3", "CASES", None, &key).await;
    assert_eq!(
        r["errors"][0]["extensions"]["reason"], "MODULE_NOT_ENABLED",
        "{r}"
    );
}

/// Field nodes and sync conflicts are a unit's own: another unit's admin neither lists nor
/// revokes its nodes, and sees none of its conflicts.
async fn other_units_nodes_and_conflicts_are_out_of_reach(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let admin = srv.login("admin").await;
    let r = srv
        .gql(
            Some(&admin),
            "mutation($i: RegisterNodeInput!) { registerNode(input: $i) { node { id } } }",
            json!({ "i": { "clientMutationId": "iso-node", "officeCode": "UIO", "name": "Quito" } }),
        )
        .await;
    let node = r["data"]["registerNode"]["node"]["id"].clone();
    assert!(node.is_string(), "{r}");
    let other = srv.login("unhcr.officer").await;
    let nodes = srv
        .gql(Some(&other), "{ fieldNodes { id } }", json!({}))
        .await;
    assert_eq!(error_code(&nodes), Some("FORBIDDEN"), "{nodes}");
    let conflicts = srv
        .gql(Some(&other), "{ syncConflicts { id } }", json!({}))
        .await;
    assert_eq!(conflicts["data"]["syncConflicts"], json!([]), "{conflicts}");
    let revoke = srv
        .gql(
            Some(&other),
            "mutation($i: RevokeNodeInput!) { revokeNode(input: $i) { node { id } } }",
            json!({ "i": { "clientMutationId": "iso-rv", "id": node, "version": 1 } }),
        )
        .await;
    assert!(
        matches!(error_code(&revoke), Some("FORBIDDEN") | Some("NOT_FOUND")),
        "{revoke}"
    );
    let mine = srv
        .gql(Some(&admin), "{ fieldNodes { revokedAt } }", json!({}))
        .await;
    assert!(
        mine["data"]["fieldNodes"][0]["revokedAt"].is_null(),
        "{mine}"
    );
}

both_backends!(
    other_units_exports_are_invisible,
    other_units_nodes_and_conflicts_are_out_of_reach,
    other_units_records_are_invisible_and_untouchable,
    offices_and_roles_narrow_the_view,
    the_records_unit_sees_refused_outside_attempts,
    assistance_of_one_unit_is_invisible_to_the_other,
);
