//! Every word the client shows, in Spanish and English. One struct per language, so a string
//! missing in either language is a compile error rather than a blank on a caseworker's screen.

use crate::api::ApiError;

/// The client speaks the domain's languages, so code names come from the shared lists.
pub use amparo_domain::codes::Lang;

/// The language of a locale (`--lang` or the environment): Spanish when it starts with `es`,
/// else English.
pub fn lang_from_locale(locale: Option<&str>) -> Lang {
    match locale {
        Some(l) if l.starts_with("es") => Lang::Es,
        _ => Lang::En,
    }
}

/// The locale as POSIX orders it: `LC_ALL` overrides `LANG`.
pub fn lang_from_env() -> Lang {
    let var = |k| std::env::var(k).ok().filter(|v: &String| !v.is_empty());
    lang_from_locale(var("LC_ALL").or_else(|| var("LANG")).as_deref())
}

/// The words every screen shares, in `lang`.
pub fn text(lang: Lang) -> &'static Text {
    match lang {
        Lang::Es => &ES,
        Lang::En => &EN,
    }
}

/// A key and what it does, for the `?` screen.
pub type KeyHelp = (&'static str, &'static str);

pub struct Text {
    /// The language these words are in, for the words composed from parameters.
    pub lang: Lang,
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
    /// The question before quitting: its title, what would be lost, the demo's database, keys.
    pub quit_title: &'static str,
    pub logout_title: &'static str,
    pub quit_lost: &'static str,
    pub unsent_register: &'static str,
    pub unsent_action: &'static str,
    pub unsent_decision: &'static str,
    pub unsent_individual: &'static str,
    pub quit_demo: &'static str,
    pub quit_demo_keep: &'static str,
    pub quit_demo_kept: &'static str,
    pub quit_keys: &'static str,
    pub logout_keys: &'static str,
    pub help_title: &'static str,
    pub help_close: &'static str,
    pub col_number: &'static str,
    pub col_name: &'static str,
    pub col_sex: &'static str,
    pub col_nationality: &'static str,
    pub page: &'static str,
    pub loading: &'static str,
    pub sex: &'static str,
    pub birth_date: &'static str,
    pub nationalities: &'static str,
    pub office: &'static str,
    pub needs: &'static str,
    pub none: &'static str,
    pub relationship: &'static str,
    pub history: &'static str,
    pub more_below: &'static str,
    pub required: &'static str,
    pub bad_date: &'static str,
    pub sending: &'static str,
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
    pub keys_global: &'static [KeyHelp],
    pub work: &'static str,
    pub case: &'static str,
    pub supervisor: &'static str,
    pub live: &'static str,
    pub overdue_badge: &'static str,
    pub priority_badge: &'static str,
    pub days: &'static str,
    pub chosen: &'static str,
    pub form_retry: &'static str,
    /// Labels of the server's codes: statuses, stages, event kinds, outcomes, grounds...
    pub codes: &'static [(&'static str, &'static str)],
    pub keys_form: &'static [KeyHelp],
    /// Keys of every screen for those who work cases.
    pub keys_global_cases: &'static [KeyHelp],
    pub reviews_title: &'static str,
    pub admin_title: &'static str,
    pub review_title: &'static str,
    pub keys_global_reviews: &'static [KeyHelp],
    pub group_title: &'static str,
    pub protection_title: &'static str,
    pub protection_case_title: &'static str,
    /// Keys of every screen for protection staff.
    pub keys_global_protection: &'static [KeyHelp],
}

impl Text {
    pub fn error(&self, e: &ApiError) -> String {
        match e {
            ApiError::Network(_) => self.err_network.to_string(),
            ApiError::Unauthenticated(_) => self.err_unauthenticated.to_string(),
            ApiError::Forbidden(_) => self.err_forbidden.to_string(),
            ApiError::ModuleNotEnabled(module) => crate::refusals::describe(
                &amparo_domain::error::Reason::ModuleNotEnabled {
                    module: module.clone(),
                },
                self.lang,
            ),
            ApiError::NotFound(_) => self.err_not_found.to_string(),
            ApiError::Validation { field, reason, .. } => format!(
                "{}: {}",
                self.err_validation,
                crate::refusals::refusal(field, reason, self.lang)
            ),
            ApiError::Conflict(_) => self.err_conflict.to_string(),
            ApiError::RateLimited(_) => self.err_rate_limited.to_string(),
            ApiError::Server(m) => format!("{}: {m}", self.err_server),
        }
    }

