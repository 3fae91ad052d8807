//! The pre-registration pages as HTML, in Spanish or English, built as plain strings.
//!
//! Pages are small and work without JavaScript: every action is a submit button, every error is
//! written next to its field with what was typed kept in it. Everything a person typed goes
//! through [`esc`] before it reaches a page, so a name written as markup shows as text.

use std::fmt::Write;
use std::sync::LazyLock;

use base64::Engine;
use chrono::{Datelike, NaiveDateTime, TimeDelta};
use sha2::{Digest, Sha256};

use crate::domain::codes::{COUNTRIES, LANGUAGES, Lang, RELATIONSHIP, SEX};
use crate::domain::prereg::{self, MAX_MEMBERS, PreRegistrationForm, Stage, URGENT_NEEDS};
use crate::error::{Error, Reason};
use crate::store::prereg::{OpenOffice, Status};

/// The one stylesheet, inline in every page (allowed by its hash): a phone-first column.
const STYLE: &str = "body{font:16px/1.4 system-ui,sans-serif;margin:0;color:#111;background:#fff}\
main{max-width:38em;margin:auto;padding:.5em 1em 2em}h1{font-size:1.3em}h2{font-size:1.1em;margin:1.2em 0 .3em}\
fieldset{border:1px solid #999;margin:.8em 0;padding:.4em .8em}label{display:block;margin:.5em 0 .1em;font-weight:600}\
input,select{font:inherit;width:100%;box-sizing:border-box;padding:.35em;border:1px solid #666;border-radius:3px}\
input[type=checkbox]{width:auto;margin-right:.4em}.ck{font-weight:400;display:flex;align-items:flex-start}\
button{font:inherit;padding:.5em 1em;margin:.6em .4em .2em 0;border:1px solid #035;border-radius:3px;background:#e8f0f8}\
button.go{background:#035;color:#fff}.err{color:#a00;font-weight:600;margin:.1em 0}.bad{border-color:#a00}\
.box{border:2px solid #035;padding:.6em 1em;margin:1em 0}.code{font:700 1.5em monospace;letter-spacing:.08em}\
.hp{position:absolute;left:-9999px}.note{color:#444;font-size:.92em}nav a{margin-right:1em}";

/// The Content-Security-Policy of every page: nothing runs, nothing loads from anywhere, the one
/// inline stylesheet is allowed by its hash, and forms post only here.
pub static POLICY: LazyLock<String> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; form-action 'self'; base-uri 'none'; \
         frame-ancestors 'none'"
    )
});

/// Text in both languages.
type W = (&'static str, &'static str);

fn w(lang: Lang, words: W) -> &'static str {
    match lang {
        Lang::Es => words.0,
        Lang::En => words.1,
    }
}

