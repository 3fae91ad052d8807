//! The controlled vocabularies of registration data, with their English and Spanish labels.
//!
//! Registration data is exchanged with other systems (UNHCR, civil registries, travel documents)
//! and counted in statistics, so every coded field takes its values from a fixed list here rather
//! than free text. Each list is a [`Vocabulary`]: static data, validated with
//! [`Vocabulary::contains`] (codes are matched exactly, case included), labelled with
//! [`Vocabulary::label`], listed for clients with [`Vocabulary::terms`]. [`VOCABULARIES`] holds
//! them all, for the API that publishes them.
//!
//! Choices made here:
//! - Countries are all ISO 3166-1 alpha-3 codes, plus `XXA` (stateless) and `XXX` (nationality
//!   undetermined) as ICAO Doc 9303 uses them, so "stateless" and "undetermined" are ordinary
//!   values of a nationality.
//! - Sex uses the three codes of ICAO Doc 9303 travel documents: `F`, `M` and `X` (another sex,
//!   not stated or unknown), so a value read from a passport is stored as printed.
//! - Languages: any ISO 639-3 code is accepted ([`is_valid_language_code`] checks its shape, since
//!   the full list has almost 8,000 codes); [`LANGUAGES`] names the languages of Ecuador's caseload
//!   (Spanish, the languages of Colombia's, Venezuela's, Afghanistan's and Syria's refugees, the
//!   indigenous languages of the border regions and the sign languages of the three countries).
//!   Ecuadorian Kichwa has no single code: ISO 639-3 splits it (`qug`, `qvi`, `qvo`), with `que`
//!   for Quechua in general.

use std::fmt;

use thiserror::Error;

/// A language labels are given in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    Es,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// The language of a tag such as "es", "es-EC" or "en_GB" (case-insensitive).
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?;
        if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else if primary.eq_ignore_ascii_case("es") {
            Some(Lang::Es)
        } else {
            None
        }
    }
}

/// One value of a vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    pub code: &'static str,
    pub en: &'static str,
    pub es: &'static str,
}

impl Term {
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Es => self.es,
        }
    }
}

const fn t(code: &'static str, en: &'static str, es: &'static str) -> Term {
    Term { code, en, es }
}

/// A code that is not in its vocabulary.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("{code:?} is not a known {vocabulary} code")]
pub struct UnknownCode {
    pub vocabulary: &'static str,
    pub code: String,
}

/// A controlled list of codes.
#[derive(Debug)]
pub struct Vocabulary {
    /// What the codes are, in words, for messages: "country", "marital status".
    pub name: &'static str,
    terms: &'static [Term],
}

impl Vocabulary {
    pub fn terms(&self) -> &'static [Term] {
        self.terms
    }

    pub fn codes(&self) -> impl Iterator<Item = &'static str> + use<> {
        self.terms.iter().map(|term| term.code)
    }

    pub fn get(&self, code: &str) -> Option<&'static Term> {
        self.terms.iter().find(|term| term.code == code)
    }

    pub fn contains(&self, code: &str) -> bool {
        self.get(code).is_some()
    }

    pub fn label(&self, code: &str, lang: Lang) -> Option<&'static str> {
        self.get(code).map(|term| term.label(lang))
    }

    pub fn validate(&self, code: &str) -> Result<(), UnknownCode> {
        if self.contains(code) {
            Ok(())
        } else {
            Err(UnknownCode {
                vocabulary: self.name,
                code: code.to_string(),
            })
        }
    }
}

/// The label of `code` among `terms` in `lang`, or the code itself when the list does not know
/// it, so that a code added on the server after a client was built still shows.
pub fn label_or_code<'a>(terms: &[Term], code: &'a str, lang: Lang) -> &'a str {
    terms
        .iter()
        .find(|term| term.code == code)
        .map_or(code, |term| term.label(lang))
}

impl fmt::Display for Vocabulary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// Whether `code` has the shape of an ISO 639-3 code: three lowercase ASCII letters.
pub fn is_valid_language_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_lowercase())
}

/// The code of a stateless person's nationality.
pub const STATELESS: &str = "XXA";
/// The code of a nationality not (yet) determined.
pub const UNDETERMINED_NATIONALITY: &str = "XXX";

/// Whether `code` names a country of ISO 3166-1 (alpha-3): a place a document is issued in or an
/// address lies in. Stateless and undetermined are nationalities (ICAO 9303), never places.
pub fn is_country(code: &str) -> bool {
    code != STATELESS && code != UNDETERMINED_NATIONALITY && COUNTRIES.contains(code)
}