    /// The label of one of the server's codes; unknown codes are shown as they are.
    pub fn code<'a>(&self, code: &'a str) -> &'a str {
        self.codes
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(code, |(_, label)| label)
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
    lang: Lang::Es,
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
    quit_title: "¿Salir?",
    logout_title: "¿Cerrar la sesión?",
    quit_lost: "Se perderá lo no enviado:",
    unsent_register: "el formulario de registro",
    unsent_action: "la acción abierta de un caso",
    unsent_decision: "la decisión sobre un posible duplicado",
    unsent_individual: "el formulario abierto de una persona o un grupo",
    quit_demo: "El servidor de demostración se detendrá y se borrará su base de datos:",
    quit_demo_keep: "Para conservarla, inicie con amparo demo --keep.",
    quit_demo_kept: "El servidor de demostración se detendrá; su base de datos queda en:",
    quit_keys: "s salir · cualquier otra tecla sigue aquí",
    logout_keys: "s cerrar la sesión · cualquier otra tecla sigue aquí",
    help_title: "Teclas",
    help_close: "Cualquier tecla cierra esta ayuda.",
    col_number: "Número",
    col_name: "Nombre",
    col_sex: "Sexo",
    col_nationality: "Nac.",
    page: "Página",
    loading: "Cargando…",
    sex: "Sexo",
    birth_date: "Nacimiento",
    nationalities: "Nacionalidades",
    office: "Oficina",
    needs: "Necesidades específicas",
    none: "ninguna",
    relationship: "Parentesco",
    history: "Historial",
    more_below: "AvPág: más abajo",
    required: "obligatorio",
    bad_date: "fecha como AAAA-MM-DD",
    sending: "Enviando…",
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
    keys_global: &[
        ("F2", "búsqueda"),
        ("F3", "registro"),
        ("?, F1", "esta ayuda"),
        ("F9", "cerrar la sesión (cambiar de usuario)"),
        ("Ctrl-Q", "salir"),
    ],
    work: "Mi trabajo",
    case: "Caso",
    supervisor: "Supervisión",
    live: "● en vivo",
    overdue_badge: "VENCIDO",
    priority_badge: "PRIORIDAD",
    days: "d",
    chosen: "elegidos",
    form_retry: "El formulario se conserva: Ctrl-S reintenta.",
    codes: &[
        ("registered", "registrado"),
        ("admissible", "admisible"),
        ("scheduled", "agendado"),
        ("interviewed", "entrevistado"),
        ("assessed", "con informe"),
        ("decided", "decidido"),
        ("notified", "notificado"),
        ("appeal_lodged", "apelado"),
        ("closed", "cerrado"),
        ("on_hold", "en espera"),
        ("withdrawn", "desistido"),
        ("abandoned", "abandonado"),
        ("first_instance", "primera instancia"),
        ("appeal", "apelación"),
        ("regular", "regular"),
        ("simplified", "simplificado"),
        ("accelerated", "acelerado"),
        ("merged", "fusionado"),
        ("opened", "abierto"),
        ("admissibility_decided", "admisibilidad decidida"),
        ("interview_scheduled", "entrevista agendada"),
        ("interview_recorded", "entrevista registrada"),
        ("no_show_recorded", "ausencia registrada"),
        ("contact_recorded", "contacto registrado"),
        ("specific_need_added", "necesidad específica añadida"),
        ("specific_need_reviewed", "necesidad específica revisada"),
        ("document_added", "documento añadido"),
        ("updated", "datos corregidos"),
        ("split", "grupo dividido"),
        ("created_by_split", "creado al dividir un grupo"),
        ("merged_into", "fusionado en otro grupo"),
        ("assessment_submitted", "informe enviado"),
        ("assessment_returned", "informe devuelto"),
        ("reopened", "reabierto"),
        ("assigned", "asignado"),
        ("put_on_hold", "puesto en espera"),
        ("resumed", "reanudado"),
        ("recognised", "reconocido"),
        ("rejected", "rechazado"),
        ("excluded", "excluido"),
        ("inadmissible", "inadmisible"),
        ("appeal_decided", "apelación decidida"),
        ("no_appeal", "sin apelación"),
        ("duplicate", "duplicado"),
        ("deceased", "fallecido"),
        ("left_country", "salió del país"),
        ("changed_circumstances", "cambio de circunstancias"),
        ("new_evidence", "nuevas pruebas"),
        ("improperly_decided", "decisión indebida"),
        ("abandonment_reopened", "reapertura de abandono"),
        ("yes", "sí"),
        ("no", "no"),
        ("approve", "aprobar"),
        ("return", "devolver"),
        ("new", "nueva cita"),
        ("derivative", "derivado"),
    ],
    keys_form: &[
        ("Tab, ↑ ↓", "campo siguiente / anterior"),
        ("← →, Espacio", "cambiar la opción"),
        ("Enter", "campo siguiente; en el último, enviar"),
        ("Ctrl-S, F10", "enviar"),
        ("Esc", "cancelar"),
    ],
    keys_global_cases: &[
        ("F4", "mi trabajo (o supervisión)"),
        ("F5", "supervisión (supervisores)"),
    ],
    reviews_title: "Duplicados",
    admin_title: "Administración",
    review_title: "Posible duplicado",
    keys_global_reviews: &[("F6", "posibles duplicados")],
    group_title: "Grupo",
    protection_title: "Protección",
    protection_case_title: "Caso de protección",
    keys_global_protection: &[("F8", "casos de protección")],
};

