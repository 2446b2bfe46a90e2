//! Two laptops syncing through two real Syncthing instances on loopback: the folder sync a
//! team actually uses, with its timing, its temporary files and its conflict copies.
//!
//! Everything here goes through what a facilitator (or `fieldbook-cli`) can observe, never
//! through the names or format of the files Fieldbook keeps in the sync folder, so the test
//! holds whatever that format becomes.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The Syncthing folder both laptops share.
const FOLDER_ID: &str = "fieldbook-team";

/// Upper bound on any one wait for Syncthing or for the laptops to agree. A healthy run
/// crosses a file in about a second; this only decides how long a broken one takes to fail.
const PATIENCE: Duration = Duration::from_secs(90);

#[test]
fn laptops_syncing_through_syncthing_converge_and_its_temporary_files_and_conflict_copies_do_no_harm(
) {
    let tmp = tempfile::tempdir().unwrap();
    let a = Laptop::new("A", tmp.path());
    let b = Laptop::new("B", tmp.path());

    // Each laptop started Fieldbook (so each has the demo) and captured its own cohorts.
    a.run(&["seed-demo"]);
    b.run(&["seed-demo"]);
    a.run(&["generate", "--reflections", "30", "--seed", "1"]);
    b.run(&["generate", "--reflections", "30", "--seed", "2"]);
    let one_laptop_programmes = a.stats()["programme"].as_i64().unwrap();
    assert_eq!(b.stats()["programme"], one_laptop_programmes);
    let (a_versions, a_reflections) = (a.version_ids(), a.reflections());
    let (b_versions, b_reflections) = (b.version_ids(), b.reflections());
    assert!(a_reflections.keys().all(|r| !b_reflections.contains_key(r)));

    let (sync_a, sync_b) = Syncthing::pair(tmp.path(), &a.folder, &b.folder);
    let started = Instant::now();

    // First exchange: "Sync now" on both until they hold the same.
    converge(&a, &b, &sync_a, &sync_b);
    let after_first = a.stats();
    for (laptop, own, other) in [(&a, &a_versions, &b), (&b, &b_versions, &a)] {
        let theirs = other.version_ids();
        let missing: Vec<_> = own.difference(&theirs).collect();
        assert!(
            missing.is_empty(),
            "laptop {}'s local versions {missing:?} did not reach laptop {}",
            laptop.name,
            other.name
        );
    }
    for (laptop, own, other) in [(&a, &a_reflections, &b), (&b, &b_reflections, &a)] {
        let theirs = other.reflections();
        let missing: Vec<_> = own.keys().filter(|r| !theirs.contains_key(*r)).collect();
        assert!(
            missing.is_empty(),
            "laptop {}'s reflections {missing:?} did not reach laptop {}",
            laptop.name,
            other.name
        );
    }
    let programmes_after_first_sync = after_first["programme"].as_i64().unwrap();
    let first_round_files = files_in(&a.folder);

    // Second exchange, with edits on both laptops before either has seen the other's, each
    // on a record the other laptop made: A captures more and erases a participant B
    // registered; B anonymises a participant A registered.
    let (erased, erased_words) = someone_with_reflections(&b_reflections);
    let (anonymised, anonymised_words) = someone_with_reflections(&a_reflections);
    let held_before = a.reflections();
    a.run(&["generate", "--reflections", "10", "--seed", "3"]);
    let a_new: Vec<String> = a
        .reflections()
        .into_keys()
        .filter(|r| !held_before.contains_key(r))
        .collect();
    assert!(
        !a_new.is_empty(),
        "generate added no reflections on laptop A"
    );
    a.run(&["erase-participant", &erased, "--yes"]);
    b.run(&["anonymise-participant", &anonymised, "--yes"]);
    converge(&a, &b, &sync_a, &sync_b);
    let b_now = b.reflections();
    let missing: Vec<_> = a_new.iter().filter(|r| !b_now.contains_key(*r)).collect();
    assert!(
        missing.is_empty(),
        "reflections laptop A captured after the first sync did not reach laptop B: {missing:?}"
    );
    for laptop in [&a, &b] {
        let held = laptop.reflections();
        // An erased participant's reflections stay as empty records (their sessions keep
        // their shape); only the words go.
        let kept: Vec<_> = erased_words
            .iter()
            .filter_map(|r| held.get(r))
            .filter(|r| r["text"] != "")
            .map(|r| &r["text"])
            .collect();
        assert!(
            kept.is_empty(),
            "laptop {} still holds words of participant {erased}, erased on laptop A: {kept:?}",
            laptop.name
        );
        for id in &anonymised_words {
            let (now, then) = (&held[id], &a_reflections[id]);
            assert_eq!(
                (&now["text"], &now["participant_id"]),
                (&then["text"], &Value::Null),
                "on laptop {}, reflection {id} of participant {anonymised}, anonymised on laptop B, should keep its words and lose who said them",
                laptop.name
            );
        }
    }

    // What Syncthing itself leaves in a folder: temporary files of transfers cut short
    // (holding half of a real file; one named after a file in the folder, which Syncthing
    // may finish or reuse, one after a file that never arrives) and a conflict copy (a whole
    // earlier version of a real file, as Syncthing keeps the losing side). All are put in
    // A's folder; Syncthing carries the conflict copy to B and keeps its temporary files to
    // itself.
    let before = (a.stats(), a.state_hash());
    let (name, earlier) = first_round_files
        .iter()
        .max_by_key(|(_, bytes)| bytes.len())
        .expect("the first sync wrote something into the folder");
    let current = std::fs::read(a.folder.join(name)).unwrap_or_else(|_| earlier.clone());
    let half = &current[..current.len() / 2];
    let unfinished = name.with_file_name(format!(
        ".syncthing.{}.tmp",
        name.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(a.folder.join(unfinished), half).unwrap();
    std::fs::write(a.folder.join(".syncthing.x.tmp"), half).unwrap();
    let conflict_copy = conflict_copy_name(name);
    std::fs::write(a.folder.join(&conflict_copy), earlier).unwrap();
    converge(&a, &b, &sync_a, &sync_b);
    assert!(
        b.folder.join(&conflict_copy).is_file(),
        "Syncthing did not carry the conflict copy {} to laptop B, so B never read it",
        conflict_copy.display()
    );
    for laptop in [&a, &b] {
        assert_eq!(
            laptop.stats(),
            before.0,
            "laptop {}'s counts changed after Syncthing's temporary file and conflict copy were synced",
            laptop.name
        );
        assert_eq!(
            laptop.state_hash(),
            before.1,
            "laptop {}'s data changed after Syncthing's temporary file and conflict copy were synced",
            laptop.name
        );
    }
    // Each laptop writes only files of its own, so Syncthing never had to keep a conflict
    // copy of its own making: a laptop replacing another's file would show up here.
    for laptop in [&a, &b] {
        let made_by_syncthing: Vec<_> = files_in(&laptop.folder)
            .into_keys()
            .filter(|f| f.to_string_lossy().contains(".sync-conflict-") && *f != conflict_copy)
            .collect();
        assert!(
            made_by_syncthing.is_empty(),
            "Syncthing kept conflict copies in laptop {}'s folder, so two laptops wrote the same file: {made_by_syncthing:?}",
            laptop.name
        );
    }
    eprintln!(
        "Syncthing test: three exchanges took {:.1} s after both instances were connected",
        started.elapsed().as_secs_f64()
    );

    // EXPECTED TO FAIL until demo records get ids derived from the demo content (issue 13,
    // "Demo content converges"): today each laptop's seed-demo makes its own demo records,
    // so the first sync doubles the programmes (4 instead of 2). Checked last, so that every
    // assertion above is exercised today as well.
    assert_eq!(
        programmes_after_first_sync, one_laptop_programmes,
        "two laptops that each seeded the demo hold {programmes_after_first_sync} programmes after syncing, one laptop alone {one_laptop_programmes}: the demo was duplicated"
    );
}

/// "Sync now" on A, then on B, each time waiting for Syncthing to carry the folder across,
/// until both laptops hold exactly the same records and conflicts.
fn converge(a: &Laptop, b: &Laptop, sync_a: &Syncthing, sync_b: &Syncthing) {
    let deadline = Instant::now() + PATIENCE;
    let mut rounds = 0;
    loop {
        rounds += 1;
        for (laptop, engine) in [(a, sync_a), (b, sync_b)] {
            laptop.run(&["sync-folder", laptop.folder.to_str().unwrap()]);
            // Syncthing's watcher would notice within a second; a scan makes it now.
            engine.scan();
            wait_until_folders_match(&a.folder, &b.folder, deadline, sync_a, sync_b);
        }
        let (hash_a, hash_b) = (a.state_hash(), b.state_hash());
        if hash_a == hash_b {
            assert_eq!(a.stats(), b.stats());
            return;
        }
        assert!(
            Instant::now() < deadline,
            "laptops A and B still differ after {rounds} rounds of Sync now through Syncthing ({} s).\nA: {}\nB: {}",
            PATIENCE.as_secs(),
            a.stats(),
            b.stats()
        );
    }
}

fn wait_until_folders_match(
    a: &Path,
    b: &Path,
    deadline: Instant,
    sync_a: &Syncthing,
    sync_b: &Syncthing,
) {
    loop {
        let (in_a, in_b) = (files_in(a), files_in(b));
        if in_a == in_b {
            return;
        }
        if Instant::now() > deadline {
            let differ: BTreeSet<_> = in_a
                .keys()
                .chain(in_b.keys())
                .filter(|f| in_a.get(*f) != in_b.get(*f))
                .collect();
            panic!(
                "Syncthing did not carry the sync folder across within {} s; these files differ: {differ:?}\n{}\n{}",
                PATIENCE.as_secs(),
                sync_a.diagnosis(),
                sync_b.diagnosis()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every file in a sync folder (path relative to it, and bytes), leaving out what Syncthing
/// keeps for itself: its folder marker and its temporary files, which it never sends.
fn files_in(folder: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let syncthing_own = name == ".stfolder"
                || name == ".stversions"
                || (name.starts_with(".syncthing.") && name.ends_with(".tmp"));
            if syncthing_own {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, files);
            } else if let Ok(bytes) = std::fs::read(&path) {
                // A file that vanished between listing and reading was being replaced.
                files.insert(path.strip_prefix(root).unwrap().to_path_buf(), bytes);
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(folder, folder, &mut files);
    files
}

/// Syncthing's name for the losing side of a conflict: `NAME.sync-conflict-DATE-TIME-DEVICE.EXT`.
fn conflict_copy_name(name: &Path) -> PathBuf {
    let stem = name.file_stem().unwrap().to_string_lossy();
    let copy = match name.extension() {
        Some(ext) => format!(
            "{stem}.sync-conflict-20261130-120000-ABCDEFG.{}",
            ext.to_string_lossy()
        ),
        None => format!("{stem}.sync-conflict-20261130-120000-ABCDEFG"),
    };
    name.with_file_name(copy)
}

/// A participant who said something, and the ids of everything they said.
fn someone_with_reflections(reflections: &BTreeMap<String, Value>) -> (String, Vec<String>) {
    let participant = reflections
        .values()
        .find_map(|r| r["participant_id"].as_str())
        .expect("generate made reflections with participants")
        .to_owned();
    let words = reflections
        .iter()
        .filter(|(_, r)| r["participant_id"] == participant.as_str())
        .map(|(id, _)| id.clone())
        .collect();
    (participant, words)
}

/// One laptop: its own Fieldbook data folder and its own copy of the Syncthing-shared folder.
struct Laptop {
    name: &'static str,
    data: PathBuf,
    folder: PathBuf,
}

impl Laptop {
    fn new(name: &'static str, root: &Path) -> Laptop {
        let folder = root.join(format!("laptop-{name}-sync"));
        std::fs::create_dir_all(&folder).unwrap();
        Laptop {
            name,
            data: root.join(format!("laptop-{name}-data")),
            folder,
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = super::cli(&self.data, args);
        assert!(
            out.status.success(),
            "on laptop {}, `fieldbook-cli {}` failed: {}",
            self.name,
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn stats(&self) -> Value {
        super::json(&self.run(&["stats"]))
    }

    fn version_ids(&self) -> BTreeSet<String> {
        let versions = super::json(&self.run(&["versions", "--json"]));
        versions
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["version"]["id"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Every reflection, by id (an empty search lists them all).
    fn reflections(&self) -> BTreeMap<String, Value> {
        let found = super::json(&self.run(&["search", "", "--json", "--limit", "500"]));
        let hits = found["hits"].as_array().unwrap();
        assert_eq!(
            found["total"].as_u64().unwrap() as usize,
            hits.len(),
            "more reflections than one page on laptop {}",
            self.name
        );
        hits.iter()
            .map(|h| (h["id"].as_str().unwrap().to_owned(), h.clone()))
            .collect()
    }

    /// The core's fingerprint of every record and conflict held, equal on laptops that have
    /// merged the same versions.
    fn state_hash(&self) -> String {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let store = fieldbook_core::Store::open(&self.data).await.unwrap();
            let hash = store.state_hash().await.unwrap();
            store.close().await;
            hash
        })
    }
}

/// One Syncthing instance of Debian's `syncthing` package, reachable only on 127.0.0.1, in a
/// process group of its own that is stopped when this is dropped (also when a test panics).
pub struct Syncthing {
    name: String,
    home: PathBuf,
    gui: SocketAddr,
    listen: SocketAddr,
    api_key: String,
    device_id: String,
    process: Child,
}

impl Syncthing {
    /// Two instances that share `FOLDER_ID` (`a_folder` on one, `b_folder` on the other),
    /// connected to each other.
    pub fn pair(root: &Path, a_folder: &Path, b_folder: &Path) -> (Syncthing, Syncthing) {
        let ports = free_ports(4);
        let mut a = Syncthing::start("syncthing-a", &root.join("syncthing-a"), ports[0], ports[1]);
        let mut b = Syncthing::start("syncthing-b", &root.join("syncthing-b"), ports[2], ports[3]);
        // Both must know each other before either dials: a dial to an instance that does not
        // know the caller yet is refused, and retried only about 20 s later. Only A dials:
        // when both dialled at once, one run in three here lost both connections and waited
        // 20 s for the retry.
        a.add_device(&b);
        b.add_device(&a);
        a.share(a_folder, &b);
        b.share(b_folder, &a);
        a.dial(&b);
        a.wait_until_connected_to(&b);
        b.wait_until_connected_to(&a);
        a.wait_until_folder_idle();
        b.wait_until_folder_idle();
        (a, b)
    }

    /// Generates a home for one instance with everything that would reach past this machine
    /// switched off before its first start, starts it and waits for its REST API.
    pub fn start(name: &str, home: &Path, gui_port: u16, listen_port: u16) -> Syncthing {
        let generated = Command::new("syncthing")
            .arg("generate")
            .arg("--home")
            .arg(home)
            .args(["--no-default-folder", "--skip-port-probing"])
            .output()
            .unwrap_or_else(|e| {
                panic!("could not run syncthing ({e}): install Debian's syncthing package (scripts/dev deps does)")
            });
        assert!(
            generated.status.success(),
            "syncthing generate failed: {}",
            String::from_utf8_lossy(&generated.stderr)
        );
        let config_path = home.join("config.xml");
        let mut config = std::fs::read_to_string(&config_path).unwrap();
        let gui = SocketAddr::from(([127, 0, 0, 1], gui_port));
        let listen = SocketAddr::from(([127, 0, 0, 1], listen_port));
        set_element(&mut config, "gui", "address", &gui.to_string());
        for (option, value) in [
            ("listenAddress", format!("tcp://{listen}")),
            ("globalAnnounceEnabled", "false".into()),
            ("localAnnounceEnabled", "false".into()),
            ("relaysEnabled", "false".into()),
            ("natEnabled", "false".into()),
            // Should a dial still fail, the next comes in seconds, not a minute.
            ("reconnectionIntervalS", "5".into()),
            // No STUN either: it is how Syncthing finds its address behind a NAT.
            ("stunKeepaliveStartS", "0".into()),
            ("announceLANAddresses", "false".into()),
            ("startBrowser", "false".into()),
            ("urAccepted", "-1".into()),
            ("autoUpgradeIntervalH", "0".into()),
            ("crashReportingEnabled", "false".into()),
        ] {
            set_element(&mut config, "options", option, &value);
        }
        std::fs::write(&config_path, &config).unwrap();
        let api_key = element(&config, "gui", "apikey");
        let device_id = config
            .split("<device id=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("config.xml names its own device")
            .to_owned();

        let log = std::fs::File::create(home.join("syncthing.log")).unwrap();
        let process = Command::new("syncthing")
            .arg("serve")
            .arg("--home")
            .arg(home)
            .args(["--no-browser", "--no-restart", "--no-upgrade"])
            .env("STNOUPGRADE", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            // Debian's syncthing runs a monitor and a child; a group of their own lets Drop
            // stop both.
            .process_group(0)
            .spawn()
            .unwrap();
        let mut syncthing = Syncthing {
            name: name.to_owned(),
            home: home.to_path_buf(),
            gui,
            listen,
            api_key,
            device_id,
            process,
        };
        syncthing.wait_for("its REST API to answer", |s| {
            s.request("GET", "/rest/system/ping", None)
                .is_ok_and(|(status, _)| status == 200)
        });
        // Read back what the running instance uses, so that a Syncthing that ignored the edit
        // stops the test rather than announcing itself or dialling relays.
        let options = syncthing.call("GET", "/rest/config/options", None);
        for (option, expected) in [
            ("listenAddresses", json!([format!("tcp://{listen}")])),
            ("globalAnnounceEnabled", json!(false)),
            ("localAnnounceEnabled", json!(false)),
            ("relaysEnabled", json!(false)),
            ("natEnabled", json!(false)),
            ("urAccepted", json!(-1)),
            ("autoUpgradeIntervalH", json!(0)),
            ("crashReportingEnabled", json!(false)),
        ] {
            assert_eq!(
                options[option], expected,
                "{name} runs with {option} = {}",
                options[option]
            );
        }
        syncthing
    }

    fn add_device(&self, other: &Syncthing) {
        self.call(
            "POST",
            "/rest/config/devices",
            Some(&json!({ "deviceID": other.device_id, "name": other.name, "addresses": ["dynamic"] })),
        );
    }

    fn share(&self, folder: &Path, with: &Syncthing) {
        // Syncthing refuses to sync a folder without its marker (a guard against an
        // unmounted disk looking empty).
        std::fs::create_dir_all(folder.join(".stfolder")).unwrap();
        self.call(
            "POST",
            "/rest/config/folders",
            Some(&json!({
                "id": FOLDER_ID,
                "label": "Fieldbook team",
                "path": folder,
                "type": "sendreceive",
                "devices": [{ "deviceID": self.device_id }, { "deviceID": with.device_id }],
                "fsWatcherEnabled": true,
                "fsWatcherDelayS": 1,
                "rescanIntervalS": 3600,
            })),
        );
    }

    fn dial(&self, other: &Syncthing) {
        self.call(
            "PATCH",
            &format!("/rest/config/devices/{}", other.device_id),
            Some(&json!({ "addresses": [format!("tcp://{}", other.listen)] })),
        );
    }

    fn wait_until_connected_to(&mut self, other: &Syncthing) {
        let what = format!("a connection to {}", other.name);
        self.wait_for(&what, |s| {
            s.call("GET", "/rest/system/connections", None)["connections"][&other.device_id]
                ["connected"]
                == true
        });
    }

    fn wait_until_folder_idle(&mut self) {
        self.wait_for("the shared folder to be scanned", |s| {
            let status = s.call("GET", &format!("/rest/db/status?folder={FOLDER_ID}"), None);
            assert_ne!(
                status["state"], "error",
                "{}'s folder stopped: {status}",
                s.name
            );
            status["state"] == "idle"
        });
    }

    /// Makes Syncthing look at the folder now rather than when its watcher next fires.
    pub fn scan(&self) {
        self.call("POST", &format!("/rest/db/scan?folder={FOLDER_ID}"), None);
    }

    /// What to read when something did not cross: the folder's state and the log's end.
    pub fn diagnosis(&self) -> String {
        let status = self
            .request("GET", &format!("/rest/db/status?folder={FOLDER_ID}"), None)
            .map(|(_, body)| body)
            .unwrap_or_else(|e| format!("(no answer: {e})"));
        let log = std::fs::read_to_string(self.home.join("syncthing.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!(
            "{}: folder status {status}\n{} log, last lines:\n{}",
            self.name,
            self.name,
            tail.join("\n")
        )
    }

    fn wait_for(&mut self, what: &str, mut done: impl FnMut(&Syncthing) -> bool) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if done(self) {
                return;
            }
            if let Ok(Some(status)) = self.process.try_wait() {
                panic!(
                    "{} exited ({status}) while waiting for {what}\n{}",
                    self.name,
                    self.diagnosis()
                );
            }
            if Instant::now() > deadline {
                panic!(
                    "{} gave no {what} within {} s\n{}",
                    self.name,
                    PATIENCE.as_secs(),
                    self.diagnosis()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A REST call that must succeed; its JSON answer (null when it has none).
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let (status, answer) = self
            .request(method, path, body)
            .unwrap_or_else(|e| panic!("{} did not answer {method} {path}: {e}", self.name));
        assert!(
            (200..300).contains(&status),
            "{} answered {method} {path} with {status}: {answer}",
            self.name
        );
        serde_json::from_str(&answer).unwrap_or(Value::Null)
    }

    /// One request to the REST API. HTTP/1.0, so the answer is never chunked and ends when
    /// the connection closes: a dozen lines of std instead of an HTTP client crate, enough
    /// for one server on loopback.
    fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> std::io::Result<(u16, String)> {
        let mut stream = TcpStream::connect_timeout(&self.gui, Duration::from_secs(5))?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        let body = body.map(Value::to_string).unwrap_or_default();
        write!(
            stream,
            "{method} {path} HTTP/1.0\r\nHost: {}\r\nX-API-Key: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.gui,
            self.api_key,
            body.len()
        )?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        let (head, answer) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("not an HTTP answer: {head}")))?;
        Ok((status, answer.to_owned()))
    }
}

impl Drop for Syncthing {
    fn drop(&mut self) {
        let group = self.process.id();
        signal_group(group, "TERM");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let parent_gone = self.process.try_wait().is_ok_and(|s| s.is_some());
            if parent_gone && !signal_group(group, "0") {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        signal_group(group, "KILL");
        let _ = self.process.wait();
    }
}

/// Sends a signal to a whole process group (signal 0 only asks whether any member is left),
/// through the shell's `kill`, as the workspace forbids the unsafe call to libc.
fn signal_group(group: u32, signal: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("kill -{signal} -{group}"))
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Ports nothing listens on now; all are held until all are chosen, so none repeats.
fn free_ports(n: usize) -> Vec<u16> {
    let held: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    held.iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect()
}

fn section<'a>(xml: &'a str, section: &str) -> (usize, &'a str) {
    let start = xml
        .find(&format!("<{section}"))
        .unwrap_or_else(|| panic!("config.xml has no <{section}>"));
    let end = start
        + xml[start..]
            .find(&format!("</{section}>"))
            .unwrap_or_else(|| panic!("config.xml's <{section}> does not end"));
    (start, &xml[start..end])
}

fn element(xml: &str, in_section: &str, tag: &str) -> String {
    let (_, text) = section(xml, in_section);
    let open = format!("<{tag}>");
    let from = text
        .find(&open)
        .unwrap_or_else(|| panic!("config.xml's <{in_section}> has no <{tag}>"))
        + open.len();
    let to = from + text[from..].find(&format!("</{tag}>")).unwrap();
    text[from..to].to_owned()
}

/// Replaces the text of `<tag>` inside `<in_section>`. Fails when the element is missing, so
/// a Syncthing whose config differs cannot start with discovery or relays silently left on.
fn set_element(xml: &mut String, in_section: &str, tag: &str, value: &str) {
    let (start, text) = section(xml, in_section);
    let open = format!("<{tag}>");
    let from = start
        + text
            .find(&open)
            .unwrap_or_else(|| panic!("config.xml's <{in_section}> has no <{tag}>"))
        + open.len();
    let to = from + xml[from..].find(&format!("</{tag}>")).unwrap();
    xml.replace_range(from..to, value);
}
