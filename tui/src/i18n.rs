//! Every word the client shows, in Spanish and English. One struct per language, so a string
//! missing in either language is a compile error rather than a blank on a caseworker's screen.

use crate::api::ApiError;
use crate::register::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Es,
    En,
}

impl Lang {
    /// From `--lang` or the locale: Spanish when the locale starts with `es`, else English.
    pub fn from_locale(locale: Option<&str>) -> Self {
        match locale {
            Some(l) if l.starts_with("es") => Self::Es,
            _ => Self::En,
        }
    }

    /// The locale as POSIX orders it: `LC_ALL` overrides `LANG`.
    pub fn from_env() -> Self {
        let var = |k| std::env::var(k).ok().filter(|v: &String| !v.is_empty());
        Self::from_locale(var("LC_ALL").or_else(|| var("LANG")).as_deref())
    }

    pub fn text(self) -> &'static Text {
        match self {
            Self::Es => &ES,
            Self::En => &EN,
        }
    }
}

/// A key and what it does, for the `?` screen.
pub type KeyHelp = (&'static str, &'static str);

pub struct Text {
    pub login: &'static str,
    pub search: &'static str,
    pub individual: &'static str,
    pub register: &'static str,
    pub online: &'static str,
    pub offline: &'static str,
    pub not_connected_yet: &'static str,
    pub waiting: &'static str,
    pub help_hint: &'static str,
    pub enlarge: &'static str,
    pub help_title: &'static str,
    pub help_close: &'static str,

    pub username: &'static str,
    pub password: &'static str,
    pub login_hint: &'static str,
    pub username_missing: &'static str,
    pub logging_in: &'static str,
    pub demo_users: &'static str,

    pub query: &'static str,
    pub query_hint: &'static str,
    pub col_number: &'static str,
    pub col_name: &'static str,
    pub col_sex: &'static str,
    pub col_born: &'static str,
    pub col_nationality: &'static str,
    pub no_results: &'static str,
    pub searching: &'static str,
    pub page: &'static str,
    pub results_hint: &'static str,

    pub loading: &'static str,
    pub original_script: &'static str,
    pub sex: &'static str,
    pub birth_date: &'static str,
    pub nationalities: &'static str,
    pub office: &'static str,
    pub needs: &'static str,
    pub none: &'static str,
    pub withheld: &'static str,
    pub documents: &'static str,
    pub group: &'static str,
    pub relationship: &'static str,
    pub history: &'static str,
    pub pending_review: &'static str,
    pub confirmed: &'static str,
    pub resolved: &'static str,
    pub more_below: &'static str,
    pub individual_hint: &'static str,

    pub register_title: &'static str,
    pub col_given: &'static str,
    pub col_family: &'static str,
    pub col_dob: &'static str,
    pub date_placeholder: &'static str,
    pub member: &'static str,
    pub required: &'static str,
    pub bad_date: &'static str,
    pub future_date: &'static str,
    pub bad_nationality: &'static str,
    pub register_hint: &'static str,
    pub sending: &'static str,
    pub retry_hint: &'static str,
    pub duplicates_title: &'static str,
    pub duplicates_hint: &'static str,
    pub resembles: &'static str,
    pub registered: &'static str,
    pub saved_hint: &'static str,

    pub err_network: &'static str,
    pub err_unauthenticated: &'static str,
    pub err_forbidden: &'static str,
    pub err_not_found: &'static str,
    pub err_validation: &'static str,
    pub err_conflict: &'static str,
    pub err_rate_limited: &'static str,
    pub err_server: &'static str,

    /// Labels of the relationship codes, in the order of `register::RELATIONSHIPS` after
    /// `focal_point`.
    pub relationships: [(&'static str, &'static str); 18],

    pub keys_login: &'static [KeyHelp],
    pub keys_search: &'static [KeyHelp],
    pub keys_individual: &'static [KeyHelp],
    pub keys_register: &'static [KeyHelp],
    pub keys_global: &'static [KeyHelp],
}