/// ISO 3166-1 alpha-3 countries, plus stateless and undetermined.
pub static COUNTRIES: Vocabulary = Vocabulary {
    name: "country",
    terms: &[
        t("ABW", "Aruba", "Aruba"),
        t("AFG", "Afghanistan", "Afganistán"),
        t("AGO", "Angola", "Angola"),
        t("AIA", "Anguilla", "Anguila"),
        t("ALA", "Åland Islands", "Islas Åland"),
        t("ALB", "Albania", "Albania"),
        t("AND", "Andorra", "Andorra"),
        t("ARE", "United Arab Emirates", "Emiratos Árabes Unidos"),
        t("ARG", "Argentina", "Argentina"),
        t("ARM", "Armenia", "Armenia"),
        t("ASM", "American Samoa", "Samoa Americana"),
        t("ATA", "Antarctica", "Antártida"),
        t(
            "ATF",
            "French Southern Territories",
            "Territorios Australes Franceses",
        ),
        t("ATG", "Antigua and Barbuda", "Antigua y Barbuda"),
        t("AUS", "Australia", "Australia"),
        t("AUT", "Austria", "Austria"),
        t("AZE", "Azerbaijan", "Azerbaiyán"),
        t("BDI", "Burundi", "Burundi"),
        t("BEL", "Belgium", "Bélgica"),
        t("BEN", "Benin", "Benín"),
        t(
            "BES",
            "Bonaire, Sint Eustatius and Saba",
            "Bonaire, San Eustaquio y Saba",
        ),
        t("BFA", "Burkina Faso", "Burkina Faso"),
        t("BGD", "Bangladesh", "Bangladés"),
        t("BGR", "Bulgaria", "Bulgaria"),
        t("BHR", "Bahrain", "Baréin"),
        t("BHS", "Bahamas", "Bahamas"),
        t("BIH", "Bosnia and Herzegovina", "Bosnia y Herzegovina"),
        t("BLM", "Saint Barthélemy", "San Bartolomé"),
        t("BLR", "Belarus", "Bielorrusia"),
        t("BLZ", "Belize", "Belice"),
        t("BMU", "Bermuda", "Bermudas"),
        t("BOL", "Bolivia", "Bolivia"),
        t("BRA", "Brazil", "Brasil"),
        t("BRB", "Barbados", "Barbados"),
        t("BRN", "Brunei Darussalam", "Brunéi"),
        t("BTN", "Bhutan", "Bután"),
        t("BVT", "Bouvet Island", "Isla Bouvet"),
        t("BWA", "Botswana", "Botsuana"),
        t(
            "CAF",
            "Central African Republic",
            "República Centroafricana",
        ),
        t("CAN", "Canada", "Canadá"),
        t("CCK", "Cocos (Keeling) Islands", "Islas Cocos (Keeling)"),
        t("CHE", "Switzerland", "Suiza"),
        t("CHL", "Chile", "Chile"),
        t("CHN", "China", "China"),
        t("CIV", "Côte d'Ivoire", "Côte d'Ivoire"),
        t("CMR", "Cameroon", "Camerún"),
        t(
            "COD",
            "Congo, Democratic Republic of the",
            "Congo, República Democrática del",
        ),
        t("COG", "Congo", "Congo"),
        t("COK", "Cook Islands", "Islas Cook"),
        t("COL", "Colombia", "Colombia"),
        t("COM", "Comoros", "Comoras"),
        t("CPV", "Cabo Verde", "Cabo Verde"),
        t("CRI", "Costa Rica", "Costa Rica"),
        t("CUB", "Cuba", "Cuba"),
        t("CUW", "Curaçao", "Curazao"),
        t("CXR", "Christmas Island", "Isla de Navidad"),
        t("CYM", "Cayman Islands", "Islas Caimán"),
        t("CYP", "Cyprus", "Chipre"),
        t("CZE", "Czechia", "Chequia"),
        t("DEU", "Germany", "Alemania"),
        t("DJI", "Djibouti", "Yibuti"),
        t("DMA", "Dominica", "Dominica"),
        t("DNK", "Denmark", "Dinamarca"),
        t("DOM", "Dominican Republic", "República Dominicana"),
        t("DZA", "Algeria", "Argelia"),
        t("ECU", "Ecuador", "Ecuador"),
        t("EGY", "Egypt", "Egipto"),
        t("ERI", "Eritrea", "Eritrea"),
        t("ESH", "Western Sahara", "Sáhara Occidental"),
        t("ESP", "Spain", "España"),
        t("EST", "Estonia", "Estonia"),
        t("ETH", "Ethiopia", "Etiopía"),
        t("FIN", "Finland", "Finlandia"),
        t("FJI", "Fiji", "Fiyi"),
        t(
            "FLK",
            "Falkland Islands (Malvinas)",
            "Islas Malvinas (Falkland)",
        ),
        t("FRA", "France", "Francia"),
        t("FRO", "Faroe Islands", "Islas Feroe"),
        t(
            "FSM",
            "Micronesia, Federated States of",
            "Micronesia, Estados Federados de",
        ),
        t("GAB", "Gabon", "Gabón"),
        t("GBR", "United Kingdom", "Reino Unido"),
        t("GEO", "Georgia", "Georgia"),
        t("GGY", "Guernsey", "Guernsey"),
        t("GHA", "Ghana", "Ghana"),
        t("GIB", "Gibraltar", "Gibraltar"),
        t("GIN", "Guinea", "Guinea"),
        t("GLP", "Guadeloupe", "Guadalupe"),
        t("GMB", "Gambia", "Gambia"),
        t("GNB", "Guinea-Bissau", "Guinea-Bisáu"),
        t("GNQ", "Equatorial Guinea", "Guinea Ecuatorial"),
        t("GRC", "Greece", "Grecia"),
        t("GRD", "Grenada", "Granada"),
        t("GRL", "Greenland", "Groenlandia"),
        t("GTM", "Guatemala", "Guatemala"),
        t("GUF", "French Guiana", "Guayana Francesa"),
        t("GUM", "Guam", "Guam"),
        t("GUY", "Guyana", "Guyana"),
        t("HKG", "Hong Kong", "Hong Kong"),
        t(
            "HMD",
            "Heard Island and McDonald Islands",
            "Islas Heard y McDonald",
        ),
        t("HND", "Honduras", "Honduras"),
        t("HRV", "Croatia", "Croacia"),
        t("HTI", "Haiti", "Haití"),
        t("HUN", "Hungary", "Hungría"),
        t("IDN", "Indonesia", "Indonesia"),
        t("IMN", "Isle of Man", "Isla de Man"),
        t("IND", "India", "India"),
        t(
            "IOT",
            "British Indian Ocean Territory",
            "Territorio Británico del Océano Índico",
        ),
        t("IRL", "Ireland", "Irlanda"),
        t("IRN", "Iran", "Irán"),
        t("IRQ", "Iraq", "Irak"),
        t("ISL", "Iceland", "Islandia"),
        t("ISR", "Israel", "Israel"),
        t("ITA", "Italy", "Italia"),
        t("JAM", "Jamaica", "Jamaica"),
        t("JEY", "Jersey", "Jersey"),
        t("JOR", "Jordan", "Jordania"),
        t("JPN", "Japan", "Japón"),
        t("KAZ", "Kazakhstan", "Kazajistán"),
        t("KEN", "Kenya", "Kenia"),
        t("KGZ", "Kyrgyzstan", "Kirguistán"),
        t("KHM", "Cambodia", "Camboya"),
        t("KIR", "Kiribati", "Kiribati"),
        t("KNA", "Saint Kitts and Nevis", "San Cristóbal y Nieves"),
        t("KOR", "Korea, Republic of", "Corea, República de"),
        t("KWT", "Kuwait", "Kuwait"),
        t("LAO", "Lao People's Democratic Republic", "Laos"),
        t("LBN", "Lebanon", "Líbano"),
        t("LBR", "Liberia", "Liberia"),
        t("LBY", "Libya", "Libia"),
        t("LCA", "Saint Lucia", "Santa Lucía"),
        t("LIE", "Liechtenstein", "Liechtenstein"),
        t("LKA", "Sri Lanka", "Sri Lanka"),
        t("LSO", "Lesotho", "Lesoto"),
        t("LTU", "Lithuania", "Lituania"),
        t("LUX", "Luxembourg", "Luxemburgo"),
        t("LVA", "Latvia", "Letonia"),
        t("MAC", "Macao", "Macao"),
        t(
            "MAF",
            "Saint Martin (French part)",
            "San Martín (parte francesa)",
        ),
        t("MAR", "Morocco", "Marruecos"),
        t("MCO", "Monaco", "Mónaco"),
        t("MDA", "Moldova", "Moldavia"),
        t("MDG", "Madagascar", "Madagascar"),
        t("MDV", "Maldives", "Maldivas"),
        t("MEX", "Mexico", "México"),
        t("MHL", "Marshall Islands", "Islas Marshall"),
        t("MKD", "North Macedonia", "Macedonia del Norte"),
        t("MLI", "Mali", "Malí"),
        t("MLT", "Malta", "Malta"),
        t("MMR", "Myanmar", "Myanmar"),
        t("MNE", "Montenegro", "Montenegro"),
        t("MNG", "Mongolia", "Mongolia"),
        t(
            "MNP",
            "Northern Mariana Islands",
            "Islas Marianas del Norte",
        ),
        t("MOZ", "Mozambique", "Mozambique"),
        t("MRT", "Mauritania", "Mauritania"),
        t("MSR", "Montserrat", "Montserrat"),
        t("MTQ", "Martinique", "Martinica"),
        t("MUS", "Mauritius", "Mauricio"),
        t("MWI", "Malawi", "Malaui"),
        t("MYS", "Malaysia", "Malasia"),
        t("MYT", "Mayotte", "Mayotte"),
        t("NAM", "Namibia", "Namibia"),
        t("NCL", "New Caledonia", "Nueva Caledonia"),
        t("NER", "Niger", "Níger"),
        t("NFK", "Norfolk Island", "Isla Norfolk"),
        t("NGA", "Nigeria", "Nigeria"),
        t("NIC", "Nicaragua", "Nicaragua"),
        t("NIU", "Niue", "Niue"),
        t("NLD", "Netherlands", "Países Bajos"),
        t("NOR", "Norway", "Noruega"),
        t("NPL", "Nepal", "Nepal"),
        t("NRU", "Nauru", "Nauru"),
        t("NZL", "New Zealand", "Nueva Zelanda"),
        t("OMN", "Oman", "Omán"),
        t("PAK", "Pakistan", "Pakistán"),
        t("PAN", "Panama", "Panamá"),
        t("PCN", "Pitcairn", "Islas Pitcairn"),
        t("PER", "Peru", "Perú"),
        t("PHL", "Philippines", "Filipinas"),
        t("PLW", "Palau", "Palaos"),
        t("PNG", "Papua New Guinea", "Papúa Nueva Guinea"),
        t("POL", "Poland", "Polonia"),
        t("PRI", "Puerto Rico", "Puerto Rico"),
        t(
            "PRK",
            "Korea, Democratic People's Republic of",
            "Corea, República Popular Democrática de",
        ),
        t("PRT", "Portugal", "Portugal"),
        t("PRY", "Paraguay", "Paraguay"),
        t("PSE", "Palestine, State of", "Palestina, Estado de"),
        t("PYF", "French Polynesia", "Polinesia Francesa"),
        t("QAT", "Qatar", "Catar"),
        t("REU", "Réunion", "Reunión"),
        t("ROU", "Romania", "Rumania"),
        t("RUS", "Russian Federation", "Rusia"),
        t("RWA", "Rwanda", "Ruanda"),
        t("SAU", "Saudi Arabia", "Arabia Saudita"),
        t("SDN", "Sudan", "Sudán"),
        t("SEN", "Senegal", "Senegal"),
        t("SGP", "Singapore", "Singapur"),
        t(
            "SGS",
            "South Georgia and the South Sandwich Islands",
            "Islas Georgias del Sur y Sandwich del Sur",
        ),
        t(
            "SHN",
            "Saint Helena, Ascension and Tristan da Cunha",
            "Santa Elena, Ascensión y Tristán de Acuña",
        ),
        t("SJM", "Svalbard and Jan Mayen", "Svalbard y Jan Mayen"),
        t("SLB", "Solomon Islands", "Islas Salomón"),
        t("SLE", "Sierra Leone", "Sierra Leona"),
        t("SLV", "El Salvador", "El Salvador"),
        t("SMR", "San Marino", "San Marino"),
        t("SOM", "Somalia", "Somalia"),
        t("SPM", "Saint Pierre and Miquelon", "San Pedro y Miquelón"),
        t("SRB", "Serbia", "Serbia"),
        t("SSD", "South Sudan", "Sudán del Sur"),
        t("STP", "Sao Tome and Principe", "Santo Tomé y Príncipe"),
        t("SUR", "Suriname", "Surinam"),
        t("SVK", "Slovakia", "Eslovaquia"),
        t("SVN", "Slovenia", "Eslovenia"),
        t("SWE", "Sweden", "Suecia"),
        t("SWZ", "Eswatini", "Esuatini"),
        t(
            "SXM",
            "Sint Maarten (Dutch part)",
            "San Martín (parte neerlandesa)",
        ),
        t("SYC", "Seychelles", "Seychelles"),
        t("SYR", "Syrian Arab Republic", "República Árabe Siria"),
        t("TCA", "Turks and Caicos Islands", "Islas Turcas y Caicos"),
        t("TCD", "Chad", "Chad"),
        t("TGO", "Togo", "Togo"),
        t("THA", "Thailand", "Tailandia"),
        t("TJK", "Tajikistan", "Tayikistán"),
        t("TKL", "Tokelau", "Tokelau"),
        t("TKM", "Turkmenistan", "Turkmenistán"),
        t("TLS", "Timor-Leste", "Timor-Leste"),
        t("TON", "Tonga", "Tonga"),
        t("TTO", "Trinidad and Tobago", "Trinidad y Tobago"),
        t("TUN", "Tunisia", "Túnez"),
        t("TUR", "Türkiye", "Turquía"),
        t("TUV", "Tuvalu", "Tuvalu"),
        t("TWN", "Taiwan", "Taiwán"),
        t(
            "TZA",
            "Tanzania, United Republic of",
            "Tanzania, República Unida de",
        ),
        t("UGA", "Uganda", "Uganda"),
        t("UKR", "Ukraine", "Ucrania"),
        t(
            "UMI",
            "United States Minor Outlying Islands",
            "Islas Ultramarinas Menores de los Estados Unidos",
        ),
        t("URY", "Uruguay", "Uruguay"),
        t(
            "USA",
            "United States of America",
            "Estados Unidos de América",
        ),
        t("UZB", "Uzbekistan", "Uzbekistán"),
        t("VAT", "Holy See", "Santa Sede"),
        t(
            "VCT",
            "Saint Vincent and the Grenadines",
            "San Vicente y las Granadinas",
        ),
        t("VEN", "Venezuela", "Venezuela"),
        t(
            "VGB",
            "Virgin Islands (British)",
            "Islas Vírgenes Británicas",
        ),
        t(
            "VIR",
            "Virgin Islands (U.S.)",
            "Islas Vírgenes de los Estados Unidos",
        ),
        t("VNM", "Viet Nam", "Vietnam"),
        t("VUT", "Vanuatu", "Vanuatu"),
        t("WLF", "Wallis and Futuna", "Wallis y Futuna"),
        t("WSM", "Samoa", "Samoa"),
        t("YEM", "Yemen", "Yemen"),
        t("ZAF", "South Africa", "Sudáfrica"),
        t("ZMB", "Zambia", "Zambia"),
        t("ZWE", "Zimbabwe", "Zimbabue"),
        t("XXA", "Stateless", "Apátrida"),
        t(
            "XXX",
            "Undetermined nationality",
            "Nacionalidad indeterminada",
        ),
    ],
};

