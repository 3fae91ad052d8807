//! The server's refusals in the user's words. The server sends a reason and its parameters
//! (`amparo_domain::error::Reason`) and the field's input path; this catalogue renders each
//! reason in Spanish and English, names the field as the forms do (`members.0.givenNames` is
//! "Miembro 1 · Nombres"), names codes from the shared lists and shows times in the office's
//! clock, labelled. The server's English message is for logs and is never shown.
//!
//! The match on [`Reason`] has no wildcard: a reason added to the domain does not build here
//! until it has its words.

use amparo_domain::assistance::rules::RuleFault;
use amparo_domain::codes::{self, Lang, label_or_code};
use amparo_domain::error::Reason;
use amparo_domain::needs;

use crate::i18n::pick;
use crate::widgets::local_time;

/// Input names as the forms label them: (API name, Spanish, English).
const FIELDS: &[(&str, &str, &str)] = &[
    ("givenNames", "Nombres", "Given names"),
    ("familyName", "Apellidos", "Family name"),
    ("sex", "Sexo", "Sex"),
    ("dateOfBirth", "Fecha de nacimiento", "Date of birth"),
    ("nationalities", "Nacionalidad", "Nationality"),
    ("relationship", "Parentesco", "Relationship"),
    (
        "originalScriptName",
        "Nombre en escritura original",
        "Name in original script",
    ),
    ("documentType", "Tipo de documento", "Document type"),
    ("number", "Número", "Number"),
    ("issuingCountry", "País emisor", "Issuing country"),
    ("code", "Necesidad", "Need"),
    ("subCode", "Subcódigo", "Sub-code"),
    ("comments", "Comentarios", "Comments"),
    ("members", "Miembros", "Members"),
    ("at", "Fecha y hora", "Date and time"),
    ("minutes", "Duración", "Duration"),
    ("officerId", "Oficial", "Officer"),
    ("interpreterId", "Intérprete", "Interpreter"),
    ("language", "Idioma", "Language"),
    ("reason", "Motivo", "Reason"),
    ("lodgedAt", "Fecha de la apelación", "Appeal date"),
    ("newPassword", "Nueva contraseña", "New password"),
    ("timeZone", "Zona horaria", "Time zone"),
    ("workingHours", "Horario", "Working hours"),
    ("holidays", "Feriados", "Holidays"),
    ("settings", "Ajustes", "Settings"),
    ("roles", "Roles", "Roles"),
    ("scopeLevel", "Alcance", "Scope"),
    ("name", "Nombre", "Name"),
    ("amount", "Monto", "Amount"),
    ("amountUnit", "Unidad", "Unit"),
    ("cycles", "Ciclos", "Cycles"),
    ("cycle", "Ciclo", "Cycle"),
    ("site", "Sitio", "Site"),
    ("date", "Fecha", "Date"),
    ("groupIds", "Hogares", "Households"),
    ("groupId", "Hogar", "Household"),
];

/// Code lists by the name the server gives them in `UNKNOWN_CODE`: (name, Spanish, English).
const LISTS: &[(&str, &str, &str)] = &[
    ("country", "países", "countries"),
    ("sex", "sexos", "sexes"),
    ("relationship", "parentescos", "relationships"),
    ("document type", "tipos de documento", "document types"),
    ("language", "idiomas", "languages"),
    ("marital status", "estados civiles", "marital statuses"),
    ("time_zone", "zonas horarias", "time zones"),
    ("role", "roles", "roles"),
    ("scope_level", "alcances", "scopes"),
    ("household", "hogares registrados", "registered households"),
];

fn lookup(
    table: &[(&str, &'static str, &'static str)],
    key: &str,
    lang: Lang,
) -> Option<&'static str> {
    table
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|&(_, es, en)| pick(lang, es, en))
}

