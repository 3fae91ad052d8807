//! The words of the login screen, in Spanish and English. The words every screen uses (errors,
//! codes, the status line) come from [`crate::i18n::Text`], reached through these by `Deref`.

use std::ops::Deref;

use crate::i18n::{self, KeyHelp, Lang, Text};

pub struct Texts {
    common: &'static Text,
    pub username: &'static str,
    pub password: &'static str,
    pub login_hint: &'static str,
    pub username_missing: &'static str,
    pub wrong_credentials: &'static str,
    pub session_ended_again: &'static str,
    pub logging_in: &'static str,
    pub demo_users: &'static str,
    pub keys_login: &'static [KeyHelp],
    pub code: &'static str,
    pub new_password: &'static str,
    pub code_hint: &'static str,
    pub code_offer: &'static str,
    pub wrong_code: &'static str,
    pub weak_password: &'static str,
    pub change_title: &'static str,
    pub repeat_password: &'static str,
    pub change_hint: &'static str,
    pub mismatch: &'static str,
}

impl Deref for Texts {
    type Target = Text;

    fn deref(&self) -> &Text {
        self.common
    }
}

pub fn get(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Es => &ES,
        Lang::En => &EN,
    }
}

static ES: Texts = Texts {
    common: &i18n::ES,
    username: "Usuario",
    password: "Contraseña",
    login_hint: "Tab cambia de campo · Enter ingresa",
    username_missing: "Escriba su usuario.",
    wrong_credentials: "Usuario o contraseña incorrectos.",
    session_ended_again: "Su sesión terminó: escriba su contraseña para seguir donde estaba.",
    logging_in: "Ingresando…",
    demo_users: "Demo: registrar, officer, supervisor, protection · contraseña amparo-demo",
    keys_login: &[
        ("Tab", "cambiar entre usuario y contraseña"),
        ("Enter", "ingresar"),
        ("Ctrl-O", "tengo un código de un solo uso"),
    ],
    code: "Código",
    new_password: "Nueva clave",
    code_hint: "Enter fija la clave · Ctrl-O vuelve",
    code_offer: "Ctrl-O: tengo un código de un solo uso",
    wrong_code: "Código incorrecto, ya usado o vencido: pida otro a su administrador.",
    weak_password: "Elija otra clave:",
    change_title: "Su administrador pidió que cambie su contraseña.",
    repeat_password: "Repita la nueva",
    change_hint: "Tab cambia · Enter guarda e ingresa · Esc vuelve",
    mismatch: "Las dos contraseñas nuevas no coinciden: repítala.",
};

static EN: Texts = Texts {
    common: &i18n::EN,
    username: "Username",
    password: "Password",
    login_hint: "Tab changes field · Enter logs in",
    username_missing: "Type your username.",
    wrong_credentials: "Wrong username or password.",
    session_ended_again: "Your session ended: type your password to go on where you were.",
    logging_in: "Logging in…",
    demo_users: "Demo: registrar, officer, supervisor, protection · password amparo-demo",
    keys_login: &[
        ("Tab", "move between username and password"),
        ("Enter", "log in"),
        ("Ctrl-O", "I have a one-time code"),
    ],
    code: "Code",
    new_password: "New password",
    code_hint: "Enter sets the password · Ctrl-O goes back",
    code_offer: "Ctrl-O: I have a one-time code",
    wrong_code: "Wrong, used or expired code: ask your unit admin for another.",
    weak_password: "Choose another password:",
    change_title: "Your unit admin asked you to change your password.",
    repeat_password: "Repeat the new one",
    change_hint: "Tab moves · Enter saves and logs in · Esc goes back",
    mismatch: "The two new passwords differ: type it again.",
};
