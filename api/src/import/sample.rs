//! Realistic source files of two kinds of earlier systems, with their mappings, so the whole
//! import path can be tried (and measured) without anyone's real data:
//!
//! - `registration-system`: an offline registration system's CSV export in Spanish, with
//!   households, RSD cases and their statuses, specific needs in an older code list and
//!   identity documents, dates written day first;
//! - `partner-agency`: a partner agency's assistance database as one workbook (XLSX) with a
//!   sheet per table, English headers, its own codes (ISO numeric nationalities, free-text
//!   relationships) and dates written month first.
//!
//! Both carry what real exports carry: some broken rows (impossible dates, codes nobody
//! mapped, a child older than the parent, a household without a focal point, a case without a
//! principal, rows naming nobody), and the same people twice with their names reordered or
//! spelled another way, or with the same document.

use std::path::Path;

use crate::error::{Error, Result};
use crate::seed::name_pools::{Nationality, pool};

/// Which earlier system the files imitate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    RegistrationSystem,
    PartnerAgency,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "registration-system" => Some(Kind::RegistrationSystem),
            "partner-agency" => Some(Kind::PartnerAgency),
            _ => None,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub people: usize,
    pub households: usize,
    pub cases: usize,
    pub files: Vec<String>,
}

/// A small deterministic generator (SplitMix64): the same N gives the same files.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// One person as the generator makes them, before a kind writes them in its own words.
#[derive(Debug, Clone)]
struct Person {
    key: String,
    household: String,
    relationship: &'static str,
    given: String,
    family1: String,
    family2: String,
    female: bool,
    /// (year, month, day)
    birth: (i32, u32, u32),
    nationality: Nationality,
    /// Written as a nationality no mapping lists.
    unknown_nationality: bool,
    need: Option<&'static str>,
    document: Option<(&'static str, String)>,
}

#[derive(Debug, Clone)]
struct Case {
    key: String,
    household: String,
    principal: String,
    status: &'static str,
    opened: (i32, u32, u32),
    status_date: (i32, u32, u32),
}

/// Needs in the generator's own words, mapped by each kind's mapping.
const NEEDS: [&str; 6] = [
    "MNA",
    "MUJER_RIESGO",
    "ENF_CRONICA",
    "PADRE_SOLO",
    "ADULTO_MAYOR",
    "DISCAPACIDAD",
];
const STATUSES: [&str; 5] = ["ACT", "ADM", "DES", "SAL", "DUP"];

struct World {
    people: Vec<Person>,
    households: Vec<String>,
    cases: Vec<Case>,
    /// Rows of needs and documents naming nobody (broken on purpose).
    orphan_need: Vec<(String, &'static str)>,
}

fn world(n: usize, salt: u64) -> World {
    let mut g = Gen(0x5EED_0000 + n as u64 + (salt << 32));
    let mut people: Vec<Person> = Vec::with_capacity(n);
    let mut households = Vec::new();
    let mut cases = Vec::new();
    let mut orphan_need = Vec::new();
    // Numbers of their own for each size, so two samples do not share documents.
    let mut doc_serial = 1_000_000 + g.below(8_000_000);
    let mut h = 0usize;
    while people.len() < n {
        h += 1;
        let hk = format!("H{h:07}");
        households.push(hk.clone());
        let nat = *g.pick(&Nationality::ALL);
        let p = pool(nat);
        let family1 = g.pick(p.family).latin.to_string();
        let family2 = g.pick(p.family).latin.to_string();
        let focal_female = g.chance(55);
        let year = 1960 + g.below(40) as i32;
        let day = |g: &mut Gen| (1 + g.below(12) as u32, 1 + g.below(28) as u32);
        let (m, d) = day(&mut g);
        let mut members: Vec<Person> = Vec::new();
        let given = |g: &mut Gen, female: bool| {
            let list = if female { p.given_female } else { p.given_male };
            g.pick(list).latin.to_string()
        };
        let add = |members: &mut Vec<Person>,
                   rel: &'static str,
                   female: bool,
                   birth: (i32, u32, u32),
                   g: &mut Gen| {
            let key = format!("P{:07}", people.len() + members.len() + 1);
            members.push(Person {
                key,
                household: hk.clone(),
                relationship: rel,
                given: given(g, female),
                family1: family1.clone(),
                family2: if nat.uses_two_family_names() {
                    family2.clone()
                } else {
                    String::new()
                },
                female,
                birth,
                nationality: nat,
                unknown_nationality: false,
                need: None,
                document: None,
            });
        };
        add(&mut members, "focal", focal_female, (year, m, d), &mut g);
        let size = 1 + g.below(5) as usize;
        if size > 1 {
            let (m, d) = day(&mut g);
            add(
                &mut members,
                "spouse",
                !focal_female,
                (year + g.below(7) as i32 - 3, m, d),
                &mut g,
            );
        }
        for _ in 2..size {
            let (m, d) = day(&mut g);
            let female = g.chance(50);
            let born = (year + 19 + g.below(20) as i32).min(2025);
            add(
                &mut members,
                if female { "daughter" } else { "son" },
                female,
                (born, m, d),
                &mut g,
            );
        }
        for p in members.iter_mut() {
            if g.chance(12) {
                p.need = Some(*g.pick(&NEEDS));
            }
            if p.birth.0 < 2007 && g.chance(70) {
                doc_serial += 1 + g.below(7);
                let kind = if g.chance(60) { "PAS" } else { "CED" };
                p.document = Some((
                    kind,
                    format!("{}{doc_serial}", if kind == "PAS" { "AX" } else { "" }),
                ));
            }
        }
        // Broken on purpose, at fixed rhythms so every kind of problem is present.
        match h % 101 {
            3 => members[0].birth = (1985, 2, 31),
            13 => members[0].unknown_nationality = true,
            23 if members.len() > 2 => members[2].birth = (year - 10, 1, 1),
            33 => members[0].relationship = "son",
            53 => members[0].need = Some("XYZ_ANTIGUO"),
            63 => orphan_need.push(("P9999999".to_string(), "MNA")),
            _ => {}
        }
        if g.chance(60) {
            let opened = (
                2015 + g.below(10) as i32,
                1 + g.below(12) as u32,
                1 + g.below(28) as u32,
            );
            let status = *g.pick(&STATUSES);
            let later = (opened.0 + 1, opened.1, opened.2);
            cases.push(Case {
                key: format!("C{h:07}"),
                household: hk.clone(),
                principal: if h % 101 == 43 {
                    String::new()
                } else {
                    members[0].key.clone()
                },
                status,
                opened,
                status_date: if status == "ACT" { opened } else { later },
            });
        }
        people.extend(members);
        // The same focal point again, registered elsewhere: reordered names and another
        // spelling (a possible duplicate), or with the same document (a certain match).
        if h % 37 == 5 && people.len() < n {
            h += 1;
            let hk = format!("H{h:07}");
            households.push(hk.clone());
            let src = people
                .iter()
                .rev()
                .find(|p| p.relationship == "focal")
                .cloned();
            if let Some(mut again) = src {
                again.key = format!("P{:07}", people.len() + 1);
                again.household = hk;
                let variant = pool(again.nationality)
                    .family
                    .iter()
                    .find(|x| x.latin == again.family1)
                    .and_then(|x| x.variants.first())
                    .map(|v| v.to_string());
                // Family name first, given name second, as some forms had them.
                let (given, family) = (again.family1.clone(), again.given.clone());
                again.given = variant.unwrap_or(given);
                again.family1 = family;
                again.family2.clear();
                again.need = None;
                if h.is_multiple_of(2) {
                    again.document = None;
                }
                people.push(again);
            }
        }
    }
    World {
        people,
        households,
        cases,
        orphan_need,
    }
}

fn ymd((y, m, d): (i32, u32, u32), day_first: bool) -> String {
    if day_first {
        format!("{d:02}/{m:02}/{y}")
    } else {
        format!("{m:02}/{d:02}/{y}")
    }
}

/// Writes the source files of `kind` for about `people` people, and `DIR/mapping.toml`.
pub fn write(kind: Kind, people: usize, dir: &Path) -> Result<Written> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::config(format!("cannot create {}: {e}", dir.display())))?;
    // Each kind its own people: two systems of one operation hold mostly different families.
    let w = world(people, kind as u64);
    let tables = match kind {
        Kind::RegistrationSystem => registration_tables(&w),
        Kind::PartnerAgency => partner_tables(&w),
    };
    let mut files = Vec::new();
    match kind {
        Kind::RegistrationSystem => {
            for (name, rows) in &tables {
                let path = dir.join(format!("{name}.csv"));
                let mut out = csv::Writer::from_path(&path)
                    .map_err(|e| Error::config(format!("cannot write {}: {e}", path.display())))?;
                for r in rows {
                    out.write_record(r).map_err(|e| {
                        Error::config(format!("cannot write {}: {e}", path.display()))
                    })?;
                }
                out.flush()
                    .map_err(|e| Error::config(format!("cannot write {}: {e}", path.display())))?;
                files.push(path.display().to_string());
            }
        }
        Kind::PartnerAgency => {
            let path = dir.join("assistance.xlsx");
            let xl = |e: rust_xlsxwriter::XlsxError| {
                Error::config(format!("cannot write {}: {e}", path.display()))
            };
            let mut book = rust_xlsxwriter::Workbook::new();
            for (name, rows) in &tables {
                let sheet = book.add_worksheet();
                sheet.set_name(*name).map_err(xl)?;
                for (r, row) in rows.iter().enumerate() {
                    for (c, v) in row.iter().enumerate() {
                        sheet.write_string(r as u32, c as u16, v).map_err(xl)?;
                    }
                }
            }
            book.save(&path).map_err(xl)?;
            files.push(path.display().to_string());
        }
    }
    let mapping = dir.join("mapping.toml");
    std::fs::write(&mapping, mapping_text(kind))
        .map_err(|e| Error::config(format!("cannot write {}: {e}", mapping.display())))?;
    files.push(mapping.display().to_string());
    Ok(Written {
        people: w.people.len(),
        households: w.households.len(),
        cases: w.cases.len(),
        files,
    })
}

