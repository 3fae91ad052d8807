//! The eligibility rule language: stored with a programme as JSON, validated when saved,
//! evaluated per household with an explanation in English and Spanish.
//!
//! ```text
//! rule      = { "all": [rule, ...] }        every rule holds (and)
//!           | { "any": [rule, ...] }        at least one holds (or)
//!           | condition
//! condition = { "household_size": { "min": n, "max": n } }     members of the group now
//!           | { "member_age":     { "min": n, "max": n } }     some member aged min..=max years
//!           | { "nationality":    ["VEN", "COL"] }             some member holds one of them
//!           | { "need": { "codes": ["SM", "DS-PS"],            some member has one of these
//!                         "since": "2026-01-01",               specific needs (code or sub-code),
//!                         "until": "2026-12-31" } }            not resolved, identified in dates
//!           | { "registered": { "since": date, "until": date } }  the group registered in dates
//! ```
//!
//! Bounds (`min`, `max`, `since`, `until`) may each be left out, but not both of a pair. Ages are
//! whole years on the day of the assessment. Nesting is at most [`MAX_DEPTH`] deep.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::access::FieldGroup;
use crate::codes::{self, Lang};
use crate::needs;

/// Deepest nesting of `all` and `any` accepted.
pub const MAX_DEPTH: usize = 5;
/// Most rules in one `all` or `any`, and most codes in one list.
pub const MAX_ITEMS: usize = 20;
/// Longest stored rule, in bytes.
pub const MAX_RULE_BYTES: usize = 4000;

/// A rule over a household's registration data and needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    All(Vec<Rule>),
    Any(Vec<Rule>),
    HouseholdSize(Bounds<u32>),
    MemberAge(Bounds<u32>),
    Nationality(Vec<String>),
    Need(NeedCondition),
    Registered(Bounds<NaiveDate>),
}

/// An inclusive range; a missing end is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bounds<T> {
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "since")]
    pub min: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "until")]
    pub max: Option<T>,
}

impl<T: PartialOrd + Copy> Bounds<T> {
    fn holds(&self, v: T) -> bool {
        self.min.is_none_or(|m| v >= m) && self.max.is_none_or(|m| v <= m)
    }
}

/// Specific needs a member must have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NeedCondition {
    /// Codes (SM) or sub-codes (SM-CI) of the catalogue.
    pub codes: Vec<String>,
    /// Identified on or after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<NaiveDate>,
    /// Identified on or before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

/// A problem with a rule: where (a dotted path such as `all.1.member_age`), what (as data, for
/// a client to say in its own language) and the same in English words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleProblem {
    pub path: String,
    pub fault: RuleFault,
    pub message: String,
}

impl RuleProblem {
    fn new(path: impl Into<String>, fault: RuleFault) -> Self {
        let message = fault.english();
        Self {
            path: path.into(),
            fault,
            message,
        }
    }
}

/// What is wrong with a rule, with what a translation needs. Sent by the server as the
/// parameters of the refusal reason `BAD_RULE` (`{"problem": "AGE_RANGE"}`), its path in the
/// refusal's field (`input.eligibility.all.1.member_age`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleFault {
    /// Longer than `max` bytes.
    RuleTooLong { max: usize },
    /// Not JSON of the documented form; where the reading stopped (1-based).
    NotARule { line: usize, column: usize },
    /// `all`/`any` nested more than `max` deep.
    TooDeep { max: usize },
    /// An `all`/`any` with no rule in it.
    NoRules,
    /// An `all`/`any` with more than `max` rules.
    TooManyRules { max: usize },
    /// A list of nationalities or need codes empty or longer than `max`.
    ListSize { max: usize },
    /// A range with neither end.
    NoBounds,
    /// A range whose start is after its end.
    MinAboveMax { min: String, max: String },
    /// A household size outside 1 to 50.
    HouseholdSizeRange,
    /// An age outside 0 to 120.
    AgeRange,
    /// Not a nationality code (ISO 3166 alpha-3, XXA, XXX).
    UnknownNationality { value: String },
    /// Not a specific-needs code or sub-code.
    UnknownNeed { value: String },
}

