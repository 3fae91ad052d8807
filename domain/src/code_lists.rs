//! Every list of codes a user chooses from, with each code's name in English and Spanish, so that
//! clients show names in the user's language and never ask for an internal code.
//!
//! The registration vocabularies come from [`super::codes`], the specific needs and their
//! sub-codes from [`super::needs`]; the determination's grounds, reasons, exclusion clauses,
//! closure reasons and reopening grounds are named here, next to the enumerations of
//! [`super::rsd`] they name (a test checks that the two agree both ways).

use super::codes::{self, Lang, Term};
use super::names::DuplicateReason;
use super::needs;

/// One code of a list, with the finer codes under it (a specific need's sub-codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub term: Term,
    pub sub_codes: &'static [Term],
}

/// A named list of codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeList {
    /// The list's stable identifier, e.g. `countries`, `rejection_reasons`.
    pub id: &'static str,
    /// What the list holds, in English and Spanish.
    pub title: Term,
    pub entries: Vec<Entry>,
}

impl CodeList {
    /// The name of a code of this list in a language.
    pub fn label(&self, code: &str, lang: Lang) -> Option<&'static str> {
        self.entries
            .iter()
            .find(|e| e.term.code == code)
            .map(|e| e.term.label(lang))
    }
}

const fn t(code: &'static str, en: &'static str, es: &'static str) -> Term {
    Term { code, en, es }
}

/// The grounds of recognition.
pub const GROUNDS: &[Term] = &[
    t(
        "convention_1951",
        "1951 Convention, Article 1A(2)",
        "Convención de 1951, artículo 1A(2)",
    ),
    t(
        "cartagena",
        "Cartagena Declaration (extended definition)",
        "Declaración de Cartagena (definición ampliada)",
    ),
];

/// The standard reasons of a rejection.
pub const REJECTION_REASONS: &[Term] = &[
    t(
        "not_credible",
        "Material facts not credible",
        "Hechos materiales no creíbles",
    ),
    t(
        "no_persecution",
        "Harm feared is not persecution",
        "El daño temido no constituye persecución",
    ),
    t(
        "no_well_founded_fear",
        "Fear not well founded",
        "Temor no fundado",
    ),
    t(
        "no_convention_ground",
        "No link to a Convention ground",
        "Sin nexo con un motivo de la Convención",
    ),
    t(
        "state_protection_available",
        "State protection available",
        "Protección del Estado disponible",
    ),
    t(
        "internal_flight_alternative",
        "Internal flight alternative",
        "Alternativa de huida interna",
    ),
    t(
        "cartagena_circumstances_not_met",
        "Cartagena circumstances not met",
        "No se cumplen las circunstancias de Cartagena",
    ),
    t(
        "other_nationality_protection",
        "Protection of another nationality",
        "Protección de otra nacionalidad",
    ),
];

/// The exclusion clauses of the 1951 Convention.
pub const EXCLUSION_CLAUSES: &[Term] = &[
    t(
        "article_1d",
        "Article 1D: protection of another UN agency",
        "Artículo 1D: protección de otro organismo de la ONU",
    ),
    t(
        "article_1e",
        "Article 1E: rights of a national in the country of residence",
        "Artículo 1E: derechos de nacional en el país de residencia",
    ),
    t(
        "article_1f_a",
        "Article 1F(a): crime against peace, war crime or crime against humanity",
        "Artículo 1F(a): delito contra la paz, de guerra o de lesa humanidad",
    ),
    t(
        "article_1f_b",
        "Article 1F(b): serious non-political crime",
        "Artículo 1F(b): grave delito común",
    ),
    t(
        "article_1f_c",
        "Article 1F(c): acts contrary to the purposes of the United Nations",
        "Artículo 1F(c): actos contrarios a los propósitos de las Naciones Unidas",
    ),
];

/// Why a procedure ended.
pub const CLOSURE_REASONS: &[Term] = &[
    t("recognised", "Recognised", "Reconocido"),
    t("inadmissible", "Inadmissible", "Inadmisible"),
    t("appeal_decided", "Appeal decided", "Apelación resuelta"),
    t(
        "no_appeal",
        "Not appealed in time",
        "Sin apelación en plazo",
    ),
    t("withdrawn", "Withdrawn", "Desistimiento"),
    t("abandoned", "Abandoned", "Abandono"),
    t("duplicate", "Duplicate case", "Caso duplicado"),
    t(
        "deceased",
        "Principal applicant deceased",
        "Solicitante principal fallecido",
    ),
    t("left_country", "Left the country", "Salió del país"),
];

