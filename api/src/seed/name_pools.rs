//! Realistic names and places for the demo world and the scale seed.
//!
//! Demo data must look like Ecuador's caseload, or nobody can judge the search, the duplicate
//! check or the screens: Colombians and Venezuelans (two given names, then the father's and the
//! mother's family names), Afghans (Dari and Pashto names in Persian script with their Latin
//! transliteration; a family or tribal name is often absent) and Syrians (Arabic script and Latin;
//! given name, then the father's and grandfather's given names, then the family name). Each name
//! carries spelling variants a caseworker meets on other documents; every variant is one that name
//! search folds onto the main spelling, which the tests check, so the demo shows transliteration
//! search at work. The pools are plain data: the seeders pick from them with their own
//! deterministic generator.

/// A name, in Latin script and (for Afghan and Syrian names) in its original script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Name {
    pub latin: &'static str,
    pub original: Option<&'static str>,
    /// Other Latin spellings of the same name, all found by the same searches.
    pub variants: &'static [&'static str],
}

/// The names of one nationality.
#[derive(Debug)]
pub struct NamePool {
    pub given_female: &'static [Name],
    pub given_male: &'static [Name],
    pub family: &'static [Name],
}

/// The nationalities the seeds draw from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Nationality {
    Colombia,
    Venezuela,
    Afghanistan,
    Syria,
}

impl Nationality {
    pub const ALL: [Nationality; 4] = [
        Nationality::Colombia,
        Nationality::Venezuela,
        Nationality::Afghanistan,
        Nationality::Syria,
    ];

    /// The ISO 3166-1 alpha-3 code (see `codes::COUNTRIES`).
    pub fn alpha3(self) -> &'static str {
        match self {
            Nationality::Colombia => "COL",
            Nationality::Venezuela => "VEN",
            Nationality::Afghanistan => "AFG",
            Nationality::Syria => "SYR",
        }
    }

    /// Whether names carry the father's given name (and grandfather's) before the family name.
    pub fn uses_patronymic(self) -> bool {
        matches!(self, Nationality::Syria)
    }

    /// Whether people carry two family names, the father's and then the mother's.
    pub fn uses_two_family_names(self) -> bool {
        matches!(self, Nationality::Colombia | Nationality::Venezuela)
    }
}

/// The name pool of a nationality.
pub fn pool(nationality: Nationality) -> &'static NamePool {
    match nationality {
        Nationality::Colombia => &COLOMBIA,
        Nationality::Venezuela => &VENEZUELA,
        Nationality::Afghanistan => &AFGHANISTAN,
        Nationality::Syria => &SYRIA,
    }
}

/// A city and its province, for addresses in Ecuador.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    pub city: &'static str,
    pub province: &'static str,
}

const fn l(latin: &'static str, variants: &'static [&'static str]) -> Name {
    Name {
        latin,
        original: None,
        variants,
    }
}

const fn o(latin: &'static str, original: &'static str, variants: &'static [&'static str]) -> Name {
    Name {
        latin,
        original: Some(original),
        variants,
    }
}

const fn p(city: &'static str, province: &'static str) -> Place {
    Place { city, province }
}

/// Cities where people of concern live in Ecuador, weighted by repetition towards the largest
/// caseloads (Quito, Guayaquil, the northern border).
pub static ECUADOR_PLACES: &[Place] = &[
    p("Quito", "Pichincha"),
    p("Quito", "Pichincha"),
    p("Quito", "Pichincha"),
    p("Guayaquil", "Guayas"),
    p("Guayaquil", "Guayas"),
    p("Cuenca", "Azuay"),
    p("Santo Domingo", "Santo Domingo de los Tsáchilas"),
    p("Machala", "El Oro"),
    p("Huaquillas", "El Oro"),
    p("Manta", "Manabí"),
    p("Portoviejo", "Manabí"),
    p("Ambato", "Tungurahua"),
    p("Riobamba", "Chimborazo"),
    p("Loja", "Loja"),
    p("Ibarra", "Imbabura"),
    p("Otavalo", "Imbabura"),
    p("Esmeraldas", "Esmeraldas"),
    p("San Lorenzo", "Esmeraldas"),
    p("Tulcán", "Carchi"),
    p("San Gabriel", "Carchi"),
    p("Nueva Loja", "Sucumbíos"),
    p("Nueva Loja", "Sucumbíos"),
    p("Shushufindi", "Sucumbíos"),
    p("Puerto Francisco de Orellana", "Orellana"),
    p("Tena", "Napo"),
    p("Puyo", "Pastaza"),
    p("Quevedo", "Los Ríos"),
    p("Babahoyo", "Los Ríos"),
    p("Latacunga", "Cotopaxi"),
    p("Milagro", "Guayas"),
    p("Durán", "Guayas"),
    p("Santa Elena", "Santa Elena"),
    p("Azogues", "Cañar"),
    p("Guaranda", "Bolívar"),
    p("Macas", "Morona Santiago"),
    p("Zamora", "Zamora Chinchipe"),
];

