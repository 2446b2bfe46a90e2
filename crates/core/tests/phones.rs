//! The phone-answers server on 127.0.0.1, sent real HTTP requests over TCP (including hostile
//! ones written byte by byte), with the answers read back from the real SQLite store.

use std::net::SocketAddr;
use std::time::Duration;

use fieldbook_core::domain::{Participant, Reflection, RunAction, SentFrom, Session};
use fieldbook_core::phones::{qr_modules, PhoneServer};
use fieldbook_core::{Select, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use uuid::Uuid;

use crate::common;

struct Room {
    _dir: tempfile::TempDir,
    store: Store,
    session: Session,
    server: PhoneServer,
    addr: SocketAddr,
    code: String,
}

/// A demo session with a cohort of two, served on a free port of 127.0.0.1.
async fn room() -> Room {
    let (dir, store) = common::demo().await;
    let session = common::first_version_session(&store).await;
    for name in ["Asha Bell", "Tom Reyes"] {
        store
            .add_participant(session.version_id, common::newcomer(name))
            .await
            .unwrap();
    }
    let server = PhoneServer::start(
        store.clone(),
        session.meta.id,
        &["127.0.0.1:0".parse().unwrap()],
    )
    .await
    .unwrap();
    let addr = server.addresses()[0];
    let code = server.status().code;
    Room {
        _dir: dir,
        store,
        session,
        server,
        addr,
        code,
    }
}

#[derive(Debug)]
struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    }
}

/// Sends `request` as it is and reads the reply: its head, then as many bytes as it says its
/// body has (the server may answer a refused body before it has all been sent).
async fn send(addr: SocketAddr, request: Vec<u8>) -> Reply {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = stream.split();
    let writing = async {
        // The server may answer and stop reading before all of a large body has gone.
        let _ = write.write_all(&request).await;
        std::future::pending::<()>().await
    };
    let reading = async {
        let mut reply = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            if let Some(end) = reply.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&reply[..end]).to_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map(|v| v.trim().parse().unwrap())
                    .unwrap_or(0);
                if reply.len() >= end + 4 + length {
                    reply.truncate(end + 4 + length);
                    return reply;
                }
            }
            match read.read(&mut buf).await {
                Ok(0) | Err(_) => return reply,
                Ok(n) => reply.extend_from_slice(&buf[..n]),
            }
        }
    };
    let reply = tokio::time::timeout(Duration::from_secs(20), async {
        tokio::select! {
            reply = reading => reply,
            _ = writing => unreachable!(),
        }
    })
    .await
    .expect("the server answered within 20 s");
    let text = String::from_utf8_lossy(&reply).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP reply: {text:?}"));
    Reply {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

fn get(addr: SocketAddr, path: &str, cookie: Option<&str>) -> Vec<u8> {
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Connection: close\r\n\r\n").into_bytes()
}

fn post(addr: SocketAddr, path: &str, cookie: Option<&str>, body: &[u8]) -> Vec<u8> {
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request
}

fn form(fields: &[(&str, &str)]) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
        .into_bytes()
}

/// A phone that has joined: the cookie it was given.
struct Phone {
    addr: SocketAddr,
    cookie: String,
}

impl Phone {
    async fn join(room: &Room) -> Phone {
        let reply = send(
            room.addr,
            get(room.addr, &format!("/join/{}", room.code), None),
        )
        .await;
        assert_eq!(reply.status, 303, "{reply:?}");
        let cookie = reply.header("set-cookie").expect("a cookie");
        Phone {
            addr: room.addr,
            cookie: cookie.split(';').next().unwrap().to_owned(),
        }
    }

    async fn page(&self) -> Reply {
        send(self.addr, get(self.addr, "/", Some(&self.cookie))).await
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        send(
            self.addr,
            post(self.addr, path, Some(&self.cookie), &form(fields)),
        )
        .await
    }

    async fn answer(&self, text: &str) -> Reply {
        self.post("/answer", &[("text", text)]).await
    }
}

async fn reflections(room: &Room) -> Vec<Reflection> {
    room.store
        .reflections_of(room.session.meta.id)
        .await
        .unwrap()
}

/// The id of the session's reflection that says `text`.
async fn reflection_saying(room: &Room, text: &str) -> Uuid {
    reflections(room)
        .await
        .into_iter()
        .find(|r| r.text == text)
        .unwrap_or_else(|| panic!("no reflection says {text:?}"))
        .meta
        .id
}