const TITLE: W = (
    "Pre-registro para protección internacional",
    "Pre-registration for international protection",
);
const INTRO: W = (
    "Complete este formulario antes de ir a la oficina. Le daremos una referencia y una clave para ver su trámite y pedir una cita de registro.",
    "Fill in this form before you go to the office. You will get a reference and a secret to follow your application and book a registration appointment.",
);
const SCRIPTS: W = (
    "Puede escribir los nombres en cualquier alfabeto: latino, árabe, cirílico, persa, chino u otro.",
    "You may write names in any script: Latin, Arabic, Cyrillic, Persian, Chinese or another.",
);
const OTHER_LANG: W = ("English", "Español");
const APPLICANT: W = ("Solicitante", "Applicant");
const MEMBER: W = (
    "Familiar que viaja con usted",
    "Family member travelling with you",
);
const GIVEN: W = ("Nombres", "Given names");
const FAMILY: W = ("Apellidos", "Family names");
const ORIGINAL: W = (
    "Nombre en su alfabeto (si es otro)",
    "Name in its own script (if another)",
);
const SEX_L: W = ("Sexo", "Sex");
const DOB: W = ("Fecha de nacimiento", "Date of birth");
const AGE: W = (
    "o edad en años, si no sabe la fecha",
    "or age in years, if you do not know the date",
);
const NATIONALITY: W = ("Nacionalidad", "Nationality");
const RELATION: W = (
    "Parentesco con el solicitante",
    "Relationship to the applicant",
);
const CHOOSE: W = ("Elija…", "Choose…");
const ADD: W = ("Añadir un familiar", "Add a family member");
const REMOVE: W = ("Quitar a esta persona", "Remove this person");
const CONTACT: W = ("Contacto", "Contact");
const PHONE: W = ("Teléfono", "Phone");
const EMAIL: W = ("Correo electrónico (opcional)", "E-mail (optional)");
const WHERE: W = ("Dónde está ahora", "Where you are now");
const PROVINCE: W = ("Provincia", "Province");
const CANTON: W = ("Cantón", "Canton");
const OFFICE: W = ("Oficina a la que irá", "Office you will go to");
const LANGS: W = ("Idiomas", "Languages");
const MOTHER: W = ("Idioma materno", "Mother tongue");
const OTHER: W = (
    "Otro idioma que habla (opcional)",
    "Another language you speak (optional)",
);
const INTERPRETER: W = ("Necesitamos intérprete", "We need an interpreter");
const URGENT: W = ("Necesidades urgentes", "Urgent needs");
const URGENT_NOTE: W = (
    "Marque lo que corresponda. Lo demás lo hablaremos en persona y en privado.",
    "Tick what applies. Everything else we will talk about in person and in private.",
);
const CONSENT_H: W = ("Sus datos", "Your data");
const CONSENT: W = (
    "Acepto que la Dirección de Protección Internacional trate estos datos para registrar mi solicitud de protección internacional y la de mi familia. No se comparten con mi país ni con nadie sin mi consentimiento. Puedo pedir verlos o corregirlos en la oficina.",
    "I agree that the Directorate of International Protection processes this data to register my and my family's application for international protection. It is not shared with my country or anyone else without my consent. I may ask to see or correct it at the office.",
);
const SEND: W = ("Enviar", "Send");
const FIX: W = (
    "Revise lo marcado en rojo.",
    "Please check what is marked in red.",
);
const HONEYPOT: W = ("No llene este campo", "Leave this field empty");
const SENT_H: W = (
    "Recibimos su pre-registro",
    "We received your pre-registration",
);
const REFERENCE: W = ("Referencia", "Reference");
const SECRET: W = ("Clave", "Secret");
const KEEP: W = (
    "Anote la referencia y la clave, o tome una foto de esta pantalla. Las necesitará para ver su trámite y pedir la cita. No las comparta: con ellas se ve su cita.",
    "Write down the reference and the secret, or take a photo of this screen. You need them to follow your application and book the appointment. Do not share them: they show your appointment.",
);
const NEXT: W = (
    "Ahora pida una cita de registro en la oficina que eligió. En la cita se toman fotos y huellas y se registra a cada familiar; traiga los documentos que tenga.",
    "Now book a registration appointment at the office you chose. At the appointment photos and fingerprints are taken and every family member is registered; bring any documents you have.",
);
const SEE: W = ("Ver mi trámite y pedir cita", "See my application and book");
const STATUS_H: W = ("Mi pre-registro", "My pre-registration");
const STATUS_INTRO: W = (
    "Escriba la referencia y la clave que recibió.",
    "Type the reference and the secret you received.",
);
const LOOK: W = ("Ver", "Show");
const NOT_FOUND: W = (
    "No encontramos un pre-registro con esa referencia y esa clave. Revise ambas.",
    "We found no pre-registration with that reference and secret. Check both.",
);
const STAGE: W = ("Estado", "Stage");
const APPOINTMENT: W = ("Cita de registro", "Registration appointment");
const AT_OFFICE: W = ("en la oficina de", "at the office in");
const BOOK: W = ("Pedir esta cita", "Book this time");
const MOVE: W = (
    "Cambiar mi cita a esta hora",
    "Move my appointment to this time",
);
const FREE: W = ("Horas libres", "Free times");
const NO_FREE: W = (
    "No hay horas libres por ahora. Vuelva a mirar mañana.",
    "There are no free times now. Look again tomorrow.",
);
const NEW_FORM: W = ("Nuevo pre-registro", "New pre-registration");
const MY_STATUS: W = ("Mi trámite", "My application");
const CLOSED: W = (
    "El formulario de pre-registro no está abierto ahora.",
    "The pre-registration form is not open now.",
);
const BUSY: W = (
    "Hay demasiadas solicitudes en este momento. Espere un minuto y vuelva a intentar; lo que escribió no se perdió si vuelve atrás.",
    "There are too many requests right now. Wait a minute and try again; going back keeps what you typed.",
);
const REFUSED: W = (
    "No pudimos aceptar este envío. Abra el formulario de nuevo.",
    "We could not accept this submission. Open the form again.",
);

