//! The benchmark scenarios: what each request asks and what counts as a good answer.
//!
//! The documents are fixed so that figures from different runs and commits compare. A response is
//! good when it has HTTP 2xx, no GraphQL `errors` and the data the scenario asked for (a `null`
//! individual for an id taken from the database means the read did not work, so it is an error).

use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, bail};
use bytes::Bytes;
use rand::Rng;
use rand::seq::IndexedRandom;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::json;

use crate::names;

/// Single-individual read.
pub const READ_QUERY: &str = "query($id: ID!) { individual(id: $id) { id individualNumber givenNames familyName dateOfBirth sex } }";

/// A 50-row page of the individuals connection.
pub const PAGE_QUERY: &str = "query($after: String) { individuals(first: 50, after: $after) { edges { node { id individualNumber givenNames familyName dateOfBirth sex } } pageInfo { endCursor hasNextPage } } }";

/// Name search, first 20 hits.
pub const SEARCH_QUERY: &str = "query($q: String!) { individuals(search: $q, first: 20) { edges { node { id givenNames familyName } } } }";

/// An officer's My work page as the terminal client asks for it: 20 cases, what is due first.
pub const MY_WORK_QUERY: &str = "{ myWork(first: 20) { edges { cursor node { id caseNumber status stage daysWaiting priority specificNeedCodes deadlines { due overdue nextInterview } } } pageInfo { endCursor hasNextPage } } }";

/// The supervisor's summary of the unit's cases as the terminal client asks for it.
/// The statistics screen's figures, as the client asks for them (an analyst's F4).
pub const STATISTICS_QUERY: &str = "{ statistics { asOf byAge: population(rows: AGE_BRACKET) { row count } bySex: population(rows: SEX) { row count } byNationality: population(rows: NATIONALITY) { row count } byNeed: population(rows: NEED_CATEGORY) { row count } byGroupSize: population(rows: GROUP_SIZE) { row count } byMonth: population(rows: REGISTRATION_MONTH) { row count } crossed: population(rows: NATIONALITY, columns: AGE_BRACKET) { row column count } monthly { month office measure count } decisions recognitionRate refugeeRecognitionRate processingTimes { modality decisions medianDays p90Days } backlog { open awaitingDecision ages { days count } overdue { modality targetDays count } } } }";

pub const SUMMARY_QUERY: &str = "{ caseSummary { open overdue priority abandonmentCandidates appealsNearDeadline awaitingReview unassigned aging { label cases } byOfficeAndStatus { officeName status cases overdue } workload { username open overdue awaitingReview } } }";

/// Login mutation used to obtain a bearer token.
pub const LOGIN_MUTATION: &str =
    "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { token } }";

/// Which workload to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scenario {
    /// `individual(id)` for ids from the ids file.
    Read,
    /// 50-row pages, walking cursors returned by earlier pages.
    Page,
    /// Name search with realistic partial and full names.
    Search,
    /// An officer's My work page (log in as an officer).
    #[value(name = "mywork")]
    MyWork,
    /// The supervisor's case summary of the unit (log in as a supervisor).
    Summary,
    /// The unit's statistics (log in as an analyst or a supervisor).
    Statistics,
}

impl Scenario {
    /// The scenario's name as printed in reports.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Read => "read",
            Scenario::Page => "page",
            Scenario::Search => "search",
            Scenario::MyWork => "mywork",
            Scenario::Summary => "summary",
            Scenario::Statistics => "statistics",
        }
    }
}

/// Reads one id per line; blank lines and surrounding whitespace are ignored.
pub fn load_ids(path: &Path) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read ids file {}", path.display()))?;
    let ids: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if ids.is_empty() {
        bail!(
            "ids file {} holds no ids (expected one per line)",
            path.display()
        );
    }
    Ok(ids)
}

/// One walk through the individuals connection: the cursor to continue from and how many pages
/// deep it is.
#[derive(Debug, Clone, Default)]
struct Walker {
    cursor: Option<String>,
    depth: u32,
}

/// Cursors shared by all page requests, so that requests spread over the data instead of all
/// asking for page one.
///
/// It holds up to `capacity` walkers. Each request continues a random walker; its response advances
/// that walker by one page (or restarts it at the first page after the last one) and, while there
/// are fewer walkers than `capacity`, forks a new one at the same place. Fewer walkers go deeper
/// faster; more walkers repeat fewer pages.
#[derive(Debug)]
pub struct CursorPool {
    capacity: usize,
    walkers: Mutex<Vec<Walker>>,
    deepest: Mutex<u32>,
}

