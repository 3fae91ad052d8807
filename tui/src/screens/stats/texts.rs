//! The words of the statistics screen, in Spanish and English; the common words come through
//! `Deref`.

use std::ops::Deref;

use crate::i18n::{self, KeyHelp, Lang, Text};

pub struct Texts {
    common: &'static Text,
    pub loading: &'static str,
    pub hint: &'static str,
    pub none: &'static str,
    pub office: &'static str,
    pub period: &'static str,
    pub all_offices: &'static str,
    pub all_time: &'static str,
    pub last_12: &'static str,
    pub last_3: &'static str,
    pub population: &'static str,
    pub procedure: &'static str,
    pub work: &'static str,
    pub by_age: &'static str,
    pub by_sex: &'static str,
    pub by_nationality: &'static str,
    pub by_need: &'static str,
    pub by_group_size: &'static str,
    pub registered_by_month: &'static str,
    pub applications: &'static str,
    pub admissible: &'static str,
    pub inadmissible: &'static str,
    pub interviews: &'static str,
    pub decisions: &'static str,
    pub rejected: &'static str,
    pub excluded: &'static str,
    pub recognised: &'static str,
    pub rates: &'static str,
    pub appeals: &'static str,
    pub withdrawals: &'static str,
    pub abandonments: &'static str,
    pub reopenings: &'static str,
    pub applications_by_month: &'static str,
    pub decisions_by_month: &'static str,
    pub processing_times: &'static str,
    pub open: &'static str,
    pub awaiting: &'static str,
    pub overdue: &'static str,
    pub registrations: &'static str,
    pub assessments: &'static str,
    pub reviews: &'static str,
    pub team: &'static str,
    modalities: [(&'static str, &'static str); 4],
    pub keys: &'static [KeyHelp],
}

impl Texts {
    /// A modality's name.
    pub fn modality<'a>(&self, code: &'a str) -> &'a str {
        self.modalities
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(code, |(_, n)| n)
    }
}

impl Deref for Texts {
    type Target = Text;

    fn deref(&self) -> &Text {
        self.common
    }
}

pub fn get(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Es => &ES,
        Lang::En => &EN,
    }
}

static ES: Texts = Texts {
    common: &i18n::ES,
    loading: "Leyendo las cifras…",
    hint: "1-3 vista · o/O oficina · p periodo · g releer",
    none: "ninguna",
    office: "Oficina",
    period: "Periodo",
    all_offices: "todas",
    all_time: "todo",
    last_12: "12 meses",
    last_3: "3 meses",
    population: "Población",
    procedure: "Procedimiento",
    work: "Trabajo",
    by_age: "Personas por edad",
    by_sex: "Por sexo",
    by_nationality: "Por nacionalidad",
    by_need: "Por necesidad específica",
    by_group_size: "Por tamaño de grupo",
    registered_by_month: "Registros por mes",
    applications: "Solicitudes",
    admissible: "admisibles",
    inadmissible: "inadmisibles",
    interviews: "Entrevistas",
    decisions: "Decisiones",
    rejected: "rechazos",
    excluded: "exclusiones",
    recognised: "reconocidos",
    rates: "Tasa de reconocimiento",
    appeals: "Apelaciones",
    withdrawals: "desistimientos",
    abandonments: "abandonos",
    reopenings: "reaperturas",
    applications_by_month: "Solicitudes por mes",
    decisions_by_month: "Primeras decisiones por mes",
    processing_times: "Días hasta decisión  n  mediana  p90",
    open: "Casos abiertos",
    awaiting: "sin decisión",
    overdue: "Vencidos según la meta",
    registrations: "Registros",
    assessments: "Evaluaciones",
    reviews: "Revisiones",
    team: "Su equipo",
    modalities: [
        ("regular", "regular"),
        ("simplified", "simplificada"),
        ("accelerated", "acelerada"),
        ("merged", "fusionada"),
    ],
    keys: &[
        ("1 2 3", "población · procedimiento · trabajo"),
        ("o, O", "oficina siguiente / anterior (primero todas)"),
        ("p", "periodo: todo, 12 meses, 3 meses"),
        ("g", "releer"),
    ],
};

static EN: Texts = Texts {
    common: &i18n::EN,
    loading: "Reading the figures…",
    hint: "1-3 view · o/O office · p period · g re-read",
    none: "none",
    office: "Office",
    period: "Period",
    all_offices: "all",
    all_time: "all",
    last_12: "12 months",
    last_3: "3 months",
    population: "Population",
    procedure: "Procedure",
    work: "Work",
    by_age: "People by age",
    by_sex: "By sex",
    by_nationality: "By nationality",
    by_need: "By specific need",
    by_group_size: "By group size",
    registered_by_month: "Registered per month",
    applications: "Applications",
    admissible: "admissible",
    inadmissible: "inadmissible",
    interviews: "Interviews",
    decisions: "Decisions",
    rejected: "rejected",
    excluded: "excluded",
    recognised: "recognised",
    rates: "Recognition rate",
    appeals: "Appeals",
    withdrawals: "withdrawals",
    abandonments: "abandonments",
    reopenings: "reopenings",
    applications_by_month: "Applications per month",
    decisions_by_month: "First decisions per month",
    processing_times: "Days to decision    n  median   p90",
    open: "Open cases",
    awaiting: "no decision",
    overdue: "Overdue against target",
    registrations: "Registrations",
    assessments: "Assessments",
    reviews: "Reviews",
    team: "Your team",
    modalities: [
        ("regular", "regular"),
        ("simplified", "simplified"),
        ("accelerated", "accelerated"),
        ("merged", "merged"),
    ],
    keys: &[
        ("1 2 3", "population · procedure · work"),
        ("o, O", "next / previous office (all first)"),
        ("p", "period: all, 12 months, 3 months"),
        ("g", "re-read"),
    ],
};
