//! UNHCR's standardised specific needs codes: the catalogue, validation, labels and sensitivity.
//!
//! A specific need flagged at registration (a child at risk, a survivor of torture...) sends the
//! person to protection staff and changes how the case is processed, so codes must be the
//! standard ones, not free text. The catalogue is the 2009 UNHCR list with the later disability
//! codes; it is versioned ([`CATALOGUE_VERSION`]) so that a stored need records which list it
//! was coded against. Sub-codes are written in full ("CR-CP") and belong to exactly one code.
//! Codes are matched exactly (uppercase).
//!
//! Sexual and gender-based violence, torture and medical needs are the most sensitive data of
//! the registry: [`sensitivity`] tells which field group a need belongs to, so that only roles
//! that include it see it.

use thiserror::Error;

use super::codes::{Lang, Term};

/// The version of the catalogue below; stored with every need.
pub const CATALOGUE_VERSION: &str = "unhcr-2009-ds2021";

/// One code of the catalogue with its sub-codes.
#[derive(Debug)]
pub struct NeedCode {
    pub code: &'static str,
    pub en: &'static str,
    pub es: &'static str,
    pub sub_codes: &'static [Term],
}

impl NeedCode {
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Es => self.es,
        }
    }

    pub fn sensitivity(&self) -> Option<NeedSensitivity> {
        sensitivity(self.code)
    }
}

/// The sensitive field group a need belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NeedSensitivity {
    Sgbv,
    Torture,
    Medical,
}

/// Where a need stands: flagged at registration, confirmed by protection staff, or resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NeedStatus {
    PendingReview,
    Confirmed,
    Resolved,
}

impl NeedStatus {
    pub const ALL: [NeedStatus; 3] = [
        NeedStatus::PendingReview,
        NeedStatus::Confirmed,
        NeedStatus::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NeedStatus::PendingReview => "pending_review",
            NeedStatus::Confirmed => "confirmed",
            NeedStatus::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<NeedStatus> {
        NeedStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
    }
}

/// Why a code or sub-code was refused.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum NeedError {
    #[error("{0:?} is not a specific needs code of catalogue {CATALOGUE_VERSION}")]
    UnknownCode(String),
    #[error(
        "{sub_code:?} is not a sub-code of specific need {code} in catalogue {CATALOGUE_VERSION}"
    )]
    UnknownSubCode { code: String, sub_code: String },
    #[error("sub-code {sub_code} belongs to specific need {belongs_to}, not to {code}")]
    SubCodeOfOtherCode {
        code: String,
        sub_code: String,
        belongs_to: &'static str,
    },
}

const fn t(code: &'static str, en: &'static str, es: &'static str) -> Term {
    Term { code, en, es }
}