/// Which walker a page request continued, to advance it with the response.
#[derive(Debug, Clone, Copy)]
pub struct PageTicket {
    walker: usize,
    depth: u32,
}

impl CursorPool {
    /// A pool that starts with one walker at the first page.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            walkers: Mutex::new(vec![Walker::default()]),
            deepest: Mutex::new(0),
        }
    }

    fn pick(&self, rng: &mut impl Rng) -> (Option<String>, PageTicket) {
        let walkers = self.walkers.lock().unwrap_or_else(|e| e.into_inner());
        let index = rng.random_range(0..walkers.len().max(1));
        let walker = walkers.get(index).cloned().unwrap_or_default();
        (
            walker.cursor,
            PageTicket {
                walker: index,
                depth: walker.depth,
            },
        )
    }

    fn advance(&self, ticket: PageTicket, end_cursor: Option<String>, has_next: bool) {
        let next = match end_cursor {
            Some(cursor) if has_next => Walker {
                cursor: Some(cursor),
                depth: ticket.depth + 1,
            },
            _ => Walker::default(),
        };
        let new_depth = next.depth;
        {
            let mut walkers = self.walkers.lock().unwrap_or_else(|e| e.into_inner());
            if walkers.len() < self.capacity {
                walkers.push(next.clone());
            }
            // A late answer for a page the walker already left behind must not pull it back.
            if let Some(w) = walkers.get_mut(ticket.walker)
                && w.depth == ticket.depth
            {
                *w = next;
            }
        }
        let mut deepest = self.deepest.lock().unwrap_or_else(|e| e.into_inner());
        *deepest = (*deepest).max(new_depth);
    }

    /// The deepest page (counted from 0 for the first) any walker has been given a cursor for.
    pub fn deepest_page(&self) -> u32 {
        *self.deepest.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A scenario with the data it draws from.
#[derive(Debug)]
pub struct Workload {
    scenario: Scenario,
    ids: Vec<String>,
    cursors: CursorPool,
}

/// A request ready to send and what is needed to judge its answer.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The JSON body.
    pub body: Bytes,
    ticket: Option<PageTicket>,
}

impl Workload {
    /// A workload; `read` needs at least one id, `page` uses `walkers` cursor walks.
    pub fn new(scenario: Scenario, ids: Vec<String>, walkers: usize) -> anyhow::Result<Self> {
        if scenario == Scenario::Read && ids.is_empty() {
            bail!("the read scenario needs ids: pass --ids-file with one individual id per line");
        }
        Ok(Self {
            scenario,
            ids,
            cursors: CursorPool::new(walkers),
        })
    }

    /// The scenario.
    pub fn scenario(&self) -> Scenario {
        self.scenario
    }

    /// The page scenario's cursor pool.
    pub fn cursors(&self) -> &CursorPool {
        &self.cursors
    }

    /// Builds the next request.
    pub fn prepare(&self, rng: &mut impl Rng) -> Prepared {
        let (body, ticket) = match self.scenario {
            Scenario::Read => {
                let id = self.ids.choose(rng).map(String::as_str).unwrap_or_default();
                (json!({"query": READ_QUERY, "variables": {"id": id}}), None)
            }
            Scenario::Page => {
                let (after, ticket) = self.cursors.pick(rng);
                (
                    json!({"query": PAGE_QUERY, "variables": {"after": after}}),
                    Some(ticket),
                )
            }
            Scenario::Search => {
                let q = names::random_query(rng);
                (json!({"query": SEARCH_QUERY, "variables": {"q": q}}), None)
            }
            Scenario::MyWork => (json!({"query": MY_WORK_QUERY}), None),
            Scenario::Summary => (json!({"query": SUMMARY_QUERY}), None),
            Scenario::Statistics => (json!({"query": STATISTICS_QUERY}), None),
        };
        Prepared {
            body: Bytes::from(body.to_string()),
            ticket,
        }
    }