/// Street names for addresses (combined with a number by the seeders).
pub static ECUADOR_STREETS: &[&str] = &[
    "Av. 10 de Agosto",
    "Av. Amazonas",
    "Av. 6 de Diciembre",
    "Av. Simón Bolívar",
    "Av. 9 de Octubre",
    "Calle García Moreno",
    "Calle Sucre",
    "Calle Rocafuerte",
    "Calle Olmedo",
    "Av. Eloy Alfaro",
    "Calle Bolívar",
    "Av. Quito",
    "Calle Juan Montalvo",
    "Av. de las Américas",
    "Calle Manabí",
    "Av. Colón",
];

static COLOMBIA: NamePool = NamePool {
    given_female: &[
        l("María", &["Maria"]),
        l("Diana", &[]),
        l("Paola", &[]),
        l("Carolina", &[]),
        l("Andrea", &[]),
        l("Natalia", &["Nathalia"]),
        l("Daniela", &[]),
        l("Valentina", &[]),
        l("Camila", &["Kamila"]),
        l("Sofía", &["Sofia", "Sophia"]),
        l("Isabella", &["Isabela"]),
        l("Mariana", &[]),
        l("Luisa", &[]),
        l("Juliana", &[]),
        l("Laura", &[]),
        l("Alejandra", &[]),
        l("Marcela", &[]),
        l("Claudia", &[]),
        l("Sandra", &[]),
        l("Yuliana", &["Yulianna"]),
        l("Leidy", &["Leydi", "Lady"]),
        l("Jessica", &["Jesica"]),
        l("Katherine", &["Catherine"]),
        l("Tatiana", &[]),
        l("Ximena", &["Jimena"]),
        l("Gloria", &[]),
        l("Martha", &["Marta"]),
        l("Dayana", &["Dayanna"]),
        l("Yurani", &["Yurany"]),
        l("Nidia", &["Nydia"]),
        l("Marisol", &[]),
        l("Milena", &[]),
        l("Adriana", &[]),
        l("Viviana", &["Biviana"]),
        l("Esperanza", &[]),
        l("Rocío", &["Rocio"]),
        l("Luz Marina", &[]),
        l("Ana", &["Anna"]),
    ],
    given_male: &[
        l("Juan", &[]),
        l("Carlos", &[]),
        l("José", &["Jose"]),
        l("Luis", &[]),
        l("Andrés", &["Andres"]),
        l("Jorge", &[]),
        l("Diego", &[]),
        l("Santiago", &[]),
        l("Sebastián", &["Sebastian"]),
        l("Alejandro", &[]),
        l("Felipe", &[]),
        l("Camilo", &["Kamilo"]),
        l("Daniel", &[]),
        l("David", &[]),
        l("Jhon", &[]),
        l("Brayan", &["Bryan", "Brian"]),
        l("Stiven", &["Steven", "Stiben"]),
        l("Kevin", &["Kevyn"]),
        l("Yeison", &["Yeisson"]),
        l("Jonathan", &["Jonatan"]),
        l("Óscar", &["Oscar"]),
        l("Édgar", &["Edgar"]),
        l("Wilson", &["Vilson"]),
        l("Freddy", &["Fredy"]),
        l("Jairo", &[]),
        l("Hernán", &["Hernan"]),
        l("Fabián", &["Fabian"]),
        l("Mauricio", &[]),
        l("Nelson", &[]),
        l("Julián", &["Julian"]),
        l("Esteban", &[]),
        l("Cristian", &["Christian", "Kristian"]),
        l("Álvaro", &["Alvaro"]),
        l("Fernando", &[]),
    ],
    family: &[
        l("García", &["Garcia"]),
        l("Rodríguez", &["Rodriguez", "Rodrigues"]),
        l("Martínez", &["Martinez", "Martines"]),
        l("López", &["Lopez", "Lopes"]),
        l("González", &["Gonzalez", "Gonzales"]),
        l("Hernández", &["Hernandez", "Hernandes"]),
        l("Pérez", &["Perez", "Peres"]),
        l("Sánchez", &["Sanchez", "Sanches"]),
        l("Ramírez", &["Ramirez", "Ramires"]),
        l("Torres", &[]),
        l("Gómez", &["Gomez", "Gomes"]),
        l("Díaz", &["Diaz", "Dias"]),
        l("Rojas", &[]),
        l("Moreno", &[]),
        l("Jiménez", &["Jimenez", "Ximenez"]),
        l("Vargas", &["Bargas"]),
        l("Castro", &["Kastro"]),
        l("Ortiz", &["Ortis"]),
        l("Muñoz", &["Munoz"]),
        l("Suárez", &["Suarez", "Suares"]),
        l("Romero", &[]),
        l("Herrera", &[]),
        l("Medina", &[]),
        l("Castillo", &[]),
        l("Vásquez", &["Vasquez", "Vázquez"]),
        l("Ospina", &[]),
        l("Restrepo", &[]),
        l("Cardona", &[]),
        l("Osorio", &[]),
        l("Ríos", &["Rios"]),
        l("Valencia", &["Balencia"]),
        l("Quintero", &["Kintero"]),
        l("Mosquera", &[]),
        l("Palacios", &[]),
        l("Zapata", &[]),
        l("Agudelo", &[]),
        l("Arango", &[]),
        l("Montoya", &[]),
        l("Mejía", &["Mejia"]),
        l("Salazar", &["Salasar"]),
        l("Benítez", &["Benitez", "Benites"]),
        l("Guerrero", &[]),
        l("Núñez", &["Nunez", "Nunes"]),
    ],
};

