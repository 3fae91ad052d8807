//! The words of `amparo export`, in Spanish and English.

use std::path::Path;

use crate::api::ApiError;
use crate::i18n::Lang;

pub struct Texts {
    pub username: &'static str,
    pub password: &'static str,
    lang: Lang,
}

/// Bytes as people read them: 1.2 MB, 340 kB, 12 B.
fn bytes(n: u64) -> String {
    match n {
        n if n >= 1_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        n if n >= 1_000 => format!("{:.0} kB", n as f64 / 1e3),
        n => format!("{n} B"),
    }
}

impl Texts {
    fn es(&self) -> bool {
        self.lang == Lang::Es
    }

    pub fn written(&self, path: &str) -> String {
        if self.es() {
            format!("Exportación escrita en {path}.")
        } else {
            format!("Export written to {path}.")
        }
    }

    pub fn requested(&self, id: &str, fields: &str) -> String {
        if self.es() {
            format!("Exportación {id} pedida, columnas: {fields}")
        } else {
            format!("Export {id} requested, columns: {fields}")
        }
    }

    pub fn progress(&self, done: i64, total: Option<i64>) -> String {
        match (total, self.es()) {
            (None, true) => "En cola en el servidor…                 ".into(),
            (None, false) => "Queued on the server…                   ".into(),
            (Some(t), es) => {
                let pct = (done * 100).checked_div(t).unwrap_or(100);
                if es {
                    format!("Escribiendo: {done} de {t} registros ({pct} %)")
                } else {
                    format!("Writing: {done} of {t} records ({pct}%)")
                }
            }
        }
    }

    pub fn downloaded(&self, got: u64, size: u64) -> String {
        let pct = (got * 100).checked_div(size).unwrap_or(100);
        if self.es() {
            format!(
                "Descargando: {} de {} ({pct} %)   ",
                bytes(got),
                bytes(size)
            )
        } else {
            format!("Downloading: {} of {} ({pct}%)   ", bytes(got), bytes(size))
        }
    }

    pub fn link_down(&self, got: u64, size: u64) -> String {
        if self.es() {
            format!(
                "Sin enlace: se reanudará desde {} de {}…   ",
                bytes(got),
                bytes(size)
            )
        } else {
            format!(
                "Link down: will resume from {} of {}…   ",
                bytes(got),
                bytes(size)
            )
        }
    }

    pub fn gave_up(&self, got: u64, size: u64) -> String {
        if self.es() {
            format!(
                "la descarga no avanzó en el tiempo dado ({} de {}); vuelva a ejecutar con --job para continuar donde quedó",
                bytes(got),
                bytes(size)
            )
        } else {
            format!(
                "the download made no progress in the time given ({} of {}); run again with --job to continue where it stopped",
                bytes(got),
                bytes(size)
            )
        }
    }

    pub fn stats(&self, s: &super::Stats, size: u64, seconds: f64) -> String {
        let twice = s.received.saturating_sub(size);
        if self.es() {
            format!(
                "Descarga: {} solicitudes ({} reanudaciones), {} bytes recibidos de un archivo de {size} bytes ({twice} recibidos dos veces), {seconds:.1} s",
                s.requests, s.resumes, s.received
            )
        } else {
            format!(
                "Download: {} requests ({} resumes), {} bytes received of a {size}-byte file ({twice} received twice), {seconds:.1} s",
                s.requests, s.resumes, s.received
            )
        }
    }

    pub fn verified(&self, sha: &str) -> String {
        if self.es() {
            format!("Suma de control verificada (SHA-256 {sha}).")
        } else {
            format!("Checksum verified (SHA-256 {sha}).")
        }
    }

    pub fn checksum_retry(&self) -> String {
        if self.es() {
            "La suma de control no coincide: se descarga de nuevo.".into()
        } else {
            "The checksum does not match: downloading again.".into()
        }
    }

    pub fn checksum_mismatch(&self, want: &str, got: &str) -> String {
        if self.es() {
            format!(
                "el archivo descargado no es el del servidor (SHA-256 {got}, se esperaba {want}); no se descifró"
            )
        } else {
            format!(
                "the downloaded file is not the server's (SHA-256 {got}, expected {want}); it was not decrypted"
            )
        }
    }