/// The field of an input path as the form names it (`members.1.dateOfBirth` is "Miembro 2 ·
/// Fecha de nacimiento"); `None` when this client has no name for it, so no path is shown.
pub fn field_label(path: &str, lang: Lang) -> Option<String> {
    // A place in an eligibility rule is named by its path in the rule, as written.
    if let Some(at) = path
        .strip_prefix("input.eligibility")
        .or_else(|| path.strip_prefix("eligibility"))
    {
        let label = pick(lang, "Criterios", "Criteria");
        return Some(match at.strip_prefix('.') {
            Some(at) => format!("{label} ({at})"),
            None => label.to_string(),
        });
    }
    let mut member = None;
    let mut name = None;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if part == "members"
            && let Some(n) = parts.peek().and_then(|p| p.parse::<usize>().ok())
        {
            member = Some(n + 1);
            parts.next();
            continue;
        }
        if part.parse::<usize>().is_err() && part != "input" && part != "person" {
            name = Some(part);
        }
    }
    let label = match name {
        Some(n) => Some(lookup(FIELDS, n, lang)?),
        None => None,
    };
    let member = member.map(|n| format!("{} {n}", pick(lang, "Miembro", "Member")));
    match (member, label) {
        (Some(m), Some(l)) => Some(format!("{m} · {l}")),
        (Some(m), None) => Some(m),
        (None, Some(l)) => Some(l.to_string()),
        (None, None) => None,
    }
}

/// `from – to` in the office's clock, the end's date left out when it is the start's.
fn span(starts: &str, ends: &str) -> String {
    let (s, e) = (local_time(starts), local_time(ends));
    match (s.get(..10), e.get(..10), e.get(11..)) {
        (Some(d1), Some(d2), Some(hm)) if d1 == d2 => format!("{s}–{hm}"),
        _ => format!("{s}–{e}"),
    }
}

/// The office's clock, as the times of a refusal are labelled.
fn office_time(lang: Lang) -> String {
    crate::widgets::office_clock(lang)
}

fn language(code: &str, lang: Lang) -> String {
    label_or_code(codes::LANGUAGES.terms(), code, lang).to_string()
}