static VENEZUELA: NamePool = NamePool {
    given_female: &[
        l("María José", &["Maria Jose"]),
        l("Génesis", &["Genesis"]),
        l("Oriana", &[]),
        l("Andreína", &["Andreina"]),
        l("Daniela", &[]),
        l("Gabriela", &[]),
        l("Valeria", &[]),
        l("Victoria", &["Bictoria"]),
        l("Yelitza", &["Yelitsa"]),
        l("Yaneth", &["Yanet"]),
        l("Maryori", &["Mariori"]),
        l("Marbelis", &["Marbelys"]),
        l("Rosa", &[]),
        l("Carmen", &[]),
        l("Milagros", &[]),
        l("Yohana", &["Yohanna"]),
        l("Mariela", &[]),
        l("Nathaly", &["Nataly", "Natali"]),
        l("Anabel", &["Annabel"]),
        l("Yennifer", &["Yenifer"]),
        l("Karla", &["Carla"]),
        l("Yusmary", &["Yusmari"]),
        l("Dayerlin", &[]),
        l("Luisana", &[]),
        l("Mildred", &[]),
        l("Zuleima", &["Zuleyma"]),
    ],
    given_male: &[
        l("José Gregorio", &["Jose Gregorio"]),
        l("Luis", &[]),
        l("Jesús", &["Jesus"]),
        l("Carlos", &[]),
        l("Miguel", &[]),
        l("Rafael", &[]),
        l("Jorge", &[]),
        l("Gabriel", &[]),
        l("Ángel", &["Angel"]),
        l("Pedro", &[]),
        l("Franklin", &["Franklyn"]),
        l("Jhonny", &["Jhony"]),
        l("Wilmer", &["Vilmer"]),
        l("Eduardo", &[]),
        l("Ricardo", &[]),
        l("Alexander", &["Alexánder"]),
        l("Leonardo", &[]),
        l("Reinaldo", &["Reynaldo"]),
        l("Yorman", &[]),
        l("Argenis", &[]),
        l("Deivis", &["Deivys"]),
        l("Richard", &[]),
        l("Yoel", &[]),
        l("Douglas", &[]),
        l("Omar", &[]),
        l("Héctor", &["Hector"]),
    ],
    family: &[
        l("González", &["Gonzalez", "Gonzales"]),
        l("Rodríguez", &["Rodriguez"]),
        l("Pérez", &["Perez"]),
        l("Hernández", &["Hernandez"]),
        l("García", &["Garcia"]),
        l("Martínez", &["Martinez"]),
        l("López", &["Lopez"]),
        l("Díaz", &["Diaz"]),
        l("Sánchez", &["Sanchez"]),
        l("Ramírez", &["Ramirez"]),
        l("Rojas", &[]),
        l("Torres", &[]),
        l("Suárez", &["Suarez"]),
        l("Mendoza", &["Mendosa"]),
        l("Silva", &["Silba"]),
        l("Contreras", &[]),
        l("Medina", &[]),
        l("Gutiérrez", &["Gutierrez", "Gutierres"]),
        l("Chávez", &["Chavez", "Chaves"]),
        l("Blanco", &[]),
        l("Marcano", &[]),
        l("Rivas", &["Ribas"]),
        l("Salazar", &[]),
        l("Villarroel", &["Villaroel"]),
        l("Briceño", &["Briceno"]),
        l("Guzmán", &["Guzman"]),
        l("Acosta", &[]),
        l("Figueroa", &[]),
        l("Aponte", &[]),
        l("Márquez", &["Marquez", "Marques"]),
        l("Carrasquel", &[]),
        l("Zambrano", &[]),
    ],
};

