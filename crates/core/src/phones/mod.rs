//! The phone-answers server: while a facilitator has switched it on, participants open a small
//! page on their own phones over the local network and answer the current prompt; each
//! answer is saved as a reflection of the session, marked as sent from a phone.
//!
//! The rules (addresses, codes, cookies, limits) are pure functions in [`rules`]; the page is
//! built in [`page`]. Design notes: docs/phones.md.

pub mod page;
pub mod rules;

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use uuid::Uuid;

use crate::day::{NewParticipant, ReflectionDraft};
use crate::domain::{Participant, Reflection, SentFrom, Session};
use crate::erasure::Consent;
use crate::error::{Error, Result};
use crate::run::RunStatus;
use crate::store::Store;

use page::{Notice, PageModel, Prompt, SentAnswer};
use rules::{check_answer, check_name, code_matches, phone_from_cookies};

/// The port tried first when the window switches phone answers on; another free one is taken
/// when it is in use.
pub const PREFERRED_PORT: u16 = 8765;

/// The most phones that may join one serving.
pub const MAX_PHONES: usize = 500;

/// Refusals kept for the facilitator to read (older ones are counted, not kept).
const REFUSALS_KEPT: usize = 200;

/// Requests a phone may make at once, and how many more it may make a second after that: a
/// person answering, changing and polling for the prompt stays well inside it; a script
/// sending answers in a loop does not.
const PHONE_BURST: u32 = 30;
const PHONE_PER_SECOND: u32 = 2;

/// Requests without a phone's cookie (joining, wrong codes) from one network address.
const ADDRESS_BURST: u32 = 60;
const ADDRESS_PER_SECOND: u32 = 1;

/// A running phone server. Dropping it without [`PhoneServer::stop`] also stops it.
pub struct PhoneServer {
    shared: Arc<Shared>,
    addresses: Vec<SocketAddr>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// What the window and the CLI show about a running server.
#[derive(Debug, Clone, Serialize)]
pub struct PhoneStatus {
    pub session_id: Uuid,
    /// The join address with the code, for the QR code: the best local address first.
    pub join_url: String,
    /// The same on every other address the server listens on.
    pub other_urls: Vec<String>,
    pub code: String,
    pub phones: usize,
    pub answers: usize,
    /// The latest refusals, newest first.
    pub refusals: Vec<Refusal>,
    /// Every refusal since the server started, including those no longer kept.
    pub refusals_total: usize,
}

/// A request the server refused, for the facilitator.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Refusal {
    pub at: DateTime<Utc>,
    /// The network address it came from.
    pub from: String,
    pub reason: String,
    /// The same refusal again from the same address within a few seconds is counted here.
    pub times: u32,
}

/// The QR code of a join address: `width` by `width` modules, dark where true, row by row.
#[derive(Debug, Clone, Serialize)]
pub struct QrModules {
    pub width: usize,
    pub dark: Vec<bool>,
}

/// The join address as a QR code.
pub fn qr_modules(text: &str) -> Result<QrModules> {
    let code = qrcode::QrCode::new(text.as_bytes()).map_err(|e| {
        Error::invalid(format!(
            "The join address cannot be made into a QR code: {e}."
        ))
    })?;
    Ok(QrModules {
        width: code.width(),
        dark: code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect(),
    })
}

