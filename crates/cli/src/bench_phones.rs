//! `fieldbook-cli bench --phones`: 30 phones sending 20 answers each at once to the
//! phone-answers server on 127.0.0.1, timed from sending an answer to its reply (saved),
//! beside the same 600 saves made straight through the store (no web server) and sqlite3
//! writing the same rows one transaction each. Figures only; it never fails because a machine
//! is slow. The data set is a new demo data folder, so it runs anywhere in seconds.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use fieldbook_core::day::ReflectionDraft;
use fieldbook_core::domain::{AgendaItem, SentFrom, Session};
use fieldbook_core::phones::PhoneServer;
use fieldbook_core::{Error, Select, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::bench::ms;

const PHONES: usize = 30;
const ANSWERS: usize = 20;

fn answer_text(phone: usize, n: usize) -> String {
    format!(
        "Phone {phone}, answer {n}: what I will take back to my team is the habit of asking first."
    )
}

/// One HTTP/1.1 request on its own connection; the status code and headers of the reply.
async fn request(addr: SocketAddr, text: &str) -> Result<(u16, String), Error> {
    let failed = |e: std::io::Error| Error::invalid(format!("The phone page did not answer: {e}"));
    let mut stream = TcpStream::connect(addr).await.map_err(failed)?;
    stream.write_all(text.as_bytes()).await.map_err(failed)?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).await.map_err(failed)?;
    let reply = String::from_utf8_lossy(&reply).into_owned();
    let head = reply.split("\r\n\r\n").next().unwrap_or("").to_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok((status, head))
}

async fn join(addr: SocketAddr, code: &str) -> Result<String, Error> {
    let (status, head) = request(
        addr,
        &format!("GET /join/{code} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    )
    .await?;
    head.lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("set-cookie")
                .then(|| value.trim().split(';').next().unwrap_or("").to_owned())
        })
        .filter(|_| status == 303)
        .ok_or_else(|| Error::invalid(format!("A phone could not join (HTTP {status}).")))
}

