//! Imports from earlier databases: a dry run reports every kind of bad row and writes nothing;
//! an import creates exactly the records of the source (read back over HTTP), links certain
//! matches, lists possible duplicates for review, creates nothing the second time, and a batch
//! rolls back unless a caseworker changed its records since.

use std::path::{Path, PathBuf};

use amparo_api::auth::AuthConfig;
use amparo_api::import::{self, mapping::Mapping, sample};
use amparo_tests::{TestDb, TestServer, both_backends, error_code, start, world};
use serde_json::json;

use super::support::{count_rows, register_person};

const PEOPLE: &str = "\
ID_PERSONA,ID_HOGAR,PARENTESCO,NOMBRES,APELLIDO1,APELLIDO2,SEXO,FECHA_NAC,NACIONALIDAD
P1,H1,JH,María José,Pérez,Gómez,2,12/03/1985,COLOMBIANA
P2,H1,CY,Juan Carlos,Rodríguez,López,1,01/07/1983,COLOMBIANA
P3,H1,HJ,Andrés,Rodríguez,Pérez,1,15/09/2010,COLOMBIANA
P4,H2,JH,Mohammed,Al-Hassan,,1,01/01/1980,SIRIA
P5,H3,JH,Hassan,Mohamed,,1,01/01/1980,SIRIA
P6,H4,JH,Carlos,Mendoza,Ruiz,1,31/02/1985,VENEZOLANA
P7,H5,JH,Rosa,Quispe,,2,10/10/1990,MARCIANA
P8,H6,JH,Luis,Torres,,1,05/05/1990,VENEZOLANA
P9,H6,HJ,Pedro,Torres,,1,05/05/1970,VENEZOLANA
P10,H7,HJ,Ana,Vera,,2,05/05/2000,VENEZOLANA
P11,H8,JH,Elena,Castro,Díaz,2,20/02/1975,VENEZOLANA
P12,H9,JH,Suárez Mora,Gabriela,,2,03/04/1988,VENEZOLANA
";

const HOUSEHOLDS: &str = "ID_HOGAR\nH1\nH2\nH3\nH4\nH5\nH6\nH7\nH8\nH9\nH99\n";

const CASES: &str = "\
NUM_CASO,ID_HOGAR,ID_SOLICITANTE,ESTADO,FECHA_APERTURA,FECHA_ESTADO
C1,H1,P1,ADM,01/02/2020,15/03/2020
C2,H2,P4,DES,01/02/2019,01/06/2019
C3,H9,,ACT,01/01/2021,01/01/2021
";

const EVENTS: &str = "\
NUM_CASO,FECHA,EVENTO,OBSERVACION
C1,15/03/2020,ADMISION A TRAMITE,Relata amenazas en Tumaco.
C1,01/02/2020,REGISTRO DE SOLICITUD,
C9,01/02/2020,ENTREVISTA,
C2,01/01/2018,REGISTRO DE SOLICITUD,
";

const NEEDS: &str = "\
ID_PERSONA,COD_NECESIDAD
P1,PADRE_SOLO
P4,ENF_CRONICA
P404,MNA
P12,XYZ
";

const DOCUMENTS: &str = "\
ID_PERSONA,TIPO_DOC,NUM_DOC,PAIS_EMISION
P1,PAS,AX100200,COL
P2,CED,1711111111,COL
P11,PAS,AX-999 111,VEN
";

/// The source files and the registration system's mapping, `batch_size` households' people a
/// batch.
fn source(dir: &Path, batch_size: usize) -> (Mapping, Vec<PathBuf>) {
    let mut files = Vec::new();
    for (name, text) in [
        ("personas.csv", PEOPLE),
        ("hogares.csv", HOUSEHOLDS),
        ("casos.csv", CASES),
        ("eventos.csv", EVENTS),
        ("necesidades.csv", NEEDS),
        ("documentos.csv", DOCUMENTS),
    ] {
        let p = dir.join(name);
        std::fs::write(&p, text).expect("source file");
        files.push(p);
    }
    let text = sample::REGISTRATION_MAPPING
        .replace("batch_size = 500", &format!("batch_size = {batch_size}"));
    (Mapping::parse(text.as_bytes()).expect("mapping"), files)
}