impl RuleFault {
    /// The fault in English words (logs, raw answers).
    pub fn english(&self) -> String {
        match self {
            RuleFault::RuleTooLong { max } => format!("the rule is longer than {max} bytes"),
            RuleFault::NotARule { line, column } => format!(
                "not a rule of the documented form (line {line}, column {column}); write for example {{\"all\": [{{\"household_size\": {{\"min\": 5}}}}]}}"
            ),
            RuleFault::TooDeep { max } => format!("nested more than {max} deep"),
            RuleFault::NoRules => "needs at least one rule".into(),
            RuleFault::TooManyRules { max } => format!("has more than {max} rules"),
            RuleFault::ListSize { max } => format!("name 1 to {max} codes"),
            RuleFault::NoBounds => "give min, max or both".into(),
            RuleFault::MinAboveMax { min, max } => format!("min ({min}) is above max ({max})"),
            RuleFault::HouseholdSizeRange => "a household has 1 to 50 members".into(),
            RuleFault::AgeRange => "ages go from 0 to 120".into(),
            RuleFault::UnknownNationality { value } => format!(
                "{value:?} is not a nationality code (ISO 3166 alpha-3, XXA stateless, XXX undetermined)"
            ),
            RuleFault::UnknownNeed { value } => {
                format!("{value:?} is not a specific-needs code or sub-code (e.g. SM, SM-CI)")
            }
        }
    }
}

impl std::fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Reads and checks a rule as stored or sent: the first problem found, in words.
pub fn parse(text: &str) -> Result<Rule, RuleProblem> {
    if text.len() > MAX_RULE_BYTES {
        return Err(RuleProblem::new(
            "",
            RuleFault::RuleTooLong {
                max: MAX_RULE_BYTES,
            },
        ));
    }
    let rule: Rule = serde_json::from_str(text).map_err(|e| {
        RuleProblem::new(
            "",
            RuleFault::NotARule {
                line: e.line(),
                column: e.column(),
            },
        )
    })?;
    rule.check()?;
    Ok(rule)
}

impl Rule {
    /// The rule as stored.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The first problem of a rule read from JSON, if any.
    pub fn check(&self) -> Result<(), RuleProblem> {
        self.check_at("", 1)
    }

    fn check_at(&self, path: &str, depth: usize) -> Result<(), RuleProblem> {
        let fail = |p: &str, fault: RuleFault| Err(RuleProblem::new(p, fault));
        let here = |name: &str| {
            if path.is_empty() {
                name.to_string()
            } else {
                format!("{path}.{name}")
            }
        };
        match self {
            Rule::All(rules) | Rule::Any(rules) => {
                let name = if matches!(self, Rule::All(_)) {
                    "all"
                } else {
                    "any"
                };
                let p = here(name);
                if depth > MAX_DEPTH {
                    return fail(&p, RuleFault::TooDeep { max: MAX_DEPTH });
                }
                if rules.is_empty() {
                    return fail(&p, RuleFault::NoRules);
                }
                if rules.len() > MAX_ITEMS {
                    return fail(&p, RuleFault::TooManyRules { max: MAX_ITEMS });
                }
                for (i, r) in rules.iter().enumerate() {
                    r.check_at(&format!("{p}.{i}"), depth + 1)?;
                }
                Ok(())
            }
            Rule::HouseholdSize(b) => {
                let p = here("household_size");
                check_bounds(&p, b)?;
                if b.min == Some(0) || b.max == Some(0) || b.max.is_some_and(|m| m > 50) {
                    return fail(&p, RuleFault::HouseholdSizeRange);
                }
                Ok(())
            }
            Rule::MemberAge(b) => {
                let p = here("member_age");
                check_bounds(&p, b)?;
                if b.min.is_some_and(|m| m > 120) || b.max.is_some_and(|m| m > 120) {
                    return fail(&p, RuleFault::AgeRange);
                }
                Ok(())
            }
            Rule::Nationality(list) => {
                let p = here("nationality");
                if list.is_empty() || list.len() > MAX_ITEMS {
                    return fail(&p, RuleFault::ListSize { max: MAX_ITEMS });
                }
                for (i, c) in list.iter().enumerate() {
                    if !codes::COUNTRIES.contains(c) {
                        return fail(
                            &format!("{p}.{i}"),
                            RuleFault::UnknownNationality { value: c.clone() },
                        );
                    }
                }
                Ok(())
            }
            Rule::Need(n) => {
                let p = here("need");
                if n.codes.is_empty() || n.codes.len() > MAX_ITEMS {
                    return fail(&p, RuleFault::ListSize { max: MAX_ITEMS });
                }
                for (i, c) in n.codes.iter().enumerate() {
                    if needs::find(c).is_none() && needs::sub_code_label(c, Lang::En).is_none() {
                        return fail(
                            &format!("{p}.codes.{i}"),
                            RuleFault::UnknownNeed { value: c.clone() },
                        );
                    }
                }
                if let (Some(a), Some(b)) = (n.since, n.until)
                    && a > b
                {
                    return fail(
                        &p,
                        RuleFault::MinAboveMax {
                            min: a.to_string(),
                            max: b.to_string(),
                        },
                    );
                }
                Ok(())
            }
            Rule::Registered(b) => {
                let p = here("registered");
                check_bounds(&p, b)
            }
        }
    }