pub static EN: Text = Text {
    lang: Lang::En,
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
    quit_title: "Quit?",
    logout_title: "Log out?",
    quit_lost: "What was not sent will be lost:",
    unsent_register: "the registration form",
    unsent_action: "a case's open action",
    unsent_decision: "the decision on a possible duplicate",
    unsent_individual: "a person's or a group's open form",
    quit_demo: "The demo server will stop and its database will be removed:",
    quit_demo_keep: "To keep it, start with amparo demo --keep.",
    quit_demo_kept: "The demo server will stop; its database stays in:",
    quit_keys: "y quit · any other key stays",
    logout_keys: "y log out · any other key stays",
    help_title: "Keys",
    help_close: "Any key closes this help.",
    col_number: "Number",
    col_name: "Name",
    col_sex: "Sex",
    col_nationality: "Nat.",
    page: "Page",
    loading: "Loading…",
    sex: "Sex",
    birth_date: "Born",
    nationalities: "Nationalities",
    office: "Office",
    needs: "Specific needs",
    none: "none",
    relationship: "Relationship",
    history: "History",
    more_below: "PgDn: more below",
    required: "required",
    bad_date: "date as YYYY-MM-DD",
    sending: "Sending…",
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
    keys_global: &[
        ("F2", "search"),
        ("F3", "registration"),
        ("?, F1", "this help"),
        ("F9", "log out (switch user)"),
        ("Ctrl-Q", "quit"),
    ],
    work: "My work",
    case: "Case",
    supervisor: "Supervision",
    live: "● live",
    overdue_badge: "OVERDUE",
    priority_badge: "PRIORITY",
    days: "d",
    chosen: "chosen",
    form_retry: "The form is kept: Ctrl-S tries again.",
    codes: &[
        ("registered", "registered"),
        ("admissible", "admissible"),
        ("scheduled", "scheduled"),
        ("interviewed", "interviewed"),
        ("assessed", "assessed"),
        ("decided", "decided"),
        ("notified", "notified"),
        ("appeal_lodged", "appeal lodged"),
        ("closed", "closed"),
        ("on_hold", "on hold"),
        ("withdrawn", "withdrawn"),
        ("abandoned", "abandoned"),
        ("first_instance", "first instance"),
        ("appeal", "appeal"),
        ("regular", "regular"),
        ("simplified", "simplified"),
        ("accelerated", "accelerated"),
        ("merged", "merged"),
        ("opened", "opened"),
        ("admissibility_decided", "admissibility decided"),
        ("interview_scheduled", "interview scheduled"),
        ("interview_recorded", "interview recorded"),
        ("no_show_recorded", "no-show recorded"),
        ("contact_recorded", "contact recorded"),
        ("specific_need_added", "specific need added"),
        ("specific_need_reviewed", "specific need reviewed"),
        ("document_added", "document added"),
        ("updated", "data corrected"),
        ("split", "group split"),
        ("created_by_split", "created by splitting a group"),
        ("merged_into", "merged into another group"),
        ("assessment_submitted", "assessment submitted"),
        ("assessment_returned", "assessment returned"),
        ("reopened", "reopened"),
        ("assigned", "assigned"),
        ("put_on_hold", "put on hold"),
        ("resumed", "resumed"),
        ("recognised", "recognised"),
        ("rejected", "rejected"),
        ("excluded", "excluded"),
        ("inadmissible", "inadmissible"),
        ("appeal_decided", "appeal decided"),
        ("no_appeal", "no appeal"),
        ("duplicate", "duplicate"),
        ("deceased", "deceased"),
        ("left_country", "left the country"),
        ("changed_circumstances", "changed circumstances"),
        ("new_evidence", "new evidence"),
        ("improperly_decided", "improperly decided"),
        ("abandonment_reopened", "abandonment reopened"),
        ("yes", "yes"),
        ("no", "no"),
        ("approve", "approve"),
        ("return", "return"),
        ("new", "new appointment"),
        ("derivative", "derivative"),
    ],
    keys_form: &[
        ("Tab, ↑ ↓", "next / previous field"),
        ("← →, Space", "change the option"),
        ("Enter", "next field; on the last, send"),
        ("Ctrl-S, F10", "send"),
        ("Esc", "cancel"),
    ],
    keys_global_cases: &[
        ("F4", "my work (or supervision)"),
        ("F5", "supervision (supervisors)"),
    ],
    reviews_title: "Duplicates",
    admin_title: "Administration",
    review_title: "Possible duplicate",
    keys_global_reviews: &[("F6", "possible duplicates")],
    group_title: "Group",
    protection_title: "Protection",
    protection_case_title: "Protection case",
    keys_global_protection: &[("F8", "protection cases")],
};

