//! The public pre-registration form at `/pre-registration`, served as plain HTML.
//!
//! People reach it on cheap phones over weak links, often many behind one carrier or shelter
//! address, so: pages of a few kilobytes with their style inline, no script at all (every action
//! is a button, so it works the same with JavaScript off), Spanish unless `?lang=en` or the
//! browser asks for English, and limits that stop a flood but not a crowd (a global rate, per
//! address limits set high, a cap of wrong secrets per reference, a global booking rate). Nothing
//! personal travels in a URL (every form posts) or reaches a log line.
//!
//! Routes: `GET /pre-registration` (a new form), `POST /pre-registration` (add or remove a
//! person, or send), `GET|POST /pre-registration/status` (sign in with reference and secret,
//! see the stage, book or move the registration appointment).

mod page;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDateTime;
use rand::RngCore;

use crate::domain::codes::Lang;
use crate::domain::prereg::{self, MAX_MEMBERS, MemberForm, PreRegistrationForm};
use crate::error::{Error, ErrorCode, Reason};
use crate::graphql::AppState;
use crate::store::prereg as store;

pub use page::{POLICY, esc};

/// Largest form body accepted: fifteen people with every field at its longest fit in it.
pub const MAX_FORM_BYTES: usize = 48 * 1024;
/// Most fields one form body may carry.
const MAX_FIELDS: usize = 400;
/// Longest value of any one field, in bytes (names are held to their own limit by the rules).
const MAX_FIELD_BYTES: usize = 1024;

/// The form's rate limits. Windows are fixed minutes (hours for wrong secrets); each process
/// keeps its own counters.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Forms sent per minute from everywhere together.
    pub submissions_per_minute: u32,
    /// Posts (forms, status checks, bookings) per minute from one address: high, because a
    /// carrier or a shelter puts hundreds of people behind one address.
    pub posts_per_address_per_minute: u32,
    /// Wrong secrets per hour for one reference, after which it answers "not found" to all.
    pub wrong_secrets_per_reference_per_hour: u32,
    /// Bookings and moves per minute from everywhere together, so nobody can hoard the slots.
    pub bookings_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            submissions_per_minute: 300,
            posts_per_address_per_minute: 600,
            wrong_secrets_per_reference_per_hour: 10,
            bookings_per_minute: 120,
        }
    }
}

/// Counters of one fixed window.
#[derive(Default)]
struct Window {
    started: Option<Instant>,
    total: u32,
    by_key: HashMap<String, u32>,
}

impl Window {
    /// Counts one event of `key` and says whether it stays within `limit` (per key when a key
    /// is given, else in total). The map is emptied with each window, so it stays bounded by
    /// the traffic of one window.
    fn hit(&mut self, length: Duration, key: Option<&str>, limit: u32) -> bool {
        let now = Instant::now();
        if self.started.is_none_or(|s| now.duration_since(s) >= length) {
            self.started = Some(now);
            self.total = 0;
            self.by_key.clear();
        }
        let n = match key {
            Some(k) => {
                let n = self.by_key.entry(k.to_string()).or_default();
                *n = n.saturating_add(1);
                *n
            }
            None => {
                self.total = self.total.saturating_add(1);
                self.total
            }
        };
        n <= limit
    }

    fn count(&mut self, length: Duration, key: &str) -> u32 {
        let now = Instant::now();
        if self.started.is_none_or(|s| now.duration_since(s) >= length) {
            return 0;
        }
        self.by_key.get(key).copied().unwrap_or(0)
    }
}

#[derive(Default)]
struct Counters {
    submissions: Window,
    addresses: Window,
    wrong_secrets: Window,
    bookings: Window,
}

#[derive(Clone)]
struct Form {
    state: Arc<AppState>,
    limits: Arc<Limits>,
    counters: Arc<Mutex<Counters>>,
}

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

impl Form {
    fn counters(&self) -> std::sync::MutexGuard<'_, Counters> {
        // A poisoned lock only means a panic elsewhere mid-count; the counts are still usable.
        self.counters.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn address_ok(&self, ip: IpAddr) -> bool {
        let limit = self.limits.posts_per_address_per_minute;
        self.counters()
            .addresses
            .hit(MINUTE, Some(&ip.to_string()), limit)
    }
}