static AFGHANISTAN: NamePool = NamePool {
    given_female: &[
        o("Fatima", "فاطمه", &["Fatemeh", "Fatimah"]),
        o("Zahra", "زهرا", &["Zahraa"]),
        o("Maryam", "مریم", &["Mariam"]),
        o("Parwana", "پروانه", &["Parvana", "Parwaneh"]),
        o("Shabnam", "شبنم", &[]),
        o("Nasrin", "نسرین", &["Nasreen"]),
        o("Farzana", "فرزانه", &["Farzaneh"]),
        o("Mursal", "مرسل", &[]),
        o("Malalai", "ملالی", &["Malalay"]),
        o("Sakina", "سکینه", &["Sakineh", "Sakeena"]),
        o("Roya", "رویا", &["Roia"]),
        o("Zarghona", "زرغونه", &["Zarghuna", "Zarghoona"]),
        o("Khadija", "خدیجه", &["Khadijeh", "Khadeeja"]),
        o("Laila", "لیلا", &["Leila", "Layla"]),
        o("Fereshta", "فرشته", &["Fereshteh"]),
        o("Nazanin", "نازنین", &["Nazaneen"]),
        o("Gulalai", "گلالی", &["Gulalay"]),
        o("Homa", "هما", &["Huma"]),
        o("Soraya", "ثریا", &["Suraya", "Soraia"]),
        o("Mahbooba", "محبوبه", &["Mahbuba", "Mahboobeh"]),
        o("Hamida", "حمیده", &["Hamideh", "Hameeda"]),
        o("Marzia", "مرضیه", &["Marziya", "Marziyeh"]),
        o("Shukria", "شکریه", &["Shukriya"]),
        o("Nargis", "نرگس", &["Narges"]),
        o("Zainab", "زینب", &["Zeinab", "Zaynab"]),
        o("Wahida", "وحیده", &["Vahideh", "Waheeda"]),
        o("Tahmina", "تهمینه", &["Tahmineh"]),
        o("Masooma", "معصومه", &["Masuma", "Masoumeh"]),
    ],
    given_male: &[
        o("Mohammad", "محمد", &["Muhammad", "Mohammed", "Mohamad"]),
        o("Ahmad", "احمد", &["Ahmed"]),
        o(
            "Abdul Rahman",
            "عبدالرحمن",
            &["Abdulrahman", "Abdurrahman", "Abd al-Rahman"],
        ),
        o("Rahmatullah", "رحمت‌الله", &["Rahmatollah", "Rahmat Ullah"]),
        o("Najibullah", "نجیب‌الله", &["Najeebullah", "Najib Ullah"]),
        o("Hamidullah", "حمیدالله", &["Hamidollah", "Hameedullah"]),
        o("Samiullah", "سمیع‌الله", &["Sami Ullah", "Samiollah"]),
        o("Zabihullah", "ذبیح‌الله", &["Zabihollah", "Zabeehullah"]),
        o("Noorullah", "نورالله", &["Nurullah", "Noorollah"]),
        o("Ezatullah", "عزت‌الله", &["Izatullah", "Ezzatullah"]),
        o("Jawad", "جواد", &["Javad"]),
        o("Mahmood", "محمود", &["Mahmoud", "Mahmud"]),
        o("Habib", "حبیب", &["Habeeb"]),
        o("Karim", "کریم", &["Kareem"]),
        o("Farid", "فرید", &["Fareed"]),
        o("Hamid", "حمید", &["Hameed"]),
        o("Naveed", "نوید", &["Navid", "Nawid"]),
        o("Wahid", "وحید", &["Vahid", "Waheed"]),
        o("Masoud", "مسعود", &["Massoud", "Masud"]),
        o("Hekmat", "حکمت", &["Hikmat"]),
        o("Yousuf", "یوسف", &["Yusuf", "Yousef"]),
        o("Sohrab", "سهراب", &["Suhrab"]),
        o("Rostam", "رستم", &["Rustam"]),
        o("Bilal", "بلال", &[]),
        o("Idris", "ادریس", &["Edris"]),
        o("Mirwais", "میرویس", &["Mirvais"]),
        o("Khalid", "خالد", &["Khaled"]),
        o("Ismail", "اسماعیل", &["Esmail"]),
        o("Qadir", "قادر", &["Kadir", "Qader"]),
        o("Shafiq", "شفیق", &["Shafeeq"]),
        o("Zia", "ضیا", &["Ziya"]),
        o("Mujtaba", "مجتبی", &["Mojtaba"]),
        o("Hussain", "حسین", &["Hossein", "Husain"]),
        o("Ali", "علی", &["Aly"]),
        o("Reza", "رضا", &["Riza"]),
        o("Baryalai", "بریالی", &["Baryalay"]),
        o("Gul Ahmad", "گل احمد", &["Gul Ahmed"]),
    ],
    family: &[
        o("Ahmadzai", "احمدزی", &["Ahmadzay", "Ahmedzai"]),
        o("Popalzai", "پوپلزی", &["Popalzay"]),
        o("Barakzai", "بارکزی", &["Barakzay"]),
        o("Durrani", "درانی", &["Durani"]),
        o("Hotak", "هوتک", &[]),
        o("Mohammadi", "محمدی", &["Muhammadi"]),
        o("Ahmadi", "احمدی", &["Ahmedi"]),
        o("Hashimi", "هاشمی", &["Hashemi"]),
        o("Hosseini", "حسینی", &["Husseini", "Hussaini"]),
        o("Rahimi", "رحیمی", &["Raheemi"]),
        o("Karimi", "کریمی", &["Kareemi"]),
        o("Sadat", "سادات", &["Saadat"]),
        o("Stanikzai", "ستانکزی", &["Stanekzai"]),
        o("Wardak", "وردک", &["Vardak"]),
        o("Safi", "صافی", &["Saafi"]),
        o("Naseri", "ناصری", &["Nasiri"]),
        o("Noori", "نوری", &["Nuri"]),
        o("Amiri", "امیری", &["Ameeri"]),
        o("Yousufzai", "یوسفزی", &["Yusufzai"]),
        o("Sultani", "سلطانی", &["Soltani"]),
        o("Rezaei", "رضایی", &["Rezayi"]),
        o("Jalali", "جلالی", &[]),
        o("Haidari", "حیدری", &["Haydari", "Heidari"]),
        o("Akbari", "اکبری", &[]),
        o("Azizi", "عزیزی", &[]),
        o("Sharifi", "شریفی", &["Shareefi"]),
        o("Niazi", "نیازی", &["Niyazi"]),
        o("Kakar", "کاکړ", &["Kakkar"]),
        o("Mangal", "منګل", &[]),
        o("Shinwari", "شینواری", &["Shinwary"]),
        o("Achakzai", "اڅکزی", &["Achakzay"]),
        o("Nazari", "نظری", &[]),
        o("Samadi", "صمدی", &[]),
        o("Qaderi", "قادری", &["Kaderi"]),
        o("Habibi", "حبیبی", &["Habeebi"]),
    ],
};