/// The words of `amparo capture`, which prints lines instead of drawing screens.
pub struct CaptureText {
    pub unsigned_banner: &'static str,
    pub fingers: [&'static str; 5],
    pub right: &'static str,
    pub left: &'static str,
    pub iris: &'static str,
    pub face: &'static str,
    pub pending: &'static str,
    pub missing: &'static str,
    pub injured: &'static str,
    pub unable: &'static str,
    pub step_left_slap: &'static str,
    pub step_right_slap: &'static str,
    pub step_thumbs: &'static str,
    pub step_irises: &'static str,
    pub step_face: &'static str,
    pub step_finger: &'static str,
    pub busy: &'static str,
    pub no_object: &'static str,
    pub device_error: &'static str,
    pub unreachable: &'static str,
    pub bad_record: &'static str,
    pub corrupt_image: &'static str,
    pub wrong_position: &'static str,
    pub not_returned: &'static str,
    pub nothing_found: &'static str,
    pub low_quality: &'static str,
    pub attempt: &'static str,
    pub retry_prompt: &'static str,
    pub give_up_prompt: &'static str,
    pub refused_record: &'static str,
    pub no_device: &'static str,
    pub found_devices: &'static str,
    pub device_trusted: &'static str,
    pub device_refused: &'static str,
    pub choose_device: &'static str,
    pub several_devices: &'static str,
    pub no_device_named: &'static str,
    pub uploaded: &'static str,
    pub queued: &'static str,
    pub refused_by_server: &'static str,
    pub reference: &'static str,
    pub no_duplicate: &'static str,
    pub possible_duplicate: &'static str,
    pub outside_scope: &'static str,
    pub other_unit: &'static str,
    pub referral: &'static str,
    pub sync_report: &'static str,
    pub offline: &'static str,
    pub username: &'static str,
    pub password: &'static str,
}

impl CaptureText {
    /// What the operator is told about a failed attempt, and what to do.
    pub fn problem(&self, p: &crate::capture::check::Problem) -> String {
        use crate::capture::check::Problem as P;
        use amparo_sbi::messages::ErrorCode;
        match p {
            P::Device {
                code: ErrorCode::Busy,
                ..
            } => self.busy.into(),
            P::Device {
                code: ErrorCode::NoBiometricObject,
                ..
            } => self.no_object.into(),
            P::Device { code, info } => format!("{} {}: {info}", self.device_error, code.code()),
            P::Unreachable(why) => format!("{} ({why})", self.unreachable),
            P::BadRecord(why) => format!("{} ({why})", self.bad_record),
            P::CorruptImage(why) => format!("{} ({why})", self.corrupt_image),
            P::WrongPosition { claimed } => {
                format!("{} {}", self.wrong_position, claimed.cli_name())
            }
            P::NotReturned => self.not_returned.into(),
            P::NothingFound(why) => format!("{} ({why})", self.nothing_found),
            P::LowQuality { score, threshold } => {
                format!("{} {score} < {threshold}", self.low_quality)
            }
        }
    }
}

/// The capture command's words, in `lang`.
pub fn capture_text(lang: Lang) -> &'static CaptureText {
    match lang {
        Lang::Es => &ES_CAPTURE,
        Lang::En => &EN_CAPTURE,
    }
}