/// The QR code drawn with block characters, two rows a line, with a quiet zone, for a terminal.
pub fn qr_text(text: &str) -> Result<String> {
    let qr = qr_modules(text)?;
    let quiet = 2isize;
    let w = qr.width as isize;
    let dark = |x: isize, y: isize| {
        (0..w).contains(&x) && (0..w).contains(&y) && qr.dark[(y * w + x) as usize]
    };
    let mut out = String::new();
    let mut y = -quiet;
    while y < w + quiet {
        for x in -quiet..w + quiet {
            out.push(match (dark(x, y), dark(x, y + 1)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        out.push('\n');
        y += 2;
    }
    Ok(out)
}

/// The laptop's addresses that phones may use, best first (see [`rules::phone_addresses`]).
pub fn local_addresses() -> Vec<IpAddr> {
    let found: Vec<IpAddr> = if_addrs::get_if_addrs()
        .map(|interfaces| interfaces.into_iter().map(|i| i.ip()).collect())
        .unwrap_or_default();
    rules::phone_addresses(&found)
}

impl PhoneServer {
    /// Starts serving `session_id` on each of `listen` (all with one port: the first's, or a
    /// free one when it is 0). Refuses an address off the local network, and a session that
    /// does not exist.
    pub async fn start(store: Store, session_id: Uuid, listen: &[SocketAddr]) -> Result<Self> {
        if listen.is_empty() {
            return Err(Error::invalid(
                "This laptop is not on a local network, so phones cannot reach it. Turn on the laptop's hotspot or join the room's Wi-Fi, then switch phone answers on again. Nothing has been changed.",
            ));
        }
        for addr in listen {
            rules::check_listen_address(addr.ip())?;
        }
        let session: Session = store.get(session_id).await?;
        let mut listeners = Vec::new();
        let mut port = listen[0].port();
        for addr in listen {
            let addr = SocketAddr::new(addr.ip(), port);
            let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
                Error::invalid(format!(
                    "Fieldbook could not listen for phones on {addr}: {e}. Another program may be using that port; try another. Nothing has been changed."
                ))
            })?;
            port = listener.local_addr()?.port();
            listeners.push(listener);
        }
        let addresses: Vec<SocketAddr> = listeners
            .iter()
            .map(|l| l.local_addr())
            .collect::<std::io::Result<_>>()?;
        let code = rules::new_join_code(&mut rand::thread_rng());
        let shared = Arc::new(Shared {
            store,
            session_id,
            session_title: session.title,
            version_id: session.version_id,
            code,
            phones: Mutex::new(Phones::default()),
            per_phone: RateLimiter::keyed(quota(PHONE_BURST, PHONE_PER_SECOND)),
            per_address: RateLimiter::keyed(quota(ADDRESS_BURST, ADDRESS_PER_SECOND)),
            answers: AtomicUsize::new(0),
            refusals: Mutex::new(RefusalLog::default()),
            projected: Mutex::new(Vec::new()),
        });
        let (shutdown, watcher) = watch::channel(false);
        let tasks = listeners
            .into_iter()
            .map(|listener| {
                let app = router(shared.clone());
                let mut watcher = watcher.clone();
                tokio::spawn(async move {
                    let stopped = async move {
                        let _ = watcher.wait_for(|stop| *stop).await;
                    };
                    let _ = axum::serve(
                        listener,
                        app.into_make_service_with_connect_info::<SocketAddr>(),
                    )
                    .with_graceful_shutdown(stopped)
                    .await;
                })
            })
            .collect();
        Ok(PhoneServer {
            shared,
            addresses,
            shutdown,
            tasks,
        })
    }

    /// The addresses it listens on.
    pub fn addresses(&self) -> &[SocketAddr] {
        &self.addresses
    }

    pub fn session_id(&self) -> Uuid {
        self.shared.session_id
    }

    pub fn status(&self) -> PhoneStatus {
        let urls: Vec<String> = self
            .addresses
            .iter()
            .map(|a| rules::join_url(*a, &self.shared.code))
            .collect();
        let log = self.shared.refusals.lock().expect("refusal log");
        PhoneStatus {
            session_id: self.shared.session_id,
            join_url: urls[0].clone(),
            other_urls: urls[1..].to_vec(),
            code: self.shared.code.clone(),
            phones: self.shared.phones.lock().expect("phones").by_token.len(),
            answers: self.shared.answers.load(Ordering::Relaxed),
            refusals: log.kept.iter().rev().cloned().collect(),
            refusals_total: log.total,
        }
    }

    /// Lets one of the session's answers through to the projector view, or takes it off.
    pub async fn project(&self, reflection_id: Uuid, shown: bool) -> Result<()> {
        let reflection: Reflection = self.shared.store.get(reflection_id).await?;
        if reflection.session_id != self.shared.session_id {
            return Err(Error::invalid(
                "That answer is from another session; only this session's answers can be shown. Nothing has been changed.",
            ));
        }
        let mut projected = self.shared.projected.lock().expect("projected");
        projected.retain(|id| *id != reflection_id);
        if shown {
            projected.push(reflection_id);
        }
        Ok(())
    }

    /// The ids of the answers let through to the projector, in the order let through.
    pub fn projected_ids(&self) -> Vec<Uuid> {
        self.shared.projected.lock().expect("projected").clone()
    }

    /// The texts the projector view shows: the answers let through that are still in the
    /// session, without names (the projector is anonymous).
    pub async fn projected(&self) -> Result<Vec<String>> {
        let mut texts = Vec::new();
        for id in self.projected_ids() {
            if let Ok(r) = self.shared.store.get::<Reflection>(id).await {
                if !r.text.is_empty() {
                    texts.push(r.text);
                }
            }
        }
        Ok(texts)
    }

    /// Stops listening: the ports are closed when this returns. Open connections are given a
    /// moment to finish, then dropped.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(2), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for PhoneServer {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn quota(burst: u32, per_second: u32) -> Quota {
    let n = |v: u32| NonZeroU32::new(v).expect("quotas are not zero");
    Quota::per_second(n(per_second)).allow_burst(n(burst))
}

struct Shared {
    store: Store,
    session_id: Uuid,
    session_title: String,
    version_id: Option<Uuid>,
    code: String,
    phones: Mutex<Phones>,
    per_phone: DefaultKeyedRateLimiter<String>,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    answers: AtomicUsize,
    refusals: Mutex<RefusalLog>,
    /// Answers the facilitator has let through to the projector, in the order let through.
    projected: Mutex<Vec<Uuid>>,
}

#[derive(Default)]
struct Phones {
    by_token: HashMap<String, Phone>,
    /// Which phone answers as which participant: one phone each, so that nobody else can
    /// change a person's consent or answer in their name.
    claimed: HashMap<Uuid, String>,
}

#[derive(Default, Clone)]
struct Phone {
    answers: Vec<Uuid>,
    participant: Option<Uuid>,
    name: Option<String>,
    quote: bool,
    named: bool,
}

#[derive(Default)]
struct RefusalLog {
    kept: VecDeque<Refusal>,
    total: usize,
}

impl Shared {
    fn refuse(&self, from: IpAddr, reason: &str) {
        let now = self.store.clock().now();
        let mut log = self.refusals.lock().expect("refusal log");
        log.total += 1;
        let from = from.to_string();
        if let Some(last) = log.kept.back_mut() {
            if last.from == from && last.reason == reason && (now - last.at).num_seconds() < 10 {
                last.times += 1;
                last.at = now;
                return;
            }
        }
        if log.kept.len() == REFUSALS_KEPT {
            log.kept.pop_front();
        }
        log.kept.push_back(Refusal {
            at: now,
            from,
            reason: reason.to_owned(),
            times: 1,
        });
    }

    /// The phone a request comes from, checked and counted against its rate limit.
    fn phone(
        &self,
        headers: &HeaderMap,
        from: IpAddr,
    ) -> std::result::Result<String, Box<Response>> {
        let cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(phone_from_cookies);
        let known = cookie.filter(|(code, token)| {
            code_matches(&self.code, code)
                && self
                    .phones
                    .lock()
                    .expect("phones")
                    .by_token
                    .contains_key(token)
        });
        match known {
            Some((_, token)) => {
                if self.per_phone.check_key(&token).is_err() {
                    self.refuse(from, "too many requests from one phone");
                    return Err(Box::new(too_many()));
                }
                Ok(token)
            }
            None => {
                if self.per_address.check_key(&from).is_err() {
                    self.refuse(from, "too many requests without the join code");
                    return Err(Box::new(too_many()));
                }
                self.refuse(from, "no join code, or a wrong one");
                Err(Box::new(not_joined()))
            }
        }
    }

    /// What the phone page shows now: the current agenda item's prompt.
    async fn prompt(&self) -> Result<Prompt> {
        let state = self.store.run_state(self.session_id).await?;
        let current = state.current.and_then(|i| state.items.get(i));
        Ok(match (state.status, current) {
            (RunStatus::Running | RunStatus::Paused, Some(item)) => Prompt {
                item_id: Some(item.item_id),
                text: if item.prompt.trim().is_empty() {
                    item.title.clone()
                } else {
                    item.prompt.clone()
                },
                prompt: item.prompt.clone(),
            },
            (RunStatus::Finished, _) => Prompt {
                item_id: None,
                text: "The session has finished. You can still send a last thought.".into(),
                prompt: String::new(),
            },
            _ => Prompt {
                item_id: None,
                text: "The session has not started yet. You can still send a thought.".into(),
                prompt: String::new(),
            },
        })
    }

    async fn page(&self, token: &str, notice: Option<Notice>, draft: &str) -> Result<String> {
        let phone = self
            .phones
            .lock()
            .expect("phones")
            .by_token
            .get(token)
            .cloned()
            .unwrap_or_default();
        let cohort = match self.version_id {
            Some(v) => self.store.cohort(v).await?,
            None => Vec::new(),
        };
        let mut sent = Vec::new();
        for id in phone.answers.iter().rev() {
            if let Ok(r) = self.store.get::<Reflection>(*id).await {
                sent.push(SentAnswer {
                    id: r.meta.id,
                    prompt: r.prompt,
                    text: r.text,
                });
            }
        }
        Ok(page::answer_page(&PageModel {
            session_title: &self.session_title,
            prompt: self.prompt().await?,
            cohort: cohort
                .iter()
                .map(|p| (p.meta.id, p.name.as_str()))
                .collect(),
            chosen: phone.participant,
            name: phone.name.as_deref().unwrap_or(""),
            quote: phone.quote,
            named: phone.named,
            notice,
            draft,
            sent,
        }))
    }

    /// The participant an answer is from, if the phone gave a name: chosen from the cohort,
    /// or typed (a cohort member of that name, or someone new who joined on the day).
    async fn person(
        &self,
        token: &str,
        form: &AnswerForm,
    ) -> std::result::Result<Option<Participant>, PersonRefused> {
        let typed = check_name(&form.name).map_err(|m| PersonRefused::Invalid(m.into()))?;
        let cohort = match self.version_id {
            Some(v) => self.store.cohort(v).await.map_err(PersonRefused::Store)?,
            None => Vec::new(),
        };
        let chosen = match (form.who.trim(), typed) {
            ("", None) => return Ok(None),
            ("", Some(name)) => {
                match cohort
                    .iter()
                    .find(|p| p.name.to_lowercase() == name.to_lowercase())
                {
                    Some(p) => p.clone(),
                    None => {
                        let mine = self
                            .phones
                            .lock()
                            .expect("phones")
                            .by_token
                            .get(token)
                            .and_then(|p| p.participant);
                        let earlier = match mine {
                            Some(id) => self.store.get::<Participant>(id).await.ok(),
                            None => None,
                        };
                        match earlier.filter(|p| p.name == name) {
                            Some(p) => p,
                            None => self
                                .store
                                .add_walk_in(
                                    self.session_id,
                                    NewParticipant {
                                        name,
                                        organisation: String::new(),
                                        sector: crate::domain::Sector::Unknown,
                                        role: String::new(),
                                        consent_named: form.named(),
                                        consent_quoted: form.quote(),
                                        consent_contact: false,
                                    },
                                )
                                .await
                                .map_err(PersonRefused::Store)?,
                        }
                    }
                }
            }
            (who, _) => {
                let id: Uuid = who.parse().map_err(|_| PersonRefused::NotInCohort)?;
                cohort
                    .into_iter()
                    .find(|p| p.meta.id == id)
                    .ok_or(PersonRefused::NotInCohort)?
            }
        };
        let mut phones = self.phones.lock().expect("phones");
        match phones.claimed.get(&chosen.meta.id) {
            Some(other) if other != token => return Err(PersonRefused::Claimed(chosen.name)),
            _ => {}
        }
        phones.claimed.insert(chosen.meta.id, token.to_owned());
        if let Some(phone) = phones.by_token.get_mut(token) {
            if let Some(before) = phone.participant.filter(|p| *p != chosen.meta.id) {
                phones.claimed.remove(&before);
            }
        }
        if let Some(phone) = phones.by_token.get_mut(token) {
            phone.participant = Some(chosen.meta.id);
        }
        Ok(Some(chosen))
    }

    /// Records the consent choices made on the phone, dated now, where they differ.
    async fn record_consent(&self, person: &Participant, form: &AnswerForm) -> Result<()> {
        if person.consent_quoted != form.quote() {
            self.store
                .set_consent(person.meta.id, Consent::Quoted, form.quote())
                .await?;
        }
        if person.consent_named != form.named() {
            self.store
                .set_consent(person.meta.id, Consent::Named, form.named())
                .await?;
        }
        Ok(())
    }
}

enum PersonRefused {
    Invalid(String),
    NotInCohort,
    Claimed(String),
    Store(Error),
}

/// The answer form. Every field is optional to the parser, so that a form missing one gets the
/// page's own message rather than a parser's.
#[derive(Debug, Default, Deserialize)]
struct AnswerForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    who: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    quote: Option<String>,
    #[serde(default)]
    named: Option<String>,
}