static CATALOGUE: &[NeedCode] = &[
    NeedCode {
        code: "CR",
        en: "Child at risk",
        es: "Niño, niña o adolescente en riesgo",
        sub_codes: &[
            t("CR-CP", "Child parent", "Niño/a que es padre o madre"),
            t("CR-CS", "Child spouse", "Niño/a casado/a"),
            t("CR-CC", "Child carer", "Niño/a cuidador/a"),
            t("CR-TP", "Teenage pregnancy", "Embarazo adolescente"),
            t(
                "CR-LW",
                "Worst forms of child labour",
                "Peores formas de trabajo infantil",
            ),
            t("CR-LO", "Other child labour", "Otro trabajo infantil"),
            t("CR-NE", "Not attending school", "No asiste a la escuela"),
            t(
                "CR-SE",
                "Special education needs",
                "Necesidades educativas especiales",
            ),
            t(
                "CR-AF",
                "Child associated with armed forces or groups",
                "Niño/a vinculado/a a fuerzas o grupos armados",
            ),
            t(
                "CR-CL",
                "Child in conflict with the law",
                "Niño/a en conflicto con la ley",
            ),
        ],
    },
    NeedCode {
        code: "SC",
        en: "Unaccompanied or separated child",
        es: "Niño, niña o adolescente no acompañado o separado",
        sub_codes: &[
            t("SC-SC", "Separated child", "Niño/a separado/a"),
            t("SC-UC", "Unaccompanied child", "Niño/a no acompañado/a"),
            t(
                "SC-CH",
                "Child-headed household",
                "Hogar encabezado por un niño/a",
            ),
            t(
                "SC-IC",
                "Child in institutional care",
                "Niño/a en cuidado institucional",
            ),
            t(
                "SC-FC",
                "Child in foster care",
                "Niño/a en familia de acogida",
            ),
        ],
    },
    NeedCode {
        code: "WR",
        en: "Woman at risk",
        es: "Mujer en riesgo",
        sub_codes: &[
            t("WR-WR", "Woman at risk", "Mujer en riesgo"),
            t("WR-SF", "Single woman at risk", "Mujer sola en riesgo"),
            t("WR-LC", "Lactating", "En periodo de lactancia"),
        ],
    },
    NeedCode {
        code: "ER",
        en: "Older person at risk",
        es: "Persona adulta mayor en riesgo",
        sub_codes: &[
            t("ER-NF", "Single older person", "Persona adulta mayor sola"),
            t(
                "ER-MC",
                "Older person with children",
                "Persona adulta mayor con niños a cargo",
            ),
            t(
                "ER-FR",
                "Older person unable to care for self",
                "Persona adulta mayor que no puede valerse por sí misma",
            ),
        ],
    },
    NeedCode {
        code: "SP",
        en: "Single parent or caregiver",
        es: "Padre, madre o cuidador solo",
        sub_codes: &[
            t("SP-PT", "Single parent", "Padre o madre solo/a"),
            t("SP-GP", "Single grandparent", "Abuelo/a solo/a"),
            t("SP-CG", "Single caregiver", "Cuidador/a solo/a"),
        ],
    },
    NeedCode {
        code: "DS",
        en: "Disability",
        es: "Discapacidad",
        sub_codes: &[
            t("DS-BD", "Visual impairment", "Discapacidad visual"),
            t("DS-DF", "Hearing impairment", "Discapacidad auditiva"),
            t(
                "DS-PM",
                "Physical disability, moderate",
                "Discapacidad física moderada",
            ),
            t(
                "DS-PS",
                "Physical disability, severe",
                "Discapacidad física grave",
            ),
            t(
                "DS-MM",
                "Mental disability, moderate",
                "Discapacidad mental moderada",
            ),
            t(
                "DS-MS",
                "Mental disability, severe",
                "Discapacidad mental grave",
            ),
            t("DS-SD", "Speech impairment", "Discapacidad del habla"),
        ],
    },
    NeedCode {
        code: "SM",
        en: "Serious medical condition",
        es: "Condición médica grave",
        sub_codes: &[
            t("SM-MI", "Mental illness", "Enfermedad mental"),
            t("SM-MN", "Malnutrition", "Desnutrición"),
            t("SM-DP", "Difficult pregnancy", "Embarazo de riesgo"),
            t("SM-CI", "Chronic illness", "Enfermedad crónica"),
            t(
                "SM-CC",
                "Critical medical condition",
                "Condición médica crítica",
            ),
            t("SM-OT", "Other medical condition", "Otra condición médica"),
            t("SM-AD", "Addiction", "Adicción"),
        ],
    },
    NeedCode {
        code: "FU",
        en: "Family unity",
        es: "Unidad familiar",
        sub_codes: &[
            t(
                "FU-TR",
                "Tracing required",
                "Requiere búsqueda de familiares",
            ),
            t(
                "FU-FR",
                "Family reunification required",
                "Requiere reunificación familiar",
            ),
        ],
    },
    NeedCode {
        code: "LP",
        en: "Specific legal and physical protection needs",
        es: "Necesidades específicas de protección legal y física",
        sub_codes: &[
            t("LP-ND", "No legal documentation", "Sin documentación legal"),
            t(
                "LP-BN",
                "Unmet basic needs",
                "Necesidades básicas insatisfechas",
            ),
            t("LP-NA", "No access to services", "Sin acceso a servicios"),
            t("LP-MM", "Mixed marriage", "Matrimonio mixto"),
            t(
                "LP-MD",
                "Multiple displacements",
                "Desplazamientos múltiples",
            ),
            t(
                "LP-RR",
                "At risk of refoulement",
                "En riesgo de devolución (refoulement)",
            ),
            t("LP-RD", "At risk of removal", "En riesgo de expulsión"),
            t(
                "LP-DA",
                "Detained in the country of asylum",
                "Detenido/a en el país de asilo",
            ),
            t(
                "LP-DO",
                "Detained in the country of origin",
                "Detenido/a en el país de origen",
            ),
            t("LP-DT", "Detained elsewhere", "Detenido/a en otro lugar"),
            t("LP-IH", "In hiding", "Escondido/a"),
            t(
                "LP-WP",
                "Absence of witness protection",
                "Sin protección de testigos",
            ),
            t(
                "LP-AN",
                "Violence, abuse or neglect",
                "Violencia, abuso o negligencia",
            ),
            t("LP-RP", "At risk due to profile", "En riesgo por su perfil"),
            t(
                "LP-MS",
                "Marginalised in society or community",
                "Marginado/a en la sociedad o la comunidad",
            ),
            t(
                "LP-LS",
                "No durable solution prospects",
                "Sin perspectivas de solución duradera",
            ),
            t("LP-AP", "Alleged perpetrator", "Presunto perpetrador"),
            t("LP-CR", "Criminal record", "Antecedentes penales"),
            t(
                "LP-ST",
                "Security threat to UNHCR or partner staff",
                "Amenaza para la seguridad del personal",
            ),
            t(
                "LP-AF",
                "Formerly associated with armed forces or groups",
                "Anteriormente vinculado/a a fuerzas o grupos armados",
            ),
        ],
    },
    NeedCode {
        code: "TR",
        en: "Torture",
        es: "Tortura",
        sub_codes: &[
            t(
                "TR-PI",
                "Psychological or physical impairment due to torture",
                "Secuelas psicológicas o físicas de la tortura",
            ),
            t(
                "TR-HO",
                "Forced to egregious acts",
                "Obligado/a a cometer actos atroces",
            ),
            t(
                "TR-WV",
                "Witness of violence to others",
                "Testigo de violencia contra otras personas",
            ),
        ],
    },
    NeedCode {
        code: "SV",
        en: "Sexual and gender-based violence",
        es: "Violencia sexual y de género",
        sub_codes: &[
            t(
                "SV-VA",
                "Violence in the country of asylum",
                "Violencia en el país de asilo",
            ),
            t(
                "SV-VF",
                "Violence during flight",
                "Violencia durante la huida",
            ),
            t(
                "SV-VO",
                "Violence in the country of origin",
                "Violencia en el país de origen",
            ),
            t(
                "SV-GM",
                "Female genital mutilation",
                "Mutilación genital femenina",
            ),
            t(
                "SV-HP",
                "Harmful traditional practices",
                "Prácticas tradicionales nocivas",
            ),
            t(
                "SV-HK",
                "Threat of honour killing or violence",
                "Amenaza de crimen o violencia por honor",
            ),
            t(
                "SV-FM",
                "Forced or early marriage",
                "Matrimonio forzado o precoz",
            ),
            t("SV-SS", "Survival sex", "Sexo por supervivencia"),
        ],
    },
];