/// One reason with its parameters, in `lang`.
pub fn describe(reason: &Reason, lang: Lang) -> String {
    let es = lang == Lang::Es;
    match reason {
        Reason::Unspecified => pick(
            lang,
            "el servidor no aceptó este dato",
            "the server did not accept this value",
        )
        .to_string(),
        Reason::Required => pick(lang, "es obligatorio", "is required").to_string(),
        Reason::TooLong { max } if es => format!("demasiado largo (máx. {max} caracteres)"),
        Reason::TooLong { max } => format!("too long (at most {max} characters)"),
        Reason::ControlCharacters => pick(
            lang,
            "contiene caracteres no permitidos",
            "contains characters that are not allowed",
        )
        .to_string(),
        Reason::UnknownCode { vocabulary, value } => {
            let list = lookup(LISTS, vocabulary, lang).unwrap_or(vocabulary.as_str());
            if es {
                format!("«{value}» no está en la lista de {list}")
            } else {
                format!("“{value}” is not in the list of {list}")
            }
        }
        Reason::TooMany { max } if es => format!("como máximo {max}"),
        Reason::TooMany { max } => format!("at most {max}"),
        Reason::TooFew { min } if es => format!("al menos {min}"),
        Reason::TooFew { min } => format!("at least {min}"),
        Reason::ExactlyOne {
            value,
            expected,
            found,
        } => {
            let what = label_or_code(codes::RELATIONSHIP.terms(), value, lang);
            if es {
                format!("debe haber exactamente {expected} «{what}» (hay {found})")
            } else {
                format!("there must be exactly {expected} “{what}” (found {found})")
            }
        }
        Reason::InFuture => pick(
            lang,
            "la fecha está en el futuro",
            "the date is in the future",
        )
        .to_string(),
        Reason::TooEarly { min } if es => format!("la fecha es anterior a {min}"),
        Reason::TooEarly { min } => format!("the date is before {min}"),
        Reason::BeforeOther { other } => {
            let other = field_label(other, lang).unwrap_or_default();
            if es {
                format!("la fecha es anterior a «{other}»")
            } else {
                format!("the date is before “{other}”")
            }
        }
        Reason::BadFormat { .. } => {
            pick(lang, "el formato no es válido", "the format is not valid").to_string()
        }
        Reason::WrongParent { belongs_to } => {
            let need = needs::label_or_code(belongs_to, lang);
            if es {
                format!("el subcódigo pertenece a otra necesidad ({need})")
            } else {
                format!("the sub-code belongs to another need ({need})")
            }
        }
        Reason::AlreadyBooked(b) => {
            let when = span(&b.starts, &b.ends);
            let clock = office_time(lang);
            match (es, b.who.as_str()) {
                (true, "interpreter") => {
                    format!("el intérprete ya tiene una entrevista {when} ({clock})")
                }
                (true, _) => format!("el oficial ya tiene una entrevista {when} ({clock})"),
                (false, "interpreter") => {
                    format!("the interpreter is already booked {when} ({clock})")
                }
                (false, _) => format!("the officer is already booked {when} ({clock})"),
            }
        }
        Reason::NotWorkingDay { at } => {
            let day = local_time(at).chars().take(10).collect::<String>();
            let clock = office_time(lang);
            if es {
                format!("el {day} ({clock}) no es día laborable")
            } else {
                format!("{day} ({clock}) is not a working day")
            }
        }
        Reason::OutsideWorkingHours(h) => {
            let when = span(&h.starts, &h.ends);
            let clock = office_time(lang);
            let (from, to) = (&h.day_starts, &h.day_ends);
            if es {
                format!("{when} ({clock}) queda fuera del horario, {from}–{to}")
            } else {
                format!("{when} ({clock}) is outside working hours, {from}–{to}")
            }
        }
        Reason::NoInterpreter { language: l } if es => {
            format!("la unidad no tiene intérprete de {}", language(l, lang))
        }
        Reason::NoInterpreter { language: l } => {
            format!("the unit has no interpreter for {}", language(l, lang))
        }
        Reason::NoInterpreterFree { language: l } if es => format!(
            "ningún intérprete de {} está libre a esa hora: elija otra",
            language(l, lang)
        ),
        Reason::NoInterpreterFree { language: l } => format!(
            "no interpreter for {} is free at that time: choose another",
            language(l, lang)
        ),
        Reason::NotInterpreterOf { language: l } if es => {
            format!("ese intérprete no interpreta {}", language(l, lang))
        }
        Reason::NotInterpreterOf { language: l } => {
            format!("that interpreter does not interpret {}", language(l, lang))
        }
        Reason::ClientMutationIdReused => pick(
            lang,
            "un envío anterior de este formulario ya se guardó con otros datos; este no se guardó: \
             vuelva a cargar para ver lo guardado",
            "an earlier sending of this form was already saved with other values; this one was \
             not: reload to see what was saved",
        )
        .to_string(),
        Reason::TooShort { min } if es => format!("demasiado corta (mín. {min} caracteres)"),
        Reason::TooShort { min } => format!("too short (at least {min} characters)"),
        Reason::CommonPassword => pick(
            lang,
            "es una contraseña común o filtrada: elija otra",
            "is a common or breached password: choose another",
        )
        .to_string(),
        Reason::PasswordChangeRequired => pick(
            lang,
            "debe cambiar su contraseña antes de continuar",
            "you must change your password before going on",
        )
        .to_string(),
        Reason::ModuleNotEnabled { module } if es => format!(
            "su unidad no tiene el módulo {}; pida al operador del servidor que lo habilite",
            module_name(module, lang)
        ),
        Reason::ModuleNotEnabled { module } => format!(
            "your unit does not run the {} module; ask the server's operator to enable it",
            module_name(module, lang)
        ),
        Reason::AlreadyDistributed(d) if es => format!(
            "este hogar ya recibió esta asistencia en este ciclo ({}, {}); no se registró nada",
            local_time(&d.at),
            d.site
        ),
        Reason::AlreadyDistributed(d) => format!(
            "this household already received this assistance in this cycle ({}, {}); nothing was recorded",
            local_time(&d.at),
            d.site
        ),
        Reason::NotEntitled => pick(
            lang,
            "este hogar no tiene derecho a esta asistencia en este ciclo",
            "this household is not entitled to this assistance in this cycle",
        )
        .to_string(),
        Reason::RecipientNotVerified { method } if method == "biometric" => pick(
            lang,
            "no hay una verificación biométrica reciente de esta persona: verifique de nuevo",
            "there is no recent biometric match of this person: verify again",
        )
        .to_string(),
        Reason::RecipientNotVerified { .. } => pick(
            lang,
            "ningún documento de esta persona tiene ese número",
            "no document of this person has that number",
        )
        .to_string(),
        Reason::AgreementNotInForce(v) if es => format!(
            "el acuerdo de intercambio de datos rige del {} al {}",
            v.from, v.until
        ),
        Reason::AgreementNotInForce(v) => format!(
            "the data sharing agreement is in force from {} to {}",
            v.from, v.until
        ),
        Reason::PurposeNotAgreed { purpose } => format!(
            "{} {}",
            pick(
                lang,
                "el acuerdo no cubre referencias para",
                "the agreement does not cover referrals for"
            ),
            crate::screens::referrals::purpose_name(purpose, lang)
        ),
        Reason::ConsentMissing => pick(
            lang,
            "falta el consentimiento de la persona para este propósito",
            "the person's consent for this purpose is missing",
        )
        .to_string(),
        Reason::ConsentWithdrawn { .. } => pick(
            lang,
            "la persona retiró su consentimiento: no se comparte nada más",
            "the person withdrew consent: nothing more is shared",
        )
        .to_string(),
        Reason::FieldNotCarried(n) if es => format!(
            "el acuerdo no permite enviar «{}» para {}",
            crate::screens::referrals::field_name(&n.field, lang),
            crate::screens::referrals::purpose_name(&n.purpose, lang)
        ),
        Reason::FieldNotCarried(n) => format!(
            "the agreement does not let a referral for {} carry {}",
            crate::screens::referrals::purpose_name(&n.purpose, lang),
            crate::screens::referrals::field_name(&n.field, lang)
        ),
        Reason::FieldNotPermitted { field } if es => {
            format!("su rol no permite leer {field} (datos sensibles); quítelo de la exportación")
        }
        Reason::FieldNotPermitted { field } => {
            format!("your role may not read {field} (sensitive data); leave it out of the export")
        }
        Reason::OutOfRange { min, max } if es => format!("debe estar entre {min} y {max}"),
        Reason::OutOfRange { min, max } => format!("must be between {min} and {max}"),
        Reason::BadRule(fault) => rule_fault(fault, lang),
    }
}