type Rows = Vec<Vec<String>>;

fn registration_tables(w: &World) -> Vec<(&'static str, Rows)> {
    let rel = |r: &str| match r {
        "focal" => "JH",
        "spouse" => "CY",
        "son" => "HJ",
        "daughter" => "HA",
        _ => "OT",
    };
    let nat = |p: &Person| {
        if p.unknown_nationality {
            return "MARCIANA".to_string();
        }
        match p.nationality {
            Nationality::Colombia => "COLOMBIANA",
            Nationality::Venezuela => "VENEZOLANA",
            Nationality::Afghanistan => "AFGANA",
            Nationality::Syria => "SIRIA",
        }
        .to_string()
    };
    let mut people: Rows = vec![
        [
            "ID_PERSONA",
            "ID_HOGAR",
            "PARENTESCO",
            "NOMBRES",
            "APELLIDO1",
            "APELLIDO2",
            "SEXO",
            "FECHA_NAC",
            "NACIONALIDAD",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let mut needs: Rows = vec![vec!["ID_PERSONA".into(), "COD_NECESIDAD".into()]];
    let mut docs: Rows = vec![
        ["ID_PERSONA", "TIPO_DOC", "NUM_DOC", "PAIS_EMISION"]
            .map(String::from)
            .to_vec(),
    ];
    for p in &w.people {
        people.push(vec![
            p.key.clone(),
            p.household.clone(),
            rel(p.relationship).into(),
            p.given.clone(),
            p.family1.clone(),
            p.family2.clone(),
            if p.female { "2" } else { "1" }.into(),
            ymd(p.birth, true),
            nat(p),
        ]);
        if let Some(n) = p.need {
            needs.push(vec![p.key.clone(), n.into()]);
        }
        if let Some((kind, number)) = &p.document {
            docs.push(vec![
                p.key.clone(),
                kind.to_string(),
                number.clone(),
                p.nationality.alpha3().into(),
            ]);
        }
    }
    for (who, code) in &w.orphan_need {
        needs.push(vec![who.clone(), code.to_string()]);
    }
    let mut households: Rows = vec![vec!["ID_HOGAR".into()]];
    households.extend(w.households.iter().map(|h| vec![h.clone()]));
    households.push(vec!["H9999999".into()]);
    let mut cases: Rows = vec![
        [
            "NUM_CASO",
            "ID_HOGAR",
            "ID_SOLICITANTE",
            "ESTADO",
            "FECHA_APERTURA",
            "FECHA_ESTADO",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for c in &w.cases {
        cases.push(vec![
            c.key.clone(),
            c.household.clone(),
            c.principal.clone(),
            c.status.into(),
            ymd(c.opened, true),
            ymd(c.status_date, true),
        ]);
    }
    // The cases' history as the old system logged it: the opening, then what led to the
    // status, a note now and then, and one row in a hundred and three naming no case.
    let mut events: Rows = vec![
        ["NUM_CASO", "FECHA", "EVENTO", "OBSERVACION"]
            .map(String::from)
            .to_vec(),
    ];
    for (i, c) in w.cases.iter().enumerate() {
        events.push(vec![
            c.key.clone(),
            ymd(c.opened, true),
            "REGISTRO DE SOLICITUD".into(),
            String::new(),
        ]);
        let what = match c.status {
            "ADM" => Some("ADMISION A TRAMITE"),
            "DES" => Some("DESISTIMIENTO"),
            "SAL" => Some("SALIDA DEL PAIS"),
            "DUP" => Some("CIERRE POR DUPLICADO"),
            _ => None,
        };
        if let Some(what) = what {
            let note = if i % 7 == 0 {
                "Se informa al solicitante en ventanilla."
            } else {
                ""
            };
            events.push(vec![
                c.key.clone(),
                ymd(c.status_date, true),
                what.into(),
                note.into(),
            ]);
        }
        if i % 103 == 51 {
            events.push(vec![
                "C9999999".into(),
                ymd(c.opened, true),
                "ENTREVISTA".into(),
                String::new(),
            ]);
        }
    }
    vec![
        ("personas", people),
        ("hogares", households),
        ("casos", cases),
        ("eventos", events),
        ("necesidades", needs),
        ("documentos", docs),
    ]
}

fn partner_tables(w: &World) -> Vec<(&'static str, Rows)> {
    let rel = |r: &str| match r {
        "focal" => "Head of household",
        "spouse" => "Spouse",
        "son" => "Son",
        "daughter" => "Daughter",
        _ => "Other",
    };
    // ISO 3166 numeric, as the agency's database kept them.
    let nat = |p: &Person| {
        if p.unknown_nationality {
            return "999".to_string();
        }
        match p.nationality {
            Nationality::Colombia => "170",
            Nationality::Venezuela => "862",
            Nationality::Afghanistan => "4",
            Nationality::Syria => "760",
        }
        .to_string()
    };
    let mut people: Rows = vec![
        [
            "Beneficiary ID",
            "Family ID",
            "Relation to HoH",
            "First name",
            "Last name",
            "Second last name",
            "Gender",
            "Date of birth",
            "Nationality",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let mut needs: Rows = vec![vec!["Beneficiary ID".into(), "Vulnerability".into()]];
    let mut docs: Rows = vec![
        ["Beneficiary ID", "ID type", "ID number"]
            .map(String::from)
            .to_vec(),
    ];
    for p in &w.people {
        people.push(vec![
            p.key.replace('P', "B-"),
            p.household.replace('H', "F-"),
            rel(p.relationship).into(),
            p.given.clone(),
            p.family1.clone(),
            p.family2.clone(),
            if p.female { "Female" } else { "Male" }.into(),
            ymd(p.birth, false),
            nat(p),
        ]);
        if let Some(n) = p.need {
            needs.push(vec![p.key.replace('P', "B-"), n.to_lowercase()]);
        }
        if let Some((kind, number)) = &p.document {
            docs.push(vec![
                p.key.replace('P', "B-"),
                if *kind == "PAS" {
                    "Passport"
                } else {
                    "National ID"
                }
                .into(),
                number.clone(),
            ]);
        }
    }
    for (who, code) in &w.orphan_need {
        needs.push(vec![who.replace('P', "B-"), code.to_lowercase()]);
    }
    vec![
        ("Beneficiaries", people),
        ("Vulnerabilities", needs),
        ("IDs", docs),
    ]
}

fn mapping_text(kind: Kind) -> &'static str {
    match kind {
        Kind::RegistrationSystem => REGISTRATION_MAPPING,
        Kind::PartnerAgency => PARTNER_MAPPING,
    }
}

/// The mapping of the registration system's export (the README's complete example).
pub const REGISTRATION_MAPPING: &str = r#"# The offline registration system's export: CSV files in Spanish.
version = "registration-system-1"
source = "registration-system"
unit = "DPIN"
office = "UIO"
date_formats = ["%d/%m/%Y"]
batch_size = 500

[individuals]
file = "personas.csv"
key = "ID_PERSONA"
household = "ID_HOGAR"
relationship = "PARENTESCO"
given_names = "NOMBRES"
family_name = "APELLIDO1"
second_family_name = "APELLIDO2"
sex = "SEXO"
date_of_birth = "FECHA_NAC"
nationality = "NACIONALIDAD"

[households]
file = "hogares.csv"
key = "ID_HOGAR"

[cases]
file = "casos.csv"
key = "NUM_CASO"
household = "ID_HOGAR"
principal = "ID_SOLICITANTE"
status = "ESTADO"
opened = "FECHA_APERTURA"
status_date = "FECHA_ESTADO"

[events]
file = "eventos.csv"
case = "NUM_CASO"
date = "FECHA"
what = "EVENTO"
note = "OBSERVACION"

[needs]
file = "necesidades.csv"
person = "ID_PERSONA"
code = "COD_NECESIDAD"

[documents]
file = "documentos.csv"
person = "ID_PERSONA"
document_type = "TIPO_DOC"
number = "NUM_DOC"
issuing_country = "PAIS_EMISION"

[codes.sex]
"1" = "M"
"2" = "F"

[codes.nationality]
COLOMBIANA = "COL"
VENEZOLANA = "VEN"
SIRIA = "SYR"
AFGANA = "AFG"
COL = "COL"
VEN = "VEN"
AFG = "AFG"
SYR = "SYR"

[codes.relationship]
JH = "focal_point"
CY = "spouse"
HJ = "son"
HA = "daughter"
OT = "other_relative"

[codes.need]
MNA = "SC-UC"
MUJER_RIESGO = "WR-WR"
ENF_CRONICA = "SM-CI"
PADRE_SOLO = "SP-PT"
ADULTO_MAYOR = "ER-NF"
DISCAPACIDAD = "DS"

[codes.document_type]
PAS = "passport"
CED = "national_id"

[codes.case_status]
ACT = "registered"
ADM = "admissible"
DES = "withdrawn"
SAL = "closed:left_country"
DUP = "closed:duplicate"
"#;

const PARTNER_MAPPING: &str = r#"# The partner agency's assistance database: one workbook, English headers, its own codes.
version = "partner-agency-1"
source = "partner-agency"
unit = "DPIN"
office = "UIO"
date_formats = ["%m/%d/%Y"]

[individuals]
file = "assistance.xlsx"
sheet = "Beneficiaries"
key = "Beneficiary ID"
household = "Family ID"
relationship = "Relation to HoH"
given_names = "First name"
family_name = "Last name"
second_family_name = "Second last name"
sex = "Gender"
date_of_birth = "Date of birth"
nationality = "Nationality"

[needs]
file = "assistance.xlsx"
sheet = "Vulnerabilities"
person = "Beneficiary ID"
code = "Vulnerability"

[documents]
file = "assistance.xlsx"
sheet = "IDs"
person = "Beneficiary ID"
document_type = "ID type"
number = "ID number"

[codes.sex]
Female = "F"
Male = "M"

[codes.nationality]
"170" = "COL"
"862" = "VEN"
"4" = "AFG"
"760" = "SYR"

[codes.relationship]
"Head of household" = "focal_point"
Spouse = "spouse"
Son = "son"
Daughter = "daughter"
Other = "other_relative"

[codes.need]
mna = "SC-UC"
mujer_riesgo = "WR-WR"
enf_cronica = "SM-CI"
padre_solo = "SP-PT"
adulto_mayor = "ER-NF"
discapacidad = "DS"

[codes.document_type]
Passport = "passport"
"National ID" = "national_id"
"#;