/// Sex as printed in travel documents.
pub static SEX: Vocabulary = Vocabulary {
    name: "sex",
    terms: &[
        t("F", "Female", "Femenino"),
        t("M", "Male", "Masculino"),
        t("X", "Other or unknown", "Otro o desconocido"),
    ],
};

/// How much of a date of birth is known.
pub static DATE_OF_BIRTH_PRECISION: Vocabulary = Vocabulary {
    name: "date of birth precision",
    terms: &[
        t("exact", "Exact", "Exacta"),
        t("year_only", "Year only", "Solo el año"),
        t("estimated", "Estimated from age", "Estimada por la edad"),
    ],
};

pub static MARITAL_STATUS: Vocabulary = Vocabulary {
    name: "marital status",
    terms: &[
        t("single", "Single", "Soltero/a"),
        t("married", "Married", "Casado/a"),
        t("common_law", "Common-law union", "Unión de hecho"),
        t("separated", "Separated", "Separado/a"),
        t("divorced", "Divorced", "Divorciado/a"),
        t("widowed", "Widowed", "Viudo/a"),
        t("unknown", "Unknown", "Desconocido"),
    ],
};

/// Relationship of a group member to the focal point (or of a case member to the principal
/// applicant).
pub static RELATIONSHIP: Vocabulary = Vocabulary {
    name: "relationship",
    terms: &[
        t("focal_point", "Focal point", "Punto focal"),
        t("spouse", "Spouse", "Cónyuge"),
        t("partner", "Partner", "Pareja"),
        t("son", "Son", "Hijo"),
        t("daughter", "Daughter", "Hija"),
        t("stepchild", "Stepchild", "Hijastro/a"),
        t("father", "Father", "Padre"),
        t("mother", "Mother", "Madre"),
        t("brother", "Brother", "Hermano"),
        t("sister", "Sister", "Hermana"),
        t("grandchild", "Grandchild", "Nieto/a"),
        t("grandparent", "Grandparent", "Abuelo/a"),
        t("nephew_niece", "Nephew or niece", "Sobrino/a"),
        t("uncle_aunt", "Uncle or aunt", "Tío/a"),
        t("cousin", "Cousin", "Primo/a"),
        t("in_law", "In-law", "Familiar político"),
        t("other_relative", "Other relative", "Otro familiar"),
        t("unrelated", "Not related", "Sin parentesco"),
    ],
};