impl AnswerForm {
    fn quote(&self) -> bool {
        self.quote.is_some()
    }
    fn named(&self) -> bool {
        self.named.is_some()
    }
}

#[derive(Debug, Default, Deserialize)]
struct EditForm {
    #[serde(default)]
    text: String,
}

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    #[serde(default)]
    sent: Option<String>,
    #[serde(default)]
    changed: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
}

type Shr = State<Arc<Shared>>;
type Peer = ConnectInfo<SocketAddr>;

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(show_page))
        .route("/join/{code}", get(join))
        .route("/answer", post(send_answer))
        .route("/answer/{id}", post(change_answer))
        .route("/answer/{id}/withdraw", post(withdraw_answer))
        .route("/now", get(now))
        .route("/phone.css", get(stylesheet))
        .route("/phone.js", get(script))
        // Browsers ask for an icon by themselves: no answer, and nothing to log.
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(rules::MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(secure_headers))
        .with_state(shared)
}

/// Headers on every response: nothing from anywhere else, no framing, nothing cached.
async fn secure_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let mut set = |name: header::HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, page::CSP);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // Not "no-referrer": with it, browsers send `Origin: null` on the page's own form posts,
    // which the same-origin check must refuse. Other sites still learn nothing.
    set(header::REFERRER_POLICY, "same-origin");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::CACHE_CONTROL, "no-store");
    response
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