impl Text {
    pub fn error(&self, e: &ApiError) -> String {
        match e {
            ApiError::Network(_) => self.err_network.to_string(),
            ApiError::Unauthenticated(_) => self.err_unauthenticated.to_string(),
            ApiError::Forbidden(_) => self.err_forbidden.to_string(),
            ApiError::NotFound(_) => self.err_not_found.to_string(),
            ApiError::Validation { field, message } => {
                format!("{} ({field}): {message}", self.err_validation)
            }
            ApiError::Conflict(_) => self.err_conflict.to_string(),
            ApiError::RateLimited(_) => self.err_rate_limited.to_string(),
            ApiError::Server(m) => format!("{}: {m}", self.err_server),
        }
    }

    pub fn problem(&self, p: Problem) -> &'static str {
        match p {
            Problem::Required => self.required,
            Problem::BadDate => self.bad_date,
            Problem::FutureDate => self.future_date,
            Problem::BadNationality => self.bad_nationality,
        }
    }

    /// The label of a relationship code; unknown codes are shown as they are.
    pub fn relationship<'a>(&self, code: &'a str) -> &'a str {
        self.relationships
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(code, |(_, label)| label)
    }
}

pub static ES: Text = Text {
    login: "Ingreso",
    search: "Búsqueda",
    individual: "Persona",
    register: "Registro",
    online: "en línea",
    offline: "SIN CONEXIÓN",
    not_connected_yet: "sin contacto aún",
    waiting: "esperando…",
    help_hint: "? teclas",
    enlarge: "Agrande la ventana: se necesitan al menos 80×24.",
    help_title: "Teclas",
    help_close: "Cualquier tecla cierra esta ayuda.",

    username: "Usuario",
    password: "Contraseña",
    login_hint: "Tab cambia de campo · Enter ingresa",
    username_missing: "Escriba su usuario.",
    logging_in: "Ingresando…",
    demo_users: "Demo: registrar, officer, supervisor, protection · contraseña amparo-demo",

    query: "Buscar",
    query_hint: "Nombres como se oyen (tildes, transliteraciones, parciales) o un número.",
    col_number: "Número",
    col_name: "Nombre",
    col_sex: "Sexo",
    col_born: "Nacimiento",
    col_nationality: "Nac.",
    no_results: "Nadie coincide con la búsqueda.",
    searching: "Buscando…",
    page: "Página",
    results_hint: "↑↓ elegir · Enter abrir · n/AvPág siguiente · p/RePág anterior · / buscar",

    loading: "Cargando…",
    original_script: "Escritura original",
    sex: "Sexo",
    birth_date: "Nacimiento",
    nationalities: "Nacionalidades",
    office: "Oficina",
    needs: "Necesidades específicas",
    none: "ninguna",
    withheld: "reservadas",
    documents: "Documentos",
    group: "Grupo",
    relationship: "Parentesco",
    history: "Historial",
    pending_review: "por revisar",
    confirmed: "confirmada",
    resolved: "resuelta",
    more_below: "AvPág: más abajo",
    individual_hint: "Esc volver · AvPág/RePág páginas · / buscar · r registrar",

    register_title: "Registro de un grupo familiar",
    col_given: "Nombres",
    col_family: "Apellidos",
    col_dob: "Nacimiento",
    date_placeholder: "AAAA-MM-DD",
    member: "Miembro",
    required: "obligatorio",
    bad_date: "fecha como AAAA-MM-DD",
    future_date: "fecha en el futuro",
    bad_nationality: "código de 3 letras, p. ej. VEN",
    register_hint: "Tab campo · ←→ parentesco · Ctrl-N añadir · Ctrl-D quitar · Ctrl-S registrar",
    sending: "Enviando…",
    retry_hint: "El formulario se conserva: Ctrl-S reintenta.",
    duplicates_title: "Posibles duplicados ya registrados:",
    duplicates_hint: "Revise. Ctrl-S registra de todos modos; cualquier cambio vuelve a la edición.",
    resembles: "se parece a",
    registered: "Grupo registrado",
    saved_hint: "Enter abre el punto focal · n nuevo registro · Esc búsqueda",

    err_network: "Sin conexión con el servidor. Revise el enlace e intente de nuevo.",
    err_unauthenticated: "Usuario o contraseña incorrectos, o la sesión terminó.",
    err_forbidden: "No tiene permiso para esto.",
    err_not_found: "No existe o está fuera de su alcance.",
    err_validation: "Dato no válido",
    err_conflict: "Alguien cambió este registro mientras tanto: vuelva a cargarlo.",
    err_rate_limited: "Demasiados intentos: espere un minuto e intente de nuevo.",
    err_server: "Error del servidor",

    relationships: [
        ("focal_point", "Punto focal"),
        ("spouse", "Cónyuge"),
        ("partner", "Pareja"),
        ("son", "Hijo"),
        ("daughter", "Hija"),
        ("stepchild", "Hijastro/a"),
        ("father", "Padre"),
        ("mother", "Madre"),
        ("brother", "Hermano"),
        ("sister", "Hermana"),
        ("grandchild", "Nieto/a"),
        ("grandparent", "Abuelo/a"),
        ("nephew_niece", "Sobrino/a"),
        ("uncle_aunt", "Tío/a"),
        ("cousin", "Primo/a"),
        ("in_law", "Fam. político"),
        ("other_relative", "Otro familiar"),
        ("unrelated", "Sin parentesco"),
    ],

    keys_login: &[
        ("Tab", "cambiar entre usuario y contraseña"),
        ("Enter", "ingresar"),
    ],
    keys_search: &[
        ("Enter", "buscar lo escrito; en la lista, abrir"),
        ("↑ ↓", "elegir en la lista"),
        ("n, AvPág", "página siguiente"),
        ("p, RePág", "página anterior"),
        ("/", "volver a escribir la búsqueda"),
        ("r, F3", "registrar un grupo"),
    ],
    keys_individual: &[
        ("AvPág, n", "página siguiente"),
        ("RePág, p", "página anterior"),
        ("Esc", "volver"),
        ("/, F2", "buscar"),
        ("r, F3", "registrar un grupo"),
    ],
    keys_register: &[
        ("Tab, Enter", "campo siguiente (Mayús-Tab: anterior)"),
        ("↑ ↓", "miembro anterior / siguiente"),
        ("← →", "cambiar el parentesco"),
        ("Ctrl-N", "añadir un miembro"),
        ("Ctrl-D", "quitar el miembro"),
        ("Ctrl-S, F10", "registrar (o confirmar pese a duplicados)"),
        ("Esc", "salir; el formulario se conserva"),
    ],
    keys_global: &[
        ("F2", "búsqueda"),
        ("F3", "registro"),
        ("?, F1", "esta ayuda"),
        ("Ctrl-Q", "salir"),
    ],
};

