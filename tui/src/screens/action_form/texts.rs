//! The words of the case actions' forms, in Spanish and English. The words every screen uses (errors,
//! codes, the status line) come from [`crate::i18n::Text`], reached through these by `Deref`.

use std::ops::Deref;

use crate::i18n::{self, Lang, Text};

pub struct Texts {
    common: &'static Text,
    pub reassign: &'static str,
    pub confirm: &'static str,
    pub me: &'static str,
    pub filter: &'static str,
    pub form_hint: &'static str,
    pub f_admissible: &'static str,
    pub f_reason: &'static str,
    pub f_date: &'static str,
    pub f_minutes: &'static str,
    pub f_officer: &'static str,
    pub f_language: &'static str,
    pub f_appointment: &'static str,
    pub f_attended: &'static str,
    pub f_notes: &'static str,
    pub f_override: &'static str,
    pub f_codes: &'static str,
    pub f_assessment_ref: &'static str,
    pub f_decision: &'static str,
    pub f_comments: &'static str,
    pub f_lodged: &'static str,
    pub f_ground: &'static str,
    pub f_approver: &'static str,
    pub p_bad_time: &'static str,
    pub p_outside_hours: &'static str,
    pub p_minutes: &'static str,
    pub f_held_on: &'static str,
    pub f_method: &'static str,
    pub f_channel: &'static str,
    pub f_note: &'static str,
    pub p_future: &'static str,
    pub p_before_appointment: &'static str,
    pub p_too_long: &'static str,
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
    reassign: "Reasignar",
    confirm: "Enter confirma; Esc cancela.",
    me: "yo",
    filter: "filtrar",
    form_hint: "Tab campo · ←→ elegir · Enter/Ctrl-S enviar · Esc cancelar",
    f_admissible: "Admisible",
    f_reason: "Motivo",
    f_date: "Fecha (AAAA-MM-DD)",
    f_minutes: "Minutos",
    f_officer: "Oficial",
    f_language: "Intérprete",
    f_appointment: "Cita",
    f_attended: "Asistió el solicitante",
    f_notes: "Ref. de notas",
    f_override: "Excepción sexo: motivo",
    f_codes: "  motivo / causales",
    f_assessment_ref: "Ref. del informe",
    f_decision: "Decisión",
    f_comments: "Comentarios",
    f_lodged: "Fecha (vacía: hoy)",
    f_ground: "Causal",
    f_approver: "Aprueba",
    p_bad_time: "hora como HH:MM",
    p_outside_hours: "fuera de horario",
    p_minutes: "entre 30 y 480",
    f_held_on: "Fecha (vacía: hoy)",
    f_method: "Forma",
    f_channel: "Vía de contacto",
    f_note: "Nota",
    p_future: "aún no ha llegado",
    p_before_appointment: "antes del día de la cita",
    p_too_long: "más de 1000 caracteres",
};

static EN: Texts = Texts {
    common: &i18n::EN,
    reassign: "Reassign",
    confirm: "Enter confirms; Esc cancels.",
    me: "me",
    filter: "filter",
    form_hint: "Tab field · ←→ choose · Enter/Ctrl-S send · Esc cancel",
    f_admissible: "Admissible",
    f_reason: "Reason",
    f_date: "Date (YYYY-MM-DD)",
    f_minutes: "Minutes",
    f_officer: "Officer",
    f_language: "Interpreter",
    f_appointment: "Appointment",
    f_attended: "Principal attended",
    f_notes: "Notes reference",
    f_override: "Sex override reason",
    f_codes: "  ground / reasons",
    f_assessment_ref: "Assessment reference",
    f_decision: "Decision",
    f_comments: "Comments",
    f_lodged: "Date (empty: today)",
    f_ground: "Ground",
    f_approver: "Approver",
    p_bad_time: "time as HH:MM",
    p_outside_hours: "outside hours",
    p_minutes: "between 30 and 480",
    f_held_on: "Date (empty: today)",
    f_method: "Method",
    f_channel: "Channel",
    f_note: "Note",
    p_future: "not yet come",
    p_before_appointment: "before the appointment's day",
    p_too_long: "over 1000 characters",
};
