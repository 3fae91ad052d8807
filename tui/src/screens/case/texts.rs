//! The words of a case, in Spanish and English. The words every screen uses (errors,
//! codes, the status line) come from [`crate::i18n::Text`], reached through these by `Deref`.

use std::ops::Deref;

use crate::i18n::{self, KeyHelp, Lang, Text};

pub struct Texts {
    common: &'static Text,
    pub lang: Lang,
    pub held: &'static str,
    pub days_waiting: &'static str,
    pub assessment: &'static str,
    pub recommendations_withheld: &'static str,
    pub interview: &'static str,
    pub attended: &'static str,
    pub not_attended: &'static str,
    pub decision_due: &'static str,
    pub appeal_deadline: &'static str,
    pub next_interview: &'static str,
    pub abandonment_from: &'static str,
    pub members: &'static str,
    pub principal: &'static str,
    pub workflow: &'static str,
    pub admissibility: &'static str,
    pub admissible: &'static str,
    pub inadmissible: &'static str,
    pub on_hold: &'static str,
    pub interpreter: &'static str,
    pub appointment: &'static str,
    pub interviews: &'static str,
    pub missed: &'static str,
    pub assessed_on: &'static str,
    pub returned: &'static str,
    pub decided_on: &'static str,
    pub notified_on: &'static str,
    pub appeal_lodged: &'static str,
    pub closure: &'static str,
    pub reopenings: &'static str,
    pub done: &'static str,
    pub actions: &'static str,
    pub no_actions: &'static str,
    pub case_hint: &'static str,
    pub keys_case: &'static [KeyHelp],
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
    lang: Lang::Es,
    held: "realizada",
    assessment: "Evaluación",
    recommendations_withheld: "recomendaciones reservadas para su rol",
    interview: "Entrevista",
    attended: "asistió",
    not_attended: "no asistió",
    days_waiting: "días en espera",
    decision_due: "Decisión hasta",
    appeal_deadline: "Plazo de apelación",
    next_interview: "Próxima entrevista",
    abandonment_from: "Abandono desde",
    members: "Miembros",
    principal: "Solicitante",
    workflow: "Procedimiento",
    admissibility: "Admisibilidad",
    admissible: "admisible",
    inadmissible: "inadmisible",
    on_hold: "En espera",
    interpreter: "intérprete",
    appointment: "Cita",
    interviews: "entrevistas",
    missed: "ausencias",
    assessed_on: "informe",
    returned: "devuelto",
    decided_on: "decidido",
    notified_on: "notificado",
    appeal_lodged: "Apelación presentada",
    closure: "Cierre",
    reopenings: "Reaperturas",
    done: "Hecho; ahora:",
    actions: "Acciones",
    no_actions: "Ninguna acción le corresponde ahora.",
    case_hint: "tecla de la acción · Esc volver · AvPág/RePág · g releer",
    keys_case: &[
        ("AvPág, RePág", "páginas"),
        ("Esc", "volver a la lista"),
        ("g", "releer"),
    ],
};

static EN: Texts = Texts {
    common: &i18n::EN,
    lang: Lang::En,
    held: "held",
    assessment: "Assessment",
    recommendations_withheld: "recommendations withheld from your role",
    interview: "Interview",
    attended: "attended",
    not_attended: "did not attend",
    days_waiting: "days waiting",
    decision_due: "Decision due",
    appeal_deadline: "Appeal deadline",
    next_interview: "Next interview",
    abandonment_from: "Abandonment from",
    members: "Members",
    principal: "Principal",
    workflow: "Procedure",
    admissibility: "Admissibility",
    admissible: "admissible",
    inadmissible: "inadmissible",
    on_hold: "On hold",
    interpreter: "interpreter",
    appointment: "Appointment",
    interviews: "interviews",
    missed: "missed",
    assessed_on: "assessment",
    returned: "returned",
    decided_on: "decided",
    notified_on: "notified",
    appeal_lodged: "Appeal lodged",
    closure: "Closure",
    reopenings: "Reopenings",
    done: "Done; now:",
    actions: "Actions",
    no_actions: "No action is yours to take now.",
    case_hint: "action key · Esc back · PgDn/PgUp · g reload",
    keys_case: &[
        ("PgDn, PgUp", "pages"),
        ("Esc", "back to the list"),
        ("g", "reload"),
    ],
};