fn not_joined() -> Response {
    html(StatusCode::FORBIDDEN, page::refusal_page(page::NOT_JOINED))
}

fn too_many() -> Response {
    let mut response = html(
        StatusCode::TOO_MANY_REQUESTS,
        page::refusal_page(page::TOO_MANY),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}

fn broken(e: Error) -> Response {
    html(
        StatusCode::SERVICE_UNAVAILABLE,
        page::refusal_page(&format!(
            "The facilitator's laptop could not save or read that just now. Please try again in a moment. ({e})"
        )),
    )
}

/// A form that posts from another site (a page a phone has open elsewhere) is refused: the
/// browser says where it came from.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    host.is_some_and(|host| origin == format!("http://{host}"))
}

/// A request from a phone that has joined: its token and address. Any other request is
/// refused (not joined, or too many requests) before a handler sees it.
struct Joined {
    token: String,
    ip: IpAddr,
}

impl FromRequestParts<Arc<Shared>> for Joined {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        s: &Arc<Shared>,
    ) -> std::result::Result<Self, Response> {
        let ConnectInfo(from) = Peer::from_request_parts(parts, s)
            .await
            .map_err(IntoResponse::into_response)?;
        let ip = from.ip();
        let token = s.phone(&parts.headers, ip).map_err(|r| *r)?;
        Ok(Joined { token, ip })
    }
}