    pub fn no_exports(&self) -> &'static str {
        if self.es() {
            "No tiene exportaciones."
        } else {
            "You have no exports."
        }
    }

    pub fn not_ready(&self) -> String {
        if self.es() {
            "el servidor no dio el archivo de la exportación".into()
        } else {
            "the server gave no file for the export".into()
        }
    }

    pub fn other_key(&self) -> String {
        if self.es() {
            "esta exportación se cifró para otra clave; solo puede abrirla quien la pidió".into()
        } else {
            "this export was encrypted to another key; only its requester can open it".into()
        }
    }

    pub fn no_such_job(&self, id: &str) -> String {
        if self.es() {
            format!("no tiene una exportación {id}")
        } else {
            format!("you have no export {id}")
        }
    }

    pub fn job_failed(&self, why: &str) -> String {
        if self.es() {
            format!("la exportación falló en el servidor: {why}")
        } else {
            format!("the export failed on the server: {why}")
        }
    }

    pub fn expired(&self) -> String {
        if self.es() {
            "el enlace de la exportación venció y el archivo se borró; pídala de nuevo".into()
        } else {
            "the export's link expired and its file was deleted; ask for it again".into()
        }
    }

    pub fn download_refused(&self, status: u16) -> String {
        match (status, self.es()) {
            (401, true) => "el servidor no aceptó su sesión para descargar; vuelva a entrar".into(),
            (401, false) => {
                "the server did not accept your session for the download; log in again".into()
            }
            (404, true) => "el servidor no tiene esa exportación para usted".into(),
            (404, false) => "the server has no such export for you".into(),
            (409, true) => "la exportación aún se está escribiendo".into(),
            (409, false) => "the export is still being written".into(),
            (_, true) => "el enlace de la exportación venció o falló; pídala de nuevo".into(),
            (_, false) => "the export's link expired or it failed; ask for it again".into(),
        }
    }

    pub fn not_for_this_key(&self) -> String {
        if self.es() {
            "el archivo no se puede descifrar con su clave de exportación".into()
        } else {
            "the file cannot be decrypted with your export key".into()
        }
    }

    pub fn decrypt_failed(&self, e: &str) -> String {
        if self.es() {
            format!("no se pudo descifrar el archivo: {e}")
        } else {
            format!("cannot decrypt the file: {e}")
        }
    }

    pub fn key_made(&self, path: &Path) -> String {
        if self.es() {
            format!(
                "Se creó su clave de exportación en {} (solo usted puede leerla). Sin ella no podrá abrir sus exportaciones.",
                path.display()
            )
        } else {
            format!(
                "Your export key was made in {} (readable by you only). Without it your exports cannot be opened.",
                path.display()
            )
        }
    }

    pub fn key_too_open(&self, path: &Path) -> String {
        if self.es() {
            format!(
                "otros usuarios pueden leer su clave de exportación {}: ejecute chmod 600 sobre ella",
                path.display()
            )
        } else {
            format!(
                "other users can read your export key {}: run chmod 600 on it",
                path.display()
            )
        }
    }

    pub fn key_unreadable(&self, path: &Path) -> String {
        if self.es() {
            format!(
                "{} no contiene una clave age (AGE-SECRET-KEY-…)",
                path.display()
            )
        } else {
            format!("{} holds no age key (AGE-SECRET-KEY-…)", path.display())
        }
    }

    pub fn no_config_dir(&self) -> String {
        if self.es() {
            "no se conoce un directorio de configuración (HOME o XDG_CONFIG_HOME); indique --key"
                .into()
        } else {
            "no settings directory is known (HOME or XDG_CONFIG_HOME); give --key".into()
        }
    }

    pub fn io(&self, path: &Path, e: &std::io::Error) -> String {
        format!("{}: {e}", path.display())
    }

    pub fn no_terminal(&self, e: &str) -> String {
        if self.es() {
            format!("no se pudo leer la contraseña ({e}); use --password-file o --token-file")
        } else {
            format!("cannot read the password ({e}); use --password-file or --token-file")
        }
    }

    pub fn failed(&self, e: &ApiError) -> String {
        match (self.lang, e) {
            (Lang::Es, ApiError::Unauthenticated(_)) => {
                "usuario o contraseña incorrectos, o la sesión terminó".into()
            }
            (Lang::En, ApiError::Unauthenticated(_)) => {
                "wrong username or password, or the session ended".into()
            }
            (Lang::Es, ApiError::Forbidden(m)) => format!("no permitido: {m}"),
            (Lang::En, ApiError::Forbidden(m)) => format!("not allowed: {m}"),
            (Lang::Es, ApiError::Network(m)) => format!("sin conexión con el servidor: {m}"),
            (Lang::En, ApiError::Network(m)) => format!("no connection to the server: {m}"),
            (lang, ApiError::ModuleNotEnabled(m)) => crate::refusals::describe(
                &amparo_domain::error::Reason::ModuleNotEnabled { module: m.clone() },
                lang,
            ),
            (lang, ApiError::Validation { field, reason, .. }) => {
                crate::refusals::refusal(field, reason, lang)
            }
            (_, e) => e.to_string(),
        }
    }
}

pub fn get(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Es => &ES,
        Lang::En => &EN,
    }
}

static ES: Texts = Texts {
    username: "Usuario",
    password: "Contraseña",
    lang: Lang::Es,
};

static EN: Texts = Texts {
    username: "Username",
    password: "Password",
    lang: Lang::En,
};