pub static DOCUMENT_TYPE: Vocabulary = Vocabulary {
    name: "document type",
    terms: &[
        t("passport", "Passport", "Pasaporte"),
        t(
            "national_id",
            "National identity card",
            "Documento nacional de identidad",
        ),
        t(
            "birth_certificate",
            "Birth certificate",
            "Partida de nacimiento",
        ),
        t("cedula", "Cédula (identity card)", "Cédula de identidad"),
        t(
            "asylum_certificate",
            "Asylum seeker certificate",
            "Certificado de solicitante de asilo",
        ),
        t("refugee_id", "Refugee identity card", "Carné de refugiado"),
        t("visa", "Visa", "Visa"),
        t("driving_licence", "Driving licence", "Licencia de conducir"),
        t("other", "Other document", "Otro documento"),
    ],
};

/// How complete a registration is, in UNHCR's registration levels.
pub static DATA_SET_LEVEL: Vocabulary = Vocabulary {
    name: "data set level",
    terms: &[
        t(
            "emergency",
            "Emergency registration",
            "Registro de emergencia",
        ),
        t("basic", "Basic registration", "Registro básico"),
        t(
            "comprehensive",
            "Comprehensive registration",
            "Registro completo",
        ),
    ],
};

/// What an entry of a person's address history is.
pub static ADDRESS_TYPE: Vocabulary = Vocabulary {
    name: "address type",
    terms: &[
        t("current", "Current address", "Dirección actual"),
        t(
            "previous",
            "Previous address in the host country",
            "Dirección anterior en el país de acogida",
        ),
        t(
            "origin",
            "Last address in the country of origin",
            "Última dirección en el país de origen",
        ),
        t(
            "transit",
            "Address in a transit country",
            "Dirección en un país de tránsito",
        ),
    ],
};