pub static ES_CAPTURE: CaptureText = CaptureText {
    unsigned_banner: "!! DESARROLLO: SE ACEPTAN DISPOSITIVOS SIN FIRMA; ESTAS MUESTRAS NO PRUEBAN NADA !!",
    fingers: ["pulgar", "índice", "medio", "anular", "meñique"],
    right: "derecha",
    left: "izquierda",
    iris: "iris",
    face: "rostro",
    pending: "··",
    missing: "falta",
    injured: "herido",
    unable: "imposible",
    step_left_slap: "cuatro dedos de la mano izquierda",
    step_right_slap: "cuatro dedos de la mano derecha",
    step_thumbs: "los dos pulgares",
    step_irises: "los dos ojos",
    step_face: "el rostro",
    step_finger: "el dedo",
    busy: "El dispositivo está ocupado con otra captura; espere un momento",
    no_object: "El dispositivo no detectó dedo ni ojo; colóquelo bien sobre el lector o frente a la cámara",
    device_error: "El dispositivo informó el error",
    unreachable: "El dispositivo no responde; revise el cable y el servicio del dispositivo",
    bad_record: "El dispositivo devolvió un registro ISO no válido",
    corrupt_image: "La imagen llegó dañada; capture de nuevo",
    wrong_position: "El registro es de otra posición:",
    not_returned: "El dispositivo no devolvió esta posición",
    nothing_found: "No se ven crestas ni iris en la imagen; limpie el lector y capture de nuevo",
    low_quality: "Calidad insuficiente:",
    attempt: "intento",
    retry_prompt: "Enter para capturar de nuevo, «x» para dejarlo",
    give_up_prompt: "¿Registrar como imposible de capturar? (s/N)",
    refused_record: "REGISTRO RECHAZADO; no se guarda ni se envía nada:",
    no_device: "No hay dispositivo para",
    found_devices: "Dispositivos encontrados:",
    device_trusted: "de confianza",
    device_refused: "rechazado:",
    no_device_named: "ningún dispositivo de confianza responde a ese nombre",
    choose_device: "Varios dispositivos de confianza para {type}; elija el número:",
    several_devices: "varios dispositivos de confianza para {type}; sin terminal donde preguntar, \
                      indique cuál con --device (puerto, id o número de serie):",
    uploaded: "Enviado al servidor.",
    reference: "Referencia biométrica",
    no_duplicate: "nadie enrolado coincide",
    possible_duplicate: "POSIBLE DUPLICADO, en cola para revisión:",
    outside_scope: "(persona fuera de su alcance: consulte a su supervisor)",
    other_unit: "en otra unidad,",
    referral: "referencia para la derivación",
    queued: "El servidor no está disponible; la captura queda cifrada en la cola:",
    refused_by_server: "El servidor rechazó la captura; queda aparte con el motivo:",
    sync_report: "Cola: enviadas {sent}, rechazadas {refused}, pendientes {remaining}",
    offline: "Sin conexión con el servidor; se captura igual y se envía después",
    username: "Usuario",
    password: "Contraseña",
};

