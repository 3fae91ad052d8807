//! Makes each screen's catalogue of words (`src/screens/<screen>/texts.toml`) into that screen's
//! `Texts` type, one static per language, in `$OUT_DIR/texts/<screen>.rs` (the screen's
//! `texts.rs` includes it). The words are data a translator edits side by side; the screens still
//! reach them as typed fields, so a misspelt name does not build, and this script refuses an
//! entry without both languages or with two different shapes.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("texts");
    fs::create_dir_all(&out).expect("the catalogue folder in OUT_DIR");
    println!("cargo::rerun-if-changed=src/screens");
    let mut screens: Vec<PathBuf> = fs::read_dir("src/screens")
        .expect("src/screens")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("texts.toml").is_file())
        .collect();
    screens.sort();
    for dir in screens {
        let file = dir.join("texts.toml");
        println!("cargo::rerun-if-changed={}", file.display());
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a screen's folder name");
        let code = match catalogue(&file) {
            Ok(code) => code,
            Err(why) => panic!("{}: {why}", file.display()),
        };
        fs::write(out.join(format!("{name}.rs")), code).expect("a generated catalogue");
    }
}

/// The Rust type and the two values of one entry.
struct Entry {
    name: String,
    ty: String,
    es: String,
    en: String,
}

fn catalogue(file: &Path) -> Result<String, String> {
    let text = fs::read_to_string(file).map_err(|e| e.to_string())?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
    let mut entries = Vec::new();
    for (name, v) in &table {
        let t = v
            .as_table()
            .ok_or(format!("{name}: an entry is a table of es and en"))?;
        if let Some(other) = t.keys().find(|k| *k != "es" && *k != "en") {
            return Err(format!("{name}: unknown language {other}"));
        }
        let (Some(es), Some(en)) = (t.get("es"), t.get("en")) else {
            return Err(format!("{name}: needs both es and en"));
        };
        let (ty_es, es) = value(es).map_err(|e| format!("{name} (es): {e}"))?;
        let (ty_en, en) = value(en).map_err(|e| format!("{name} (en): {e}"))?;
        if ty_es != ty_en {
            return Err(format!("{name}: es is {ty_es} but en is {ty_en}"));
        }
        entries.push(Entry {
            name: name.clone(),
            ty: ty_es,
            es,
            en,
        });
    }
    let mut code = String::new();
    code.push_str("/// The words of this screen in one language (made from its texts.toml).\n");
    code.push_str("pub struct Texts {\n    common: &'static crate::i18n::Text,\n");
    code.push_str("    /// Read by the few catalogues whose methods choose words by language.\n");
    code.push_str("    #[allow(dead_code)]\n    lang: crate::i18n::Lang,\n");
    for e in &entries {
        let _ = writeln!(code, "    pub {}: {},", e.name, e.ty);
    }
    code.push_str("}\n\n");
    code.push_str(
        "impl std::ops::Deref for Texts {\n    type Target = crate::i18n::Text;\n\n    \
         fn deref(&self) -> &crate::i18n::Text {\n        self.common\n    }\n}\n\n",
    );
    code.push_str(
        "/// The words of this screen in `lang`.\npub fn get(lang: crate::i18n::Lang) -> &'static Texts {\n    \
         match lang {\n        crate::i18n::Lang::Es => &ES,\n        crate::i18n::Lang::En => &EN,\n    }\n}\n",
    );
    for (stat, common, lang, pick) in [("ES", "ES", "Es", true), ("EN", "EN", "En", false)] {
        let _ = write!(
            code,
            "\nstatic {stat}: Texts = Texts {{\n    common: &crate::i18n::{common},\n    lang: crate::i18n::Lang::{lang},\n"
        );
        for e in &entries {
            let v = if pick { &e.es } else { &e.en };
            let _ = writeln!(code, "    {}: {v},", e.name);
        }
        code.push_str("};\n");
    }
    Ok(code)
}

/// The Rust type and literal of a value: a text, a fixed list of texts, or a list of rows of texts
/// (key help, code and name pairs).
fn value(v: &toml::Value) -> Result<(String, String), String> {
    match v {
        toml::Value::String(s) => Ok(("&'static str".into(), format!("{s:?}"))),
        toml::Value::Array(items) if items.iter().all(|i| i.is_str()) => {
            let lits: Vec<String> = items
                .iter()
                .filter_map(|i| i.as_str().map(|s| format!("{s:?}")))
                .collect();
            Ok((
                format!("[&'static str; {}]", lits.len()),
                format!("[{}]", lits.join(", ")),
            ))
        }
        toml::Value::Array(rows) => {
            let mut width = None;
            let mut lits = Vec::new();
            for row in rows {
                let cells = row.as_array().ok_or("a list mixes texts and rows")?;
                let texts: Option<Vec<String>> = cells
                    .iter()
                    .map(|c| c.as_str().map(|s| format!("{s:?}")))
                    .collect();
                let texts = texts.ok_or("a row holds something other than texts")?;
                if *width.get_or_insert(texts.len()) != texts.len() {
                    return Err("rows of different lengths".into());
                }
                lits.push(format!("({})", texts.join(", ")));
            }
            let width = width.unwrap_or(2);
            let ty = vec!["&'static str"; width].join(", ");
            Ok((
                format!("&'static [({ty})]"),
                format!("&[{}]", lits.join(", ")),
            ))
        }
        _ => Err("only texts, lists of texts and lists of rows of texts".into()),
    }
}