fn options(mapping: &Mapping, files: &[PathBuf], dry_run: bool) -> import::Options {
    import::Options {
        mapping: mapping.clone(),
        sources: files.to_vec(),
        operator: "registrar".into(),
        dry_run,
        progress: false,
    }
}

/// Two people already in Amparo: Elena with the passport the source also has (a certain
/// match), and Gabriela, whom the source has with her names in another order (a possible one).
async fn existing(srv: &TestServer, token: &str) {
    register_person(srv, token, "elena", json!({
        "givenNames": "Elena", "familyName": "Castro", "sex": "F", "dateOfBirth": "1975-02-20",
        "nationalities": ["VEN"],
        "documents": [{ "documentType": "passport", "number": "AX999111", "issuingCountry": "VEN" }]
    }))
    .await;
    register_person(srv, token, "gabriela", json!({
        "givenNames": "Gabriela", "familyName": "Suárez", "secondFamilyName": "Mora", "sex": "F",
        "dateOfBirth": "1988-04-03", "nationalities": ["VEN"]
    }))
    .await;
}

const TABLES: [&str; 8] = [
    "individuals",
    "registration_groups",
    "cases",
    "specific_needs",
    "documents",
    "events",
    "import_batches",
    "import_records",
];

fn counts(t: &TestDb) -> Vec<i64> {
    TABLES.iter().map(|n| count_rows(&t.db, n)).collect()
}

async fn dry_run_reports_every_bad_row_and_writes_nothing(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    existing(&srv, &token).await;
    let dir = tempfile::tempdir().expect("dir");
    let (mapping, files) = source(dir.path(), 500);
    let before = counts(&t);
    let out = import::run(&t.db, &options(&mapping, &files, true), |_| {
        panic!("a dry run commits no batch")
    })
    .expect("dry run");
    assert_eq!(counts(&t), before, "a dry run writes nothing");
    let report = import::report(&mapping, &out, true);
    for (what, row) in [
        ("impossible date", "personas.csv line 7 (P6)"),
        ("unmapped code", "personas.csv line 8 (P7)"),
        ("child older than the parent", "personas.csv line 10 (P9)"),
        ("group without a focal point", "personas.csv line 11 (H7)"),
        ("group without a focal point", "hogares.csv line 11 (H99)"),
        (
            "case without a principal applicant",
            "casos.csv line 4 (C3)",
        ),
        ("unknown reference", "necesidades.csv line 4 (P404)"),
        ("unknown reference", "eventos.csv line 4 (C9)"),
        ("impossible date", "eventos.csv line 5 (C2)"),
        ("unmapped code", "necesidades.csv line 5 (P12)"),
    ] {
        assert!(
            report
                .lines()
                .any(|l| l.contains(row) && l.contains(&format!("[{what}]"))),
            "{what} at {row} in:\n{report}"
        );
    }
    assert!(
        report.contains("[codes.nationality] \"MARCIANA\": 1 row(s)"),
        "{report}"
    );
    let s = &out.summary;
    assert_eq!(
        (
            s.households_created,
            s.households_linked,
            s.households_invalid
        ),
        (4, 1, 4),
        "{report}"
    );
    assert_eq!(
        (s.individuals_created, s.individuals_linked, s.cases_created),
        (6, 1, 2),
        "{report}"
    );
    assert_eq!((s.needs_created, s.documents_created), (2, 2), "{report}");
    assert_eq!(s.possible_duplicates, 2, "{report}");
}

/// A dry run in batches of one decides exactly as the real run does (the within-file duplicate
/// in another household, the passport of a person registered earlier), though nothing of its
/// earlier batches is written; what it read to find duplicates is audited and stays.
async fn a_dry_run_in_small_batches_decides_as_the_real_run(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    existing(&srv, &token).await;
    let dir = tempfile::tempdir().expect("dir");
    let (mapping, files) = source(dir.path(), 1);
    let before = counts(&t);
    let reads_before = audited(&t, "read", "individual").len();
    let dry = import::run(&t.db, &options(&mapping, &files, true), |_| {
        panic!("a dry run commits no batch")
    })
    .expect("dry run");
    assert_eq!(counts(&t), before, "a dry run writes nothing");
    let reads = audited(&t, "read", "individual");
    assert!(
        reads.len() > reads_before,
        "the candidates a dry run compared with are audited"
    );
    assert!(dry.summary.possible_duplicates >= 2, "{:?}", dry.summary);
    let real = import::run(&t.db, &options(&mapping, &files, false), |_| {}).expect("import");
    assert_eq!(
        format!("{:?}", dry.summary),
        format!("{:?}", real.summary),
        "the dry run's summary is the real run's"
    );
}