fn stage_words(stage: Stage) -> W {
    match stage {
        Stage::Received => (
            "Recibido: falta pedir la cita",
            "Received: book your appointment",
        ),
        Stage::AppointmentGiven => ("Cita dada", "Appointment given"),
        Stage::Registered => ("Registrado", "Registered"),
        Stage::Dismissed => (
            "Cerrado: acérquese a la oficina",
            "Closed: please come to the office",
        ),
    }
}

/// Words for a refusal, next to its field.
pub fn refusal(lang: Lang, e: &Error) -> String {
    let es = lang == Lang::Es;
    match &e.reason {
        Reason::Required => w(lang, ("Falta este dato.", "This is required.")).into(),
        Reason::TooLong { max } if es => format!("Es demasiado largo (máximo {max} caracteres)."),
        Reason::TooLong { max } => format!("Too long (at most {max} characters)."),
        Reason::ControlCharacters => w(
            lang,
            (
                "Tiene caracteres no permitidos.",
                "Has characters that are not allowed.",
            ),
        )
        .into(),
        Reason::UnknownCode { .. } => w(
            lang,
            (
                "Elija un valor de la lista.",
                "Choose a value from the list.",
            ),
        )
        .into(),
        Reason::TooMany { max } if e.field.as_deref().is_some_and(|f| f.ends_with(".age")) => {
            if es {
                format!("No es una edad posible (máximo {max}).")
            } else {
                format!("Not a possible age (at most {max}).")
            }
        }
        Reason::TooMany { max } if es => format!("Demasiados (máximo {max})."),
        Reason::TooMany { max } => format!("Too many (at most {max})."),
        Reason::InFuture => w(
            lang,
            (
                "La fecha no puede ser futura.",
                "The date cannot be in the future.",
            ),
        )
        .into(),
        Reason::TooEarly { .. } => w(
            lang,
            (
                "La fecha es demasiado antigua.",
                "The date is too long ago.",
            ),
        )
        .into(),
        Reason::BadFormat { format } => match format.as_str() {
            "date" => w(
                lang,
                (
                    "No es una fecha válida (día, mes y año).",
                    "Not a valid date (day, month and year).",
                ),
            ),
            "age" => w(
                lang,
                ("Escriba la edad en números.", "Write the age in numbers."),
            ),
            "phone" => w(
                lang,
                (
                    "Un teléfono tiene de 6 a 20 cifras.",
                    "A phone number has 6 to 20 digits.",
                ),
            ),
            "email" => w(
                lang,
                ("No es un correo electrónico.", "Not an e-mail address."),
            ),
            _ => w(lang, ("Formato no válido.", "Not in a valid format.")),
        }
        .into(),
        _ => w(lang, ("Revise este dato.", "Please check this.")).into(),
    }
}

/// Escapes text for HTML, attributes included.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn shell(lang: Lang, title: W, body: &str) -> String {
    let other = match lang {
        Lang::Es => "en",
        Lang::En => "es",
    };
    format!(
        "<!doctype html><html lang=\"{l}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{t}</title><style>{STYLE}</style></head><body><main>\
         <nav><a href=\"/pre-registration?lang={l}\">{new}</a><a href=\"/pre-registration/status?lang={l}\">{mine}</a>\
         <a href=\"?lang={other}\" hreflang=\"{other}\">{ol}</a></nav>{body}</main></body></html>",
        l = lang.as_str(),
        t = w(lang, title),
        new = w(lang, NEW_FORM),
        mine = w(lang, MY_STATUS),
        ol = w(lang, OTHER_LANG),
    )
}