/// The form's routes, on the server's state.
pub fn router(state: Arc<AppState>, limits: Limits) -> Router {
    let form = Form {
        state,
        limits: Arc::new(limits),
        counters: Arc::default(),
    };
    Router::new()
        .route("/pre-registration", get(new_form).post(post_form))
        .route("/pre-registration/status", get(ask).post(post_status))
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
        .with_state(form)
}

/// The page's language: `lang` when given, else the first of the browser's languages we have,
/// else Spanish.
fn language(asked: Option<&str>, headers: &HeaderMap) -> Lang {
    if let Some(l) = asked.and_then(Lang::parse) {
        return l;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut tags: Vec<(f32, Lang)> = accept
        .split(',')
        .filter_map(|part| {
            let mut it = part.split(';');
            let lang = Lang::parse(it.next()?.trim())?;
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse().ok())
                .unwrap_or(1.0);
            Some((q, lang))
        })
        .collect();
    tags.sort_by(|a, b| b.0.total_cmp(&a.0));
    tags.first().map_or(Lang::Es, |t| t.1)
}

fn html(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    // Pages carry personal data and secrets: no cache keeps them, no other site frames them.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    resp
}

fn busy(lang: Lang) -> Response {
    let mut resp = html(
        StatusCode::TOO_MANY_REQUESTS,
        page::notice(lang, page::Notice::Busy),
    );
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    resp
}

fn failed(lang: Lang, e: &Error) -> Response {
    // The cause is logged without the form: it may hold personal data.
    tracing::error!(code = ?e.code, message = %e.message, "pre-registration request failed");
    html(
        StatusCode::INTERNAL_SERVER_ERROR,
        page::notice(lang, page::Notice::Busy),
    )
}

#[derive(serde::Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

fn new_token() -> String {
    let mut bytes = [0u8; 17];
    rand::rng().fill_bytes(&mut bytes);
    prereg::form_token(&bytes)
}

async fn new_form(
    State(f): State<Form>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = language(q.lang.as_deref(), &headers);
    let offices = match f.state.db.read(store::open_offices).await {
        Ok(o) => o,
        Err(e) => return failed(lang, &e),
    };
    if offices.is_empty() {
        return html(
            StatusCode::NOT_FOUND,
            page::notice(lang, page::Notice::Closed),
        );
    }
    let office = if offices.len() == 1 {
        offices[0].id.clone()
    } else {
        String::new()
    };
    let form = PreRegistrationForm::default();
    let token = new_token();
    html(
        StatusCode::OK,
        page::FormView {
            lang,
            token: &token,
            form: &form,
            office: &office,
            offices: &offices,
            error: None,
        }
        .render(),
    )
}

/// A form body as pairs; None when it is not one or breaks the size limits.
fn pairs(body: &Bytes) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(body).ok()?;
    let mut out = Vec::new();
    for part in text.split('&').filter(|p| !p.is_empty()) {
        if out.len() >= MAX_FIELDS {
            return None;
        }
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let decode = |s: &str| -> Option<String> {
            let s = s.replace('+', " ");
            let bytes = percent_decode(&s)?;
            String::from_utf8(bytes).ok()
        };
        let (k, v) = (decode(k)?, decode(v)?);
        if v.len() > MAX_FIELD_BYTES || k.len() > 64 {
            return None;
        }
        out.push((k, v));
    }
    Some(out)
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// What a posted form says: the form, its token, office, language, the button pressed and
/// whether the honeypot was filled.
struct Posted {
    form: PreRegistrationForm,
    token: String,
    office: String,
    lang: Option<String>,
    action: String,
    honeypot: bool,
    too_many: bool,
}

