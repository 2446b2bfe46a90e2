//! The phone page: plain HTML that works as a form post without JavaScript, a small local
//! script that follows the current prompt, and a stylesheet; nothing from anywhere else.
//! Every value is interpolated through maud, which escapes it: what a participant typed comes
//! back as text, never as HTML.

use maud::{html, Markup, DOCTYPE};
use uuid::Uuid;

use super::rules::{MAX_ANSWER_CHARS, MAX_NAME_CHARS};

/// The page's content security policy: its own script, stylesheet and requests only.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub const STYLESHEET: &str = include_str!("phone.css");
pub const SCRIPT: &str = include_str!("phone.js");

/// Refusals say what to do and nothing about what the server holds.
pub const NOT_JOINED: &str = "This page needs the join code. Scan the QR code on the facilitator's screen again, or type the address shown there.";
pub const TOO_MANY: &str =
    "That was a lot of requests at once. Wait a few seconds, then try again.";
pub const TOO_LARGE: &str =
    "That was too much to send at once. Keep an answer to 1,000 characters or fewer.";
pub const UNREADABLE: &str = "That could not be read. Go back to the answer page and try again.";
pub const NOT_FOUND: &str = "There is nothing at this address. Go back to the answer page.";
pub const FULL: &str = "So many phones have joined that no more can. Tell the facilitator.";

/// What the page asks now.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    /// The current agenda item, when the session is running.
    pub item_id: Option<Uuid>,
    /// What the page shows: the item's prompt, else its title, else a word about the session.
    pub text: String,
    /// The item's prompt as saved with an answer (empty when it has none).
    pub prompt: String,
}

pub enum Notice {
    Done(&'static str),
    Problem(String),
}

pub struct SentAnswer {
    pub id: Uuid,
    pub prompt: String,
    pub text: String,
}

pub struct PageModel<'a> {
    pub session_title: &'a str,
    pub prompt: Prompt,
    pub cohort: Vec<(Uuid, &'a str)>,
    pub chosen: Option<Uuid>,
    pub name: &'a str,
    pub quote: bool,
    pub named: bool,
    pub notice: Option<Notice>,
    /// Text to put back in the answer box (after a refusal, so nothing typed is lost).
    pub draft: &'a str,
    pub sent: Vec<SentAnswer>,
}

fn layout(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="stylesheet" href="/phone.css";
                script src="/phone.js" defer {}
            }
            body { main { (body) } }
        }
    }
    .into_string()
}

/// A plain refusal: the message and nothing else.
pub fn refusal_page(message: &str) -> String {
    layout(
        "Fieldbook",
        html! {
            h1 { "Fieldbook" }
            p { (message) }
        },
    )
}