/// A form being filled in: what was typed, the token it will be sent with, and the first
/// refusal, if any.
pub struct FormView<'a> {
    pub lang: Lang,
    pub token: &'a str,
    pub form: &'a PreRegistrationForm,
    pub office: &'a str,
    pub offices: &'a [OpenOffice],
    pub error: Option<&'a Error>,
}

impl FormView<'_> {
    fn error_at(&self, field: &str) -> String {
        match self.error {
            Some(e) if e.field.as_deref() == Some(field) => {
                format!(
                    "<p class=\"err\" id=\"e-{}\">{}</p>",
                    esc(field),
                    esc(&refusal(self.lang, e))
                )
            }
            _ => String::new(),
        }
    }

    fn bad(&self, field: &str) -> &'static str {
        match self.error {
            Some(e) if e.field.as_deref() == Some(field) => " class=\"bad\" autofocus",
            _ => "",
        }
    }

    fn input(&self, out: &mut String, field: &str, label: W, value: &str, kind: &str, extra: &str) {
        let _ = write!(
            out,
            "<label for=\"{f}\">{l}</label>{e}<input id=\"{f}\" name=\"{f}\" type=\"{kind}\" value=\"{v}\"{b}{extra}>",
            f = esc(field),
            l = w(self.lang, label),
            e = self.error_at(field),
            v = esc(value),
            b = self.bad(field),
        );
    }

    fn select(
        &self,
        out: &mut String,
        field: &str,
        label: W,
        value: &str,
        options: &mut dyn Iterator<Item = (&str, &str)>,
    ) {
        let _ = write!(
            out,
            "<label for=\"{f}\">{l}</label>{e}<select id=\"{f}\" name=\"{f}\"{b}><option value=\"\">{c}</option>",
            f = esc(field),
            l = w(self.lang, label),
            e = self.error_at(field),
            b = self.bad(field),
            c = w(self.lang, CHOOSE),
        );
        for (code, name) in options {
            let sel = if code == value { " selected" } else { "" };
            let _ = write!(
                out,
                "<option value=\"{}\"{sel}>{}</option>",
                esc(code),
                esc(name)
            );
        }
        out.push_str("</select>");
    }

    /// The form page.
    pub fn render(&self) -> String {
        let lang = self.lang;
        let mut b = String::with_capacity(24 * 1024);
        let _ = write!(
            b,
            "<h1>{}</h1><p>{}</p><p class=\"note\">{}</p>",
            w(lang, TITLE),
            w(lang, INTRO),
            w(lang, SCRIPTS)
        );
        if self.error.is_some() {
            let _ = write!(b, "<p class=\"err\">{}</p>", w(lang, FIX));
        }
        let _ = write!(
            b,
            "<form method=\"post\" action=\"/pre-registration\" accept-charset=\"utf-8\">\
             <input type=\"hidden\" name=\"token\" value=\"{}\"><input type=\"hidden\" name=\"lang\" value=\"{}\">\
             <div class=\"hp\" aria-hidden=\"true\"><label for=\"website\">{}</label>\
             <input id=\"website\" name=\"website\" tabindex=\"-1\" autocomplete=\"off\"></div>",
            esc(self.token),
            lang.as_str(),
            w(lang, HONEYPOT)
        );
        // The send button comes first in the form, so Enter in a field sends rather than
        // adding or removing a person.
        let _ = write!(
            b,
            "<button class=\"hp\" name=\"action\" value=\"send\" tabindex=\"-1\" aria-hidden=\"true\">{}</button>",
            w(lang, SEND)
        );
        let members = if self.form.members.is_empty() {
            vec![Default::default()]
        } else {
            self.form.members.clone()
        };
        for (i, m) in members.iter().enumerate() {
            let p = format!("members.{i}");
            let _ = write!(
                b,
                "<fieldset><legend>{}</legend>",
                w(lang, if i == 0 { APPLICANT } else { MEMBER })
            );
            self.input(
                &mut b,
                &format!("{p}.givenNames"),
                GIVEN,
                &m.given_names,
                "text",
                " maxlength=\"200\" autocomplete=\"off\"",
            );
            self.input(
                &mut b,
                &format!("{p}.familyName"),
                FAMILY,
                &m.family_name,
                "text",
                " maxlength=\"200\" autocomplete=\"off\"",
            );
            self.input(
                &mut b,
                &format!("{p}.originalScriptName"),
                ORIGINAL,
                &m.original_script_name,
                "text",
                " maxlength=\"200\" autocomplete=\"off\"",
            );
            self.select(
                &mut b,
                &format!("{p}.sex"),
                SEX_L,
                &m.sex,
                &mut SEX.terms().iter().map(|t| (t.code, t.label(lang))),
            );
            self.input(
                &mut b,
                &format!("{p}.dateOfBirth"),
                DOB,
                &m.date_of_birth,
                "date",
                "",
            );
            self.input(
                &mut b,
                &format!("{p}.age"),
                AGE,
                &m.age,
                "number",
                " min=\"0\" inputmode=\"numeric\"",
            );
            self.select(
                &mut b,
                &format!("{p}.nationality"),
                NATIONALITY,
                &m.nationality,
                &mut COUNTRIES.terms().iter().map(|t| (t.code, t.label(lang))),
            );
            if i > 0 {
                self.select(
                    &mut b,
                    &format!("{p}.relationship"),
                    RELATION,
                    &m.relationship,
                    &mut RELATIONSHIP
                        .terms()
                        .iter()
                        .filter(|t| t.code != "focal_point")
                        .map(|t| (t.code, t.label(lang))),
                );
                let _ = write!(
                    b,
                    "<button name=\"action\" value=\"remove.{i}\" formnovalidate>{}</button>",
                    w(lang, REMOVE)
                );
            }
            b.push_str("</fieldset>");
        }
        b.push_str(&self.error_at("members"));
        if members.len() < MAX_MEMBERS {
            let _ = write!(
                b,
                "<button name=\"action\" value=\"add\" formnovalidate>{}</button>",
                w(lang, ADD)
            );
        }
        let _ = write!(b, "<fieldset><legend>{}</legend>", w(lang, CONTACT));
        self.input(
            &mut b,
            "phone",
            PHONE,
            &self.form.phone,
            "tel",
            " maxlength=\"30\" autocomplete=\"tel\"",
        );
        self.input(
            &mut b,
            "email",
            EMAIL,
            &self.form.email,
            "email",
            " maxlength=\"100\" autocomplete=\"email\"",
        );
        let _ = write!(
            b,
            "</fieldset><fieldset><legend>{}</legend>",
            w(lang, WHERE)
        );
        self.input(
            &mut b,
            "province",
            PROVINCE,
            &self.form.province,
            "text",
            " maxlength=\"100\"",
        );
        self.input(
            &mut b,
            "canton",
            CANTON,
            &self.form.canton,
            "text",
            " maxlength=\"100\"",
        );
        self.select(
            &mut b,
            "office",
            OFFICE,
            self.office,
            &mut self
                .offices
                .iter()
                .map(|o| (o.id.as_str(), o.name.as_str())),
        );
        let _ = write!(
            b,
            "</fieldset><fieldset><legend>{}</legend>",
            w(lang, LANGS)
        );
        for (k, label) in [(0, MOTHER), (1, OTHER)] {
            let value = self.form.languages.get(k).map_or("", String::as_str);
            self.select(
                &mut b,
                &format!("languages.{k}"),
                label,
                value,
                &mut LANGUAGES.terms().iter().map(|t| (t.code, t.label(lang))),
            );
        }
        let _ = write!(
            b,
            "<label class=\"ck\"><input type=\"checkbox\" name=\"interpreter\" value=\"on\"{}>{}</label></fieldset>",
            if self.form.needs_interpreter {
                " checked"
            } else {
                ""
            },
            w(lang, INTERPRETER)
        );
        let _ = write!(
            b,
            "<fieldset><legend>{}</legend><p class=\"note\">{}</p>{}",
            w(lang, URGENT),
            w(lang, URGENT_NOTE),
            self.error_at("urgent")
        );
        for n in URGENT_NEEDS {
            let checked = if self.form.urgent.iter().any(|u| u == n.key) {
                " checked"
            } else {
                ""
            };
            let _ = write!(
                b,
                "<label class=\"ck\"><input type=\"checkbox\" name=\"urgent\" value=\"{}\"{checked}>{}</label>",
                n.key,
                if lang == Lang::Es { n.es } else { n.en }
            );
        }
        let _ = write!(
            b,
            "</fieldset><fieldset><legend>{}</legend>{}<label class=\"ck\"><input type=\"checkbox\" id=\"consent\" name=\"consent\" value=\"on\"{}>{}</label></fieldset>\
             <button class=\"go\" name=\"action\" value=\"send\">{}</button></form>",
            w(lang, CONSENT_H),
            self.error_at("consent"),
            if self.form.consent { " checked" } else { "" },
            w(lang, CONSENT),
            w(lang, SEND)
        );
        shell(lang, TITLE, &b)
    }
}

