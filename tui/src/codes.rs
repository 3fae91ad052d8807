//! The client's catalogue of codes: every list a user picks a code from, with its name in
//! Spanish and English. Its shape (`Term`, `Vocabulary`, `NeedCode`) and its contents mirror
//! the domain's lists (`api/src/domain/codes.rs`, `needs.rs` and the RSD vocabularies), so that
//! this one module can give way to the shared domain crate once the client can depend on it
//! without the server. Nothing else in the client spells a code list.

use crate::i18n::Lang;

/// One value of a list.
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

/// A controlled list of codes.
#[derive(Debug)]
pub struct Vocabulary {
    /// What the codes are, in words: "country", "document type".
    pub name: &'static str,
    terms: &'static [Term],
}

impl Vocabulary {
    pub fn terms(&self) -> &'static [Term] {
        self.terms
    }

    pub fn get(&self, code: &str) -> Option<&'static Term> {
        self.terms.iter().find(|term| term.code == code)
    }

    /// The code's name in `lang`, or the code itself when the list does not know it (a code
    /// added on the server after this client was built still shows).
    pub fn label<'a>(&self, code: &'a str, lang: Lang) -> &'a str {
        self.get(code).map_or(code, |term| term.label(lang))
    }
}

/// One specific need with its sub-codes.
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

    pub fn term(&self) -> Term {
        Term {
            code: self.code,
            en: self.en,
            es: self.es,
        }
    }
}

/// The need of a code.
pub fn need(code: &str) -> Option<&'static NeedCode> {
    NEEDS.iter().find(|n| n.code == code)
}

/// The name of a need or of a sub-code ("SC-UC") in `lang`; the code itself if unknown.
pub fn need_label(code: &str, lang: Lang) -> &str {
    for n in NEEDS {
        if n.code == code {
            return n.label(lang);
        }
        if let Some(s) = n.sub_codes.iter().find(|s| s.code == code) {
            return s.label(lang);
        }
    }
    code
}

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

pub static SEX: Vocabulary = Vocabulary {
    name: "sex",
    terms: &[
        t("F", "Female", "Femenino"),
        t("M", "Male", "Masculino"),
        t("X", "Other or unknown", "Otro o desconocido"),
    ],
};

pub static DATE_OF_BIRTH_PRECISION: Vocabulary = Vocabulary {
    name: "date of birth precision",
    terms: &[
        t("exact", "Exact", "Exacta"),
        t("year_only", "Year only", "Solo el año"),
        t("estimated", "Estimated from age", "Estimada por la edad"),
    ],
};

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

