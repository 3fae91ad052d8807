//! Runs [`Cmd`]s: each network request is a tokio task that sends exactly one [`Msg::Reply`]
//! back, with the time it took, so the screen keeps taking keys while requests are out.

use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;

use crate::api::{self, Client};
use crate::app::{Cmd, Msg, PAGE_SIZE, Reply};

/// Starts `cmd`; its reply arrives on `tx`.
pub fn run(client: &Client, cmd: Cmd, tx: &UnboundedSender<Msg>) {
    if let Cmd::UseToken(token) = cmd {
        client.set_token(Some(token));
        return;
    }
    let client = client.clone();
    let tx = tx.clone();
    tokio::spawn(async move {
        let started = Instant::now();
        let reply = match cmd {
            Cmd::Login { username, password } => Reply::Login(
                client
                    .post::<api::Login>(api::login::Variables { username, password })
                    .await,
            ),
            Cmd::Search {
                seq,
                page,
                query,
                after,
            } => Reply::Search {
                seq,
                page,
                result: client
                    .post::<api::Search>(api::search::Variables {
                        search: query,
                        first: PAGE_SIZE as i64,
                        after,
                    })
                    .await,
            },
            Cmd::Individual { seq, id } => Reply::Individual {
                seq,
                result: client
                    .post::<api::Individual>(api::individual::Variables { id })
                    .await
                    .map(Box::new),
            },
            Cmd::Register(input) => Reply::Register(
                client
                    .post::<api::RegisterGroup>(api::register_group::Variables { input })
                    .await,
            ),
            Cmd::UseToken(_) => return,
        };
        // The receiver is gone only when the client is quitting; the reply no longer matters.
        let _ = tx.send(Msg::Reply {
            rtt: started.elapsed(),
            reply,
        });
    });
}