/// The grounds on which an ended procedure may be reopened.
pub const REOPEN_GROUNDS: &[Term] = &[
    t(
        "changed_circumstances",
        "Changed circumstances",
        "Cambio de circunstancias",
    ),
    t("new_evidence", "New evidence", "Nuevas pruebas"),
    t(
        "improperly_decided",
        "Not decided properly",
        "Decisión con vicios de procedimiento",
    ),
    t(
        "abandonment_reopened",
        "Abandoned case taken up again",
        "Reapertura de caso abandonado",
    ),
];

/// How a case is processed.
pub const MODALITIES: &[Term] = &[
    t("regular", "Regular", "Ordinario"),
    t("simplified", "Simplified", "Simplificado"),
    t("accelerated", "Accelerated", "Acelerado"),
    t(
        "merged",
        "Merged with registration",
        "Fusionado con el registro",
    ),
];

/// How a decision reaches the applicant.
pub const NOTIFICATION_METHODS: &[Term] = &[
    t(
        "in_person",
        "In person, in writing",
        "En persona, por escrito",
    ),
    t("email", "Email", "Correo electrónico"),
    t("phone", "Phone call", "Llamada telefónica"),
    t("postal", "Post", "Correo postal"),
    t("messaging", "Messaging app", "Aplicación de mensajería"),
    t(
        "legal_representative",
        "Through the legal representative",
        "A través del representante legal",
    ),
];

/// How the applicant got in touch.
pub const CONTACT_CHANNELS: &[Term] = &[
    t(
        "in_person",
        "In person at the office",
        "En persona en la oficina",
    ),
    t("phone", "Phone call", "Llamada telefónica"),
    t("email", "Email", "Correo electrónico"),
    t("messaging", "Messaging app", "Aplicación de mensajería"),
    t("postal", "Letter", "Carta"),
    t("outreach", "Outreach visit", "Visita de terreno"),
    t(
        "third_party",
        "Through a partner or representative",
        "A través de un socio o representante",
    ),
];

/// Whether `code` is in a list of terms.
pub fn has(terms: &[Term], code: &str) -> bool {
    terms.iter().any(|t| t.code == code)
}

/// Why a registered person may be the same as a new one.
pub const DUPLICATE_REASONS: &[Term] = &[
    t("similar_name", "Similar name", "Nombre parecido"),
    t(
        "same_birth_date",
        "Same date of birth",
        "Misma fecha de nacimiento",
    ),
    t(
        "near_birth_date",
        "Date of birth within a year",
        "Fecha de nacimiento con menos de un año de diferencia",
    ),
    t("same_nationality", "Same nationality", "Misma nacionalidad"),
    t("same_sex", "Same sex", "Mismo sexo"),
];

/// The code clients see for a duplicate reason.
pub fn duplicate_reason_code(reason: DuplicateReason) -> &'static str {
    match reason {
        DuplicateReason::SimilarName => "similar_name",
        DuplicateReason::SameBirthDate => "same_birth_date",
        DuplicateReason::NearBirthDate => "near_birth_date",
        DuplicateReason::SameNationality => "same_nationality",
        DuplicateReason::SameSex => "same_sex",
    }
}

fn plain(terms: &'static [Term]) -> Vec<Entry> {
    terms
        .iter()
        .map(|&term| Entry {
            term,
            sub_codes: &[],
        })
        .collect()
}