fn credentials(lang: Lang, reference: &str, secret: &str) -> String {
    format!(
        "<div class=\"box\"><p>{}</p><p class=\"code\" id=\"reference\">{}</p><p>{}</p><p class=\"code\" id=\"secret\">{}</p></div>",
        w(lang, REFERENCE),
        esc(reference),
        w(lang, SECRET),
        esc(secret)
    )
}

fn hidden_credentials(lang: Lang, reference: &str, secret: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"lang\" value=\"{}\"><input type=\"hidden\" name=\"reference\" value=\"{}\">\
         <input type=\"hidden\" name=\"secret\" value=\"{}\">",
        lang.as_str(),
        esc(reference),
        esc(secret)
    )
}

/// The page after sending: the reference and secret, and what happens next.
pub fn sent(lang: Lang, reference: &str, secret: &str) -> String {
    let body = format!(
        "<h1>{}</h1>{}<p>{}</p><p>{}</p><form method=\"post\" action=\"/pre-registration/status\">{}\
         <button class=\"go\">{}</button></form>",
        w(lang, SENT_H),
        credentials(lang, reference, secret),
        w(lang, KEEP),
        w(lang, NEXT),
        hidden_credentials(lang, reference, secret),
        w(lang, SEE)
    );
    shell(lang, SENT_H, &body)
}