    /// The sensitive field groups whose needs the rule names: an explanation of it reveals them.
    pub fn field_groups(&self) -> Vec<FieldGroup> {
        let mut out = Vec::new();
        self.collect_groups(&mut out);
        out
    }

    fn collect_groups(&self, out: &mut Vec<FieldGroup>) {
        match self {
            Rule::All(rs) | Rule::Any(rs) => rs.iter().for_each(|r| r.collect_groups(out)),
            Rule::Need(n) => {
                for c in &n.codes {
                    if let Some(g) = crate::events::need_group(code_of(c))
                        && !out.contains(&g)
                    {
                        out.push(g);
                    }
                }
            }
            _ => {}
        }
    }

    /// The rule in words, for the people who plan distributions: "household of at least 5
    /// with a child under 5 and a serious medical condition".
    pub fn describe(&self, lang: Lang) -> String {
        let (and, or) = match lang {
            Lang::En => (" and ", " or "),
            Lang::Es => (" y ", " o "),
        };
        match self {
            Rule::All(rs) => {
                let parts: Vec<String> = rs.iter().map(|r| r.describe(lang)).collect();
                let with = match lang {
                    Lang::En => " with ",
                    Lang::Es => " con ",
                };
                match (rs.first(), parts.split_first()) {
                    (Some(Rule::HouseholdSize(_)), Some((first, rest))) if !rest.is_empty() => {
                        format!("{first}{with}{}", rest.join(and))
                    }
                    _ => parts.join(and),
                }
            }
            Rule::Any(rs) => {
                let parts: Vec<String> = rs.iter().map(|r| r.describe(lang)).collect();
                format!("({})", parts.join(or))
            }
            Rule::HouseholdSize(b) => {
                let (en, es) = range_words(b);
                match lang {
                    Lang::En => format!("household of {en}"),
                    Lang::Es => format!("hogar de {es} personas"),
                }
            }
            Rule::MemberAge(b) => {
                let (en, es) = age_words(b);
                match lang {
                    Lang::En => format!("a {en}"),
                    Lang::Es => format!("un {es}"),
                }
            }
            Rule::Nationality(list) => match lang {
                Lang::En => format!("a member of nationality {}", list.join(", ")),
                Lang::Es => format!("un miembro de nacionalidad {}", list.join(", ")),
            },
            Rule::Need(n) => {
                let labels = n
                    .codes
                    .iter()
                    .map(|c| needs::label_or_code(c, lang).to_lowercase())
                    .collect::<Vec<_>>()
                    .join(or);
                let base = match lang {
                    Lang::En => format!("a {labels}"),
                    Lang::Es => labels,
                };
                match (n.since, n.until) {
                    (None, None) => base,
                    (s, u) => match lang {
                        Lang::En => format!("{base} identified {}", dates_words(s, u, lang)),
                        Lang::Es => format!("{base} identificada {}", dates_words(s, u, lang)),
                    },
                }
            }
            Rule::Registered(b) => match lang {
                Lang::En => format!("registered {}", dates_words(b.min, b.max, lang)),
                Lang::Es => format!("registrado {}", dates_words(b.min, b.max, lang)),
            },
        }
    }