/// The catalogue, in its published order, for clients to build their pick lists.
pub fn catalogue() -> impl Iterator<Item = &'static NeedCode> {
    CATALOGUE.iter()
}

/// The code of the catalogue, if `code` is one.
pub fn find(code: &str) -> Option<&'static NeedCode> {
    CATALOGUE.iter().find(|need| need.code == code)
}

/// The code a full sub-code ("CR-CP") belongs to, if it is in the catalogue.
fn owner_of(sub_code: &str) -> Option<(&'static NeedCode, &'static Term)> {
    CATALOGUE.iter().find_map(|need| {
        need.sub_codes
            .iter()
            .find(|term| term.code == sub_code)
            .map(|term| (need, term))
    })
}

/// Whether `code` (and `sub_code`, when given) can be recorded.
pub fn validate(code: &str, sub_code: Option<&str>) -> Result<(), NeedError> {
    let need = find(code).ok_or_else(|| NeedError::UnknownCode(code.to_string()))?;
    let Some(sub_code) = sub_code else {
        return Ok(());
    };
    if need.sub_codes.iter().any(|term| term.code == sub_code) {
        return Ok(());
    }
    match owner_of(sub_code) {
        Some((owner, _)) => Err(NeedError::SubCodeOfOtherCode {
            code: code.to_string(),
            sub_code: sub_code.to_string(),
            belongs_to: owner.code,
        }),
        None => Err(NeedError::UnknownSubCode {
            code: code.to_string(),
            sub_code: sub_code.to_string(),
        }),
    }
}

/// The sensitive field group of a code: SGBV, torture, or medical (serious medical conditions
/// and disabilities); `None` for the others and for unknown codes.
pub fn sensitivity(code: &str) -> Option<NeedSensitivity> {
    match code {
        "SV" => Some(NeedSensitivity::Sgbv),
        "TR" => Some(NeedSensitivity::Torture),
        "SM" | "DS" => Some(NeedSensitivity::Medical),
        _ => None,
    }
}

pub fn code_label(code: &str, lang: Lang) -> Option<&'static str> {
    find(code).map(|need| need.label(lang))
}

/// The label of a full sub-code ("CR-CP").
pub fn sub_code_label(sub_code: &str, lang: Lang) -> Option<&'static str> {
    owner_of(sub_code).map(|(_, term)| term.label(lang))
}