pub static PHONE_TYPE: Vocabulary = Vocabulary {
    name: "phone type",
    terms: &[
        t("mobile", "Mobile", "Celular"),
        t("landline", "Landline", "Teléfono fijo"),
        t("work", "Work", "Trabajo"),
        t(
            "relative",
            "Relative or contact person",
            "Familiar o persona de contacto",
        ),
        t("other", "Other", "Otro"),
    ],
};

/// Named ISO 639-3 languages (see the module documentation: other valid codes are accepted too).
pub static LANGUAGES: Vocabulary = Vocabulary {
    name: "language",
    terms: &[
        t("spa", "Spanish", "Español"),
        t("eng", "English", "Inglés"),
        t("ara", "Arabic", "Árabe"),
        t("apc", "Levantine Arabic", "Árabe levantino"),
        t("arz", "Egyptian Arabic", "Árabe egipcio"),
        t("acm", "Iraqi Arabic", "Árabe iraquí"),
        t("prs", "Dari", "Dari"),
        t("pus", "Pashto", "Pastún"),
        t("fas", "Persian", "Persa"),
        t("haz", "Hazaragi", "Hazaragi"),
        t("uzb", "Uzbek", "Uzbeko"),
        t("tuk", "Turkmen", "Turcomano"),
        t("bal", "Baluchi", "Baluchi"),
        t("urd", "Urdu", "Urdu"),
        t("hin", "Hindi", "Hindi"),
        t("ben", "Bengali", "Bengalí"),
        t("kur", "Kurdish", "Kurdo"),
        t("ckb", "Central Kurdish (Sorani)", "Kurdo central (sorani)"),
        t(
            "kmr",
            "Northern Kurdish (Kurmanji)",
            "Kurdo septentrional (kurmanyi)",
        ),
        t("tur", "Turkish", "Turco"),
        t("rus", "Russian", "Ruso"),
        t("ukr", "Ukrainian", "Ucraniano"),
        t("fra", "French", "Francés"),
        t("por", "Portuguese", "Portugués"),
        t("ita", "Italian", "Italiano"),
        t("deu", "German", "Alemán"),
        t("hat", "Haitian Creole", "Criollo haitiano"),
        t("cmn", "Mandarin Chinese", "Chino mandarín"),
        t("vie", "Vietnamese", "Vietnamita"),
        t("som", "Somali", "Somalí"),
        t("amh", "Amharic", "Amárico"),
        t("tir", "Tigrinya", "Tigriña"),
        t("orm", "Oromo", "Oromo"),
        t("swa", "Swahili", "Suajili"),
        t("lin", "Lingala", "Lingala"),
        t("wol", "Wolof", "Wólof"),
        t("que", "Quechua", "Quechua"),
        t(
            "qug",
            "Chimborazo Highland Kichwa",
            "Kichwa de la sierra de Chimborazo",
        ),
        t(
            "qvi",
            "Imbabura Highland Kichwa",
            "Kichwa de la sierra de Imbabura",
        ),
        t("qvo", "Napo Lowland Kichwa", "Kichwa amazónico del Napo"),
        t("jiv", "Shuar", "Shuar"),
        t("acu", "Achuar", "Achuar"),
        t("con", "Cofán (A'ingae)", "Cofán (a'ingae)"),
        t("snn", "Siona", "Siona"),
        t("sey", "Secoya", "Secoya"),
        t("auc", "Waorani", "Waorani"),
        t("cof", "Tsafiki (Tsáchila)", "Tsafiki (tsáchila)"),
        t("kwi", "Awa Pit", "Awapit"),
        t("cbi", "Cha'palaa (Chachi)", "Cha'palaa (chachi)"),
        t("guc", "Wayuu", "Wayuunaiki"),
        t("wba", "Warao", "Warao"),
        t("pbb", "Nasa Yuwe (Páez)", "Nasa yuwe (páez)"),
        t("gum", "Namtrik (Guambiano)", "Namtrik (guambiano)"),
        t("inb", "Inga", "Inga"),
        t("kbh", "Kamsá", "Kamëntsá"),
        t(
            "ecs",
            "Ecuadorian Sign Language",
            "Lengua de señas ecuatoriana",
        ),
        t(
            "csn",
            "Colombian Sign Language",
            "Lengua de señas colombiana",
        ),
        t(
            "vsl",
            "Venezuelan Sign Language",
            "Lengua de señas venezolana",
        ),
    ],
};

