//! `fieldbook-cli serve-phones` as a facilitator without a display runs it: the join address
//! first, then phones answering over real HTTP on 127.0.0.1 until the process is stopped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use super::{a_session, cli, json};

/// One request over a fresh connection; the whole reply as text.
fn request(host: &str, raw: &str) -> String {
    let mut stream = TcpStream::connect(host).unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    reply
}

#[test]
fn serve_phones_prints_the_join_address_first_and_an_answer_from_a_phone_lands_in_the_session() {
    let tmp = tempfile::tempdir().unwrap();
    let session = a_session(tmp.path());
    let mut server = Command::new(env!("CARGO_BIN_EXE_fieldbook-cli"))
        .arg("--data-dir")
        .arg(tmp.path())
        .args(["serve-phones", &session, "--listen", "127.0.0.1:0"])
        .env_remove("FIELDBOOK_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first.trim();
    let rest = url.strip_prefix("http://127.0.0.1:").expect(url);
    let (port, code) = rest.split_once("/join/").expect(url);
    assert_eq!(code.len(), 10, "{url}");
    let host = format!("127.0.0.1:{port}");

    let wrong = request(
        &host,
        &format!("GET /join/WRONGCODE2 HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
    );
    assert!(wrong.starts_with("HTTP/1.1 403"), "{wrong}");

    let joined = request(
        &host,
        &format!("GET /join/{code} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
    );
    assert!(joined.starts_with("HTTP/1.1 303"), "{joined}");
    let cookie = joined
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("a cookie")
        .to_owned();
    let body = "text=Psychological+safety+comes+first";
    let sent = request(
        &host,
        &format!(
            "POST /answer HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(sent.starts_with("HTTP/1.1 303"), "{sent}");

    let found = json(&cli(
        tmp.path(),
        &["search", "psychological", "--session", &session, "--json"],
    ));
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["hits"][0]["text"], "Psychological safety comes first");
    assert_eq!(found["hits"][0]["sent_from"], "phone", "{found}");
    let listed = cli(
        tmp.path(),
        &["search", "psychological", "--session", &session],
    );
    assert!(
        String::from_utf8_lossy(&listed.stdout).contains("(from a phone): [Psychological]"),
        "{listed:?}"
    );

    // Stopped as a service manager stops it: it says so, and the port is closed.
    let pid = server.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = server.wait().unwrap();
    let mut log = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(status.success(), "{log}");
    assert!(
        log.contains("Join code: ") && log.contains("Stopped serving phone answers."),
        "{log}"
    );
    assert!(
        log.contains("Refused"),
        "the wrong code is logged for the facilitator: {log}"
    );
    assert!(TcpStream::connect(&host).is_err());
}

#[test]
fn serve_phones_refuses_every_interface_and_a_public_address_and_listens_nowhere() {
    let tmp = tempfile::tempdir().unwrap();
    let session = a_session(tmp.path());
    for listen in ["0.0.0.0:8765", "8.8.8.8:80"] {
        let out = cli(tmp.path(), &["serve-phones", &session, "--listen", listen]);
        assert!(!out.status.success());
        let message = String::from_utf8_lossy(&out.stderr);
        assert!(
            message.contains("will not listen") && message.contains("Nothing has been changed."),
            "{message}"
        );
        assert!(out.stdout.is_empty());
    }
    let out = cli(
        tmp.path(),
        &["serve-phones", &session, "--listen", "not-an-address"],
    );
    assert!(!out.status.success());
}