    /// Evaluates the rule for one household on `today`.
    pub fn evaluate(&self, h: &Household, today: NaiveDate) -> Assessment {
        let verdict = self.judge(h, today);
        let explain = |lang: Lang| {
            let mut s = String::new();
            if verdict.holds {
                s.push_str(match lang {
                    Lang::En => "eligible: ",
                    Lang::Es => "elegible: ",
                });
                s.push_str(&sentence(&verdict.met, lang));
            } else {
                s.push_str(match lang {
                    Lang::En => "not eligible: ",
                    Lang::Es => "no elegible: ",
                });
                s.push_str(&sentence(&verdict.unmet, lang));
            }
            s
        };
        Assessment {
            eligible: verdict.holds,
            criteria_met: verdict.met.iter().map(|p| p.criterion.clone()).collect(),
            explanation_en: explain(Lang::En),
            explanation_es: explain(Lang::Es),
        }
    }

    fn judge(&self, h: &Household, today: NaiveDate) -> Verdict {
        match self {
            Rule::All(rules) => {
                let vs: Vec<Verdict> = rules.iter().map(|r| r.judge(h, today)).collect();
                let holds = vs.iter().all(|v| v.holds);
                let mut out = Verdict {
                    holds,
                    met: Vec::new(),
                    unmet: Vec::new(),
                };
                for v in vs {
                    if v.holds {
                        out.met.extend(v.met);
                    } else {
                        out.unmet.extend(v.unmet);
                    }
                }
                out
            }
            Rule::Any(rules) => {
                let vs: Vec<Verdict> = rules.iter().map(|r| r.judge(h, today)).collect();
                match vs.iter().position(|v| v.holds) {
                    Some(i) => Verdict {
                        holds: true,
                        met: vs.into_iter().nth(i).map(|v| v.met).unwrap_or_default(),
                        unmet: Vec::new(),
                    },
                    None => Verdict {
                        holds: false,
                        met: Vec::new(),
                        unmet: vs.into_iter().flat_map(|v| v.unmet).collect(),
                    },
                }
            }
            condition => {
                let (holds, phrase) = condition.condition(h, today);
                if holds {
                    Verdict {
                        holds,
                        met: vec![phrase],
                        unmet: Vec::new(),
                    }
                } else {
                    Verdict {
                        holds,
                        met: Vec::new(),
                        unmet: vec![phrase],
                    }
                }
            }
        }
    }

