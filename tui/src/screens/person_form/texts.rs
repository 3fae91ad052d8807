//! The words of a person's forms, in Spanish and English; the shared ones (errors) through
//! `Deref` to [`crate::i18n::Text`].

use std::ops::Deref;

use crate::i18n::{self, Lang, Text};

pub struct Texts {
    common: &'static Text,
    pub add_need: &'static str,
    pub review_need: &'static str,
    pub add_document: &'static str,
    pub correct: &'static str,
    pub open_case: &'static str,
    pub need: &'static str,
    pub sub_code: &'static str,
    pub comments: &'static str,
    pub status: &'static str,
    pub confirm: &'static str,
    pub resolve: &'static str,
    pub doc_type: &'static str,
    pub number: &'static str,
    pub country: &'static str,
    pub no_country: &'static str,
    pub no_sub_code: &'static str,
    pub given_names: &'static str,
    pub family_name: &'static str,
    pub birth_date: &'static str,
    pub original_script: &'static str,
    pub nationality: &'static str,
    pub summary: &'static str,
    pub with_members: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub filter: &'static str,
    pub required: &'static str,
    pub bad_date: &'static str,
    pub future_date: &'static str,
    pub too_long: &'static str,
    pub nothing_changed: &'static str,
    pub none_chosen: &'static str,
    pub sending: &'static str,
    pub conflict: &'static str,
    pub hint: &'static str,
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
    add_need: "Añadir una necesidad específica",
    review_need: "Revisar una necesidad específica",
    add_document: "Añadir un documento",
    correct: "Corregir los datos",
    open_case: "Abrir un caso (determinación de la condición de refugiado)",
    need: "Necesidad",
    sub_code: "Subcódigo",
    comments: "Comentarios",
    status: "Estado",
    confirm: "Confirmar",
    resolve: "Resolver (cerrar)",
    doc_type: "Tipo",
    number: "Número",
    country: "País emisor",
    no_country: "— sin país",
    no_sub_code: "— sin subcódigo",
    given_names: "Nombres",
    family_name: "Apellidos",
    birth_date: "Nacimiento (AAAA-MM-DD)",
    original_script: "Escritura original",
    nationality: "Nacionalidad",
    summary: "Resumen de la solicitud",
    with_members: "Con los miembros del grupo",
    yes: "Sí",
    no: "No",
    filter: "filtrar",
    required: "obligatorio",
    bad_date: "fecha no válida (AAAA-MM-DD)",
    future_date: "fecha futura",
    too_long: "demasiado largo (máx. 200)",
    nothing_changed: "No cambió nada.",
    none_chosen: "elija uno de la lista",
    sending: "enviando…",
    conflict: "Otra persona cambió el registro: se volvió a leer; revise y envíe de nuevo.",
    hint: "Tab campo · escriba para filtrar, ↑↓ elegir · Ctrl-S enviar · Esc cancelar",
};

static EN: Texts = Texts {
    common: &i18n::EN,
    add_need: "Add a specific need",
    review_need: "Review a specific need",
    add_document: "Add a document",
    correct: "Correct the data",
    open_case: "Open a case (refugee status determination)",
    need: "Need",
    sub_code: "Sub-code",
    comments: "Comments",
    status: "Status",
    confirm: "Confirm",
    resolve: "Resolve (close)",
    doc_type: "Type",
    number: "Number",
    country: "Issuing country",
    no_country: "— no country",
    no_sub_code: "— no sub-code",
    given_names: "Given names",
    family_name: "Family names",
    birth_date: "Born (YYYY-MM-DD)",
    original_script: "Original script",
    nationality: "Nationality",
    summary: "Claim summary",
    with_members: "With the group's members",
    yes: "Yes",
    no: "No",
    filter: "filter",
    required: "required",
    bad_date: "not a date (YYYY-MM-DD)",
    future_date: "in the future",
    too_long: "too long (max. 200)",
    nothing_changed: "Nothing changed.",
    none_chosen: "choose one from the list",
    sending: "sending…",
    conflict: "Someone else changed the record: it was read again; check and send again.",
    hint: "Tab field · type to filter, ↑↓ choose · Ctrl-S send · Esc cancel",
};