/// The status page's sign-in form, with the refusal when a reference and secret did not match.
pub fn ask(lang: Lang, reference: &str, not_found: bool) -> String {
    let err = if not_found {
        format!(
            "<p class=\"err\" id=\"not-found\">{}</p>",
            w(lang, NOT_FOUND)
        )
    } else {
        String::new()
    };
    let body = format!(
        "<h1>{}</h1><p>{}</p>{err}<form method=\"post\" action=\"/pre-registration/status\">\
         <input type=\"hidden\" name=\"lang\" value=\"{}\">\
         <label for=\"reference\">{}</label><input id=\"reference\" name=\"reference\" value=\"{}\" maxlength=\"30\" autocomplete=\"off\" autocapitalize=\"characters\">\
         <label for=\"secret\">{}</label><input id=\"secret\" name=\"secret\" type=\"password\" maxlength=\"30\" autocomplete=\"off\" autocapitalize=\"characters\">\
         <button class=\"go\">{}</button></form>",
        w(lang, STATUS_H),
        w(lang, STATUS_INTRO),
        lang.as_str(),
        w(lang, REFERENCE),
        esc(reference),
        w(lang, SECRET),
        w(lang, LOOK)
    );
    shell(lang, STATUS_H, &body)
}

const WEEKDAYS: [W; 7] = [
    ("lunes", "Monday"),
    ("martes", "Tuesday"),
    ("miércoles", "Wednesday"),
    ("jueves", "Thursday"),
    ("viernes", "Friday"),
    ("sábado", "Saturday"),
    ("domingo", "Sunday"),
];

