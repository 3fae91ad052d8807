//! Registering families, editing them, and the rules that keep data whole: idempotency,
//! versions, validation, specific needs, documents, splits and merges.

use amparo_api::auth::AuthConfig;
use amparo_tests::{TestDb, both_backends, error_code, start, world};
use serde_json::json;

use super::support::{REGISTER, count_rows, family, register};

async fn register_family_once_even_when_replayed(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    let first = register(&srv, &token, family("fam-1", "Pérez")).await;
    assert_eq!(first["saved"], true);
    let group = first["group"]["id"].as_str().expect("group id").to_string();
    assert_eq!(first["members"].as_array().map(Vec::len), Some(3));
    assert!(
        first["members"][0]["individualNumber"]
            .as_str()
            .unwrap_or_default()
            .starts_with("DPIN-I-")
    );
    assert_eq!(first["group"]["members"][0]["relationship"], "focal_point");
    let individuals = count_rows(&t.db, "individuals");
    let replay = register(&srv, &token, family("fam-1", "Pérez")).await;
    assert_eq!(
        replay["group"]["id"],
        json!(group),
        "a replay returns the original payload"
    );
    assert_eq!(
        count_rows(&t.db, "individuals"),
        individuals,
        "nothing happens twice"
    );
    assert_eq!(count_rows(&t.db, "registration_groups"), 1);
    // The same id for another mutation is refused rather than silently reused.
    let other = srv
        .gql(Some(&token), "mutation($i: AddDocumentInput!) { addDocument(input: $i) { documentId } }", json!({ "i": {
            "clientMutationId": "fam-1", "individualId": first["members"][0]["id"], "document": { "documentType": "passport", "number": "X1" } } }))
        .await;
    assert_eq!(error_code(&other), Some("VALIDATION"), "{other}");
}

async fn duplicates_are_shown_before_saving(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    register(&srv, &token, family("fam-a", "Pérez")).await;
    let before = count_rows(&t.db, "individuals");
    // The same mother, typed without accents, comes again with another family.
    let mut again = family("fam-b", "Perez");
    again["members"][0]["person"]["secondFamilyName"] = json!("Nunez");
    let shown = register(&srv, &token, again.clone()).await;
    assert_eq!(shown["saved"], false);
    assert!(shown["group"].is_null());
    let dups = shown["possibleDuplicates"].as_array().expect("duplicates");
    assert!(!dups.is_empty(), "{shown}");
    assert_eq!(dups[0]["memberIndex"], 0);
    assert!(
        dups[0]["reasons"]
            .as_array()
            .is_some_and(|r| r.contains(&json!("same_birth_date"))),
        "{shown}"
    );
    assert_eq!(
        count_rows(&t.db, "individuals"),
        before,
        "nothing saved before confirming"
    );
    again["clientMutationId"] = json!("fam-b-confirmed");
    again["acknowledgeDuplicates"] = json!(true);
    let saved = register(&srv, &token, again).await;
    assert_eq!(saved["saved"], true);
    assert_eq!(count_rows(&t.db, "individuals"), before + 3);
}