#[tokio::test]
async fn an_answer_from_a_phone_lands_as_a_reflection_on_the_current_prompt_marked_as_from_a_phone()
{
    let room = room().await;
    room.store
        .run_press(room.session.meta.id, RunAction::Start, 0)
        .await
        .unwrap();
    let state = room.store.run_state(room.session.meta.id).await.unwrap();
    let first = &state.items[0];

    let phone = Phone::join(&room).await;
    let page = phone.page().await;
    assert_eq!(page.status, 200);
    let shown = if first.prompt.is_empty() {
        &first.title
    } else {
        &first.prompt
    };
    assert!(
        page.body.contains(&maud::html! { (shown) }.into_string()),
        "the page shows the current prompt: {}",
        page.body
    );
    let item = first.item_id.to_string();
    let sent = phone
        .post(
            "/answer",
            &[("text", "  Listening first  "), ("item", &item)],
        )
        .await;
    assert_eq!(
        (sent.status, sent.header("location").as_deref()),
        (303, Some("/?sent=1"))
    );

    let saved = reflections(&room).await;
    assert_eq!(saved.len(), 1);
    let r = &saved[0];
    assert_eq!(r.text, "Listening first");
    assert_eq!(r.sent_from, Some(SentFrom::Phone));
    assert_eq!(r.agenda_item_id, Some(first.item_id));
    assert_eq!(r.prompt, first.prompt);
    assert_eq!(r.participant_id, None, "anonymous unless a name is given");
    assert_eq!(
        (room.server.status().phones, room.server.status().answers),
        (1, 1)
    );

    // Every response forbids anything from elsewhere.
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"));
    assert_eq!(
        page.header("x-content-type-options").as_deref(),
        Some("nosniff")
    );

    // An answer posted as the browser does, saying which site the form came from.
    let posted_from = |origin: &str, text: &str| {
        String::from_utf8(post(
            room.addr,
            "/answer",
            Some(&phone.cookie),
            &form(&[("text", text)]),
        ))
        .unwrap()
        .replacen("Host:", &format!("Origin: {origin}\r\nHost:"), 1)
        .into_bytes()
    };
    // A form posted from another site is refused.
    let forged = posted_from("http://evil.example", "from elsewhere");
    assert_eq!(send(room.addr, forged).await.status, 403);
    let same = posted_from(&format!("http://{}", room.addr), "from the page");
    assert_eq!(send(room.addr, same).await.status, 303);
    assert_eq!(reflections(&room).await.len(), 2);
}

#[tokio::test]
async fn the_page_follows_run_mode_to_the_next_prompt() {
    let room = room().await;
    let id = room.session.meta.id;
    room.store.run_press(id, RunAction::Start, 0).await.unwrap();
    let phone = Phone::join(&room).await;
    let before = send(room.addr, get(room.addr, "/now", Some(&phone.cookie))).await;
    let state = room.store.run_press(id, RunAction::Next, 0).await.unwrap();
    let after = send(room.addr, get(room.addr, "/now", Some(&phone.cookie))).await;
    let now: serde_json::Value = serde_json::from_str(&after.body).unwrap();
    assert_eq!(now["item"], state.items[1].item_id.to_string());
    assert_ne!(before.body, after.body);
    assert_eq!(
        after.header("content-type").as_deref(),
        Some("application/json")
    );
}