    /// Whether a condition holds, and the phrase that says so (or says why not).
    fn condition(&self, h: &Household, today: NaiveDate) -> (bool, Phrase) {
        match self {
            Rule::HouseholdSize(b) => {
                let n = h.members.len() as u32;
                let holds = b.holds(n);
                let mut en = format!("household of {n}");
                let mut es = format!(
                    "hogar de {n} {}",
                    if n == 1 { "persona" } else { "personas" }
                );
                if !holds {
                    let (ren, res) = range_words(b);
                    let _ = write!(en, " (needs {ren})");
                    let _ = write!(es, " (se requiere {res})");
                }
                (holds, Phrase::new("household_size", en, es))
            }
            Rule::MemberAge(b) => {
                let holds = h
                    .members
                    .iter()
                    .filter_map(|m| m.date_of_birth)
                    .any(|d| b.holds(age_on(d, today)));
                let (en, es) = age_words(b);
                let (en, es) = if holds {
                    (format!("a {en}"), format!("un {es}"))
                } else {
                    (format!("no {en}"), format!("ningún {es}"))
                };
                (holds, Phrase::new("member_age", en, es))
            }
            Rule::Nationality(list) => {
                let holds = h
                    .members
                    .iter()
                    .any(|m| m.nationalities.iter().any(|n| list.contains(n)));
                let names = list.join(", ");
                let (en, es) = if holds {
                    (
                        format!("a member of nationality {names}"),
                        format!("un miembro de nacionalidad {names}"),
                    )
                } else {
                    (
                        format!("no member of nationality {names}"),
                        format!("ningún miembro de nacionalidad {names}"),
                    )
                };
                (holds, Phrase::new("nationality", en, es))
            }
            Rule::Need(n) => {
                let found = h.members.iter().flat_map(|m| &m.needs).find(|need| {
                    !need.resolved
                        && n.since.is_none_or(|s| need.identified_on >= s)
                        && n.until.is_none_or(|u| need.identified_on <= u)
                        && n.codes.iter().any(|c| {
                            c == &need.code || need.sub_code.as_deref() == Some(c.as_str())
                        })
                });
                let code = match found {
                    Some(need) => n
                        .codes
                        .iter()
                        .find(|c| need.sub_code.as_deref() == Some(c.as_str()))
                        .unwrap_or(&need.code)
                        .clone(),
                    None => n.codes.join("/"),
                };
                let label = |lang| {
                    n.codes
                        .iter()
                        .filter(|c| found.is_none() || **c == code || code_of(c) == code)
                        .map(|c| needs::label_or_code(c, lang).to_lowercase())
                        .collect::<Vec<_>>()
                        .join(match lang {
                            Lang::En => " or ",
                            Lang::Es => " o ",
                        })
                };
                let (en, es) = if found.is_some() {
                    (format!("a {}", label(Lang::En)), label(Lang::Es))
                } else {
                    (
                        format!("no {}", label(Lang::En)),
                        format!("sin {}", label(Lang::Es)),
                    )
                };
                let (en, es) = match (n.since, n.until, found.is_some()) {
                    (None, None, _) | (_, _, true) => (en, es),
                    (s, u, false) => (
                        format!("{en} identified {}", dates_words(s, u, Lang::En)),
                        format!("{es} identificada {}", dates_words(s, u, Lang::Es)),
                    ),
                };
                (
                    found.is_some(),
                    Phrase::new(&format!("need:{code}"), en, es),
                )
            }
            Rule::Registered(b) => {
                let on = h.registered_on;
                let holds = b.holds(on);
                let mut en = format!("registered on {on}");
                let mut es = format!("registrado el {on}");
                if !holds {
                    let _ = write!(en, " (needs {})", dates_words(b.min, b.max, Lang::En));
                    let _ = write!(es, " (se requiere {})", dates_words(b.min, b.max, Lang::Es));
                }
                (holds, Phrase::new("registered", en, es))
            }
            Rule::All(_) | Rule::Any(_) => (false, Phrase::new("", String::new(), String::new())),
        }
    }
}

/// The code of a code or sub-code ("SM-CI" → "SM").
fn code_of(c: &str) -> &str {
    c.split('-').next().unwrap_or(c)
}

fn check_bounds<T: PartialOrd + std::fmt::Display>(
    path: &str,
    b: &Bounds<T>,
) -> Result<(), RuleProblem> {
    match (&b.min, &b.max) {
        (None, None) => Err(RuleProblem::new(path, RuleFault::NoBounds)),
        (Some(a), Some(z)) if a > z => Err(RuleProblem::new(
            path,
            RuleFault::MinAboveMax {
                min: a.to_string(),
                max: z.to_string(),
            },
        )),
        _ => Ok(()),
    }
}