/// A particle joined, hyphenated or spaced is the same name: "Alhassan" is flagged against
/// "Al-Hassan", while a name that merely starts like a particle ("Delia") is not taken apart.
async fn joined_particles_are_flagged_as_duplicates(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    let person = |given: &str, family: &str| {
        json!({ "givenNames": given, "familyName": family, "sex": "M",
                "dateOfBirth": "1984-02-03", "nationalities": ["SYR"] })
    };
    let one = |cmid: &str, p: serde_json::Value| json!({ "clientMutationId": cmid, "members": [{ "relationship": "focal_point", "person": p }] });
    let first = register(&srv, &token, one("k-1", person("Khaled", "Al-Hassan"))).await;
    assert_eq!(first["saved"], true, "{first}");
    let khaled = first["members"][0]["id"].clone();
    for (n, family) in ["Alhassan", "Al Hassan", "AL-HASSAN"].iter().enumerate() {
        let shown = register(
            &srv,
            &token,
            one(&format!("k-2-{n}"), person("Khaled", family)),
        )
        .await;
        assert_eq!(shown["saved"], false, "{family}: {shown}");
        let dups = shown["possibleDuplicates"].as_array().expect("duplicates");
        assert!(
            dups.iter().any(|d| d["individualId"] == khaled),
            "{family}: {shown}"
        );
    }
    // Registered the other way round: the joined spelling first.
    let joined = register(&srv, &token, one("d-1", person("María", "Delacruz"))).await;
    assert_eq!(joined["saved"], true, "{joined}");
    let spaced = register(&srv, &token, one("d-2", person("Maria", "de la Cruz"))).await;
    assert_eq!(spaced["saved"], false, "{spaced}");
    assert_eq!(
        spaced["possibleDuplicates"][0]["individualId"],
        joined["members"][0]["id"]
    );
    // Not split inside a word: "Delia" is not "Lia".
    let delia = register(&srv, &token, one("l-1", person("Delia", "Torres"))).await;
    assert_eq!(delia["saved"], true, "{delia}");
    let lia = register(&srv, &token, one("l-2", person("Lia", "Torres"))).await;
    assert_eq!(lia["saved"], true, "a different person: {lia}");
    // Search keeps finding both spellings.
    let found = srv
        .gql(
            Some(&token),
            "query($q: String!) { individuals(search: $q) { totalCount } }",
            json!({ "q": "khaled alhassan" }),
        )
        .await;
    assert_eq!(found["data"]["individuals"]["totalCount"], 1, "{found}");
    let found = srv
        .gql(
            Some(&token),
            "query($q: String!) { individuals(search: $q) { totalCount } }",
            json!({ "q": "delacruz" }),
        )
        .await;
    assert_eq!(found["data"]["individuals"]["totalCount"], 1, "{found}");
}

async fn bad_input_is_refused_and_writes_nothing(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    let cases = [
        ("/members/0/person/dateOfBirth", json!("2023-02-30"), None),
        (
            "/members/0/person/dateOfBirth",
            json!("2999-01-01"),
            Some("members.0.dateOfBirth"),
        ),
        (
            "/members/0/person/nationalities",
            json!(["ZZZ"]),
            Some("members.0.nationalities.0"),
        ),
        (
            "/members/0/person/specificNeeds",
            json!([{ "code": "SC", "subCode": "WR-LC" }]),
            Some("members.0.specificNeeds.0.subCode"),
        ),
        (
            "/members/0/person/specificNeeds",
            json!([{ "code": "QQ" }]),
            Some("members.0.specificNeeds.0.code"),
        ),
        (
            "/members/0/person/givenNames",
            json!("x".repeat(5000)),
            Some("members.0.givenNames"),
        ),
        (
            "/members/1/relationship",
            json!("cousin_twice_removed"),
            Some("members.1.relationship"),
        ),
        ("/members/0/person/sex", json!(12), None),
    ];
    for (i, (pointer, value, field)) in cases.into_iter().enumerate() {
        let mut input = family(&format!("bad-{i}"), "Pérez");
        *input.pointer_mut(pointer).expect("pointer") = value.clone();
        let r = srv
            .gql(Some(&token), REGISTER, json!({ "input": input }))
            .await;
        assert_eq!(error_code(&r), Some("VALIDATION"), "{pointer}={value}: {r}");
        if let Some(f) = field {
            assert_eq!(r["errors"][0]["extensions"]["field"], json!(f), "{r}");
        }
    }
    // Two focal points.
    let mut input = family("bad-focal", "Pérez");
    input["members"][1]["relationship"] = json!("focal_point");
    let r = srv
        .gql(Some(&token), REGISTER, json!({ "input": input }))
        .await;
    assert_eq!(error_code(&r), Some("VALIDATION"));
    // Malformed JSON never reaches the resolvers.
    let raw = srv
        .http
        .post(format!("{}/graphql", srv.url))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"query\": ")
        .send()
        .await
        .expect("send");
    assert!(raw.status().is_client_error(), "{}", raw.status());
    assert_eq!(count_rows(&t.db, "individuals"), 0);
    assert_eq!(count_rows(&t.db, "client_mutations"), 0);
}