fn read_form(pairs: Vec<(String, String)>) -> Posted {
    let mut p = Posted {
        form: PreRegistrationForm::default(),
        token: String::new(),
        office: String::new(),
        lang: None,
        action: String::new(),
        honeypot: false,
        too_many: false,
    };
    let mut languages: [String; 2] = Default::default();
    for (k, v) in pairs {
        match k.as_str() {
            "token" => p.token = v,
            "office" => p.office = v,
            "lang" => p.lang = Some(v),
            "action" => p.action = v,
            "website" => p.honeypot |= !v.trim().is_empty(),
            "phone" => p.form.phone = v,
            "email" => p.form.email = v,
            "province" => p.form.province = v,
            "canton" => p.form.canton = v,
            "interpreter" => p.form.needs_interpreter = v == "on",
            "consent" => p.form.consent = v == "on",
            "urgent" => p.form.urgent.push(v),
            "languages.0" => languages[0] = v,
            "languages.1" => languages[1] = v,
            other => {
                let Some(rest) = other.strip_prefix("members.") else {
                    continue;
                };
                let Some((i, field)) = rest.split_once('.') else {
                    continue;
                };
                let Ok(i) = i.parse::<usize>() else { continue };
                if i >= MAX_MEMBERS {
                    p.too_many = true;
                    continue;
                }
                if p.form.members.len() <= i {
                    p.form.members.resize_with(i + 1, MemberForm::default);
                }
                let m = &mut p.form.members[i];
                match field {
                    "givenNames" => m.given_names = v,
                    "familyName" => m.family_name = v,
                    "originalScriptName" => m.original_script_name = v,
                    "sex" => m.sex = v,
                    "dateOfBirth" => m.date_of_birth = v,
                    "age" => m.age = v,
                    "nationality" => m.nationality = v,
                    "relationship" => m.relationship = v,
                    _ => {}
                }
            }
        }
    }
    p.form.languages = languages
        .into_iter()
        .filter(|l| !l.trim().is_empty())
        .collect();
    if p.form.members.is_empty() {
        p.form.members.push(MemberForm::default());
    }
    p
}