/// Every list, in a stable order.
pub fn all() -> Vec<CodeList> {
    let vocabulary = |id, en, es, v: &'static codes::Vocabulary| CodeList {
        id,
        title: t(id, en, es),
        entries: plain(v.terms()),
    };
    let list = |id, en, es, terms| CodeList {
        id,
        title: t(id, en, es),
        entries: plain(terms),
    };
    vec![
        vocabulary(
            "countries",
            "Countries and nationalities",
            "Países y nacionalidades",
            &codes::COUNTRIES,
        ),
        vocabulary("sex", "Sex", "Sexo", &codes::SEX),
        vocabulary(
            "date_of_birth_precision",
            "Precision of a date of birth",
            "Precisión de la fecha de nacimiento",
            &codes::DATE_OF_BIRTH_PRECISION,
        ),
        vocabulary(
            "marital_status",
            "Marital status",
            "Estado civil",
            &codes::MARITAL_STATUS,
        ),
        vocabulary(
            "relationships",
            "Relationship to the focal point",
            "Parentesco con el punto focal",
            &codes::RELATIONSHIP,
        ),
        vocabulary(
            "document_types",
            "Document types",
            "Tipos de documento",
            &codes::DOCUMENT_TYPE,
        ),
        vocabulary(
            "data_set_levels",
            "Registration data set levels",
            "Niveles de datos de registro",
            &codes::DATA_SET_LEVEL,
        ),
        vocabulary(
            "address_types",
            "Address types",
            "Tipos de dirección",
            &codes::ADDRESS_TYPE,
        ),
        vocabulary(
            "phone_types",
            "Phone types",
            "Tipos de teléfono",
            &codes::PHONE_TYPE,
        ),
        vocabulary("languages", "Languages", "Idiomas", &codes::LANGUAGES),
        CodeList {
            id: "specific_needs",
            title: t(
                "specific_needs",
                "Specific needs",
                "Necesidades específicas",
            ),
            entries: needs::catalogue()
                .map(|n| Entry {
                    term: t(n.code, n.en, n.es),
                    sub_codes: n.sub_codes,
                })
                .collect(),
        },
        list(
            "grounds",
            "Grounds of recognition",
            "Fundamentos del reconocimiento",
            GROUNDS,
        ),
        list(
            "rejection_reasons",
            "Reasons of a rejection",
            "Motivos del rechazo",
            REJECTION_REASONS,
        ),
        list(
            "exclusion_clauses",
            "Exclusion clauses",
            "Cláusulas de exclusión",
            EXCLUSION_CLAUSES,
        ),
        list(
            "closure_reasons",
            "Closure reasons",
            "Motivos de cierre",
            CLOSURE_REASONS,
        ),
        list(
            "reopen_grounds",
            "Grounds for reopening",
            "Motivos de reapertura",
            REOPEN_GROUNDS,
        ),
        list(
            "modalities",
            "Processing modalities",
            "Modalidades de procesamiento",
            MODALITIES,
        ),
        list(
            "notification_methods",
            "Ways of notifying a decision",
            "Formas de notificar una decisión",
            NOTIFICATION_METHODS,
        ),
        list(
            "contact_channels",
            "Ways the applicant got in touch",
            "Vías de contacto del solicitante",
            CONTACT_CHANNELS,
        ),
        list(
            "duplicate_reasons",
            "Reasons of a possible duplicate",
            "Motivos de un posible duplicado",
            DUPLICATE_REASONS,
        ),
    ]
}

/// One list by its identifier.
pub fn find(id: &str) -> Option<CodeList> {
    all().into_iter().find(|l| l.id == id)
}

#[cfg(test)]
mod tests {
    use super::super::rsd::{
        ClosureReason, ExclusionClause, Ground, Modality, RejectionReason, ReopenGround,
    };
    use super::*;

    fn same_codes(list: &[Term], codes: impl IntoIterator<Item = &'static str>) {
        let mut named: Vec<&str> = list.iter().map(|t| t.code).collect();
        let mut known: Vec<&str> = codes.into_iter().collect();
        named.sort_unstable();
        known.sort_unstable();
        assert_eq!(named, known);
    }

    #[test]
    fn the_determination_lists_name_every_code_of_the_rules() {
        same_codes(GROUNDS, Ground::ALL.map(Ground::as_str));
        same_codes(
            REJECTION_REASONS,
            RejectionReason::ALL.map(RejectionReason::as_str),
        );
        same_codes(
            EXCLUSION_CLAUSES,
            ExclusionClause::ALL.map(ExclusionClause::as_str),
        );
        same_codes(
            CLOSURE_REASONS,
            ClosureReason::ALL.map(ClosureReason::as_str),
        );
        same_codes(REOPEN_GROUNDS, ReopenGround::ALL.map(ReopenGround::as_str));
        same_codes(MODALITIES, Modality::ALL.map(Modality::as_str));
        use DuplicateReason::*;
        same_codes(
            DUPLICATE_REASONS,
            [
                SimilarName,
                SameBirthDate,
                NearBirthDate,
                SameNationality,
                SameSex,
            ]
            .map(duplicate_reason_code),
        );
    }

    #[test]
    fn every_list_has_unique_codes_named_in_both_languages() {
        let lists = all();
        let mut ids: Vec<&str> = lists.iter().map(|l| l.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), lists.len(), "list ids are unique");
        for list in &lists {
            assert!(!list.entries.is_empty(), "{}", list.id);
            let mut codes: Vec<&str> = list.entries.iter().map(|e| e.term.code).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(
                codes.len(),
                list.entries.len(),
                "{}: codes are unique",
                list.id
            );
            for term in list
                .entries
                .iter()
                .flat_map(|e| std::iter::once(&e.term).chain(e.sub_codes))
            {
                assert!(
                    !term.en.trim().is_empty() && !term.es.trim().is_empty(),
                    "{}: {}",
                    list.id,
                    term.code
                );
            }
        }
        let needs = find("specific_needs").expect("needs");
        assert!(needs.entries.iter().any(|e| !e.sub_codes.is_empty()));
        let reasons = find("rejection_reasons").expect("reasons");
        assert_eq!(
            reasons.label("not_credible", Lang::Es),
            Some("Hechos materiales no creíbles")
        );
        assert_eq!(
            find("countries").and_then(|c| c.label("ECU", Lang::Es).map(str::to_string)),
            codes::COUNTRIES.label("ECU", Lang::Es).map(str::to_string)
        );
        assert!(find("nothing").is_none());
    }
}