    /// Judges a 2xx response body: `Err` with a short reason when it is not a good answer.
    pub fn check(&self, prepared: &Prepared, body: &[u8]) -> Result<(), String> {
        match self.scenario {
            Scenario::Read => {
                let data: ReadData = data_of(body)?;
                match data.individual {
                    Some(_) => Ok(()),
                    None => Err("individual is null".to_owned()),
                }
            }
            Scenario::Search => {
                let data: SearchData = data_of(body)?;
                match data.individuals {
                    Some(_) => Ok(()),
                    None => Err("individuals is null".to_owned()),
                }
            }
            Scenario::MyWork => {
                let data: MyWorkData = data_of(body)?;
                match data.my_work {
                    Some(_) => Ok(()),
                    None => Err("myWork is null".to_owned()),
                }
            }
            Scenario::Summary => {
                let data: SummaryData = data_of(body)?;
                match data.case_summary {
                    Some(_) => Ok(()),
                    None => Err("caseSummary is null".to_owned()),
                }
            }
            Scenario::Statistics => {
                let data: StatisticsData = data_of(body)?;
                match data.statistics {
                    Some(_) => Ok(()),
                    None => Err("statistics is null".to_owned()),
                }
            }
            Scenario::Page => {
                let data: PageData = data_of(body)?;
                let conn = data
                    .individuals
                    .ok_or_else(|| "individuals is null".to_owned())?;
                if let Some(ticket) = prepared.ticket {
                    self.cursors.advance(
                        ticket,
                        conn.page_info.end_cursor,
                        conn.page_info.has_next_page,
                    );
                }
                Ok(())
            }
        }
    }
}

#[derive(Deserialize)]
struct Envelope<D> {
    data: Option<D>,
    errors: Option<Vec<GraphQlError>>,
}

#[derive(Deserialize)]
struct GraphQlError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    extensions: Option<ErrorExtensions>,
}

#[derive(Deserialize)]
struct ErrorExtensions {
    code: Option<String>,
}