async fn post_form(
    State(f): State<Form>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fallback = language(None, &headers);
    let Some(pairs) = pairs(&body) else {
        return html(
            StatusCode::BAD_REQUEST,
            page::notice(fallback, page::Notice::Refused),
        );
    };
    let mut p = read_form(pairs);
    let lang = language(p.lang.as_deref(), &headers);
    if !f.address_ok(addr.ip()) {
        return busy(lang);
    }
    if p.honeypot || !prereg::is_form_token(&p.token) {
        return html(
            StatusCode::BAD_REQUEST,
            page::notice(lang, page::Notice::Refused),
        );
    }
    let offices = match f.state.db.read(store::open_offices).await {
        Ok(o) => o,
        Err(e) => return failed(lang, &e),
    };
    if offices.is_empty() {
        return html(
            StatusCode::NOT_FOUND,
            page::notice(lang, page::Notice::Closed),
        );
    }
    let mut error = None;
    match p.action.as_str() {
        "add" if p.form.members.len() < MAX_MEMBERS => {
            p.form.members.push(MemberForm::default());
        }
        a if a.starts_with("remove.") => {
            if let Some(i) = a["remove.".len()..]
                .parse::<usize>()
                .ok()
                .filter(|i| *i > 0)
                && i < p.form.members.len()
            {
                p.form.members.remove(i);
            }
        }
        _ if p.too_many => {
            error = Some(Error::invalid(
                "members",
                Reason::TooMany { max: MAX_MEMBERS },
                "too many people",
            ));
        }
        _ => {
            if !f
                .counters()
                .submissions
                .hit(MINUTE, None, f.limits.submissions_per_minute)
            {
                return busy(lang);
            }
            let (office, token, form) = (p.office.clone(), p.token.clone(), p.form.clone());
            let request_id = crate::store::new_id();
            let lang_code = lang.as_str();
            let sent = f
                .state
                .db
                .write(move |c| store::submit(c, &office, &token, &form, lang_code, &request_id))
                .await;
            match sent {
                Ok(s) => {
                    return html(
                        StatusCode::OK,
                        page::sent(lang, &s.reference, &page::secret_for(&p.token)),
                    );
                }
                Err(e) if e.code == ErrorCode::Validation => error = Some(e),
                Err(e) => return failed(lang, &e),
            }
        }
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    html(
        status,
        page::FormView {
            lang,
            token: &p.token,
            form: &p.form,
            office: &p.office,
            offices: &offices,
            error: error.as_ref(),
        }
        .render(),
    )
}

async fn ask(Query(q): Query<LangQuery>, headers: HeaderMap) -> Response {
    let lang = language(q.lang.as_deref(), &headers);
    html(StatusCode::OK, page::ask(lang, "", false))
}

async fn post_status(
    State(f): State<Form>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fallback = language(None, &headers);
    let Some(pairs) = pairs(&body) else {
        return html(
            StatusCode::BAD_REQUEST,
            page::notice(fallback, page::Notice::Refused),
        );
    };
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let lang = language(Some(&field("lang")), &headers);
    if !f.address_ok(addr.ip()) {
        return busy(lang);
    }
    let (reference, secret, action) = (field("reference"), field("secret"), field("action"));
    // Counted per reference as typed and as normalised, so neither spelling escapes the cap.
    let key = prereg::normalize(&reference).unwrap_or_else(|| reference.to_uppercase());
    let capped = f.counters().wrong_secrets.count(HOUR, &key)
        >= f.limits.wrong_secrets_per_reference_per_hour;
    if capped {
        return html(StatusCode::OK, page::ask(lang, &reference, true));
    }
    let slot = if action == "book" {
        if !f
            .counters()
            .bookings
            .hit(MINUTE, None, f.limits.bookings_per_minute)
        {
            return busy(lang);
        }
        match NaiveDateTime::parse_from_str(&field("slot"), "%Y-%m-%dT%H:%M") {
            Ok(at) => Some(Ok(at)),
            Err(_) => Some(Err(Error::invalid(
                "slot",
                Reason::Unspecified,
                "choose one of the times offered",
            ))),
        }
    } else {
        None
    };
    let request_id = crate::store::new_id();
    let (r, s) = (reference.clone(), secret.clone());
    let result = f
        .state
        .db
        .write(move |c| {
            let mut refusal = None;
            let status = match slot {
                Some(Ok(at)) => match store::book(c, &r, &s, at, &request_id) {
                    Ok(status) => status,
                    Err(e) if e.code == ErrorCode::Validation => {
                        refusal = Some(e);
                        store::status(c, &r, &s, &request_id)?
                    }
                    Err(e) => return Err(e),
                },
                Some(Err(e)) => {
                    refusal = Some(e);
                    store::status(c, &r, &s, &request_id)?
                }
                None => store::status(c, &r, &s, &request_id)?,
            };
            let free = match &status {
                Some(st) if st.stage.bookable() => store::free_slots(c, st)?,
                _ => Vec::new(),
            };
            Ok((status, free, refusal))
        })
        .await;
    match result {
        Ok((Some(status), free, refusal)) => html(
            StatusCode::OK,
            page::status(lang, &status, &secret, &free, refusal.as_ref()),
        ),
        Ok((None, _, _)) => {
            let limit = f.limits.wrong_secrets_per_reference_per_hour;
            f.counters().wrong_secrets.hit(HOUR, Some(&key), limit);
            html(StatusCode::OK, page::ask(lang, &reference, true))
        }
        Err(e) => failed(lang, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_speaks_the_language_asked_for() {
        let mut h = HeaderMap::new();
        assert_eq!(language(None, &h), Lang::Es);
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("fr-FR, en;q=0.8, es;q=0.5"),
        );
        assert_eq!(language(None, &h), Lang::En);
        assert_eq!(language(Some("es"), &h), Lang::Es);
        assert_eq!(language(Some("xx"), &h), Lang::En);
    }

    #[test]
    fn form_bodies_are_bounded() {
        let ok = Bytes::from("members.0.givenNames=Ana+Mar%C3%ADa&consent=on");
        let p = pairs(&ok).expect("a form");
        assert_eq!(p[0].1, "Ana María");
        assert!(pairs(&Bytes::from("a=%ZZ")).is_none());
        let long = format!("a={}", "x".repeat(MAX_FIELD_BYTES + 1));
        assert!(pairs(&Bytes::from(long)).is_none());
        let many = vec!["a=b"; MAX_FIELDS + 1].join("&");
        assert!(pairs(&Bytes::from(many)).is_none());
        let far = read_form(pairs(&Bytes::from("members.999999999.sex=F")).expect("a form"));
        assert!(far.too_many && far.form.members.len() == 1);
    }

    #[test]
    fn windows_hold_a_flood_and_roll_over() {
        let mut w = Window::default();
        assert!(w.hit(MINUTE, Some("a"), 2));
        assert!(w.hit(MINUTE, Some("a"), 2));
        assert!(!w.hit(MINUTE, Some("a"), 2));
        assert!(
            w.hit(MINUTE, Some("b"), 2),
            "another address is not held back"
        );
        assert!(
            w.hit(Duration::ZERO, Some("a"), 2),
            "a new window starts afresh"
        );
    }
}