async fn answer(addr: SocketAddr, cookie: &str, text: &str) -> Result<u16, Error> {
    let body = format!(
        "text={}",
        text.replace(' ', "+")
            .replace(',', "%2C")
            .replace(':', "%3A")
    );
    let (status, _) = request(
        addr,
        &format!(
            "POST /answer HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .await?;
    Ok(status)
}

/// p50, p95 and the longest of some timings.
fn spread(mut times: Vec<Duration>) -> (Duration, Duration, Duration) {
    times.sort();
    let (p50, p95) = crate::bench::figures(times.clone());
    (p50, p95, times.last().copied().unwrap_or_default())
}

fn print_row(what: &str, (p50, p95, max): (Duration, Duration, Duration)) {
    say!("| {what} | {} | {} | {} |", ms(p50), ms(p95), ms(max));
}

/// A new demo data folder and its first session.
async fn room(dir: &Path) -> Result<(Store, Session), Error> {
    let store = Store::open(dir).await?;
    fieldbook_core::demo::seed_demo(&store).await?;
    let session = store
        .list::<Session>(Select::all().present("version_id").by("position").limit(1))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::invalid("The demo data has no session."))?;
    Ok((store, session))
}

pub async fn run(scratch: &Path) -> Result<(), Error> {
    say!("Fieldbook phone answers: {PHONES} phones sending {ANSWERS} answers each at once, on 127.0.0.1");
    say!("Machine: {}", fieldbook_core::generate::this_machine());
    say!("Time to save: from sending an answer to its reply (the answer is saved by then).");
    say!();
    say!("| Saving {} answers | p50 | p95 | max |", PHONES * ANSWERS);
    say!("|---|---|---|---|");

    // Through the phone page, as phones send them.
    let dir = scratch.join("phones");
    let (store, session) = room(&dir).await?;
    let server = PhoneServer::start(
        store.clone(),
        session.meta.id,
        &["127.0.0.1:0".parse().unwrap()],
    )
    .await?;
    let addr = server.addresses()[0];
    let code = server.status().code;
    let mut cookies = Vec::new();
    for _ in 0..PHONES {
        cookies.push(join(addr, &code).await?);
    }
    let sending = cookies.into_iter().enumerate().map(|(p, cookie)| {
        tokio::spawn(async move {
            let mut times = Vec::with_capacity(ANSWERS);
            for n in 0..ANSWERS {
                let started = Instant::now();
                let status = answer(addr, &cookie, &answer_text(p, n)).await?;
                times.push(started.elapsed());
                if status != 303 {
                    return Err(Error::invalid(format!(
                        "An answer was refused (HTTP {status})."
                    )));
                }
            }
            Ok::<_, Error>(times)
        })
    });
    let mut through_page = Vec::new();
    for task in sending.collect::<Vec<_>>() {
        through_page.extend(task.await.map_err(|e| Error::invalid(e.to_string()))??);
    }
    let saved = store.reflections_of(session.meta.id).await?;
    let distinct: std::collections::HashSet<&str> = saved.iter().map(|r| r.text.as_str()).collect();
    let (saved, distinct) = (saved.len(), distinct.len());
    server.stop().await;
    print_row("Phones, through the phone page", spread(through_page));

    // The same saves straight through the store, 30 at once, with no web server.
    let dir = scratch.join("direct");
    let (store, session) = room(&dir).await?;
    let item = store
        .list::<AgendaItem>(
            Select::all()
                .eq("session_id", session.meta.id)
                .by("position")
                .limit(1),
        )
        .await?
        .first()
        .map(|i| i.meta.id);
    let saving = (0..PHONES).map(|p| {
        let store = store.clone();
        let session_id = session.meta.id;
        tokio::spawn(async move {
            let mut times = Vec::with_capacity(ANSWERS);
            for n in 0..ANSWERS {
                let started = Instant::now();
                store
                    .save_reflection_sent(
                        ReflectionDraft {
                            id: None,
                            session_id,
                            agenda_item_id: item,
                            participant_id: None,
                            prompt: String::new(),
                            text: answer_text(p, n),
                        },
                        Some(SentFrom::Phone),
                    )
                    .await?;
                times.push(started.elapsed());
            }
            Ok::<_, Error>(times)
        })
    });
    let mut direct = Vec::new();
    for task in saving.collect::<Vec<_>>() {
        direct.extend(task.await.map_err(|e| Error::invalid(e.to_string()))??);
    }
    print_row(
        "Reference: the same saves through the store, 30 at once",
        spread(direct),
    );

    // sqlite3 writing the same rows, each in its own transaction, into the same kind of file.
    let file = store.path().to_path_buf();
    drop(store);
    match sqlite3_per_row(&file) {
        Some(each) => say!(
            "| Reference: sqlite3, the same {} rows one transaction each (mean) | {} | - | - |",
            PHONES * ANSWERS,
            ms(each)
        ),
        None => say!("| Reference: sqlite3 | (sqlite3 is not installed) | - | - |"),
    }
    say!();
    say!(
        "Answers saved through the phone page: {saved} of {} sent, {distinct} different.",
        PHONES * ANSWERS
    );
    Ok(())
}

/// Mean time per row for sqlite3 inserting the 600 answers, one transaction each, into a
/// table shaped like a reflection's main columns, in WAL mode with full sync as Fieldbook.
fn sqlite3_per_row(file: &Path) -> Option<Duration> {
    let mut sql = String::from(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;\n\
         CREATE TABLE bench_answer (id TEXT PRIMARY KEY, session_id TEXT, text TEXT, saved_at TEXT);\n",
    );
    for p in 0..PHONES {
        for n in 0..ANSWERS {
            sql.push_str(&format!(
                "INSERT INTO bench_answer VALUES ('{p}-{n}', 'session', '{}', datetime('now'));\n",
                answer_text(p, n).replace('\'', "''")
            ));
        }
    }
    let started = Instant::now();
    let out = Command::new("sqlite3").arg(file).arg(&sql).output().ok()?;
    let took = started.elapsed();
    out.status
        .success()
        .then(|| took / (PHONES * ANSWERS) as u32)
}
