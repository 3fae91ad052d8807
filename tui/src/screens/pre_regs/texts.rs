//! The words of the pre-registration queue and its dismissal form, in Spanish and English. The
//! words every screen uses (errors, codes, the status line) come from [`crate::i18n::Text`],
//! reached through these by `Deref`.

use std::ops::Deref;

use crate::i18n::{self, KeyHelp, Lang, Text};

pub struct Texts {
    common: &'static Text,
    pub col_reference: &'static str,
    pub col_urgency: &'static str,
    pub col_office: &'static str,
    pub col_received: &'static str,
    pub col_applicant: &'static str,
    pub col_duplicates: &'static str,
    pub empty: &'static str,
    pub stage_received: &'static str,
    pub stage_appointment: &'static str,
    pub dismissed: &'static str,
    pub registered: &'static str,
    pub conflict_reread: &'static str,
    pub urgent_needs: &'static str,
    pub withheld: &'static str,
    pub languages: &'static str,
    pub interpreter: &'static str,
    pub appointment: &'static str,
    pub member: &'static str,
    pub resembles: &'static str,
    pub dismiss_title: &'static str,
    pub reason: &'static str,
    pub reason_required: &'static str,
    /// Says the limit of `MAX_REASON` (a test checks it).
    pub reason_too_long: &'static str,
    pub list_hint: &'static str,
    pub form_hint: &'static str,
    pub keys_list: &'static [KeyHelp],
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
    col_reference: "Referencia",
    col_urgency: "Urg",
    col_office: "Ofic",
    col_received: "Recibida",
    col_applicant: "Solicitante (+familia)",
    col_duplicates: "Dup",
    empty: "No hay prerregistros pendientes.",
    stage_received: "recibido",
    stage_appointment: "con cita",
    dismissed: "Descartado:",
    registered: "Registrado:",
    conflict_reread: "Otra persona lo cambió antes; la cola se volvió a leer.",
    urgent_needs: "Necesidades urgentes",
    withheld: "no visibles",
    languages: "Idiomas",
    interpreter: "pide intérprete",
    appointment: "cita",
    member: "Miembro",
    resembles: "se parece a",
    dismiss_title: "Descartar el prerregistro",
    reason: "Motivo",
    reason_required: "Diga el motivo.",
    reason_too_long: "Motivo demasiado largo (máx. 500).",
    list_hint: "↑↓ elegir · c registrar · x descartar · n/p página · g releer",
    form_hint: "Enter descarta · Esc cancela",
    keys_list: &[
        ("↑ ↓", "elegir un prerregistro"),
        ("c, Enter", "registrar: abre el registro ya lleno"),
        ("x", "descartar con un motivo"),
        ("n, PgDn", "página siguiente"),
        ("p, PgUp", "página anterior"),
        ("g", "volver a leer"),
    ],
    keys_form: &[
        ("letras", "el motivo"),
        ("Enter, Ctrl-S", "descartar"),
        ("Esc", "cancelar"),
    ],
};

static EN: Texts = Texts {
    common: &i18n::EN,
    col_reference: "Reference",
    col_urgency: "Urg",
    col_office: "Offc",
    col_received: "Received",
    col_applicant: "Applicant (+family)",
    col_duplicates: "Dup",
    empty: "No pre-registrations waiting.",
    stage_received: "received",
    stage_appointment: "appointment given",
    dismissed: "Dismissed:",
    registered: "Registered:",
    conflict_reread: "Someone else changed it first; the queue was read again.",
    urgent_needs: "Urgent needs",
    withheld: "not visible",
    languages: "Languages",
    interpreter: "asks for an interpreter",
    appointment: "appointment",
    member: "Member",
    resembles: "resembles",
    dismiss_title: "Dismiss pre-registration",
    reason: "Reason",
    reason_required: "Say why.",
    reason_too_long: "Reason too long (max. 500).",
    list_hint: "↑↓ choose · c register · x dismiss · n/p page · g re-read",
    form_hint: "Enter dismisses · Esc cancels",
    keys_list: &[
        ("↑ ↓", "choose a pre-registration"),
        (
            "c, Enter",
            "register: opens the registration form filled in",
        ),
        ("x", "dismiss with a reason"),
        ("n, PgDn", "next page"),
        ("p, PgUp", "previous page"),
        ("g", "read again"),
    ],
    keys_form: &[
        ("letters", "the reason"),
        ("Enter, Ctrl-S", "dismiss"),
        ("Esc", "cancel"),
    ],
};
