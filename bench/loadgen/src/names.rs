//! Name queries the way caseworkers type them.
//!
//! The search scenario needs queries that look like real desk work in an office registering
//! Venezuelan, Colombian, Afghan and Syrian refugees: lowercase, no accents, a given or family name,
//! sometimes both, often only the first 3-5 letters. The lists hold common names of those
//! populations, transliterated the way they usually appear in Latin script.

use rand::Rng;
use rand::seq::IndexedRandom;

/// Common given names (Venezuela, Colombia, Afghanistan, Syria), lowercase and without accents.
pub const GIVEN_NAMES: &[&str] = &[
    // Venezuela and Colombia
    "maria",
    "jose",
    "luis",
    "carlos",
    "juan",
    "ana",
    "andrea",
    "daniela",
    "valentina",
    "gabriela",
    "alejandro",
    "jesus",
    "miguel",
    "andres",
    "camila",
    "sofia",
    "diego",
    "javier",
    "fernando",
    "ricardo",
    "carmen",
    "rosa",
    "luz",
    "marisol",
    "yelitza",
    "wilmer",
    "franklin",
    "angel",
    "jhon",
    "leidy",
    "yuliana",
    "yorman",
    "yusmely",
    "eduardo",
    "josefina",
    "mariana",
    "nelson",
    "oscar",
    "paola",
    "sandra",
    "jorge",
    "victor",
    "yolanda",
    "adriana",
    "kelly",
    "brayan",
    // Afghanistan
    "mohammad",
    "ahmad",
    "abdul",
    "ali",
    "hussain",
    "mahmood",
    "zahra",
    "fatima",
    "maryam",
    "farid",
    "habibullah",
    "hamid",
    "karim",
    "nasrin",
    "parwana",
    "rahim",
    "shabana",
    "sultan",
    "wahid",
    "zainab",
    "gul",
    "najib",
    "fawad",
    "hamida",
    "sakina",
    "masouda",
    // Syria
    "mohammed",
    "muhammad",
    "omar",
    "khaled",
    "yusuf",
    "youssef",
    "hassan",
    "hussein",
    "ibrahim",
    "mahmoud",
    "mustafa",
    "rami",
    "samer",
    "bashar",
    "fadi",
    "rania",
    "lina",
    "nour",
    "huda",
    "aya",
    "layla",
    "reem",
    "amal",
    "hiba",
    "salma",
    "ghassan",
    "walid",
    "yasmin",
];

/// Common family names of the same populations.
pub const FAMILY_NAMES: &[&str] = &[
    // Venezuela and Colombia
    "garcia",
    "rodriguez",
    "martinez",
    "hernandez",
    "gonzalez",
    "perez",
    "lopez",
    "sanchez",
    "ramirez",
    "torres",
    "diaz",
    "moreno",
    "rojas",
    "vargas",
    "castillo",
    "mendoza",
    "gutierrez",
    "jimenez",
    "suarez",
    "morales",
    "herrera",
    "medina",
    "castro",
    "ortiz",
    "romero",
    "silva",
    "rivas",
    "contreras",
    "guerrero",
    "bermudez",
    "quintero",
    "salazar",
    "gomez",
    "cardenas",
    "ospina",
    "restrepo",
    "alvarez",
    "marin",
    "valencia",
    "pineda",
    // Afghanistan
    "ahmadi",
    "rahimi",
    "hakimi",
    "karimi",
    "mohammadi",
    "hashimi",
    "popal",
    "noori",
    "sultani",
    "stanikzai",
    "safi",
    "wardak",
    "amiri",
    "azizi",
    "haidari",
    "jalali",
    "qaderi",
    "rahmani",
    "sharifi",
    "yousufzai",
    // Syria
    "hamdan",
    "khalil",
    "haddad",
    "nasser",
    "saleh",
    "darwish",
    "kassem",
    "mansour",
    "hariri",
    "shami",
    "halabi",
    "masri",
    "othman",
    "sabbagh",
    "zaher",
    "kurdi",
    "hamwi",
    "jaber",
    "najjar",
    "issa",
];

/// Draws one search query: a full or partial given or family name, or a given and family name.
///
/// Mix: 35 % a full family name, 20 % a full given name, 25 % given and family name,
/// 15 % a 3-5 letter prefix of one name, 5 % prefixes of both.
pub fn random_query(rng: &mut impl Rng) -> String {
    let given = GIVEN_NAMES.choose(rng).copied().unwrap_or("maria");
    let family = FAMILY_NAMES.choose(rng).copied().unwrap_or("garcia");
    match rng.random_range(0..100u32) {
        0..35 => family.to_owned(),
        35..55 => given.to_owned(),
        55..80 => format!("{given} {family}"),
        80..95 => {
            let name = if rng.random_bool(0.6) { family } else { given };
            prefix(name, rng).to_owned()
        }
        _ => format!("{} {}", prefix(given, rng), prefix(family, rng)),
    }
}

/// The first 3-5 letters of `name` (the whole name when it is shorter).
fn prefix<'a>(name: &'a str, rng: &mut impl Rng) -> &'a str {
    let len = rng.random_range(3..=5usize).min(name.len());
    // The lists are ASCII, so every byte index is a character boundary; `get` keeps it safe anyway.
    name.get(..len).unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::SmallRng;

    #[test]
    fn lists_are_lowercase_ascii_letters() {
        for name in GIVEN_NAMES.iter().chain(FAMILY_NAMES) {
            assert!(
                name.len() >= 3 && name.bytes().all(|b| b.is_ascii_lowercase()),
                "`{name}` must be lowercase ASCII letters, 3 or more"
            );
        }
    }

    #[test]
    fn queries_are_one_or_two_known_words_or_prefixes() {
        let mut rng = SmallRng::seed_from_u64(7);
        let mut partial = 0;
        let mut two_words = 0;
        for _ in 0..2000 {
            let q = random_query(&mut rng);
            let words: Vec<&str> = q.split(' ').collect();
            assert!(matches!(words.len(), 1 | 2), "`{q}`");
            if words.len() == 2 {
                two_words += 1;
            }
            for w in words {
                let full = GIVEN_NAMES.contains(&w) || FAMILY_NAMES.contains(&w);
                if !full {
                    partial += 1;
                    assert!((3..=5).contains(&w.len()), "prefix `{w}` in `{q}`");
                    assert!(
                        GIVEN_NAMES
                            .iter()
                            .chain(FAMILY_NAMES)
                            .any(|n| n.starts_with(w)),
                        "`{w}` is no prefix of a known name"
                    );
                }
            }
        }
        assert!(partial > 200, "partial queries are {partial} of 2000");
        assert!(two_words > 400, "two-word queries are {two_words} of 2000");
    }
}