/// Every vocabulary, for clients that load them all.
pub static VOCABULARIES: &[&Vocabulary] = &[
    &COUNTRIES,
    &SEX,
    &DATE_OF_BIRTH_PRECISION,
    &MARITAL_STATUS,
    &RELATIONSHIP,
    &DOCUMENT_TYPE,
    &DATA_SET_LEVEL,
    &ADDRESS_TYPE,
    &PHONE_TYPE,
    &LANGUAGES,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vocabulary_has_unique_nonempty_codes_and_labels() {
        for vocabulary in VOCABULARIES {
            let mut codes: Vec<&str> = vocabulary.codes().collect();
            assert!(!codes.is_empty(), "{vocabulary} is empty");
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(
                codes.len(),
                vocabulary.terms().len(),
                "{vocabulary} repeats a code"
            );
            for term in vocabulary.terms() {
                assert!(!term.code.is_empty() && !term.code.contains(char::is_whitespace));
                assert!(
                    !term.en.trim().is_empty() && !term.es.trim().is_empty(),
                    "{term:?}"
                );
            }
        }
        let mut names: Vec<&str> = VOCABULARIES.iter().map(|v| v.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), VOCABULARIES.len());
    }

    #[test]
    fn places_are_countries_never_stateless_or_undetermined() {
        assert!(is_country("ECU"));
        assert!(is_country("VEN"));
        assert!(!is_country(STATELESS));
        assert!(!is_country(UNDETERMINED_NATIONALITY));
        assert!(!is_country("ZZZ"));
        assert!(!is_country("ecu"));
    }

    #[test]
    fn countries_are_all_of_iso_3166_plus_icao_codes() {
        assert_eq!(COUNTRIES.terms().len(), 249 + 2);
        assert!(
            COUNTRIES
                .codes()
                .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
        );
        for code in [
            "ECU",
            "COL",
            "VEN",
            "AFG",
            "SYR",
            "PSE",
            "SSD",
            STATELESS,
            UNDETERMINED_NATIONALITY,
        ] {
            assert!(COUNTRIES.contains(code), "{code}");
        }
        assert_eq!(COUNTRIES.label("ECU", Lang::Es), Some("Ecuador"));
        assert_eq!(COUNTRIES.label("DEU", Lang::Es), Some("Alemania"));
        assert_eq!(COUNTRIES.label("XXA", Lang::En), Some("Stateless"));
        assert!(!COUNTRIES.contains("ecu"));
        assert!(!COUNTRIES.contains("EC"));
        assert!(!COUNTRIES.contains("YUG"));
        assert_eq!(COUNTRIES.label("ZZZ", Lang::En), None);
    }

    #[test]
    fn required_values_are_present() {
        let expect = |vocabulary: &Vocabulary, codes: &[&str]| {
            assert_eq!(
                vocabulary.codes().collect::<Vec<_>>(),
                codes,
                "{vocabulary}"
            );
        };
        expect(&SEX, &["F", "M", "X"]);
        expect(
            &DATE_OF_BIRTH_PRECISION,
            &["exact", "year_only", "estimated"],
        );
        expect(&DATA_SET_LEVEL, &["emergency", "basic", "comprehensive"]);
        expect(
            &MARITAL_STATUS,
            &[
                "single",
                "married",
                "common_law",
                "separated",
                "divorced",
                "widowed",
                "unknown",
            ],
        );
        for code in [
            "focal_point",
            "spouse",
            "nephew_niece",
            "in_law",
            "unrelated",
        ] {
            assert!(RELATIONSHIP.contains(code), "{code}");
        }
        assert_eq!(RELATIONSHIP.terms().len(), 18);
        for code in [
            "passport",
            "cedula",
            "refugee_id",
            "driving_licence",
            "other",
        ] {
            assert!(DOCUMENT_TYPE.contains(code), "{code}");
        }
        assert_eq!(DOCUMENT_TYPE.terms().len(), 9);
    }

    #[test]
    fn languages() {
        assert!(LANGUAGES.terms().len() >= 40);
        assert!(LANGUAGES.codes().all(is_valid_language_code));
        for code in ["spa", "eng", "ara", "prs", "pus", "fas", "que", "qug"] {
            assert!(LANGUAGES.contains(code), "{code}");
        }
        assert_eq!(LANGUAGES.label("prs", Lang::En), Some("Dari"));
        assert_eq!(LANGUAGES.label("pus", Lang::Es), Some("Pastún"));
        assert!(is_valid_language_code("zul"));
        for bad in ["", "es", "SPA", "spa1", "españ", "ñañ"] {
            assert!(!is_valid_language_code(bad), "{bad}");
        }
    }

    #[test]
    fn validation_errors_name_the_vocabulary() {
        assert_eq!(MARITAL_STATUS.validate("married"), Ok(()));
        let error = MARITAL_STATUS
            .validate("engaged")
            .expect_err("not a marital status");
        assert_eq!(
            error.to_string(),
            "\"engaged\" is not a known marital status code"
        );
    }

    #[test]
    fn lang_tags() {
        assert_eq!(Lang::parse("es-EC"), Some(Lang::Es));
        assert_eq!(Lang::parse("EN_gb"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::parse(""), None);
        assert_eq!(Lang::parse(Lang::Es.as_str()), Some(Lang::Es));
        assert_eq!(SEX.label("X", Lang::Es), Some("Otro o desconocido"));
    }

    #[test]
    fn unknown_codes_show_as_themselves() {
        assert_eq!(
            label_or_code(DOCUMENT_TYPE.terms(), "cedula", Lang::En),
            "Cédula (identity card)"
        );
        assert_eq!(
            label_or_code(DOCUMENT_TYPE.terms(), "made_up", Lang::En),
            "made_up"
        );
    }
}