async fn updates_check_versions_and_keep_history(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    let reg = register(&srv, &token, family("fam-u", "Pérez")).await;
    let id = reg["members"][1]["id"].clone();
    let update = "mutation($i: UpdateIndividualInput!) { updateIndividual(input: $i) { individual { givenNames familyName version history { kind actor data } } } }";
    let r = srv.gql(Some(&token), update, json!({ "i": { "clientMutationId": "u-1", "id": id, "version": 1, "givenNames": "Luis Alberto" } })).await;
    let ind = &r["data"]["updateIndividual"]["individual"];
    assert_eq!(ind["givenNames"], "Luis Alberto", "{r}");
    assert_eq!(ind["version"], 2);
    let history = ind["history"].as_array().expect("history");
    let last = history.last().expect("an event");
    assert_eq!(last["kind"], "updated");
    assert_eq!(last["actor"], "registrar");
    assert!(
        last["data"]
            .as_str()
            .unwrap_or_default()
            .contains("\"from\":\"Luis\""),
        "{last}"
    );
    // A second editor who read version 1 gets CONFLICT and changes nothing.
    let stale = srv.gql(Some(&token), update, json!({ "i": { "clientMutationId": "u-2", "id": id, "version": 1, "givenNames": "Lucho" } })).await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");
    let read = srv
        .gql(
            Some(&token),
            "query($id: ID!) { individual(id: $id) { givenNames version } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(read["data"]["individual"]["givenNames"], "Luis Alberto");
    assert_eq!(read["data"]["individual"]["version"], 2);
    // A replay of the first update returns it and does not bump the version again.
    let replay = srv.gql(Some(&token), update, json!({ "i": { "clientMutationId": "u-1", "id": id, "version": 1, "givenNames": "Luis Alberto" } })).await;
    assert_eq!(
        replay["data"]["updateIndividual"]["individual"]["version"], 2,
        "{replay}"
    );
}

async fn needs_are_reviewed_and_sensitive_ones_hidden(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    let reg = register(&srv, &clerk, family("fam-n", "Pérez")).await;
    let mother = reg["members"][0]["id"].clone();
    let add =
        "mutation($i: AddSpecificNeedInput!) { addSpecificNeed(input: $i) { specificNeedId } }";
    let r = srv.gql(Some(&clerk), add, json!({ "i": { "clientMutationId": "n-1", "individualId": mother, "code": "SV", "subCode": "SV-VF", "comments": "disclosed at registration" } })).await;
    let need_id = r["data"]["addSpecificNeed"]["specificNeedId"].clone();
    assert!(need_id.is_string(), "{r}");
    let q = "query($id: ID!) { individual(id: $id) { specificNeeds { id code subCode status version } withheldSpecificNeeds restrictedFields } }";
    let as_clerk = srv.gql(Some(&clerk), q, json!({ "id": mother })).await;
    let needs = as_clerk["data"]["individual"]["specificNeeds"]
        .as_array()
        .expect("needs");
    assert!(
        needs.iter().all(|n| n["code"] != "SV"),
        "clerks do not read SGBV needs back: {as_clerk}"
    );
    assert_eq!(as_clerk["data"]["individual"]["withheldSpecificNeeds"], 1);
    assert!(
        as_clerk["data"]["individual"]["restrictedFields"]
            .as_array()
            .is_some_and(|f| f.contains(&json!("religion")))
    );
    let protection = srv.login("protection").await;
    let as_protection = srv.gql(Some(&protection), q, json!({ "id": mother })).await;
    let sv = as_protection["data"]["individual"]["specificNeeds"]
        .as_array()
        .and_then(|v| v.iter().find(|n| n["code"] == "SV").cloned())
        .expect("SV visible");
    assert_eq!(sv["status"], "PENDING_REVIEW");
    let review = "mutation($i: ReviewSpecificNeedInput!) { reviewSpecificNeed(input: $i) { individual { specificNeeds { code status version } } } }";
    let denied = srv.gql(Some(&clerk), review, json!({ "i": { "clientMutationId": "r-0", "id": need_id, "version": 1, "status": "CONFIRMED" } })).await;
    assert_eq!(error_code(&denied), Some("FORBIDDEN"), "{denied}");
    let ok = srv.gql(Some(&protection), review, json!({ "i": { "clientMutationId": "r-1", "id": need_id, "version": 1, "status": "CONFIRMED" } })).await;
    let needs = ok["data"]["reviewSpecificNeed"]["individual"]["specificNeeds"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        needs
            .iter()
            .any(|n| n["code"] == "SV" && n["status"] == "CONFIRMED"),
        "{ok}"
    );
    let stale = srv.gql(Some(&protection), review, json!({ "i": { "clientMutationId": "r-2", "id": need_id, "version": 1, "status": "RESOLVED" } })).await;
    assert_eq!(error_code(&stale), Some("CONFLICT"));
}

async fn groups_split_and_merge_with_history(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    let reg = register(&srv, &clerk, family("fam-s", "Pérez")).await;
    let group = reg["group"]["id"].clone();
    let son = reg["members"][1]["id"].clone();
    let split = "mutation($i: SplitGroupInput!) { splitGroup(input: $i) { group { id version members { individual { id } } } newGroup { id version groupNumber members { relationship individual { id } } } } }";
    let r = srv.gql(Some(&clerk), split, json!({ "i": { "clientMutationId": "s-1", "groupId": group, "version": 1, "members": [{ "individualId": son, "relationship": "focal_point" }] } })).await;
    let p = &r["data"]["splitGroup"];
    assert_eq!(
        p["group"]["members"].as_array().map(Vec::len),
        Some(2),
        "{r}"
    );
    assert_eq!(p["newGroup"]["members"][0]["individual"]["id"], son);
    let new_group = p["newGroup"]["id"].clone();
    let merge = "mutation($i: MergeGroupsInput!) { mergeGroups(input: $i) { group { version members { relationship individual { id } } } } }";
    let stale = srv
        .gql(Some(&clerk), merge, json!({ "i": { "clientMutationId": "m-0", "targetGroupId": group, "targetVersion": 1, "sourceGroupId": new_group, "sourceVersion": 1, "members": [{ "individualId": son, "relationship": "son" }] } }))
        .await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");
    let r = srv
        .gql(Some(&clerk), merge, json!({ "i": { "clientMutationId": "m-1", "targetGroupId": group, "targetVersion": 2, "sourceGroupId": new_group, "sourceVersion": 1, "members": [{ "individualId": son, "relationship": "son" }] } }))
        .await;
    assert_eq!(
        r["data"]["mergeGroups"]["group"]["members"]
            .as_array()
            .map(Vec::len),
        Some(3),
        "{r}"
    );
    let hist = srv
        .gql(Some(&clerk), "query($id: ID!) { registrationGroup(id: $id) { status members(history: true) { endReason } history { kind } } }", json!({ "id": new_group }))
        .await;
    let g = &hist["data"]["registrationGroup"];
    assert_eq!(g["status"], "closed", "{hist}");
    assert_eq!(g["members"][0]["endReason"], "merged");
    let kinds: Vec<_> = g["history"]
        .as_array()
        .map(|v| v.iter().map(|e| e["kind"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(kinds, vec![json!("created_by_split"), json!("merged_into")]);
}

async fn documents_are_added_and_searchable(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    let reg = register(&srv, &clerk, family("fam-d", "Pérez")).await;
    let son = reg["members"][1]["id"].clone();
    let add = "mutation($i: AddDocumentInput!) { addDocument(input: $i) { documentId individual { documents { documentType number } } } }";
    let r = srv.gql(Some(&clerk), add, json!({ "i": { "clientMutationId": "d-1", "individualId": son, "document": { "documentType": "birth_certificate", "number": "AB-77/2015", "issuingCountry": "VEN" } } })).await;
    assert_eq!(
        r["data"]["addDocument"]["individual"]["documents"][0]["number"], "AB-77/2015",
        "{r}"
    );
    let found = srv
        .gql(
            Some(&clerk),
            "query($q: String!) { individuals(search: $q) { edges { node { id } } } }",
            json!({ "q": "ab 77 2015" }),
        )
        .await;
    assert_eq!(
        found["data"]["individuals"]["edges"][0]["node"]["id"], son,
        "{found}"
    );
    let expired = srv
        .gql(Some(&clerk), add, json!({ "i": { "clientMutationId": "d-2", "individualId": son, "document": { "documentType": "passport", "number": "P1", "issuedOn": "2020-01-01", "expiresOn": "2019-01-01" } } }))
        .await;
    assert_eq!(error_code(&expired), Some("VALIDATION"));
    // Undetermined (XXX) and stateless (XXA) are nationalities, never a place that issues papers.
    for (i, place) in ["XXX", "XXA", "QQQ"].into_iter().enumerate() {
        let r = srv
            .gql(Some(&clerk), add, json!({ "i": { "clientMutationId": format!("d-place-{i}"), "individualId": son, "document": { "documentType": "passport", "number": "P2", "issuingCountry": place } } }))
            .await;
        assert_eq!(error_code(&r), Some("VALIDATION"), "{place}: {r}");
        let field = r["errors"][0]["extensions"]["field"].as_str().unwrap_or("");
        assert!(field.ends_with("issuingCountry"), "{r}");
    }
}

async fn documents_are_corrected_against_their_version(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    let reg = register(&srv, &clerk, family("fam-dc", "Pérez")).await;
    let mother = reg["members"][0]["id"].clone();
    let read = "query($id: ID!) { individual(id: $id) { documents { id documentType number issuingCountry version } history { kind data } } }";
    let before = srv.gql(Some(&clerk), read, json!({ "id": mother })).await;
    let doc = before["data"]["individual"]["documents"][0].clone();
    assert_eq!(doc["number"], "V-18.555.321", "{before}");
    assert_eq!(doc["version"], 1);
    let update = "mutation($i: UpdateDocumentInput!) { updateDocument(input: $i) { documentId individual { documents { number issuingCountry expiresOn version } history { kind data } } } }";
    let input = |cmid: &str, version: i32, number: &str| json!({ "i": { "clientMutationId": cmid, "id": doc["id"], "version": version, "document": { "documentType": "cedula", "number": number, "issuingCountry": "VEN", "expiresOn": "2031-05-01" } } });
    let audits = "audit_events WHERE action = 'update' AND record_type = 'document'";
    let feed_before = count_rows(&t.db, "change_feed");
    let r = srv
        .gql(Some(&clerk), update, input("dc-1", 1, "V-18.555.312"))
        .await;
    let after = &r["data"]["updateDocument"]["individual"];
    assert_eq!(after["documents"][0]["number"], "V-18.555.312", "{r}");
    assert_eq!(after["documents"][0]["expiresOn"], "2031-05-01");
    assert_eq!(after["documents"][0]["version"], 2);
    let last = after["history"]
        .as_array()
        .and_then(|h| h.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["kind"], "document_updated", "{r}");
    let data: serde_json::Value =
        serde_json::from_str(last["data"].as_str().unwrap_or("{}")).unwrap_or_default();
    assert_eq!(data["changes"]["number"]["from"], "V-18.555.321", "{data}");
    assert_eq!(data["changes"]["number"]["to"], "V-18.555.312");
    assert_eq!(
        data["changes"]["expiresOn"]["from"],
        serde_json::Value::Null
    );
    assert_eq!(count_rows(&t.db, audits), 1);
    assert_eq!(count_rows(&t.db, "change_feed"), feed_before + 1);
    // The corrected number is what search finds.
    let found = srv
        .gql(
            Some(&clerk),
            "query($q: String!) { individuals(search: $q) { edges { node { id } } } }",
            json!({ "q": "V-18.555.312" }),
        )
        .await;
    assert_eq!(
        found["data"]["individuals"]["edges"][0]["node"]["id"], mother,
        "{found}"
    );
    // A replay answers the same and writes nothing again.
    let replay = srv
        .gql(Some(&clerk), update, input("dc-1", 1, "V-18.555.312"))
        .await;
    assert_eq!(
        replay["data"]["updateDocument"]["individual"]["documents"][0]["version"], 2,
        "{replay}"
    );
    assert_eq!(count_rows(&t.db, audits), 1);
    // Someone who read version 1 is told it moved, and nothing changes.
    let stale = srv.gql(Some(&clerk), update, input("dc-2", 1, "X-1")).await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");
    // Bad input is refused with its field, and nothing changes.
    let bad = srv
        .gql(Some(&clerk), update, json!({ "i": { "clientMutationId": "dc-3", "id": doc["id"], "version": 2, "document": { "documentType": "cedula", "number": "V-1", "issuedOn": "2020-01-01", "expiresOn": "2019-01-01" } } }))
        .await;
    assert_eq!(error_code(&bad), Some("VALIDATION"), "{bad}");
    assert_eq!(
        bad["errors"][0]["extensions"]["reason"], "BEFORE_OTHER",
        "{bad}"
    );
    let unknown = srv
        .gql(Some(&clerk), update, json!({ "i": { "clientMutationId": "dc-4", "id": doc["id"], "version": 2, "document": { "documentType": "library_card", "number": "V-1" } } }))
        .await;
    assert_eq!(error_code(&unknown), Some("VALIDATION"), "{unknown}");
    let now = srv.gql(Some(&clerk), read, json!({ "id": mother })).await;
    assert_eq!(
        now["data"]["individual"]["documents"][0]["number"], "V-18.555.312",
        "{now}"
    );
    assert_eq!(now["data"]["individual"]["documents"][0]["version"], 2);
    // Roles that may not change a person's data are refused; another unit finds nothing.
    let protection = srv.login("protection").await;
    let denied = srv
        .gql(Some(&protection), update, input("dc-5", 2, "Y-1"))
        .await;
    assert_eq!(error_code(&denied), Some("FORBIDDEN"), "{denied}");
    let other = srv.login("unhcr.officer").await;
    let hidden = srv.gql(Some(&other), update, input("dc-6", 2, "Y-1")).await;
    assert!(
        matches!(error_code(&hidden), Some("NOT_FOUND") | Some("FORBIDDEN")),
        "{hidden}"
    );
    assert_eq!(count_rows(&t.db, audits), 1);
}

async fn addresses_phones_and_languages_are_corrected(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    let reg = register(&srv, &clerk, family("fam-ap", "Pérez")).await;
    let mother = reg["members"][0]["id"].clone();
    let update = "mutation($i: UpdateIndividualInput!) { updateIndividual(input: $i) { individual { version addresses { line city country validTo } phones { number kind } languages { language kind } history { kind data } } } }";
    let r = srv.gql(Some(&clerk), update, json!({ "i": { "clientMutationId": "ap-1", "id": mother, "version": 1,
        "addresses": [{ "kind": "current", "line": "Av. Amazonas N24", "city": "Quito", "country": "ECU" }],
        "phones": [{ "number": "+593 98 765 4321", "kind": "mobile", "consentToContact": true }],
        "languages": [{ "language": "spa", "kind": "mother_tongue" }, { "language": "eng", "kind": "spoken" }] } })).await;
    let ind = &r["data"]["updateIndividual"]["individual"];
    assert_eq!(ind["version"], 2, "{r}");
    assert_eq!(ind["addresses"][0]["line"], "Av. Amazonas N24");
    assert_eq!(ind["languages"].as_array().map(Vec::len), Some(2));
    // The old phone is no longer listed (its row is marked removed; history keeps it).
    assert_eq!(
        ind["phones"],
        json!([{ "number": "+593 98 765 4321", "kind": "mobile" }]),
        "{r}"
    );
    let phones_of = format!(
        "phones WHERE individual_id = '{}'",
        mother.as_str().unwrap_or_default()
    );
    assert_eq!(
        count_rows(&t.db, &format!("{phones_of} AND removed_at IS NOT NULL")),
        1
    );
    let last = ind["history"]
        .as_array()
        .and_then(|h| h.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["kind"], "updated");
    let data: serde_json::Value =
        serde_json::from_str(last["data"].as_str().unwrap_or("{}")).unwrap_or_default();
    let mut changed: Vec<_> = data["changes"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    changed.sort();
    assert_eq!(changed, ["addresses", "languages", "phones"], "{data}");
    // Moving house ends the old address; the unchanged phone and languages stay as they were.
    let moved = srv.gql(Some(&clerk), update, json!({ "i": { "clientMutationId": "ap-2", "id": mother, "version": 2,
        "addresses": [{ "kind": "current", "line": "Casa de acogida", "city": "Lago Agrio", "country": "ECU" }],
        "phones": [{ "number": "+593 98 765 4321", "kind": "mobile", "consentToContact": true }] } })).await;
    let ind = &moved["data"]["updateIndividual"]["individual"];
    assert_eq!(ind["version"], 3, "{moved}");
    let addresses = ind["addresses"].as_array().cloned().unwrap_or_default();
    assert_eq!(addresses.len(), 2);
    assert!(
        addresses
            .iter()
            .any(|a| a["line"] == "Av. Amazonas N24" && a["validTo"].is_string())
    );
    assert!(
        addresses
            .iter()
            .any(|a| a["line"] == "Casa de acogida" && a["validTo"].is_null())
    );
    assert_eq!(ind["phones"].as_array().map(Vec::len), Some(1), "{moved}");
    assert_eq!(
        count_rows(&t.db, &phones_of),
        2,
        "the kept phone is not written again"
    );
    let last = ind["history"]
        .as_array()
        .and_then(|h| h.last())
        .cloned()
        .unwrap_or_default();
    let data: serde_json::Value =
        serde_json::from_str(last["data"].as_str().unwrap_or("{}")).unwrap_or_default();
    assert_eq!(
        data["changes"].as_object().map(|o| o.len()),
        Some(1),
        "{data}"
    );
    // A stale version is a conflict; a bad phone or language is refused with its field.
    let stale = srv.gql(Some(&clerk), update, json!({ "i": { "clientMutationId": "ap-3", "id": mother, "version": 2, "phones": [] } })).await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");
    for (i, bad) in [
        json!({ "phones": [{ "number": "12", "kind": "mobile" }] }),
        json!({ "languages": [{ "language": "klingon", "kind": "spoken" }] }),
        json!({ "addresses": [{ "kind": "current", "line": "", "country": "ECU" }] }),
    ]
    .into_iter()
    .enumerate()
    {
        let mut i_ =
            json!({ "clientMutationId": format!("ap-bad-{i}"), "id": mother, "version": 3 });
        if let (Some(o), Some(b)) = (i_.as_object_mut(), bad.as_object()) {
            o.extend(b.clone());
        }
        let r = srv.gql(Some(&clerk), update, json!({ "i": i_ })).await;
        assert_eq!(error_code(&r), Some("VALIDATION"), "{bad}: {r}");
    }
    let read = srv
        .gql(
            Some(&clerk),
            "query($id: ID!) { individual(id: $id) { version phones { number } } }",
            json!({ "id": mother }),
        )
        .await;
    assert_eq!(read["data"]["individual"]["version"], 3, "{read}");
}

both_backends!(
    register_family_once_even_when_replayed,
    duplicates_are_shown_before_saving,
    joined_particles_are_flagged_as_duplicates,
    bad_input_is_refused_and_writes_nothing,
    updates_check_versions_and_keep_history,
    needs_are_reviewed_and_sensitive_ones_hidden,
    groups_split_and_merge_with_history,
    documents_are_added_and_searchable,
    documents_are_corrected_against_their_version,
    addresses_phones_and_languages_are_corrected,
);
