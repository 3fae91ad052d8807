//! The words of the duplicates queue, a review and its decision form, in Spanish and English. The words every screen uses (errors,
//! codes, the status line) come from [`crate::i18n::Text`], reached through these by `Deref`.

use std::ops::Deref;

use crate::i18n::{self, KeyHelp, Lang, Text};

pub struct Texts {
    common: &'static Text,
    /// The title of the reason form, before the decision's name.
    pub decision_title: &'static str,
    pub col_enrolled: &'static str,
    pub col_candidate: &'static str,
    pub col_score: &'static str,
    pub col_age: &'static str,
    pub out_of_scope: &'static str,
    pub empty: &'static str,
    pub list_hint: &'static str,
    /// Units of a review's age: minutes, hours, days.
    pub minutes: &'static str,
    pub hours: &'static str,
    pub days: &'static str,
    pub queued: &'static str,
    pub status: &'static str,
    pub pending: &'static str,
    pub same_person: &'static str,
    pub different_people: &'static str,
    pub decided: &'static str,
    pub reason: &'static str,
    pub fused: &'static str,
    pub threshold: &'static str,
    pub enrolled_at: &'static str,
    pub positions: &'static str,
    pub row_position: &'static str,
    pub row_score: &'static str,
    pub row_match: &'static str,
    /// Short names of the ten fingers and two eyes, in ISO order.
    pub position_codes: [&'static str; 12],
    pub face: &'static str,
    pub legend: &'static str,
    pub review_hint: &'static str,
    pub decided_hint: &'static str,
    pub form_hint: &'static str,
    pub keys_list: &'static [KeyHelp],
    pub keys_review: &'static [KeyHelp],
    pub keys_form: &'static [KeyHelp],
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
    decision_title: "Decisión",
    col_enrolled: "Nueva inscripción",
    col_candidate: "Inscripción anterior",
    col_score: "Puntaje",
    col_age: "Espera",
    out_of_scope: "fuera de su alcance",
    empty: "No hay posibles duplicados por revisar.",
    list_hint: "↑↓ elegir · Enter abrir · AvPág/RePág páginas · g releer",
    minutes: "min",
    hours: "h",
    days: "d",
    queued: "En cola desde",
    status: "Estado",
    pending: "pendiente",
    same_person: "la misma persona",
    different_people: "personas distintas",
    decided: "Decidido",
    reason: "Motivo",
    fused: "Puntaje combinado",
    threshold: "(1.00 = umbral de decisión)",
    enrolled_at: "Inscrito",
    positions: "Posiciones",
    row_position: "Posición",
    row_score: "Puntaje",
    row_match: "Coincide",
    position_codes: [
        "D1", "D2", "D3", "D4", "D5", "I1", "I2", "I3", "I4", "I5", "OD", "OI",
    ],
    face: "rostro",
    legend: "D/I mano derecha/izquierda, 1 pulgar … 5 meñique; OD/OI iris derecho/izquierdo",
    review_hint: "s la misma persona · d personas distintas · g releer · Esc volver",
    decided_hint: "g releer · Esc volver",
    form_hint: "Enter/Ctrl-S enviar · Esc cancelar",
    keys_list: &[
        ("↑ ↓", "elegir una revisión"),
        ("Enter", "abrir la revisión"),
        ("AvPág, n", "página siguiente"),
        ("RePág, p", "página anterior"),
        ("g", "releer"),
    ],
    keys_review: &[
        ("s", "decidir: la misma persona"),
        ("d", "decidir: personas distintas"),
        ("g", "releer"),
        ("Esc", "volver a la lista"),
    ],
    keys_form: &[
        ("Enter, Ctrl-S", "enviar la decisión"),
        ("Ctrl-U", "borrar el motivo"),
        ("Esc", "cancelar"),
    ],
};

static EN: Texts = Texts {
    common: &i18n::EN,
    decision_title: "Decision",
    col_enrolled: "New enrolment",
    col_candidate: "Earlier enrolment",
    col_score: "Score",
    col_age: "Waiting",
    out_of_scope: "outside your scope",
    empty: "No possible duplicates waiting for review.",
    list_hint: "↑↓ choose · Enter open · PgDn/PgUp pages · g reload",
    minutes: "min",
    hours: "h",
    days: "d",
    queued: "Queued since",
    status: "Status",
    pending: "pending",
    same_person: "same person",
    different_people: "different people",
    decided: "Decided",
    reason: "Reason",
    fused: "Fused score",
    threshold: "(1.00 = decision threshold)",
    enrolled_at: "Enrolled",
    positions: "Positions",
    row_position: "Position",
    row_score: "Score",
    row_match: "Match",
    position_codes: [
        "R1", "R2", "R3", "R4", "R5", "L1", "L2", "L3", "L4", "L5", "RE", "LE",
    ],
    face: "face",
    legend: "R/L right/left hand, 1 thumb … 5 little finger; RE/LE right/left iris",
    review_hint: "s same person · d different people · g reload · Esc back",
    decided_hint: "g reload · Esc back",
    form_hint: "Enter/Ctrl-S send · Esc cancel",
    keys_list: &[
        ("↑ ↓", "choose a review"),
        ("Enter", "open the review"),
        ("PgDn, n", "next page"),
        ("PgUp, p", "previous page"),
        ("g", "reload"),
    ],
    keys_review: &[
        ("s", "decide: same person"),
        ("d", "decide: different people"),
        ("g", "reload"),
        ("Esc", "back to the list"),
    ],
    keys_form: &[
        ("Enter, Ctrl-S", "send the decision"),
        ("Ctrl-U", "clear the reason"),
        ("Esc", "cancel"),
    ],
};