/// Reads one person by their old key (searchable as their legacy id) over HTTP.
async fn by_source_key(srv: &TestServer, token: &str, key: &str) -> serde_json::Value {
    let r = srv
        .gql(
            Some(token),
            "query($q: String!) { individuals(search: $q, first: 5) { edges { node { id givenNames legacyId dateOfBirth
                specificNeeds { code subCode } documents { documentType number }
                history { kind data }
                cases { caseNumber status } } } } }",
            json!({ "q": key }),
        )
        .await;
    let edges = r["data"]["individuals"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(edges.len(), 1, "{key}: {r}");
    edges[0]["node"].clone()
}

async fn an_import_creates_exactly_the_source_and_a_second_run_nothing(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    existing(&srv, &token).await;
    let dir = tempfile::tempdir().expect("dir");
    let (mapping, files) = source(dir.path(), 500);
    let (people, groups) = (
        count_rows(&t.db, "individuals"),
        count_rows(&t.db, "registration_groups"),
    );
    let mut heard = Vec::new();
    let out = import::run(&t.db, &options(&mapping, &files, false), |b| {
        heard.push(b.to_string())
    })
    .expect("import");
    assert_eq!(heard, out.batches);
    assert_eq!(out.batches.len(), 1);
    assert_eq!(count_rows(&t.db, "individuals"), people + 6);
    assert_eq!(count_rows(&t.db, "registration_groups"), groups + 4);
    assert_eq!(count_rows(&t.db, "cases"), 2);
    assert_eq!(count_rows(&t.db, "import_reviews"), 2);

    let maria = by_source_key(&srv, &token, "P1").await;
    assert_eq!(maria["givenNames"], "María José");
    assert_eq!(maria["dateOfBirth"], "1985-03-12");
    assert_eq!(
        maria["specificNeeds"],
        json!([{ "code": "SP", "subCode": "SP-PT" }])
    );
    assert_eq!(
        maria["documents"],
        json!([{ "documentType": "passport", "number": "AX100200" }])
    );
    let history = maria["history"].as_array().cloned().unwrap_or_default();
    assert_eq!(history[0]["kind"], "imported", "{maria}");
    let data: serde_json::Value =
        serde_json::from_str(history[0]["data"].as_str().unwrap_or("{}")).unwrap_or_default();
    assert_eq!(data["source"], "registration-system");
    assert_eq!(data["sourceKey"], "P1");
    assert_eq!(data["batchId"], json!(out.batches[0]));
    assert_eq!(maria["cases"][0]["status"], "admissible", "{maria}");
    let hassan = by_source_key(&srv, &token, "P4").await;
    assert_eq!(hassan["cases"][0]["status"], "withdrawn", "{hassan}");
    // The case keeps its old dates.
    let c = srv
        .gql(
            Some(&token),
            "{ cases(first: 10) { edges { node { caseNumber status openedAt } } } }",
            json!({}),
        )
        .await;
    let opened: Vec<String> = c["data"]["cases"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["openedAt"].as_str().map(str::to_string))
        .collect();
    assert!(opened.iter().any(|o| o.starts_with("2020-02-01")), "{c}");
    assert!(opened.iter().any(|o| o.starts_with("2019-02-01")), "{c}");
    // Each imported case's history starts with where it came from, then its history in the
    // earlier system in date order; the earlier system's notes only for those who read claims.
    let supervisor = srv.login("supervisor").await;
    for (who, sees_notes) in [(&token, false), (&supervisor, true)] {
        let c = srv
            .gql(
                Some(who),
                "{ cases(first: 10) { edges { node { events { kind data } } } } }",
                json!({}),
            )
            .await;
        let cases = c["data"]["cases"]["edges"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(cases.len(), 2, "{c}");
        let mut earlier = Vec::new();
        for case in &cases {
            let events = case["node"]["events"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let data = |i: usize| -> serde_json::Value {
                serde_json::from_str(events[i]["data"].as_str().unwrap_or("{}")).unwrap_or_default()
            };
            assert_eq!(events[0]["kind"], "imported", "{c}");
            assert_eq!(data(0)["source"], "registration-system", "{c}");
            assert_eq!(data(0)["batchId"], json!(out.batches[0]), "{c}");
            assert!(data(0)["sourceKey"].is_string(), "{c}");
            earlier.extend((1..events.len()).map(|i| (events[i]["kind"].clone(), data(i))));
        }
        // C1's two rows (C2's is dated before it was opened and was reported instead).
        assert_eq!(earlier.len(), 2, "{earlier:?}");
        assert!(
            earlier.iter().all(|(k, _)| k == "earlier_event"),
            "{earlier:?}"
        );
        assert_eq!(
            earlier
                .iter()
                .map(|(_, d)| d["on"].clone())
                .collect::<Vec<_>>(),
            vec![json!("2020-02-01"), json!("2020-03-15")],
            "oldest first: {earlier:?}"
        );
        assert_eq!(earlier[1].1["what"], "ADMISION A TRAMITE");
        assert_eq!(
            earlier[1].1["note"] == "Relata amenazas en Tumaco.",
            sees_notes,
            "{earlier:?}"
        );
    }
    // Elena was linked, not registered again.
    let r = srv
        .gql(
            Some(&token),
            "{ individuals(search: \"Elena Castro\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r["data"]["individuals"]["totalCount"], 1, "{r}");

    let before = counts(&t);
    let again = import::run(&t.db, &options(&mapping, &files, false), |_| {
        panic!("a second run commits no batch")
    })
    .expect("second run");
    assert!(again.batches.is_empty());
    assert_eq!(counts(&t), before, "the second run creates nothing");
    assert_eq!(again.summary.households_already_imported, 5);
    assert_eq!(again.summary.individuals_created, 0);
}

async fn possible_duplicates_wait_for_review(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    existing(&srv, &token).await;
    let dir = tempfile::tempdir().expect("dir");
    let (mapping, files) = source(dir.path(), 500);
    import::run(&t.db, &options(&mapping, &files, false), |_| {}).expect("import");
    let gabriela_new = by_source_key(&srv, &token, "P12").await;
    let hassan_again = by_source_key(&srv, &token, "P5").await;
    let hassan = by_source_key(&srv, &token, "P4").await;
    let reviews = review_pairs(&t);
    assert!(
        reviews.iter().any(
            |(i, c, within)| i == hassan_again["id"].as_str().unwrap_or_default()
                && c == hassan["id"].as_str().unwrap_or_default()
                && *within
        ),
        "reordered, transliterated names within the file: {reviews:?}"
    );
    assert!(
        reviews
            .iter()
            .any(|(i, _, within)| i == gabriela_new["id"].as_str().unwrap_or_default() && !*within),
        "reordered names against an existing record: {reviews:?}"
    );
    assert_eq!(reviews.len(), 2, "{reviews:?}");
}

/// Someone registers Elena Castro at a counter while the import runs, after it read the
/// unit's names: the import's household with Elena, in a later batch, still finds her (the
/// import's name index takes in what the change feed says was written since).
async fn a_person_registered_during_the_import_is_found(t: TestDb) {
    use amparo_api::domain::registration::{GroupInput, MemberInput, PersonInput};
    use amparo_api::store::{registry, users};
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    let dir = tempfile::tempdir().expect("dir");
    let (mapping, files) = source(dir.path(), 1);
    let elena = GroupInput {
        members: vec![MemberInput {
            person: PersonInput {
                given_names: "Elena".into(),
                family_name: Some("Castro".into()),
                sex: Some("F".into()),
                date_of_birth: chrono::NaiveDate::from_ymd_opt(1975, 2, 20),
                nationalities: vec!["VEN".into()],
                ..PersonInput::default()
            },
            relationship: "focal_point".into(),
        }],
    };
    let mut at_counter: Option<String> = None;
    import::run(&t.db, &options(&mapping, &files, false), |_| {
        if at_counter.is_none() {
            let done =
                t.db.write_blocking(|c| {
                    let user = users::user_by_username(c, "registrar")?.expect("registrar");
                    let scope = amparo_api::auth::scope_for(&user, "counter")?;
                    registry::register_group(c, &scope, &elena)
                })
                .expect("registered at the counter");
            at_counter = Some(done.individual_ids[0].clone());
        }
    })
    .expect("import");
    let at_counter = at_counter.expect("registered after the first batch");
    let imported = by_source_key(&srv, &token, "P11").await;
    let reviews = review_pairs(&t);
    assert!(
        reviews.iter().any(
            |(i, c, within)| i == imported["id"].as_str().unwrap_or_default()
                && *c == at_counter
                && !*within
        ),
        "{reviews:?}"
    );
}

fn review_pairs(t: &TestDb) -> Vec<(String, String, bool)> {
    use amparo_api::store::schema::import_reviews;
    use diesel::prelude::*;
    let mut c = t.db.conn().expect("connection");
    import_reviews::table
        .select((
            import_reviews::individual_id,
            import_reviews::candidate_id,
            import_reviews::within_import,
        ))
        .load(&mut *c)
        .expect("reviews")
}

async fn rollback_removes_a_batch_unless_changed_since(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    let dir = tempfile::tempdir().expect("dir");
    // Two or more people a batch: H1 (3 people) alone, then H2 and H3, then H4 and H5 (both
    // wrong: no batch), H6 (wrong), H7 and H8, and H9.
    let (mapping, files) = source(dir.path(), 2);
    let before = counts(&t);
    let out = import::run(&t.db, &options(&mapping, &files, false), |_| {}).expect("import");
    assert_eq!(out.batches.len(), 4, "{:?}", out.summary);
    let people = count_rows(&t.db, "individuals");

    // Nobody touched the first batch: it goes, with its case, needs, documents and history.
    let done = import::rollback(&t.db, &out.batches[0], "registrar")
        .expect("rollback runs")
        .expect("nothing changed since");
    assert_eq!((done.individuals, done.groups, done.cases), (3, 1, 1));
    assert_eq!(count_rows(&t.db, "individuals"), people - 3);
    let r = srv
        .gql(
            Some(&token),
            "{ individuals(search: \"P1\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(r["data"]["individuals"]["totalCount"], 0, "{r}");
    // A rolled-back batch cannot be rolled back twice.
    assert!(import::rollback(&t.db, &out.batches[0], "registrar").is_err());

    // A caseworker corrects someone of the second batch: that batch stays, and says why.
    let hassan = by_source_key(&srv, &token, "P4").await;
    let upd = srv
        .gql(Some(&token), "mutation($i: UpdateIndividualInput!) { updateIndividual(input: $i) { individual { version } } }",
            json!({ "i": { "clientMutationId": "fix-1", "id": hassan["id"], "version": 1, "placeOfBirth": "Alepo" } }))
        .await;
    assert_eq!(
        upd["data"]["updateIndividual"]["individual"]["version"], 2,
        "{upd}"
    );
    let still = count_rows(&t.db, "individuals");
    let refused = import::rollback(&t.db, &out.batches[1], "registrar")
        .expect("rollback runs")
        .expect_err("a changed record stops the rollback");
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].kind, "individual");
    assert!(
        refused[0].what.contains("version 1 is now 2"),
        "{refused:?}"
    );
    assert_eq!(count_rows(&t.db, "individuals"), still, "nothing removed");

    // The rolled-back households come back on the next run, and only they.
    let again = import::run(&t.db, &options(&mapping, &files, false), |_| {}).expect("rerun");
    assert_eq!(again.summary.individuals_created, 3);
    assert_eq!(count_rows(&t.db, "individuals"), people);
    assert!(counts(&t)[0] > before[0]);
}

/// The generator's files import end to end: CSV and a workbook, with their mappings.
async fn generated_sources_import(t: TestDb) {
    world(&t.db);
    for kind in [
        sample::Kind::RegistrationSystem,
        sample::Kind::PartnerAgency,
    ] {
        let dir = tempfile::tempdir().expect("dir");
        let written = sample::write(kind, 300, dir.path()).expect("sample");
        let mapping = Mapping::load(&dir.path().join("mapping.toml")).expect("mapping");
        let files: Vec<PathBuf> = std::fs::read_dir(dir.path())
            .expect("dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        let out = import::run(&t.db, &options(&mapping, &files, false), |_| {}).expect("import");
        let s = &out.summary;
        assert!(
            s.individuals_created > written.people * 8 / 10,
            "{kind:?}: {s:?}"
        );
        assert!(s.households_invalid > 0, "broken rows are kept out: {s:?}");
        assert!(!out.prepared.problems.is_empty());
        assert!(s.possible_duplicates > 0, "{kind:?}: {s:?}");
        assert_eq!(
            s.individuals_created + s.individuals_linked + s.individuals_skipped,
            written.people
                - out
                    .prepared
                    .problems
                    .iter()
                    .filter(|p| p.kind == import::validate::ProblemKind::RepeatedKey)
                    .count(),
            "every person accounted for"
        );
    }
}

const IMPORT_REVIEWS: &str = "query($after: String) { importReviews(first: 1, after: $after) { \
    edges { node { id version status score reasons withinImport \
    imported { id givenNames familyName } existing { id givenNames familyName } } } \
    pageInfo { hasNextPage endCursor } } }";

const DECIDE: &str = "mutation($i: DecideImportReviewInput!) { decideImportReview(input: $i) { \
    clientMutationId review { id version status decidedBy } } }";

fn audited(t: &TestDb, action: &str, record_type: &str) -> Vec<String> {
    use amparo_api::store::schema::audit_events;
    use diesel::prelude::*;
    let mut c = t.db.conn().expect("connection");
    audit_events::table
        .filter(audit_events::action.eq(action))
        .filter(audit_events::record_type.eq(record_type))
        .filter(audit_events::outcome.eq("ok"))
        .order(audit_events::seq.asc())
        .select(amparo_api::store::audit::AuditEvent::as_select())
        .load(&mut *c)
        .expect("audit rows")
        .iter()
        .flat_map(amparo_api::store::audit::AuditEvent::named_records)
        .collect()
}

/// A registrar works through the review list over HTTP: pages of one, each review read audited,
/// the two individuals beside it; a link and a keep-separate, each idempotent and checked
/// against the version read, recorded in history, the audit trail and the feed. Another office's
/// registrar sees none of it, and a role without registration cannot read it.
async fn a_registrar_decides_the_import_reviews(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    existing(&srv, &token).await;
    let dir = tempfile::tempdir().expect("dir");
    let (mapping, files) = source(dir.path(), 500);
    import::run(&t.db, &options(&mapping, &files, false), |_| {}).expect("import");

    let first = srv.gql(Some(&token), IMPORT_REVIEWS, json!({})).await;
    let page = &first["data"]["importReviews"];
    assert_eq!(page["pageInfo"]["hasNextPage"], true, "{first}");
    let second = srv
        .gql(
            Some(&token),
            IMPORT_REVIEWS,
            json!({ "after": page["pageInfo"]["endCursor"] }),
        )
        .await;
    let page2 = &second["data"]["importReviews"];
    assert_eq!(page2["pageInfo"]["hasNextPage"], false, "{second}");
    let reviews: Vec<serde_json::Value> = [page, page2]
        .iter()
        .map(|p| p["edges"][0]["node"].clone())
        .collect();
    for r in &reviews {
        assert_eq!(r["status"], "OPEN", "{r}");
        assert_eq!(r["version"], 1, "{r}");
        assert!(
            r["reasons"]
                .as_array()
                .is_some_and(|a| a.contains(&json!("SIMILAR_NAME"))),
            "{r}"
        );
        assert!(
            r["imported"]["id"].is_string() && r["existing"]["id"].is_string(),
            "{r}"
        );
    }
    let read = audited(&t, "read", "import_review");
    for r in &reviews {
        assert!(
            read.iter().any(|id| Some(id.as_str()) == r["id"].as_str()),
            "{read:?}"
        );
    }
    let people = audited(&t, "read", "individual");
    assert!(
        people
            .iter()
            .any(|id| Some(id.as_str()) == reviews[0]["existing"]["id"].as_str()),
        "the individuals beside a review are read through the audited path"
    );

    // Another office's registrar and a role without registration see none of them.
    let gye = srv.login("registrar.gye").await;
    let other = srv.gql(Some(&gye), IMPORT_REVIEWS, json!({})).await;
    assert_eq!(
        other["data"]["importReviews"]["edges"],
        json!([]),
        "{other}"
    );
    let analyst = srv.login("analyst").await;
    let refused = srv.gql(Some(&analyst), IMPORT_REVIEWS, json!({})).await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");
    let by_gye = srv
        .gql(
            Some(&gye),
            DECIDE,
            json!({ "i": { "clientMutationId": "gye-1",
            "reviewId": reviews[0]["id"], "version": 1, "decision": "LINK" } }),
        )
        .await;
    assert_eq!(error_code(&by_gye), Some("NOT_FOUND"), "{by_gye}");

    // Link the first; a retry returns the same result and changes nothing more.
    let events_before = count_rows(&t.db, "events");
    let link = json!({ "i": { "clientMutationId": "link-1", "reviewId": reviews[0]["id"],
        "version": 1, "decision": "LINK" } });
    let done = srv.gql(Some(&token), DECIDE, link.clone()).await;
    let review = &done["data"]["decideImportReview"]["review"];
    assert_eq!(review["status"], "LINKED", "{done}");
    assert_eq!(review["version"], 2, "{done}");
    assert_eq!(
        count_rows(&t.db, "events"),
        events_before + 2,
        "both histories"
    );
    let again = srv.gql(Some(&token), DECIDE, link).await;
    assert_eq!(
        again["data"]["decideImportReview"]["review"]["version"], 2,
        "{again}"
    );
    assert_eq!(
        count_rows(&t.db, "events"),
        events_before + 2,
        "a retry writes nothing"
    );
    let history = srv
        .gql(
            Some(&token),
            "query($id: ID!) { individual(id: $id) { history { kind } } }",
            json!({ "id": reviews[0]["existing"]["id"] }),
        )
        .await;
    assert!(
        history["data"]["individual"]["history"]
            .as_array()
            .is_some_and(|h| h.iter().any(|e| e["kind"] == "import_review_decided")),
        "{history}"
    );
    // Deciding it again, even with a new id, is refused: it is decided.
    let twice = srv
        .gql(
            Some(&token),
            DECIDE,
            json!({ "i": { "clientMutationId": "link-2",
            "reviewId": reviews[0]["id"], "version": 2, "decision": "KEEP_SEPARATE" } }),
        )
        .await;
    assert_eq!(error_code(&twice), Some("VALIDATION"), "{twice}");

    // The second at a stale version is refused; at the version read it is kept separate.
    let stale = srv
        .gql(
            Some(&token),
            DECIDE,
            json!({ "i": { "clientMutationId": "keep-0",
            "reviewId": reviews[1]["id"], "version": 7, "decision": "KEEP_SEPARATE" } }),
        )
        .await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");
    let kept = srv
        .gql(
            Some(&token),
            DECIDE,
            json!({ "i": { "clientMutationId": "keep-1",
            "reviewId": reviews[1]["id"], "version": 1, "decision": "KEEP_SEPARATE" } }),
        )
        .await;
    assert_eq!(
        kept["data"]["decideImportReview"]["review"]["status"], "KEPT_SEPARATE",
        "{kept}"
    );
    assert_eq!(
        count_rows(&t.db, "events"),
        events_before + 3,
        "the imported one's only"
    );

    let open = srv.gql(Some(&token), IMPORT_REVIEWS, json!({})).await;
    assert_eq!(open["data"]["importReviews"]["edges"], json!([]), "{open}");
    let decided = audited(&t, "decide_import_review", "import_review");
    assert_eq!(decided.len(), 2, "{decided:?}");
    super::feed::assert_feed_covers(&t.db);
}

both_backends!(
    dry_run_reports_every_bad_row_and_writes_nothing,
    a_dry_run_in_small_batches_decides_as_the_real_run,
    an_import_creates_exactly_the_source_and_a_second_run_nothing,
    possible_duplicates_wait_for_review,
    a_person_registered_during_the_import_is_found,
    rollback_removes_a_batch_unless_changed_since,
    generated_sources_import,
    a_registrar_decides_the_import_reviews,
);