/// Whole years from `born` to `on`.
pub fn age_on(born: NaiveDate, on: NaiveDate) -> u32 {
    let mut years = on.year() - born.year();
    if (on.month(), on.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

fn range_words(b: &Bounds<u32>) -> (String, String) {
    match (b.min, b.max) {
        (Some(a), Some(z)) if a == z => (format!("exactly {a}"), format!("exactamente {a}")),
        (Some(a), Some(z)) => (format!("{a} to {z}"), format!("de {a} a {z}")),
        (Some(a), None) => (format!("at least {a}"), format!("al menos {a}")),
        (None, Some(z)) => (format!("at most {z}"), format!("como máximo {z}")),
        (None, None) => (String::new(), String::new()),
    }
}

/// "child under 5" / "niño o niña menor de 5 años", and the like, without the article.
fn age_words(b: &Bounds<u32>) -> (String, String) {
    match (b.min.filter(|m| *m > 0), b.max) {
        (None, Some(z)) if z < 18 => (
            format!("child under {}", z + 1),
            format!("niño o niña menor de {} años", z + 1),
        ),
        (None, Some(z)) => (
            format!("member under {}", z + 1),
            format!("miembro menor de {} años", z + 1),
        ),
        (Some(a), None) => (
            format!("member aged {a} or over"),
            format!("miembro de {a} años o más"),
        ),
        (Some(a), Some(z)) => (
            format!("member aged {a} to {z}"),
            format!("miembro de entre {a} y {z} años"),
        ),
        (None, None) => ("member".into(), "miembro".into()),
    }
}

fn dates_words(since: Option<NaiveDate>, until: Option<NaiveDate>, lang: Lang) -> String {
    match (since, until, lang) {
        (Some(a), Some(z), Lang::En) => format!("between {a} and {z}"),
        (Some(a), Some(z), Lang::Es) => format!("entre el {a} y el {z}"),
        (Some(a), None, Lang::En) => format!("on or after {a}"),
        (Some(a), None, Lang::Es) => format!("desde el {a}"),
        (None, Some(z), Lang::En) => format!("on or before {z}"),
        (None, Some(z), Lang::Es) => format!("hasta el {z}"),
        (None, None, _) => String::new(),
    }
}

/// Phrases as one sentence: "household of 6 with a child under 5 and a serious medical
/// condition".
fn sentence(phrases: &[Phrase], lang: Lang) -> String {
    let words: Vec<&str> = phrases.iter().map(|p| p.text(lang)).collect();
    let (with, and) = match lang {
        Lang::En => (" with ", " and "),
        Lang::Es => (" con ", " y "),
    };
    match words.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [first, rest @ ..] => {
            let joined = match rest {
                [only] => (*only).to_string(),
                [init @ .., last] => format!("{}{and}{last}", init.join(", ")),
                [] => String::new(),
            };
            if phrases[0].criterion == "household_size" {
                format!("{first}{with}{joined}")
            } else {
                format!("{first}, {joined}")
            }
        }
    }
}

/// What a condition found, in both languages.
#[derive(Debug, Clone)]
struct Phrase {
    criterion: String,
    en: String,
    es: String,
}

impl Phrase {
    fn new(criterion: &str, en: String, es: String) -> Self {
        Self {
            criterion: criterion.to_string(),
            en,
            es,
        }
    }
    fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Es => &self.es,
        }
    }
}

#[derive(Debug)]
struct Verdict {
    holds: bool,
    met: Vec<Phrase>,
    unmet: Vec<Phrase>,
}

/// A household as the rules see it: its current members with what the rules read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Household {
    pub members: Vec<HouseholdMember>,
    /// The day the group was registered.
    pub registered_on: NaiveDate,
}

/// A member as the rules see them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdMember {
    pub date_of_birth: Option<NaiveDate>,
    pub nationalities: Vec<String>,
    pub needs: Vec<HouseholdNeed>,
}

/// A specific need of a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdNeed {
    pub code: String,
    pub sub_code: Option<String>,
    pub identified_on: NaiveDate,
    /// Resolved needs no longer count.
    pub resolved: bool,
}

/// The outcome of a rule for one household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub eligible: bool,
    /// The conditions that held, as criteria names: `household_size`, `member_age`,
    /// `nationality`, `need:SM`, `registered`.
    pub criteria_met: Vec<String>,
    pub explanation_en: String,
    pub explanation_es: String,
}

impl Assessment {
    /// The explanation in `lang`.
    pub fn explanation(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.explanation_en,
            Lang::Es => &self.explanation_es,
        }
    }
}