/// What is wrong with an eligibility rule, in `lang` (the path is shown by [`field_label`]).
pub fn rule_fault(fault: &RuleFault, lang: Lang) -> String {
    let es = lang == Lang::Es;
    match fault {
        RuleFault::RuleTooLong { max } if es => format!("la regla pasa de {max} bytes"),
        RuleFault::RuleTooLong { max } => format!("the rule is longer than {max} bytes"),
        RuleFault::NotARule { line, column } if es => format!(
            "no es una regla de la forma documentada (línea {line}, columna {column}); p. ej. {{\"household_size\": {{\"min\": 5}}}}"
        ),
        RuleFault::NotARule { line, column } => format!(
            "not a rule of the documented form (line {line}, column {column}); e.g. {{\"household_size\": {{\"min\": 5}}}}"
        ),
        RuleFault::TooDeep { max } if es => format!("anidada a más de {max} niveles"),
        RuleFault::TooDeep { max } => format!("nested more than {max} deep"),
        RuleFault::NoRules => pick(
            lang,
            "necesita al menos una condición",
            "needs at least one condition",
        )
        .to_string(),
        RuleFault::TooManyRules { max } if es => format!("más de {max} condiciones"),
        RuleFault::TooManyRules { max } => format!("more than {max} conditions"),
        RuleFault::ListSize { max } if es => format!("nombre de 1 a {max} códigos"),
        RuleFault::ListSize { max } => format!("name 1 to {max} codes"),
        RuleFault::NoBounds => {
            pick(lang, "indique min, max o ambos", "give min, max or both").to_string()
        }
        RuleFault::MinAboveMax { min, max } if es => {
            format!("el mínimo ({min}) es mayor que el máximo ({max})")
        }
        RuleFault::MinAboveMax { min, max } => format!("min ({min}) is above max ({max})"),
        RuleFault::HouseholdSizeRange => pick(
            lang,
            "un hogar tiene de 1 a 50 personas",
            "a household has 1 to 50 members",
        )
        .to_string(),
        RuleFault::AgeRange => {
            pick(lang, "las edades van de 0 a 120", "ages go from 0 to 120").to_string()
        }
        RuleFault::UnknownNationality { value } if es => {
            format!("«{value}» no es un código de nacionalidad (ISO 3166 alfa-3)")
        }
        RuleFault::UnknownNationality { value } => {
            format!("“{value}” is not a nationality code (ISO 3166 alpha-3)")
        }
        RuleFault::UnknownNeed { value } if es => {
            format!("«{value}» no es un código de necesidad específica (p. ej. SM, SM-CI)")
        }
        RuleFault::UnknownNeed { value } => {
            format!("“{value}” is not a specific-needs code (e.g. SM, SM-CI)")
        }
    }
}