pub fn answer_page(m: &PageModel) -> String {
    let item = m.prompt.item_id.map(|i| i.to_string()).unwrap_or_default();
    let has_name = m.chosen.is_some() || !m.name.is_empty();
    layout(
        "Your answer: Fieldbook",
        html! {
            p.session { (m.session_title) }
            h1 #prompt { (m.prompt.text) }
            p #prompt-status .hint role="status" {}
            @match &m.notice {
                Some(Notice::Done(text)) => p.notice role="status" { (text) },
                Some(Notice::Problem(text)) => p.problem role="alert" { (text) },
                None => {},
            }
            form method="post" action="/answer" {
                input type="hidden" #item name="item" value=(item);
                label for="text" { "Your answer" }
                textarea #text name="text" rows="5" maxlength=(MAX_ANSWER_CHARS) required { (m.draft) }
                details open[has_name] {
                    summary { "Add your name (optional)" }
                    p.hint { "Without a name your answer is anonymous." }
                    @if !m.cohort.is_empty() {
                        label for="who" { "Choose your name" }
                        select #who name="who" {
                            option value="" selected[m.chosen.is_none()] { "Stay anonymous" }
                            @for (id, name) in &m.cohort {
                                option value=(id) selected[m.chosen == Some(*id)] { (name) }
                            }
                        }
                        label for="name" { "Or type your name" }
                    } @else {
                        label for="name" { "Your name" }
                    }
                    input #name name="name" type="text" autocomplete="name" maxlength=(MAX_NAME_CHARS) value=(m.name);
                    fieldset {
                        legend { "If you give your name" }
                        div.choice {
                            input #quote type="checkbox" name="quote" value="yes" checked[m.quote];
                            label for="quote" { "You may quote my words in notes from this programme" }
                        }
                        div.choice {
                            input #named type="checkbox" name="named" value="yes" checked[m.named];
                            label for="named" { "You may name me beside my words" }
                        }
                    }
                }
                button type="submit" { "Send" }
            }
            @if !m.sent.is_empty() {
                section aria-labelledby="sent-heading" {
                    h2 #sent-heading { "What you sent" }
                    p.hint { "You can change or withdraw these while the session runs." }
                    @for (n, answer) in m.sent.iter().enumerate() {
                        article.sent {
                            @if !answer.prompt.is_empty() {
                                p.hint { (answer.prompt) }
                            }
                            form method="post" action=(format!("/answer/{}", answer.id)) {
                                label for=(format!("sent-{n}")) { "Your answer " (n + 1) }
                                textarea id=(format!("sent-{n}")) name="text" rows="3" maxlength=(MAX_ANSWER_CHARS) { (answer.text) }
                                button type="submit" { "Save change" }
                            }
                            form method="post" action=(format!("/answer/{}/withdraw", answer.id)) {
                                button.quiet type="submit" aria-label=(format!("Withdraw answer {}", n + 1)) { "Withdraw" }
                            }
                        }
                    }
                }
            }
            p.hint { "Your answers go only to the facilitator's laptop in this room, not to the internet." }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model<'a>(draft: &'a str, sent: Vec<SentAnswer>) -> PageModel<'a> {
        PageModel {
            session_title: "Session <1>",
            prompt: Prompt {
                item_id: None,
                text: "What did you <em>notice</em>?".into(),
                prompt: String::new(),
            },
            cohort: vec![(Uuid::nil(), "Asha \"Ash\" <Bell>")],
            chosen: None,
            name: "",
            quote: false,
            named: false,
            notice: None,
            draft,
            sent,
        }
    }

    #[test]
    fn everything_typed_comes_back_as_text_never_as_html() {
        let page = answer_page(&model(
            "<script>alert(1)</script>",
            vec![SentAnswer {
                id: Uuid::nil(),
                prompt: "<b>bold</b>".into(),
                text: "</textarea><img src=x onerror=alert(1)>".into(),
            }],
        ));
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(!page.contains("<img"), "{page}");
        assert!(!page.contains("<em>") && !page.contains("<b>"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("&lt;/textarea&gt;&lt;img src=x onerror=alert(1)&gt;"));
        assert!(page.contains("Asha &quot;Ash&quot; &lt;Bell&gt;"));
        assert!(page.contains("Session &lt;1&gt;"));
    }

    #[test]
    fn the_page_loads_only_its_own_script_and_stylesheet() {
        let page = answer_page(&model("", vec![]));
        assert!(page.contains(r#"<script src="/phone.js" defer>"#));
        assert!(page.contains(r#"<link rel="stylesheet" href="/phone.css">"#));
        assert!(!page.contains("http://") && !page.contains("https://") && !page.contains("//"));
        assert!(!page.contains("style=") && !page.contains("onclick"));
        assert!(CSP.contains("default-src 'none'") && !CSP.contains("unsafe"));
    }

    #[test]
    fn the_page_works_as_a_plain_form_post() {
        let page = answer_page(&model("", vec![]));
        assert!(page.contains(r#"<form method="post" action="/answer">"#));
        assert!(page.contains(r#"name="text""#) && page.contains(r#"type="submit""#));
    }
}