static SYRIA: NamePool = NamePool {
    given_female: &[
        o("Fatima", "فاطمة", &["Fatimah", "Fatemah"]),
        o("Aisha", "عائشة", &["Aysha", "Ayesha", "Aicha"]),
        o("Zainab", "زينب", &["Zaynab", "Zeinab"]),
        o("Maryam", "مريم", &["Mariam", "Meryem"]),
        o("Nour", "نور", &["Noor", "Nur"]),
        o("Huda", "هدى", &["Houda", "Hoda"]),
        o("Rania", "رانيا", &["Ranya"]),
        o("Lina", "لينا", &["Leena"]),
        o("Rasha", "رشا", &[]),
        o("Hala", "هالة", &["Halah"]),
        o("Reem", "ريم", &["Rim"]),
        o("Yasmin", "ياسمين", &["Yasmeen"]),
        o("Amal", "أمل", &[]),
        o("Samira", "سميرة", &["Sameera"]),
        o("Salma", "سلمى", &["Selma"]),
        o("Layla", "ليلى", &["Leila", "Laila", "Leyla"]),
        o("Dima", "ديما", &["Deema"]),
        o("Ghada", "غادة", &[]),
        o("Manal", "منال", &[]),
        o("Nada", "ندى", &[]),
        o("Shaimaa", "شيماء", &["Shaymaa", "Shaima"]),
        o("Walaa", "ولاء", &["Wala"]),
        o("Asmaa", "أسماء", &["Asma"]),
        o("Kholoud", "خلود", &["Khulud"]),
        o("Hanan", "حنان", &[]),
        o("Rawan", "روان", &[]),
        o("Doaa", "دعاء", &["Duaa", "Dua"]),
        o("Sara", "سارة", &["Sarah"]),
        o("Nisreen", "نسرين", &["Nesrin", "Nisrin"]),
        o("Ruqaya", "رقية", &["Roqaya", "Ruqayyah"]),
    ],
    given_male: &[
        o(
            "Muhammad",
            "محمد",
            &["Mohammed", "Mohamad", "Mohamed", "Mohammad"],
        ),
        o("Ahmad", "أحمد", &["Ahmed"]),
        o("Mahmoud", "محمود", &["Mahmud"]),
        o("Khaled", "خالد", &["Khalid"]),
        o("Omar", "عمر", &["Umar", "Omer"]),
        o("Ali", "علي", &["Aly"]),
        o("Hussein", "حسين", &["Husain", "Hussain", "Hossein"]),
        o("Hassan", "حسن", &["Hasan"]),
        o("Youssef", "يوسف", &["Yusuf", "Yousef", "Yosef"]),
        o("Ibrahim", "إبراهيم", &["Ebrahim", "Ibraheem"]),
        o("Mustafa", "مصطفى", &["Mostafa", "Moustafa", "Mustapha"]),
        o(
            "Abdulrahman",
            "عبد الرحمن",
            &["Abd al-Rahman", "Abdel Rahman", "Abdurrahman"],
        ),
        o("Abdullah", "عبد الله", &["Abdallah", "Abd Allah"]),
        o("Khalil", "خليل", &["Khaleel"]),
        o("Samir", "سمير", &["Sameer"]),
        o("Tariq", "طارق", &["Tarek", "Tareq"]),
        o("Walid", "وليد", &["Waleed"]),
        o("Yasser", "ياسر", &["Yasir"]),
        o("Bilal", "بلال", &[]),
        o("Hamza", "حمزة", &["Hamzah"]),
        o("Osama", "أسامة", &["Usama", "Oussama"]),
        o("Ammar", "عمار", &["Amar"]),
        o("Said", "سعيد", &["Saeed", "Sayed"]),
        o("Karim", "كريم", &["Kareem"]),
        o("Fadi", "فادي", &["Fady"]),
        o("Rami", "رامي", &["Ramy"]),
        o("Sami", "سامي", &["Samy"]),
        o("Firas", "فراس", &["Feras"]),
        o("Anas", "أنس", &[]),
        o("Hisham", "هشام", &["Hesham", "Hicham"]),
        o("Jamal", "جمال", &["Djamal"]),
        o("Qasim", "قاسم", &["Kassem", "Qassem"]),
        o("Zaid", "زيد", &["Zayd", "Zeid"]),
        o("Rashid", "رشيد", &["Rasheed"]),
        o("Ayman", "أيمن", &["Aiman"]),
        o("Ismail", "إسماعيل", &["Ismael", "Esmail"]),
        o("Yahya", "يحيى", &["Yehia", "Yahia"]),
        o("Mazen", "مازن", &["Mazin"]),
        o("Nabil", "نبيل", &["Nabeel"]),
        o("Wael", "وائل", &["Wa'el"]),
        o("Suleiman", "سليمان", &["Sulaiman", "Soleiman"]),
        o("Bashar", "بشار", &[]),
    ],
    family: &[
        o("Al-Ahmad", "الأحمد", &["Al Ahmed", "El-Ahmad"]),
        o("Al-Ali", "العلي", &["Al Ali", "El-Ali"]),
        o("Al-Hassan", "الحسن", &["Alhassan", "El-Hassan", "Al-Hasan"]),
        o(
            "Al-Khatib",
            "الخطيب",
            &["Al-Khateeb", "Alkhatib", "El-Khatib"],
        ),
        o("Al-Masri", "المصري", &["Al-Masry", "Elmasri"]),
        o("Haddad", "حداد", &["Hadad"]),
        o("Halabi", "حلبي", &["Al-Halabi"]),
        o("Al-Shami", "الشامي", &["El-Shami", "Alshami"]),
        o("Kurdi", "كردي", &["Al-Kurdi"]),
        o("Darwish", "درويش", &["Darwich", "Darweesh"]),
        o("Homsi", "حمصي", &["Al-Homsi"]),
        o("Al-Najjar", "النجار", &["Alnajjar", "El-Najjar"]),
        o("Al-Hamwi", "الحموي", &["El-Hamwi"]),
        o("Qabbani", "قباني", &["Kabbani", "Qabani"]),
        o("Al-Rifai", "الرفاعي", &["Al-Refai", "Rifai"]),
        o("Al-Jabri", "الجابري", &["Aljabri"]),
        o("Othman", "عثمان", &["Uthman"]),
        o("Al-Zoubi", "الزعبي", &["Al-Zubi", "Zoubi"]),
        o("Al-Hariri", "الحريري", &["Hariri"]),
        o("Al-Sabbagh", "الصباغ", &["Sabbagh", "Al-Sabbag"]),
        o("Khoury", "خوري", &["Khouri", "Khury"]),
        o("Nassar", "نصار", &["Nasar"]),
        o("Al-Attar", "العطار", &["Attar"]),
        o("Saleh", "صالح", &["Salih"]),
        o("Kayali", "كيالي", &["Kayyali"]),
        o("Barakat", "بركات", &[]),
        o("Hamdan", "حمدان", &[]),
        o("Mansour", "منصور", &["Mansur"]),
        o("Al-Sayed", "السيد", &["El-Sayed", "Elsayed"]),
        o("Idlibi", "إدلبي", &["Al-Idlibi"]),
        o("Dabbagh", "دباغ", &["Dabbag"]),
        o("Al-Omar", "العمر", &["Al-Umar"]),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codes::COUNTRIES;
    use crate::domain::names::{index_tokens, normalize, query_tokens, search_key};

    fn all_names() -> impl Iterator<Item = &'static Name> {
        Nationality::ALL.into_iter().flat_map(|n| {
            let pool = pool(n);
            pool.given_female
                .iter()
                .chain(pool.given_male)
                .chain(pool.family)
        })
    }

    /// Whether a search for `query` finds a record carrying `record` as a name part.
    fn finds(query: &str, record: &str) -> bool {
        let index = index_tokens([record]);
        let query = query_tokens(query);
        !query.is_empty()
            && query
                .iter()
                .all(|q| index.iter().any(|k| k.starts_with(q.as_str())))
    }

    #[test]
    fn pools_are_full_and_nationalities_are_countries() {
        let mut total = 0;
        for nationality in Nationality::ALL {
            let pool = pool(nationality);
            assert!(pool.given_female.len() >= 20, "{nationality:?}");
            assert!(pool.given_male.len() >= 20, "{nationality:?}");
            assert!(pool.family.len() >= 25, "{nationality:?}");
            assert!(COUNTRIES.contains(nationality.alpha3()));
            total += pool.given_female.len() + pool.given_male.len() + pool.family.len();
        }
        assert!(total >= 300, "{total} names");
        assert!(ECUADOR_PLACES.len() >= 30 && !ECUADOR_STREETS.is_empty());
    }

    #[test]
    fn original_script_where_expected() {
        for nationality in Nationality::ALL {
            let pool = pool(nationality);
            let names = pool
                .given_female
                .iter()
                .chain(pool.given_male)
                .chain(pool.family);
            for name in names {
                let expects_original =
                    matches!(nationality, Nationality::Afghanistan | Nationality::Syria);
                assert_eq!(name.original.is_some(), expects_original, "{}", name.latin);
                if let Some(original) = name.original {
                    let keys = index_tokens([original]);
                    assert!(!keys.is_empty(), "{original} has no search key");
                    assert!(keys.iter().all(|k| !k.is_ascii()), "{original}: {keys:?}");
                    assert!(finds(original, original), "{original} does not find itself");
                }
            }
        }
    }

    #[test]
    fn no_name_is_listed_twice_in_a_list() {
        for nationality in Nationality::ALL {
            let pool = pool(nationality);
            for list in [pool.given_female, pool.given_male, pool.family] {
                let mut spellings: Vec<String> = list.iter().map(|n| normalize(n.latin)).collect();
                let count = spellings.len();
                spellings.sort();
                spellings.dedup();
                assert_eq!(spellings.len(), count, "{nationality:?}");
            }
        }
    }

    /// Ties the pools to the search rules: every variant spelling finds the main one and back.
    #[test]
    fn variants_are_found_as_the_main_spelling() {
        let mut checked = 0;
        for name in all_names() {
            for variant in name.variants {
                let (main, other) = (normalize(name.latin), normalize(variant));
                assert_ne!(
                    name.latin, *variant,
                    "{variant} is listed as its own variant"
                );
                if !main.contains(' ')
                    && !other.contains(' ')
                    && index_tokens([name.latin]).len() == 1
                {
                    assert_eq!(
                        search_key(&main),
                        search_key(&other),
                        "{variant} vs {}",
                        name.latin
                    );
                }
                assert!(
                    finds(variant, name.latin),
                    "{variant} does not find {}",
                    name.latin
                );
                assert!(
                    finds(name.latin, variant),
                    "{} does not find {variant}",
                    name.latin
                );
                checked += 1;
            }
        }
        assert!(checked >= 150, "only {checked} variants");
    }

    /// The same name written by an Afghan (Persian script) and a Syrian (Arabic script) record
    /// must key alike in both scripts, or an Arabic-script search would miss the Afghan record.
    #[test]
    fn persian_and_arabic_spellings_of_one_name_agree() {
        let afghan = pool(Nationality::Afghanistan);
        let syrian = pool(Nationality::Syria);
        let key = |s: &str| search_key(&normalize(s));
        let mut shared = 0;
        for (a, s) in [
            (afghan.given_female, syrian.given_female),
            (afghan.given_male, syrian.given_male),
            (afghan.family, syrian.family),
        ] {
            for a in a {
                for s in s.iter().filter(|s| key(s.latin) == key(a.latin)) {
                    let (Some(persian), Some(arabic)) = (a.original, s.original) else {
                        continue;
                    };
                    if ALEF_MAKSURA_ENDINGS.contains(&arabic) {
                        continue;
                    }
                    assert!(finds(persian, arabic), "{persian} does not find {arabic}");
                    assert!(finds(arabic, persian), "{arabic} does not find {persian}");
                    shared += 1;
                }
            }
        }
        assert!(shared >= 10, "only {shared} names in both pools");
    }

    /// Arabic final alef maksura is folded to yeh, as Arabic search does; Persian writes the same
    /// sound with alef, so these names differ between the scripts.
    const ALEF_MAKSURA_ENDINGS: &[&str] = &["ليلى"];

    /// Search-as-you-type over the whole pool: every prefix of every spelling finds the name.
    #[test]
    fn every_prefix_of_every_spelling_finds_the_name() {
        for name in all_names() {
            let spellings = name
                .original
                .into_iter()
                .chain([name.latin])
                .chain(name.variants.iter().copied());
            for spelling in spellings {
                let normalized = normalize(spelling);
                for (end, _) in normalized.char_indices().skip(1) {
                    let typed = &normalized[..end];
                    assert!(
                        query_tokens(typed).is_empty() || finds(typed, spelling),
                        "typing {typed:?} loses {spelling}"
                    );
                }
                assert!(finds(spelling, spelling), "{spelling} does not find itself");
            }
        }
    }

    #[test]
    fn distinct_names_of_a_pool_are_not_merged() {
        let syria = pool(Nationality::Syria);
        let key = |latin: &str| search_key(&normalize(latin));
        for (a, b) in [
            ("Muhammad", "Mahmoud"),
            ("Hussein", "Hassan"),
            ("Zaid", "Said"),
            ("Sami", "Samir"),
        ] {
            assert!(
                syria.given_male.iter().any(|n| n.latin == a)
                    && syria.given_male.iter().any(|n| n.latin == b)
            );
            assert_ne!(key(a), key(b), "{a} and {b}");
        }
    }
}
