//! `amparo token create|list|revoke`: API tokens for scripts, after a login on the command line,
//! so nobody hand-writes a GraphQL mutation to get one. The secret is printed once, alone on
//! standard output, so `amparo token create NAME > file` keeps it out of the terminal's history.

mod texts;

use std::io::{BufRead, Write};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::api::{self, ApiError, Client};
use crate::i18n::Lang;

/// Log in, then manage your API tokens.
#[derive(Args, Debug)]
pub struct TokenArgs {
    /// Your username (asked when absent).
    #[arg(long, global = true)]
    pub username: Option<String>,
    /// Read the password from this file instead of asking for it.
    #[arg(long, global = true)]
    pub password_file: Option<std::path::PathBuf>,
    #[command(subcommand)]
    pub action: TokenAction,
}

#[derive(Subcommand, Debug)]
pub enum TokenAction {
    /// Create a named token; its secret is printed once.
    Create {
        /// What the token is for, e.g. "monthly statistics".
        name: String,
        /// Days it lasts, 1 to 365 (default: the server's).
        #[arg(long)]
        days: Option<i64>,
    },
    /// List your tokens.
    List,
    /// Revoke one of your tokens by its id.
    Revoke {
        /// The token's id, from `amparo token list`.
        id: String,
    },
}

/// Runs a token command against `client`; messages in `lang`.
pub async fn run(args: TokenArgs, client: &Client, lang: Lang) -> ExitCode {
    let t = texts::get(lang);
    match run_inner(args, client, t).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("amparo token: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run_inner(args: TokenArgs, client: &Client, t: &texts::Texts) -> Result<(), String> {
    login(&args, client, t).await?;
    let fail = |e: ApiError| t.failed(&e);
    match args.action {
        TokenAction::Create { name, days } => {
            let r = client
                .post::<api::CreateApiToken>(api::create_api_token::Variables {
                    cmid: uuid::Uuid::now_v7().to_string(),
                    name,
                    days,
                })
                .await
                .map_err(fail)?;
            let created = r.create_api_token;
            eprintln!("{}", t.created(&created.id, &created.expires_at));
            println!("{}", created.token.unwrap_or_default());
        }
        TokenAction::List => {
            let r = client
                .post::<api::ApiTokens>(api::api_tokens::Variables {})
                .await
                .map_err(fail)?;
            println!("{}", format_list(&r.api_tokens, t));
        }
        TokenAction::Revoke { id } => {
            let r = client
                .post::<api::RevokeApiToken>(api::revoke_api_token::Variables {
                    cmid: uuid::Uuid::now_v7().to_string(),
                    id: id.clone(),
                })
                .await
                .map_err(fail)?;
            if r.revoke_api_token.revoked {
                println!("{}", t.revoked(&id));
            } else {
                return Err(t.not_revoked(&id));
            }
        }
    }
    Ok(())
}

/// A token's state at `now`: revoked, expired or active (the command and the tokens screen say
/// it the same way).
pub fn state(
    k: &api::api_tokens::ApiTokensApiTokens,
    now: chrono::DateTime<chrono::Utc>,
    t: &texts::Texts,
) -> &'static str {
    let ended = chrono::DateTime::parse_from_rfc3339(&k.expires_at)
        .map(|e| e < now)
        .unwrap_or(false);
    if k.revoked_at.is_some() {
        t.state_revoked
    } else if ended {
        t.state_expired
    } else {
        t.state_active
    }
}

/// The token list as printed: one line per token, newest first, with its state.
pub fn format_list(tokens: &[api::api_tokens::ApiTokensApiTokens], t: &texts::Texts) -> String {
    if tokens.is_empty() {
        return t.none.to_string();
    }
    let mut out = format!(
        "{:<36}  {:<24}  {:<10}  {:<10}  {}",
        "ID", t.name, t.expires, t.last_used, t.state
    );
    let now = chrono::Utc::now();
    for k in tokens {
        let state = state(k, now, t);
        let name: String = k.name.chars().take(24).collect();
        out.push_str(&format!(
            "\n{:<36}  {:<24}  {:<10}  {:<10}  {}",
            k.id,
            name,
            k.expires_at.get(..10).unwrap_or(&k.expires_at),
            k.last_used_at.get(..10).unwrap_or(&k.last_used_at),
            state
        ));
    }
    out
}

pub use texts::{Texts, get as texts};

async fn login(args: &TokenArgs, client: &Client, t: &texts::Texts) -> Result<(), String> {
    let username = match &args.username {
        Some(u) => u.clone(),
        None => {
            eprint!("{}: ", t.username);
            let _ = std::io::stderr().flush();
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
            line.trim().to_string()
        }
    };
    let password = match &args.password_file {
        Some(p) => std::fs::read_to_string(p)
            .map_err(|e| format!("{}: {e}", p.display()))?
            .trim_end_matches(['\n', '\r'])
            .to_string(),
        None => rpassword::prompt_password(format!("{}: ", t.password))
            .map_err(|e| t.no_terminal(&e.to_string()))?,
    };
    let r = client
        .post::<api::Login>(api::login::Variables {
            username,
            password,
            new_password: None,
        })
        .await
        .map_err(|e| t.failed(&e))?;
    client.set_token(Some(r.login.token));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_names_each_tokens_state() {
        let token =
            |id: &str, revoked: Option<&str>, expires: &str| api::api_tokens::ApiTokensApiTokens {
                id: id.into(),
                name: "stats".into(),
                created_at: "2026-01-01T00:00:00Z".into(),
                last_used_at: "2026-01-02T00:00:00Z".into(),
                expires_at: expires.into(),
                revoked_at: revoked.map(str::to_string),
            };
        let list = [
            token("a", None, "2999-01-01T00:00:00Z"),
            token("b", Some("2026-01-03T00:00:00Z"), "2999-01-01T00:00:00Z"),
            token("c", None, "2020-01-01T00:00:00Z"),
        ];
        let es = format_list(&list, texts(Lang::Es));
        let lines: Vec<&str> = es.lines().collect();
        assert!(lines[0].contains("VENCE"), "{es}");
        assert!(lines[1].ends_with("activo"), "{es}");
        assert!(lines[2].ends_with("revocado"), "{es}");
        assert!(lines[3].ends_with("vencido"), "{es}");
        assert_eq!(format_list(&[], texts(Lang::En)), "You have no API tokens.");
    }
}