/// A UTC time as the office's local day and time, in words.
pub fn local_time(lang: Lang, at: NaiveDateTime, utc_offset_minutes: i32) -> String {
    let local = at + TimeDelta::minutes(i64::from(utc_offset_minutes));
    let day = w(
        lang,
        WEEKDAYS[local.weekday().num_days_from_monday() as usize],
    );
    format!("{day} {}", local.format("%Y-%m-%d %H:%M"))
}

/// The form value of a slot (UTC, minutes).
pub fn slot_value(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M").to_string()
}

/// The status page: stage, appointment, and the free times to book or move to.
pub fn status(
    lang: Lang,
    s: &Status,
    secret: &str,
    free: &[NaiveDateTime],
    error: Option<&Error>,
) -> String {
    let mut b = format!(
        "<h1>{}</h1><p>{}: <span class=\"code\" id=\"reference\">{}</span></p><p>{}: <strong id=\"stage\">{}</strong></p>",
        w(lang, STATUS_H),
        w(lang, REFERENCE),
        esc(&s.reference),
        w(lang, STAGE),
        w(lang, stage_words(s.stage))
    );
    if let Some(at) = s.appointment_at {
        let _ = write!(
            b,
            "<p>{}: <strong id=\"appointment\">{}</strong> {} {}</p>",
            w(lang, APPOINTMENT),
            local_time(lang, at, s.utc_offset_minutes),
            w(lang, AT_OFFICE),
            esc(&s.office_name)
        );
    }
    if let Some(e) = error {
        let _ = write!(
            b,
            "<p class=\"err\" id=\"e-slot\">{}</p>",
            esc(&booking_refusal(lang, e))
        );
    }
    if s.stage.bookable() {
        if free.is_empty() {
            let _ = write!(b, "<p>{}</p>", w(lang, NO_FREE));
        } else {
            let _ = write!(
                b,
                "<form method=\"post\" action=\"/pre-registration/status\">{}\
                 <label for=\"slot\">{} ({})</label><select id=\"slot\" name=\"slot\">",
                hidden_credentials(lang, &s.reference, secret),
                w(lang, FREE),
                esc(&s.office_name)
            );
            for at in free.iter().take(crate::store::prereg::MAX_OFFERED_SLOTS) {
                let _ = write!(
                    b,
                    "<option value=\"{}\">{}</option>",
                    slot_value(*at),
                    local_time(lang, *at, s.utc_offset_minutes)
                );
            }
            let _ = write!(
                b,
                "</select><button class=\"go\" name=\"action\" value=\"book\">{}</button></form>",
                w(
                    lang,
                    if s.appointment_at.is_some() {
                        MOVE
                    } else {
                        BOOK
                    }
                )
            );
        }
    }
    shell(lang, STATUS_H, &b)
}

fn booking_refusal(lang: Lang, e: &Error) -> String {
    if e.reason == Reason::Unspecified && e.field.as_deref() == Some("slot") {
        w(
            lang,
            (
                "Esa hora ya no está libre o su trámite ya no espera cita. Elija otra.",
                "That time is no longer free, or your application no longer waits for one. Choose another.",
            ),
        )
        .into()
    } else {
        refusal(lang, e)
    }
}

/// A page that only says something, with a status the caller gives it.
pub fn notice(lang: Lang, which: Notice) -> String {
    let text = match which {
        Notice::Closed => CLOSED,
        Notice::Busy => BUSY,
        Notice::Refused => REFUSED,
    };
    shell(
        lang,
        TITLE,
        &format!("<h1>{}</h1><p>{}</p>", w(lang, TITLE), w(lang, text)),
    )
}

/// The pages that only say something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// No unit takes pre-registrations.
    Closed,
    /// A rate limit held the request back.
    Busy,
    /// The honeypot was filled in, or the body was not a form.
    Refused,
}

/// The secret of a token, for the confirmation page (the store keeps only its hash).
pub fn secret_for(token: &str) -> String {
    prereg::secret_of(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_names_is_text() {
        assert_eq!(
            esc("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
    }

    #[test]
    fn the_policy_allows_exactly_the_stylesheet() {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE));
        assert!(POLICY.contains(&hash));
        assert!(POLICY.starts_with("default-src 'none'"));
        assert!(!POLICY.contains("script-src"));
    }
}