/// A form posted by a joined phone from the page itself, not from another site.
struct Posted(Joined);

impl FromRequestParts<Arc<Shared>> for Posted {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        s: &Arc<Shared>,
    ) -> std::result::Result<Self, Response> {
        let joined = Joined::from_request_parts(parts, s).await?;
        if !same_origin(&parts.headers) {
            s.refuse(joined.ip, "a form sent from another site");
            return Err(not_joined());
        }
        Ok(Posted(joined))
    }
}

async fn join(
    State(s): Shr,
    ConnectInfo(from): Peer,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let ip = from.ip();
    if s.per_address.check_key(&ip).is_err() {
        s.refuse(ip, "too many requests without the join code");
        return too_many();
    }
    if !code_matches(&s.code, &code) {
        s.refuse(ip, "a wrong join code");
        return not_joined();
    }
    let existing = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(phone_from_cookies)
        .filter(|(c, _)| code_matches(&s.code, c))
        .map(|(_, token)| token);
    let mut phones = s.phones.lock().expect("phones");
    if let Some(token) = existing.filter(|t| phones.by_token.contains_key(t)) {
        drop(phones);
        let mut response = see_other("/");
        if let Ok(v) = HeaderValue::from_str(&rules::set_cookie_header(&s.code, &token)) {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
        return response;
    }
    if phones.by_token.len() >= MAX_PHONES {
        drop(phones);
        s.refuse(ip, "the room is full (too many phones joined)");
        return html(
            StatusCode::SERVICE_UNAVAILABLE,
            page::refusal_page(page::FULL),
        );
    }
    let token = rules::new_phone_token(&mut rand::thread_rng());
    phones.by_token.insert(token.clone(), Phone::default());
    drop(phones);
    s.per_address.retain_recent();
    s.per_phone.retain_recent();
    let mut response = see_other("/");
    if let Ok(v) = HeaderValue::from_str(&rules::set_cookie_header(&s.code, &token)) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

async fn show_page(
    State(s): Shr,
    Joined { token, .. }: Joined,
    query: std::result::Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let query = query.map(|q| q.0).unwrap_or_default();
    let notice = if query.sent.is_some() {
        Some(Notice::Done("Sent. Thank you."))
    } else if query.changed.is_some() {
        Some(Notice::Done("Your change is saved."))
    } else if query.withdrawn.is_some() {
        Some(Notice::Done("Withdrawn: that answer is deleted."))
    } else {
        None
    };
    match s.page(&token, notice, "").await {
        Ok(body) => html(StatusCode::OK, body),
        Err(e) => broken(e),
    }
}

/// The form posted, or the refusal for one too large or malformed.
fn read_form<T: serde::de::DeserializeOwned>(
    s: &Shared,
    ip: IpAddr,
    headers: &HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> std::result::Result<T, Box<Response>> {
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            s.refuse(ip, "a request larger than the limit");
            return Err(Box::new(html(
                StatusCode::PAYLOAD_TOO_LARGE,
                page::refusal_page(page::TOO_LARGE),
            )));
        }
        Err(_) => {
            s.refuse(ip, "a request whose body could not be read");
            return Err(Box::new(html(
                StatusCode::BAD_REQUEST,
                page::refusal_page(page::UNREADABLE),
            )));
        }
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    rules::parse_form(content_type, &body).map_err(|_| {
        s.refuse(ip, "a form that could not be read");
        Box::new(html(
            StatusCode::BAD_REQUEST,
            page::refusal_page(page::UNREADABLE),
        ))
    })
}

async fn send_answer(
    State(s): Shr,
    Posted(Joined { token, ip }): Posted,
    headers: HeaderMap,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Response {
    let form: AnswerForm = match read_form(&s, ip, &headers, body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let again = |message: String, status: StatusCode| {
        let s = s.clone();
        let token = token.clone();
        let draft = form.text.clone();
        async move {
            match s.page(&token, Some(Notice::Problem(message)), &draft).await {
                Ok(body) => html(status, body),
                Err(e) => broken(e),
            }
        }
    };
    let text = match check_answer(&form.text) {
        Ok(t) => t,
        Err(m) => return again(m.into(), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    // Remember the choices first, so that a refused name keeps them on the page.
    if let Some(phone) = s.phones.lock().expect("phones").by_token.get_mut(&token) {
        phone.quote = form.quote();
        phone.named = form.named();
        phone.name = check_name(&form.name).ok().flatten();
    }
    let person = match s.person(&token, &form).await {
        Ok(p) => p,
        Err(PersonRefused::Invalid(m)) => return again(m, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(PersonRefused::NotInCohort) => {
            s.refuse(ip, "a name that is not in the cohort");
            return again(
                "That name is not on the list for this session. Choose it again, or type your name.".into(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(PersonRefused::Claimed(name)) => {
            s.refuse(ip, "a name already answering from another phone");
            return again(
                format!("Someone has already answered as {name} from another phone. If that was not you, tell the facilitator; your answer is kept here to send anonymously."),
                StatusCode::CONFLICT,
            )
            .await;
        }
        Err(PersonRefused::Store(e)) => return broken(e),
    };
    if let Some(person) = &person {
        if let Err(e) = s.record_consent(person, &form).await {
            return broken(e);
        }
    }
    // The item the phone showed, if it is still on this session's agenda.
    let prompt = match s.prompt().await {
        Ok(p) => p,
        Err(e) => return broken(e),
    };
    let item = form.item.parse::<Uuid>().ok();
    let (agenda_item_id, prompt) = match item {
        Some(id) if Some(id) == prompt.item_id => (Some(id), prompt.prompt),
        Some(id) => match s.store.get::<crate::domain::AgendaItem>(id).await {
            Ok(i) if i.session_id == s.session_id => (Some(id), i.prompt),
            _ => (None, String::new()),
        },
        None => (None, String::new()),
    };
    let saved = s
        .store
        .save_reflection_sent(
            ReflectionDraft {
                id: None,
                session_id: s.session_id,
                agenda_item_id,
                participant_id: person.as_ref().map(|p| p.meta.id),
                prompt,
                text,
            },
            Some(SentFrom::Phone),
        )
        .await;
    match saved {
        Ok(Some(r)) => {
            if let Some(phone) = s.phones.lock().expect("phones").by_token.get_mut(&token) {
                phone.answers.push(r.meta.id);
            }
            s.answers.fetch_add(1, Ordering::Relaxed);
            see_other("/?sent=1")
        }
        Ok(None) => {
            again(
                "Write your answer first, then press Send.".into(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => broken(e),
    }
}

/// The phone's own answer `id`, or a refusal that says no more than "not found".
fn own_answer(
    s: &Shared,
    token: &str,
    id: &str,
    ip: IpAddr,
) -> std::result::Result<Uuid, Box<Response>> {
    let id = id.parse::<Uuid>().ok();
    let phones = s.phones.lock().expect("phones");
    let mine = phones.by_token.get(token).map(|p| &p.answers);
    match (id, mine) {
        (Some(id), Some(answers)) if answers.contains(&id) => Ok(id),
        _ => {
            drop(phones);
            s.refuse(ip, "a change to an answer that is not this phone's");
            Err(Box::new(not_found_response()))
        }
    }
}

async fn change_answer(
    State(s): Shr,
    Posted(Joined { token, ip }): Posted,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: std::result::Result<Bytes, BytesRejection>,
) -> Response {
    let id = match own_answer(&s, &token, &id, ip) {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let form: EditForm = match read_form(&s, ip, &headers, body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    if form.text.trim().is_empty() {
        return withdraw(&s, &token, id).await;
    }
    let text = match check_answer(&form.text) {
        Ok(t) => t,
        Err(m) => {
            return match s.page(&token, Some(Notice::Problem(m.into())), "").await {
                Ok(body) => html(StatusCode::UNPROCESSABLE_ENTITY, body),
                Err(e) => broken(e),
            }
        }
    };
    let existing: Reflection = match s.store.get(id).await {
        Ok(r) => r,
        Err(_) => return gone(&s, &token).await,
    };
    let saved = s
        .store
        .save_reflection_sent(
            ReflectionDraft {
                id: Some(id),
                session_id: existing.session_id,
                agenda_item_id: existing.agenda_item_id,
                participant_id: existing.participant_id,
                prompt: existing.prompt,
                text,
            },
            Some(SentFrom::Phone),
        )
        .await;
    match saved {
        Ok(_) => see_other("/?changed=1"),
        Err(e) => broken(e),
    }
}

/// The page after a phone tried to change an answer the facilitator has since removed.
async fn gone(s: &Shared, token: &str) -> Response {
    match s
        .page(
            token,
            Some(Notice::Problem(
                "That answer is no longer in the session: the facilitator has removed it.".into(),
            )),
            "",
        )
        .await
    {
        Ok(body) => html(StatusCode::NOT_FOUND, body),
        Err(e) => broken(e),
    }
}

async fn withdraw(s: &Shared, token: &str, id: Uuid) -> Response {
    if s.store.get::<Reflection>(id).await.is_ok() {
        if let Err(e) = s.store.delete::<Reflection>(id).await {
            return broken(e);
        }
    }
    if let Some(phone) = s.phones.lock().expect("phones").by_token.get_mut(token) {
        phone.answers.retain(|a| *a != id);
    }
    see_other("/?withdrawn=1")
}

async fn withdraw_answer(
    State(s): Shr,
    Posted(Joined { token, ip }): Posted,
    Path(id): Path<String>,
) -> Response {
    match own_answer(&s, &token, &id, ip) {
        Ok(id) => withdraw(&s, &token, id).await,
        Err(r) => *r,
    }
}

/// The current prompt, for the page's script to follow run mode.
async fn now(State(s): Shr, _: Joined) -> Response {
    match s.prompt().await {
        Ok(p) => (
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({
                "item": p.item_id.map(|i| i.to_string()).unwrap_or_default(),
                "prompt": p.text,
            })
            .to_string(),
        )
            .into_response(),
        Err(e) => broken(e),
    }
}

async fn stylesheet(_: Joined) -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        page::STYLESHEET,
    )
        .into_response()
}

async fn script(_: Joined) -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        page::SCRIPT,
    )
        .into_response()
}

fn not_found_response() -> Response {
    html(StatusCode::NOT_FOUND, page::refusal_page(page::NOT_FOUND))
}

async fn not_found(State(s): Shr, ConnectInfo(from): Peer) -> Response {
    if s.per_address.check_key(&from.ip()).is_err() {
        s.refuse(from.ip(), "too many requests without the join code");
        return too_many();
    }
    s.refuse(from.ip(), "an address the server does not have");
    not_found_response()
}
