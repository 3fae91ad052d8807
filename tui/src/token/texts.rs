//! The words of `amparo token`, in Spanish and English.

use crate::api::ApiError;
use crate::i18n::Lang;

pub struct Texts {
    pub username: &'static str,
    pub password: &'static str,
    pub name: &'static str,
    pub expires: &'static str,
    pub last_used: &'static str,
    pub state: &'static str,
    pub state_active: &'static str,
    pub state_revoked: &'static str,
    pub state_expired: &'static str,
    pub none: &'static str,
    lang: Lang,
}

impl Texts {
    pub fn created(&self, id: &str, expires: &str) -> String {
        let day = expires.get(..10).unwrap_or(expires);
        match self.lang {
            Lang::Es => format!(
                "Token {id} creado; vence el {day}. Su secreto se muestra solo esta vez (abajo): guárdelo ahora."
            ),
            Lang::En => format!(
                "Token {id} created; it expires on {day}. Its secret is shown only this once (below): store it now."
            ),
        }
    }

    pub fn revoked(&self, id: &str) -> String {
        match self.lang {
            Lang::Es => format!("Token {id} revocado: deja de funcionar ahora."),
            Lang::En => format!("Token {id} revoked: it stops working now."),
        }
    }

    pub fn not_revoked(&self, id: &str) -> String {
        match self.lang {
            Lang::Es => format!("No tiene un token activo {id} (¿ya revocado?)."),
            Lang::En => format!("You have no active token {id} (already revoked?)."),
        }
    }

    pub fn no_terminal(&self, e: &str) -> String {
        match self.lang {
            Lang::Es => format!("no se pudo leer la contraseña ({e}); use --password-file"),
            Lang::En => format!("cannot read the password ({e}); use --password-file"),
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
    name: "NOMBRE",
    expires: "VENCE",
    last_used: "ÚLTIMO USO",
    state: "ESTADO",
    state_active: "activo",
    state_revoked: "revocado",
    state_expired: "vencido",
    none: "No tiene tokens de API.",
    lang: Lang::Es,
};

static EN: Texts = Texts {
    username: "Username",
    password: "Password",
    name: "NAME",
    expires: "EXPIRES",
    last_used: "LAST USED",
    state: "STATE",
    state_active: "active",
    state_revoked: "revoked",
    state_expired: "expired",
    none: "You have no API tokens.",
    lang: Lang::En,
};