/// A module by the name users know it by.
fn module_name(module: &str, lang: Lang) -> String {
    let name = match module {
        "registration" => pick(lang, "de registro", "registration"),
        "rsd" => pick(
            lang,
            "de determinación de la condición de refugiado",
            "refugee status determination",
        ),
        "assistance" => pick(lang, "de asistencia", "assistance"),
        "protection" => pick(lang, "de protección", "protection"),
        "resettlement" => pick(lang, "de reasentamiento", "resettlement"),
        other => return other.to_string(),
    };
    name.to_string()
}

/// A refusal of input at `field`: the field as the form names it, then the reason.
pub fn refusal(field: &str, reason: &Reason, lang: Lang) -> String {
    match field_label(field, lang) {
        Some(label) => format!("{label}: {}", describe(reason, lang)),
        None => describe(reason, lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use amparo_domain::error::BookingClash;

    #[test]
    fn a_module_the_unit_lacks_is_named_in_words() {
        let r = Reason::ModuleNotEnabled {
            module: "rsd".into(),
        };
        assert_eq!(
            describe(&r, Lang::Es),
            "su unidad no tiene el módulo de determinación de la condición de refugiado; pida al operador del servidor que lo habilite"
        );
        assert_eq!(
            describe(&r, Lang::En),
            "your unit does not run the refugee status determination module; ask the server's operator to enable it"
        );
    }

    #[test]
    fn fields_are_named_as_the_forms_name_them() {
        assert_eq!(
            field_label("members.0.givenNames", Lang::Es).as_deref(),
            Some("Miembro 1 · Nombres")
        );
        assert_eq!(
            field_label("members.2.person.dateOfBirth", Lang::En).as_deref(),
            Some("Member 3 · Date of birth")
        );
        assert_eq!(
            field_label("input.at", Lang::Es).as_deref(),
            Some("Fecha y hora")
        );
        assert_eq!(field_label("input.somethingNew", Lang::En), None);
    }

    #[test]
    fn a_rule_refusal_points_at_the_condition_in_both_languages() {
        let r = Reason::BadRule(Box::new(RuleFault::MinAboveMax {
            min: "10".into(),
            max: "5".into(),
        }));
        assert_eq!(
            refusal("input.eligibility.all.0.member_age", &r, Lang::Es),
            "Criterios (all.0.member_age): el mínimo (10) es mayor que el máximo (5)"
        );
        assert_eq!(
            refusal("input.eligibility.all.0.member_age", &r, Lang::En),
            "Criteria (all.0.member_age): min (10) is above max (5)"
        );
        let range = Reason::OutOfRange { min: 1, max: 60 };
        assert_eq!(
            refusal("input.cycles", &range, Lang::Es),
            "Ciclos: debe estar entre 1 y 60"
        );
    }

    #[test]
    fn a_booking_refusal_shows_the_office_time_in_both_languages() {
        let r = Reason::AlreadyBooked(Box::new(BookingClash {
            who: "officer".into(),
            starts: "2026-12-15T15:00:00Z".into(),
            ends: "2026-12-15T17:00:00Z".into(),
        }));
        assert_eq!(
            refusal("input.at", &r, Lang::Es),
            "Fecha y hora: el oficial ya tiene una entrevista 2026-12-15 10:00–12:00 (hora de Guayaquil)"
        );
        assert_eq!(
            refusal("input.at", &r, Lang::En),
            "Date and time: the officer is already booked 2026-12-15 10:00–12:00 (Guayaquil time)"
        );
    }

    #[test]
    fn limits_and_codes_come_in_words() {
        assert_eq!(
            refusal(
                "members.0.givenNames",
                &Reason::TooLong { max: 200 },
                Lang::Es
            ),
            "Miembro 1 · Nombres: demasiado largo (máx. 200 caracteres)"
        );
        let code = Reason::UnknownCode {
            vocabulary: "country".into(),
            value: "ZZZ".into(),
        };
        assert_eq!(
            refusal("members.1.nationalities.1", &code, Lang::En),
            "Member 2 · Nationality: “ZZZ” is not in the list of countries"
        );
        let one = Reason::ExactlyOne {
            value: "focal_point".into(),
            expected: 1,
            found: 2,
        };
        assert!(describe(&one, Lang::Es).contains("(hay 2)"));
        assert_eq!(
            describe(
                &Reason::NoInterpreter {
                    language: "spa".into()
                },
                Lang::En
            ),
            "the unit has no interpreter for Spanish"
        );
    }
}