#[tokio::test]
async fn a_wrong_or_missing_code_is_refused_plainly_reveals_nothing_and_is_logged() {
    let room = room().await;
    let phone = Phone::join(&room).await;
    phone
        .answer("Something only the facilitator may read")
        .await;
    let token = phone.cookie.split('.').nth(1).unwrap();
    let wrong_code = "ABCDEFGHJK";
    assert_ne!(wrong_code, room.code);

    let attempts = [
        get(room.addr, &format!("/join/{wrong_code}"), None),
        get(room.addr, "/", None),
        get(room.addr, "/now", None),
        get(room.addr, "/phone.js", None),
        // The right phone token under a wrong code, and a made-up token under the right one.
        get(
            room.addr,
            "/",
            Some(&format!("fieldbook_phone={wrong_code}.{token}")),
        ),
        get(
            room.addr,
            "/",
            Some(&format!("fieldbook_phone={}.{}", room.code, "0".repeat(32))),
        ),
        post(room.addr, "/answer", None, &form(&[("text", "sneaky")])),
    ];
    for attempt in attempts {
        let reply = send(room.addr, attempt).await;
        assert_eq!(reply.status, 403, "{reply:?}");
        assert!(reply.header("set-cookie").is_none());
        for secret in [
            room.code.as_str(),
            room.session.title.as_str(),
            "Something only",
            "Asha",
        ] {
            assert!(!reply.body.contains(secret), "{secret} in {}", reply.body);
        }
        assert!(reply.body.contains("needs the join code"));
    }
    assert_eq!(reflections(&room).await.len(), 1, "nothing saved by them");
    let status = room.server.status();
    assert_eq!(status.refusals_total, 7);
    assert!(status
        .refusals
        .iter()
        .any(|r| r.reason == "a wrong join code" && r.from == "127.0.0.1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_phone_is_refused_with_429_while_another_phone_keeps_answering() {
    let room = room().await;
    let flooder = Phone::join(&room).await;
    let other = Phone::join(&room).await;
    let mut accepted = 0;
    let mut refused = 0;
    for n in 0..80 {
        let reply = flooder.answer(&format!("flood {n}")).await;
        match reply.status {
            303 => accepted += 1,
            429 => {
                refused += 1;
                assert_eq!(reply.header("retry-after").as_deref(), Some("5"));
            }
            s => panic!("unexpected {s}"),
        }
    }
    assert!(refused >= 30, "the flood was limited: {refused} refused");
    let reply = other.answer("I can still answer").await;
    assert_eq!(reply.status, 303, "{reply:?}");
    let saved = reflections(&room).await;
    assert_eq!(saved.len(), accepted + 1, "exactly the accepted answers");
    assert!(saved.iter().any(|r| r.text == "I can still answer"));
    assert!(room
        .server
        .status()
        .refusals
        .iter()
        .any(|r| r.reason == "too many requests from one phone" && r.times > 1));
}

#[tokio::test]
async fn an_oversized_body_malformed_form_or_strange_path_is_refused_and_nothing_is_saved() {
    let room = room().await;
    let phone = Phone::join(&room).await;
    let big = vec![b'a'; 2 * 1024 * 1024];
    let mut body = b"text=".to_vec();
    body.extend_from_slice(&big);
    let reply = send(
        room.addr,
        post(room.addr, "/answer", Some(&phone.cookie), &body),
    )
    .await;
    assert_eq!(reply.status, 413, "{reply:?}");

    // A 2 MB body sent in chunks, with no length given in advance.
    let mut chunked = format!(
        "POST /answer HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        room.addr, phone.cookie
    )
    .into_bytes();
    for _ in 0..32 {
        chunked.extend_from_slice(format!("{:x}\r\n", 65536).as_bytes());
        chunked.extend_from_slice(&[b'a'; 65536]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(send(room.addr, chunked).await.status, 413);

    for malformed in [&b"text=%FF%FE%zz&&=="[..], b"\xff\xfe\x00", b"text"] {
        let reply = send(
            room.addr,
            post(room.addr, "/answer", Some(&phone.cookie), malformed),
        )
        .await;
        assert!(
            [400, 422].contains(&reply.status),
            "{malformed:?}: {reply:?}"
        );
    }
    let json = r#"{"text":"hi!"}"#;
    let wrong_type = format!(
        "POST /answer HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
        room.addr,
        phone.cookie,
        json.len()
    );
    assert_eq!(send(room.addr, wrong_type.into_bytes()).await.status, 400);

    for path in [
        "/../../../etc/passwd",
        "/%2e%2e/%2e%2e/fieldbook.db",
        "/answer/..%2f..%2fetc%2fpasswd",
        "//etc/passwd",
        "/join/../fieldbook.db",
    ] {
        let reply = send(room.addr, get(room.addr, path, Some(&phone.cookie))).await;
        assert!([403, 404, 405].contains(&reply.status), "{path}: {reply:?}");
        assert!(!reply.body.contains("root:") && !reply.body.contains("SQLite"));
    }
    assert!(reflections(&room).await.is_empty(), "nothing was saved");
    // And the server keeps serving.
    assert_eq!(phone.answer("Still here").await.status, 303);
    assert_eq!(reflections(&room).await.len(), 1);
}

#[tokio::test]
async fn script_in_every_field_is_saved_as_text_and_shown_back_escaped() {
    let room = room().await;
    let phone = Phone::join(&room).await;
    let script = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    let reply = phone
        .post(
            "/answer",
            &[
                ("text", script),
                ("name", "<b>Mallory</b>"),
                ("who", ""),
                ("item", script),
                ("quote", script),
            ],
        )
        .await;
    assert_eq!(reply.status, 303, "{reply:?}");
    let saved = reflections(&room).await;
    assert_eq!(saved[0].text, script, "kept exactly as typed");
    assert_eq!(saved[0].agenda_item_id, None);
    let page = phone.page().await;
    assert!(
        !page.body.contains("<script>alert")
            && !page.body.contains("<img")
            && !page.body.contains("<b>Mallory")
    );
    assert!(page
        .body
        .contains("&lt;script&gt;alert('x')&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(page.body.contains("&lt;b&gt;Mallory&lt;/b&gt;"));
    // A reply that refuses shows what was typed back escaped too (kept, so nothing is lost).
    let refused = phone
        .post("/answer", &[("text", script), ("who", "not-an-id")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(!refused.body.contains("<script>alert"));
    assert!(refused.body.contains("&lt;script&gt;alert"));
}

#[tokio::test]
async fn a_phone_changes_and_withdraws_its_own_answers_and_never_another_phones() {
    let room = room().await;
    let mine = Phone::join(&room).await;
    let theirs = Phone::join(&room).await;
    mine.answer("First thought").await;
    theirs.answer("Their thought").await;
    let my_id = reflection_saying(&room, "First thought").await;
    let their_id = reflection_saying(&room, "Their thought").await;

    let page = mine.page().await;
    assert!(page.body.contains("First thought") && !page.body.contains("Their thought"));

    let changed = mine
        .post(&format!("/answer/{my_id}"), &[("text", "Second thought")])
        .await;
    assert_eq!(changed.status, 303);
    let r: Reflection = room.store.get(my_id).await.unwrap();
    assert_eq!(
        (r.text.as_str(), r.sent_from),
        ("Second thought", Some(SentFrom::Phone))
    );

    for path in [
        format!("/answer/{their_id}"),
        format!("/answer/{their_id}/withdraw"),
    ] {
        let reply = mine.post(&path, &[("text", "Hijacked")]).await;
        assert_eq!(reply.status, 404, "{path}");
    }
    let theirs_now: Reflection = room.store.get(their_id).await.unwrap();
    assert_eq!(theirs_now.text, "Their thought");

    let withdrawn = mine.post(&format!("/answer/{my_id}/withdraw"), &[]).await;
    assert_eq!(withdrawn.status, 303);
    assert!(room.store.get::<Reflection>(my_id).await.is_err());
    assert_eq!(reflections(&room).await.len(), 1);
    assert!(!mine.page().await.body.contains("Second thought"));
}

#[tokio::test]
async fn a_name_and_consent_given_on_a_phone_are_recorded_with_the_date_and_one_phone_per_person() {
    let room = room().await;
    let cohort = room
        .store
        .cohort(room.session.version_id.unwrap())
        .await
        .unwrap();
    let asha = cohort.iter().find(|p| p.name == "Asha Bell").unwrap();
    let phone = Phone::join(&room).await;
    let page = phone.page().await;
    assert!(page.body.contains("Asha Bell") && page.body.contains("Tom Reyes"));
    let asha_id = asha.meta.id.to_string();
    let reply = phone
        .post(
            "/answer",
            &[
                ("text", "Trust takes time"),
                ("who", &asha_id),
                ("quote", "yes"),
            ],
        )
        .await;
    assert_eq!(reply.status, 303, "{reply:?}");
    let saved = reflections(&room).await;
    assert_eq!(saved[0].participant_id, Some(asha.meta.id));
    let asha_now: Participant = room.store.get(asha.meta.id).await.unwrap();
    assert!(asha_now.consent_quoted && asha_now.consent_quoted_at.is_some());
    assert!(!asha_now.consent_named && asha_now.consent_named_at.is_none());

    // Another phone cannot answer, or change consent, as Asha.
    let other = Phone::join(&room).await;
    let refused = other
        .post(
            "/answer",
            &[("text", "Pretending"), ("who", &asha_id), ("named", "yes")],
        )
        .await;
    assert_eq!(refused.status, 409);
    assert!(
        refused.body.contains("Pretending"),
        "what was typed is kept"
    );
    let asha_after: Participant = room.store.get(asha.meta.id).await.unwrap();
    assert!(!asha_after.consent_named);
    assert_eq!(reflections(&room).await.len(), 1);

    // A typed name not in the cohort joins it on the day, with the consent chosen.
    let walk_in = Phone::join(&room).await;
    walk_in
        .post(
            "/answer",
            &[
                ("text", "New here"),
                ("name", " Priya Shah "),
                ("named", "yes"),
            ],
        )
        .await;
    let priya = room
        .store
        .cohort(room.session.version_id.unwrap())
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == "Priya Shah")
        .expect("added to the cohort");
    assert!(priya.consent_named && priya.consent_named_at.is_some());
    assert!(!priya.consent_quoted);
}

#[tokio::test]
async fn stopping_closes_the_port() {
    let room = room().await;
    let addr = room.addr;
    assert!(TcpStream::connect(addr).await.is_ok());
    room.server.stop().await;
    assert!(TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn the_server_refuses_to_listen_on_a_public_address_or_every_interface() {
    let (_dir, store) = common::demo().await;
    let session = store
        .list::<Session>(Select::all().limit(1))
        .await
        .unwrap()
        .remove(0);
    for addr in ["0.0.0.0:0", "8.8.8.8:0", "[::]:0"] {
        let error = PhoneServer::start(store.clone(), session.meta.id, &[addr.parse().unwrap()])
            .await
            .err()
            .expect("refused");
        assert!(error.to_string().contains("will not listen"), "{error}");
    }
    let error = PhoneServer::start(
        store.clone(),
        Uuid::now_v7(),
        &["127.0.0.1:0".parse().unwrap()],
    )
    .await
    .err()
    .expect("no such session");
    assert_eq!(error.code(), "not_found");
}

#[tokio::test]
async fn the_qr_code_reads_back_as_the_join_address() {
    let room = room().await;
    let url = room.server.status().join_url;
    assert!(url.starts_with(&format!("http://{}/join/", room.addr)) && url.ends_with(&room.code));
    let qr = qr_modules(&url).unwrap();
    // Drawn as a greyscale image with a quiet zone, four pixels a module, and read back by a
    // decoder we did not write.
    let scale = 4;
    let size = (qr.width + 8) * scale;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| {
        let (mx, my) = ((x / scale) as isize - 4, (y / scale) as isize - 4);
        let w = qr.width as isize;
        let dark = (0..w).contains(&mx) && (0..w).contains(&my) && qr.dark[(my * w + mx) as usize];
        if dark {
            0
        } else {
            255
        }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, content) = grids[0].decode().unwrap();
    assert_eq!(content, url);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_phones_sending_twenty_answers_each_at_once_lose_and_double_nothing() {
    let room = room().await;
    let mut phones = Vec::new();
    for _ in 0..30 {
        phones.push(Phone::join(&room).await);
    }
    let sending = phones.into_iter().enumerate().map(|(p, phone)| {
        tokio::spawn(async move {
            let mut times = Vec::new();
            for n in 0..20 {
                let started = std::time::Instant::now();
                let reply = phone.answer(&format!("phone {p} answer {n}")).await;
                times.push(started.elapsed());
                assert_eq!(reply.status, 303, "{reply:?}");
            }
            times
        })
    });
    let mut times = Vec::new();
    for task in sending.collect::<Vec<_>>() {
        times.extend(task.await.unwrap());
    }
    // A figure to read, not a pass mark: from sending an answer to its reply (saved), with 30
    // phones sending at once.
    times.sort();
    let at = |q: usize| times[(times.len() * q / 100).min(times.len() - 1)];
    println!(
        "30 phones x 20 answers at once: time to save p50 {:?}, p95 {:?}, max {:?}",
        at(50),
        at(95),
        times[times.len() - 1]
    );
    let mut texts: Vec<String> = reflections(&room)
        .await
        .into_iter()
        .map(|r| r.text)
        .collect();
    texts.sort();
    let mut expected: Vec<String> = (0..30)
        .flat_map(|p| (0..20).map(move |n| format!("phone {p} answer {n}")))
        .collect();
    expected.sort();
    assert_eq!(texts, expected);
    assert_eq!(room.server.status().answers, 600);
}

#[tokio::test]
async fn the_projector_shows_only_answers_let_through_without_names_and_never_another_sessions() {
    let room = room().await;
    let phone = Phone::join(&room).await;
    phone.answer("Shown to the room").await;
    phone.answer("Kept back").await;
    assert!(
        room.server.projected().await.unwrap().is_empty(),
        "none until let through"
    );
    let shown = reflection_saying(&room, "Shown to the room").await;
    room.server.project(shown, true).await.unwrap();
    assert_eq!(
        room.server.projected().await.unwrap(),
        ["Shown to the room"]
    );
    room.server.project(shown, false).await.unwrap();
    assert!(room.server.projected().await.unwrap().is_empty());

    room.server.project(shown, true).await.unwrap();
    room.store.delete::<Reflection>(shown).await.unwrap();
    assert!(
        room.server.projected().await.unwrap().is_empty(),
        "a deleted answer leaves the screen"
    );

    let other_session = room
        .store
        .list::<Session>(Select::all().not("id", room.session.meta.id).limit(1))
        .await
        .unwrap()
        .remove(0);
    let elsewhere = room
        .store
        .save_reflection(common::said(
            other_session.meta.id,
            None,
            "From another session",
        ))
        .await
        .unwrap()
        .unwrap();
    assert!(room.server.project(elsewhere.meta.id, true).await.is_err());
}
