//! `serve-phones`: the phone-answers server for one session, until interrupted.

use std::net::SocketAddr;
use std::time::Duration;

use fieldbook_core::phones::{self, PhoneServer};
use fieldbook_core::{Error, Store};
use uuid::Uuid;

pub async fn serve(store: &Store, session: Uuid, listen: Option<SocketAddr>) -> Result<(), Error> {
    let addresses: Vec<SocketAddr> = match listen {
        Some(addr) => vec![addr],
        None => phones::local_addresses()
            .into_iter()
            .map(|ip| SocketAddr::new(ip, phones::PREFERRED_PORT))
            .collect(),
    };
    let server = match PhoneServer::start(store.clone(), session, &addresses).await {
        Err(e) if listen.is_none() && !addresses.is_empty() => {
            // The usual port is taken: any free one will do.
            let any: Vec<SocketAddr> = addresses
                .iter()
                .map(|a| SocketAddr::new(a.ip(), 0))
                .collect();
            PhoneServer::start(store.clone(), session, &any)
                .await
                .map_err(|_| e)?
        }
        other => other?,
    };
    let status = server.status();
    crate::say(&status.join_url);
    for other in &status.other_urls {
        eprintln!("Also: {other}");
    }
    eprintln!("Join code: {}", status.code);
    if let Ok(qr) = phones::qr_text(&status.join_url) {
        eprint!("{qr}");
    }
    eprintln!("Serving phone answers. Press Ctrl+C to stop.");

    let mut said = Said::default();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let stop = stop_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tick.tick() => said.report(&server.status()),
        }
    }
    said.report(&server.status());
    server.stop().await;
    eprintln!("Stopped serving phone answers.");
    Ok(())
}

/// Ctrl+C, or the terminate signal a service manager or test sends.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// What has been reported so far, so that each report says only what is new.
#[derive(Default)]
struct Said {
    counts: (usize, usize),
    refusals: usize,
}

impl Said {
    fn report(&mut self, now: &phones::PhoneStatus) {
        if (now.phones, now.answers) != self.counts {
            self.counts = (now.phones, now.answers);
            eprintln!(
                "{} phone(s) joined, {} answer(s) received.",
                now.phones, now.answers
            );
        }
        if now.refusals_total != self.refusals {
            if let Some(latest) = now.refusals.first() {
                eprintln!(
                    "Refused {} request(s); the latest: {} from {}.",
                    now.refusals_total - self.refusals,
                    latest.reason,
                    latest.from
                );
            }
            self.refusals = now.refusals_total;
        }
    }
}