#[derive(Deserialize)]
struct ReadData {
    individual: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct SearchData {
    individuals: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct MyWorkData {
    #[serde(rename = "myWork")]
    my_work: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct SummaryData {
    #[serde(rename = "caseSummary")]
    case_summary: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct StatisticsData {
    statistics: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct PageData {
    individuals: Option<PageConnection>,
}

#[derive(Deserialize)]
struct PageConnection {
    #[serde(rename = "pageInfo")]
    page_info: PageInfo,
}

#[derive(Deserialize)]
struct PageInfo {
    #[serde(rename = "endCursor")]
    end_cursor: Option<String>,
    #[serde(rename = "hasNextPage")]
    has_next_page: bool,
}

#[derive(Deserialize)]
struct LoginData {
    login: Option<LoginPayload>,
}

#[derive(Deserialize)]
struct LoginPayload {
    token: String,
}

/// The `data` of a GraphQL response, or the first error when `errors` is present and not empty.
fn data_of<D: serde::de::DeserializeOwned>(body: &[u8]) -> Result<D, String> {
    let envelope: Envelope<D> = serde_json::from_slice(body)
        .map_err(|e| format!("response is not the expected GraphQL JSON: {e}"))?;
    if let Some(first) = envelope.errors.as_ref().and_then(|e| e.first()) {
        let code = first
            .extensions
            .as_ref()
            .and_then(|x| x.code.as_deref())
            .unwrap_or("no code");
        return Err(format!("GraphQL error ({code}): {}", first.message));
    }
    envelope
        .data
        .ok_or_else(|| "response has neither data nor errors".to_owned())
}

/// The login request body.
pub fn login_body(username: &str, password: &str) -> Bytes {
    Bytes::from(
        json!({"query": LOGIN_MUTATION, "variables": {"u": username, "p": password}}).to_string(),
    )
}

/// The token from a login response.
pub fn login_token(body: &[u8]) -> Result<String, String> {
    let data: LoginData = data_of(body)?;
    data.login
        .map(|l| l.token)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| "login returned no token".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::SmallRng;

    fn variables(p: &Prepared) -> serde_json::Value {
        let v: serde_json::Value = serde_json::from_slice(&p.body).expect("body is JSON");
        v["variables"].clone()
    }

    fn page(end: Option<&str>, more: bool) -> Vec<u8> {
        json!({"data": {"individuals": {"edges": [], "pageInfo": {"endCursor": end, "hasNextPage": more}}}})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn read_needs_ids_and_uses_them() {
        assert!(Workload::new(Scenario::Read, vec![], 8).is_err());
        let w = Workload::new(Scenario::Read, vec!["a".into(), "b".into()], 8).expect("ids given");
        let mut rng = SmallRng::seed_from_u64(1);
        let seen: std::collections::BTreeSet<String> = (0..50)
            .map(|_| {
                variables(&w.prepare(&mut rng))["id"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned()
            })
            .collect();
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn answers_are_judged() {
        let w = Workload::new(Scenario::Read, vec!["a".into()], 8).expect("ids given");
        let p = w.prepare(&mut SmallRng::seed_from_u64(1));
        assert!(
            w.check(&p, br#"{"data":{"individual":{"id":"a"}}}"#)
                .is_ok()
        );
        let err = w.check(&p, br#"{"data":{"individual":null}}"#).unwrap_err();
        assert!(err.contains("null"), "{err}");
        let err = w
            .check(
                &p,
                br#"{"data":null,"errors":[{"message":"nope","extensions":{"code":"FORBIDDEN"}}]}"#,
            )
            .unwrap_err();
        assert!(err.contains("FORBIDDEN") && err.contains("nope"), "{err}");
        assert!(w.check(&p, b"<html>").is_err());
        assert!(
            w.check(&p, br#"{"data":{"individual":{"id":"a"}},"errors":[]}"#)
                .is_ok()
        );
    }

    #[test]
    fn page_walkers_advance_fork_and_restart() {
        let w = Workload::new(Scenario::Page, vec![], 4).expect("page needs no ids");
        let mut rng = SmallRng::seed_from_u64(3);
        let first = w.prepare(&mut rng);
        assert!(
            variables(&first)["after"].is_null(),
            "the walk starts at page one"
        );
        w.check(&first, &page(Some("c1"), true)).expect("good page");
        assert_eq!(w.cursors().deepest_page(), 1);

        // Walk on: cursors handed back are the ones the server returned.
        for step in 0..200 {
            let p = w.prepare(&mut rng);
            let after = variables(&p)["after"].as_str().map(str::to_owned);
            let n: u32 = after
                .as_deref()
                .and_then(|c| c.strip_prefix('c'))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let next = format!("c{}", n + 1);
            w.check(&p, &page(Some(&next), n + 1 < 30))
                .unwrap_or_else(|e| panic!("step {step}: {e}"));
        }
        let walkers = w.cursors().walkers.lock().expect("not poisoned").len();
        assert_eq!(walkers, 4, "the pool forks up to its capacity");
        let deepest = w.cursors().deepest_page();
        assert!((20..30).contains(&deepest), "deepest page {deepest}");
    }

    #[test]
    fn late_answers_do_not_pull_a_walker_back() {
        let pool = CursorPool::new(1);
        let t0 = PageTicket {
            walker: 0,
            depth: 0,
        };
        pool.advance(t0, Some("c1".into()), true);
        pool.advance(
            PageTicket {
                walker: 0,
                depth: 1,
            },
            Some("c2".into()),
            true,
        );
        // A second answer for page one arrives after the walker moved on.
        pool.advance(t0, Some("c1".into()), true);
        let (cursor, ticket) = pool.pick(&mut SmallRng::seed_from_u64(0));
        assert_eq!(cursor.as_deref(), Some("c2"));
        assert_eq!(ticket.depth, 2);
    }

    #[test]
    fn login_token_is_extracted() {
        assert_eq!(
            login_token(br#"{"data":{"login":{"token":"abc"}}}"#).as_deref(),
            Ok("abc")
        );
        assert!(
            login_token(br#"{"data":{"login":null},"errors":[{"message":"bad password"}]}"#)
                .unwrap_err()
                .contains("bad password")
        );
        assert!(login_token(br#"{"data":{"login":{"token":""}}}"#).is_err());
    }

    #[test]
    fn ids_file_is_read_and_empty_one_refused() {
        let dir = std::env::temp_dir().join(format!("loadgen-ids-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let good = dir.join("ids.txt");
        std::fs::write(&good, "x1\n\n  x2  \r\n").expect("write");
        assert_eq!(load_ids(&good).expect("ids"), ["x1", "x2"]);
        let empty = dir.join("empty.txt");
        std::fs::write(&empty, "\n \n").expect("write");
        assert!(load_ids(&empty).unwrap_err().to_string().contains("no ids"));
        assert!(load_ids(&dir.join("missing.txt")).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }
}