pub static EN: Text = Text {
    login: "Log in",
    search: "Search",
    individual: "Individual",
    register: "Registration",
    online: "online",
    offline: "LINK DOWN",
    not_connected_yet: "not contacted yet",
    waiting: "waiting…",
    help_hint: "? keys",
    enlarge: "Enlarge the window: at least 80×24 is needed.",
    help_title: "Keys",
    help_close: "Any key closes this help.",

    username: "Username",
    password: "Password",
    login_hint: "Tab changes field · Enter logs in",
    username_missing: "Type your username.",
    logging_in: "Logging in…",
    demo_users: "Demo: registrar, officer, supervisor, protection · password amparo-demo",

    query: "Search",
    query_hint: "Names as you hear them (accents, transliterations, partial) or a number.",
    col_number: "Number",
    col_name: "Name",
    col_sex: "Sex",
    col_born: "Born",
    col_nationality: "Nat.",
    no_results: "No one matches the search.",
    searching: "Searching…",
    page: "Page",
    results_hint: "↑↓ choose · Enter open · n/PgDn next · p/PgUp previous · / search",

    loading: "Loading…",
    original_script: "Original script",
    sex: "Sex",
    birth_date: "Born",
    nationalities: "Nationalities",
    office: "Office",
    needs: "Specific needs",
    none: "none",
    withheld: "withheld",
    documents: "Documents",
    group: "Group",
    relationship: "Relationship",
    history: "History",
    pending_review: "pending review",
    confirmed: "confirmed",
    resolved: "resolved",
    more_below: "PgDn: more below",
    individual_hint: "Esc back · PgDn/PgUp pages · / search · r register",

    register_title: "Registration of a family group",
    col_given: "Given names",
    col_family: "Family names",
    col_dob: "Born",
    date_placeholder: "YYYY-MM-DD",
    member: "Member",
    required: "required",
    bad_date: "date as YYYY-MM-DD",
    future_date: "date in the future",
    bad_nationality: "3-letter code, e.g. VEN",
    register_hint: "Tab field · ←→ relationship · Ctrl-N add · Ctrl-D remove · Ctrl-S register",
    sending: "Sending…",
    retry_hint: "The form is kept: Ctrl-S tries again.",
    duplicates_title: "Possible duplicates already registered:",
    duplicates_hint: "Check them. Ctrl-S registers anyway; any change goes back to editing.",
    resembles: "resembles",
    registered: "Group registered",
    saved_hint: "Enter opens the focal point · n new registration · Esc search",

    err_network: "No connection to the server. Check the link and try again.",
    err_unauthenticated: "Wrong username or password, or the session ended.",
    err_forbidden: "You are not allowed to do this.",
    err_not_found: "Not found, or outside your scope.",
    err_validation: "Invalid data",
    err_conflict: "Someone changed this record meanwhile: load it again.",
    err_rate_limited: "Too many attempts: wait a minute and try again.",
    err_server: "Server error",

    relationships: [
        ("focal_point", "Focal point"),
        ("spouse", "Spouse"),
        ("partner", "Partner"),
        ("son", "Son"),
        ("daughter", "Daughter"),
        ("stepchild", "Stepchild"),
        ("father", "Father"),
        ("mother", "Mother"),
        ("brother", "Brother"),
        ("sister", "Sister"),
        ("grandchild", "Grandchild"),
        ("grandparent", "Grandparent"),
        ("nephew_niece", "Nephew/niece"),
        ("uncle_aunt", "Uncle/aunt"),
        ("cousin", "Cousin"),
        ("in_law", "In-law"),
        ("other_relative", "Other relative"),
        ("unrelated", "Not related"),
    ],

    keys_login: &[
        ("Tab", "move between username and password"),
        ("Enter", "log in"),
    ],
    keys_search: &[
        ("Enter", "search what is typed; in the list, open"),
        ("↑ ↓", "choose in the list"),
        ("n, PgDn", "next page"),
        ("p, PgUp", "previous page"),
        ("/", "back to typing the search"),
        ("r, F3", "register a group"),
    ],
    keys_individual: &[
        ("PgDn, n", "next page"),
        ("PgUp, p", "previous page"),
        ("Esc", "back"),
        ("/, F2", "search"),
        ("r, F3", "register a group"),
    ],
    keys_register: &[
        ("Tab, Enter", "next field (Shift-Tab: previous)"),
        ("↑ ↓", "previous / next member"),
        ("← →", "change the relationship"),
        ("Ctrl-N", "add a member"),
        ("Ctrl-D", "remove the member"),
        ("Ctrl-S, F10", "register (or confirm despite duplicates)"),
        ("Esc", "leave; the form is kept"),
    ],
    keys_global: &[
        ("F2", "search"),
        ("F3", "registration"),
        ("?, F1", "this help"),
        ("Ctrl-Q", "quit"),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::register::RELATIONSHIPS;

    #[test]
    fn locale_picks_spanish_only_for_es() {
        assert_eq!(Lang::from_locale(Some("es_EC.UTF-8")), Lang::Es);
        assert_eq!(Lang::from_locale(Some("es")), Lang::Es);
        assert_eq!(Lang::from_locale(Some("en_US.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(Some("C")), Lang::En);
        assert_eq!(Lang::from_locale(None), Lang::En);
    }

    #[test]
    fn every_relationship_has_a_label_in_both_languages() {
        for text in [&ES, &EN] {
            for code in RELATIONSHIPS.iter().chain(&["focal_point"]) {
                assert_ne!(text.relationship(code), *code, "no label for {code}");
            }
        }
    }
}