pub static NEEDS: &[NeedCode] = &[
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

/// Grounds on which refugee status is recognised.
pub static GROUNDS: Vocabulary = Vocabulary {
    name: "ground",
    terms: &[
        t("convention_1951", "1951 Convention", "Convención de 1951"),
        t(
            "cartagena",
            "Cartagena Declaration",
            "Declaración de Cartagena",
        ),
    ],
};

/// Reasons for rejecting a claim, in the order letters list them.
pub static REJECTION_REASONS: Vocabulary = Vocabulary {
    name: "rejection reason",
    terms: &[
        t(
            "not_credible",
            "Material facts not credible",
            "Hechos materiales no creíbles",
        ),
        t(
            "no_persecution",
            "Harm is not persecution",
            "El daño no es persecución",
        ),
        t(
            "no_well_founded_fear",
            "Fear not well founded",
            "Temor no fundado",
        ),
        t(
            "no_convention_ground",
            "No Convention ground",
            "Sin motivo de la Convención",
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
            "Protected by another nationality",
            "Protegido por otra nacionalidad",
        ),
    ],
};

/// The exclusion clauses of the 1951 Convention.
pub static EXCLUSION_CLAUSES: Vocabulary = Vocabulary {
    name: "exclusion clause",
    terms: &[
        t(
            "article_1d",
            "Art. 1D: other UN agency",
            "Art. 1D: otra agencia de la ONU",
        ),
        t(
            "article_1e",
            "Art. 1E: rights of a national",
            "Art. 1E: derechos de nacional",
        ),
        t(
            "article_1f_a",
            "Art. 1F(a): war crimes",
            "Art. 1F(a): crímenes de guerra",
        ),
        t(
            "article_1f_b",
            "Art. 1F(b): serious non-political crime",
            "Art. 1F(b): delito grave común",
        ),
        t(
            "article_1f_c",
            "Art. 1F(c): contrary to UN purposes",
            "Art. 1F(c): contrario a la ONU",
        ),
    ],
};

/// Why a procedure ended; a supervisor chooses among the last four, the others follow from the
/// procedure.
pub static CLOSURE_REASONS: Vocabulary = Vocabulary {
    name: "closure reason",
    terms: &[
        t("recognised", "Recognised", "Reconocido"),
        t("inadmissible", "Inadmissible", "Inadmisible"),
        t("appeal_decided", "Appeal decided", "Apelación resuelta"),
        t("withdrawn", "Withdrawn", "Desistido"),
        t("abandoned", "Abandoned", "Abandonado"),
        t(
            "no_appeal",
            "Not appealed in time",
            "Sin apelación en plazo",
        ),
        t(
            "duplicate",
            "Duplicate of another case",
            "Duplicado de otro caso",
        ),
        t(
            "deceased",
            "Principal applicant died",
            "Solicitante principal fallecido",
        ),
        t("left_country", "Left the country", "Salió del país"),
    ],
};

/// Grounds on which an ended procedure may be reopened.
pub static REOPEN_GROUNDS: Vocabulary = Vocabulary {
    name: "reopening ground",
    terms: &[
        t(
            "changed_circumstances",
            "Changed circumstances",
            "Cambio de circunstancias",
        ),
        t("new_evidence", "New evidence", "Nuevas pruebas"),
        t(
            "improperly_decided",
            "Improperly decided",
            "Decidido indebidamente",
        ),
        t(
            "abandonment_reopened",
            "Abandonment reopened",
            "Reapertura tras abandono",
        ),
    ],
};

/// How a decision reaches the applicant.
pub static NOTIFICATION_METHODS: Vocabulary = Vocabulary {
    name: "notification method",
    terms: &[
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
    ],
};

/// How the applicant got in touch.
pub static CONTACT_CHANNELS: Vocabulary = Vocabulary {
    name: "contact channel",
    terms: &[
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
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_has_unique_codes_and_both_names() {
        let lists = [
            &COUNTRIES,
            &SEX,
            &DATE_OF_BIRTH_PRECISION,
            &RELATIONSHIP,
            &DOCUMENT_TYPE,
            &LANGUAGES,
            &GROUNDS,
            &REJECTION_REASONS,
            &EXCLUSION_CLAUSES,
            &CLOSURE_REASONS,
            &REOPEN_GROUNDS,
            &NOTIFICATION_METHODS,
            &CONTACT_CHANNELS,
        ];
        for list in lists {
            let mut seen = std::collections::HashSet::new();
            for term in list.terms() {
                assert!(
                    seen.insert(term.code),
                    "{} twice in {}",
                    term.code,
                    list.name
                );
                assert!(!term.en.is_empty() && !term.es.is_empty(), "{}", term.code);
            }
        }
        for n in NEEDS {
            for s in n.sub_codes {
                assert!(s.code.starts_with(&format!("{}-", n.code)), "{}", s.code);
            }
        }
        assert_eq!(need_label("SC-UC", Lang::Es), "Niño/a no acompañado/a");
        assert_eq!(
            DOCUMENT_TYPE.label("cedula", Lang::En),
            "Cédula (identity card)"
        );
        assert_eq!(DOCUMENT_TYPE.label("made_up", Lang::En), "made_up");
    }
}