pub static EN_CAPTURE: CaptureText = CaptureText {
    unsigned_banner: "!! DEVELOPMENT: UNSIGNED DEVICES ACCEPTED; THESE SAMPLES PROVE NOTHING !!",
    fingers: ["thumb", "index", "middle", "ring", "little"],
    right: "right",
    left: "left",
    iris: "iris",
    face: "face",
    pending: "..",
    missing: "missing",
    injured: "injured",
    unable: "unable",
    step_left_slap: "four fingers of the left hand",
    step_right_slap: "four fingers of the right hand",
    step_thumbs: "both thumbs",
    step_irises: "both eyes",
    step_face: "the face",
    step_finger: "the finger",
    busy: "The device is busy with another capture; wait a moment",
    no_object: "The device saw no finger or eye; place it properly on the scanner or before the camera",
    device_error: "The device reported error",
    unreachable: "The device does not answer; check its cable and its service",
    bad_record: "The device returned an invalid ISO record",
    corrupt_image: "The image arrived damaged; capture again",
    wrong_position: "The record is of another position:",
    not_returned: "The device did not return this position",
    nothing_found: "No ridges or iris visible in the image; clean the scanner and capture again",
    low_quality: "Quality too low:",
    attempt: "attempt",
    retry_prompt: "Enter to capture again, 'x' to stop",
    give_up_prompt: "Record as unable to capture? (y/N)",
    refused_record: "RECORD REFUSED; nothing is stored or sent:",
    no_device: "No device for",
    found_devices: "Devices found:",
    device_trusted: "trusted",
    device_refused: "refused:",
    no_device_named: "no trusted device answers to that name",
    choose_device: "Several trusted devices for {type}; choose the number:",
    several_devices: "several trusted devices for {type}; with no terminal to ask on, name one \
                      with --device (port, id or serial number):",
    uploaded: "Sent to the server.",
    reference: "Biometric reference",
    no_duplicate: "nobody enrolled matches",
    possible_duplicate: "POSSIBLE DUPLICATE, queued for review:",
    outside_scope: "(someone outside your scope: ask your supervisor)",
    other_unit: "in another unit,",
    referral: "referral reference",
    queued: "The server is not available; the capture waits encrypted in the queue:",
    refused_by_server: "The server refused the capture; it is kept aside with the reason:",
    sync_report: "Queue: sent {sent}, refused {refused}, waiting {remaining}",
    offline: "No connection to the server; capturing anyway, it is sent later",
    username: "Username",
    password: "Password",
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screens::register::RELATIONSHIPS;

    #[test]
    fn locale_picks_spanish_only_for_es() {
        assert_eq!(lang_from_locale(Some("es_EC.UTF-8")), Lang::Es);
        assert_eq!(lang_from_locale(Some("es")), Lang::Es);
        assert_eq!(lang_from_locale(Some("en_US.UTF-8")), Lang::En);
        assert_eq!(lang_from_locale(Some("C")), Lang::En);
        assert_eq!(lang_from_locale(None), Lang::En);
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