/// The label of a code or of a full sub-code in `lang`, or the code itself when the catalogue
/// does not know it (a client shows what a newer server recorded).
pub fn label_or_code(code: &str, lang: Lang) -> &str {
    code_label(code, lang)
        .or_else(|| sub_code_label(code, lang))
        .unwrap_or(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPECTED: &[(&str, usize)] = &[
        ("CR", 10),
        ("SC", 5),
        ("WR", 3),
        ("ER", 3),
        ("SP", 3),
        ("DS", 7),
        ("SM", 7),
        ("FU", 2),
        ("LP", 20),
        ("TR", 3),
        ("SV", 8),
    ];

    #[test]
    fn catalogue_has_every_code_and_sub_code() {
        let found: Vec<(&str, usize)> = catalogue().map(|n| (n.code, n.sub_codes.len())).collect();
        assert_eq!(found, EXPECTED);
        for need in catalogue() {
            assert!(!need.en.is_empty() && !need.es.is_empty());
            for sub in need.sub_codes {
                let prefix = format!("{}-", need.code);
                assert!(
                    sub.code.starts_with(&prefix) && sub.code.len() == 5,
                    "{}",
                    sub.code
                );
                assert!(!sub.en.is_empty() && !sub.es.is_empty(), "{}", sub.code);
                assert_eq!(validate(need.code, Some(sub.code)), Ok(()));
            }
            assert_eq!(validate(need.code, None), Ok(()));
        }
        let mut all: Vec<&str> = catalogue()
            .flat_map(|n| n.sub_codes.iter().map(|t| t.code))
            .collect();
        let total = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), total, "a sub-code appears twice");
        assert_eq!(total, 71);
    }

    #[test]
    fn validation_errors_are_specific() {
        assert_eq!(
            validate("XX", None),
            Err(NeedError::UnknownCode("XX".into()))
        );
        assert_eq!(
            validate("cr", None),
            Err(NeedError::UnknownCode("cr".into()))
        );
        assert_eq!(
            validate("CR", Some("CR-ZZ")),
            Err(NeedError::UnknownSubCode {
                code: "CR".into(),
                sub_code: "CR-ZZ".into()
            })
        );
        assert_eq!(
            validate("CR", Some("SC-UC")),
            Err(NeedError::SubCodeOfOtherCode {
                code: "CR".into(),
                sub_code: "SC-UC".into(),
                belongs_to: "SC"
            })
        );
        assert_eq!(
            validate("XX", Some("SC-UC")).map_err(|e| e.to_string()),
            Err("\"XX\" is not a specific needs code of catalogue unhcr-2009-ds2021".to_string())
        );
        assert_eq!(
            validate("WR", Some("LP-RR")).map_err(|e| e.to_string()),
            Err("sub-code LP-RR belongs to specific need LP, not to WR".to_string())
        );
    }

    #[test]
    fn sensitive_codes() {
        assert_eq!(sensitivity("SV"), Some(NeedSensitivity::Sgbv));
        assert_eq!(sensitivity("TR"), Some(NeedSensitivity::Torture));
        assert_eq!(sensitivity("SM"), Some(NeedSensitivity::Medical));
        assert_eq!(sensitivity("DS"), Some(NeedSensitivity::Medical));
        let others: Vec<&str> = catalogue()
            .filter(|n| n.sensitivity().is_none())
            .map(|n| n.code)
            .collect();
        assert_eq!(others, ["CR", "SC", "WR", "ER", "SP", "FU", "LP"]);
        assert_eq!(sensitivity("XX"), None);
    }

    #[test]
    fn labels() {
        assert_eq!(
            code_label("SC", Lang::En),
            Some("Unaccompanied or separated child")
        );
        assert_eq!(code_label("TR", Lang::Es), Some("Tortura"));
        assert_eq!(
            sub_code_label("WR-LC", Lang::Es),
            Some("En periodo de lactancia")
        );
        assert_eq!(
            sub_code_label("LP-DO", Lang::En),
            Some("Detained in the country of origin")
        );
        assert_eq!(code_label("ZZ", Lang::En), None);
        assert_eq!(sub_code_label("CR", Lang::En), None);
        assert_eq!(label_or_code("SC-UC", Lang::Es), "Niño/a no acompañado/a");
        assert_eq!(label_or_code("TR", Lang::Es), "Tortura");
        assert_eq!(label_or_code("ZZ-9", Lang::Es), "ZZ-9");
    }

    #[test]
    fn statuses_round_trip() {
        for status in NeedStatus::ALL {
            assert_eq!(NeedStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(
            NeedStatus::parse("pending_review"),
            Some(NeedStatus::PendingReview)
        );
        assert_eq!(NeedStatus::parse("Confirmed"), None);
        assert_eq!(NeedStatus::parse(""), None);
    }
}
