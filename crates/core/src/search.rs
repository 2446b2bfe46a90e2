//! Finding reflections: full-text search (FTS5 with English stemming) with filters, counts and
//! the matched words marked. Whatever a facilitator types is turned into a safe query: quotes,
//! asterisks and operators never cause a syntax error.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::store::Store;
use crate::themes::ThemeName;

/// Marks the start and end of a matched word in [`Hit::marked`]; the window turns them into
/// highlights, as elements, never as HTML.
pub const MARK_START: char = '\u{2}';
pub const MARK_END: char = '\u{3}';

/// Turns what a facilitator typed into an FTS5 query: words and "quoted phrases" must all
/// appear (stemmed, so "listening" finds "listen"); a word ending in * matches as a prefix.
/// Every term is quoted, so nothing typed is read as FTS syntax. `None` when nothing
/// searchable was typed.
pub fn fts_query(text: &str) -> Option<String> {
    terms(text, false)
}

/// The shortest last word that is matched as the start of a word while typing: shorter ones
/// would match most of the index and tell the facilitator nothing.
pub const PREFIX_FROM: usize = 3;

/// As [`fts_query`], for a search made as the facilitator types: the last word, unless a space
/// follows it, also matches as the start of a word ("trus" finds "trust"), once it has
/// [`PREFIX_FROM`] letters.
pub fn fts_query_as_typed(text: &str) -> Option<String> {
    terms(text, !text.ends_with(char::is_whitespace))
}

fn terms(text: &str, last_is_prefix: bool) -> Option<String> {
    let mut terms = Vec::new();
    let mut rest = text;
    while !rest.trim().is_empty() {
        rest = rest.trim_start();
        let (term, phrase, after) = if let Some(body) = rest.strip_prefix('"') {
            match body.find('"') {
                Some(end) => (&body[..end], true, &body[end + 1..]),
                None => (body, true, ""),
            }
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            (&rest[..end], false, &rest[end..])
        };
        rest = after;
        let typing_it = last_is_prefix && !phrase && rest.trim().is_empty();
        let prefix = !phrase && term.ends_with('*');
        let words: Vec<String> = term
            .split(|c: char| !c.is_alphanumeric() && c != '\'')
            .map(|w| w.trim_matches('\''))
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        if words.is_empty() {
            continue;
        }
        let quoted = format!("\"{}\"", words.join(" ").replace('"', "\"\""));
        let started = typing_it
            && words
                .last()
                .is_some_and(|w| w.chars().count() >= PREFIX_FROM);
        terms.push(if prefix || started {
            format!("{quoted}*")
        } else {
            quoted
        });
    }
    (!terms.is_empty()).then(|| terms.join(" "))
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Newest,
    Relevance,
}

/// What to look for and where.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    pub text: String,
    pub programme_id: Option<Uuid>,
    pub version_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub participant_id: Option<Uuid>,
    /// Reflections on one agenda item.
    pub agenda_item_id: Option<Uuid>,
    /// Reflections not on any agenda item (said freely).
    #[serde(default)]
    pub no_item: bool,
    /// Reflections answering exactly this prompt.
    pub prompt: Option<String>,
    /// Reflections coded with this theme (or a theme merged into it).
    pub theme_id: Option<Uuid>,
    /// Reflections with no theme yet.
    #[serde(default)]
    pub untagged: bool,
    pub sector: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    #[serde(default)]
    pub sort: Sort,
    /// Searching as the facilitator types: the last word also matches the start of words.
    #[serde(default)]
    pub as_you_type: bool,
    /// How many to return (at most 500) and from where.
    pub limit: Option<u32>,
    #[serde(default)]
    pub offset: u32,
}

/// One reflection found, with where it was said.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Hit {
    pub id: String,
    pub text: String,
    /// The text with matched words between [`MARK_START`] and [`MARK_END`].
    pub marked: String,
    pub prompt: String,
    pub captured_at: String,
    pub session_id: String,
    pub session: String,
    pub date: Option<String>,
    pub version: Option<String>,
    pub place: Option<String>,
    pub programme: Option<String>,
    pub item: Option<String>,
    pub agenda_item_id: Option<String>,
    pub participant_id: Option<String>,
    pub participant: Option<String>,
    pub sector: Option<String>,
    /// "phone" when a participant sent it from their phone; none when typed at the laptop.
    pub sent_from: Option<String>,
    /// The reflection's live themes.
    #[sqlx(skip)]
    pub themes: Vec<ThemeName>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    /// How many reflections match, in all.
    pub total: i64,
    pub hits: Vec<Hit>,
}

/// The longest search, in the library and among reflections alike.
pub const MAX_QUERY: usize = 500;

/// Refuses a search longer than [`MAX_QUERY`] characters.
pub fn check_query_length(text: &str) -> Result<()> {
    if text.chars().count() > MAX_QUERY {
        return Err(Error::invalid(format!(
            "Search for at most {MAX_QUERY} characters."
        )));
    }
    Ok(())
}

/// The first search key of reflections captured on `date` (UTC): keys are the millisecond of
/// capture times 1024 (see migration 0008).
fn first_key_of(date: NaiveDate) -> i64 {
    date.and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
        .timestamp_millis()
        * 1024
}

impl Store {
    /// Reflections matching `query`, newest first or best match first, with the total count.
    ///
    /// The index's keys are in capture order, so newest first reads matches backwards and
    /// stops after a page; only the page's rows are joined to their sessions and places.
    pub async fn search(&self, query: &SearchQuery) -> Result<SearchResult> {
        check_query_length(&query.text)?;
        // Words typed are looked for in the text and prompt; filters on where a reflection was
        // said and who said it are tokens in the index's facets column (migration 0009).
        let words = if query.as_you_type {
            fts_query_as_typed(&query.text)
        } else {
            fts_query(&query.text)
        };
        let mut facets = Vec::new();
        let token =
            |prefix: &str, id: &str| format!("facets : \"{prefix}{}0\"", id.replace('-', ""));
        if let Some(p) = query.programme_id {
            facets.push(token("fbg", &p.to_string()));
        }
        if let Some(v) = query.version_id {
            facets.push(token("fbv", &v.to_string()));
        }
        if let Some(s) = query.session_id {
            facets.push(token("fbs", &s.to_string()));
        }
        if let Some(p) = query.participant_id {
            facets.push(token("fbp", &p.to_string()));
        }
        if let Some(sector) = query.sector.as_deref().filter(|s| !s.is_empty()) {
            if !sector.chars().all(|c| c.is_ascii_lowercase()) {
                return Err(Error::invalid("That is not a sector Fieldbook knows."));
            }
            facets.push(format!("facets : \"fbsector{sector}0\""));
        }
        let fts = match (&words, facets.is_empty()) {
            (None, true) => None,
            (words, _) => Some(
                words
                    .iter()
                    .map(|w| format!("{{text prompt}} : ({w})"))
                    .chain(facets)
                    .collect::<Vec<_>>()
                    .join(" AND "),
            ),
        };
        // The key every row is found by: the index's rowid, or the reflection's search key.
        let key = if fts.is_some() {
            "reflection_search.rowid"
        } else {
            "r.search_key"
        };
        let mut conditions: Vec<String> = Vec::new();
        let mut args: Vec<String> = Vec::new();
        let mut needs_reflection = fts.is_none();
        let mut bind = |condition: &str, value: String, args: &mut Vec<String>| {
            args.push(value);
            conditions.push(condition.replace('?', &format!("?{}", args.len())));
        };
        if let Some(f) = &fts {
            bind("reflection_search MATCH ?", f.clone(), &mut args);
        }
        let mut on_reflection = Vec::new();
        if let Some(item) = query.agenda_item_id {
            on_reflection.push(("r.agenda_item_id = ?", item.to_string()));
        }
        if let Some(prompt) = &query.prompt {
            on_reflection.push(("r.prompt = ?", prompt.clone()));
        }
        if let Some(theme) = query.theme_id {
            on_reflection.push((
                "r.id IN (SELECT reflection_id FROM reflection_theme WHERE theme_id = ?)",
                theme.to_string(),
            ));
        }
        for (condition, value) in on_reflection {
            bind(condition, value, &mut args);
            needs_reflection = true;
        }
        if let Some(from) = query.from {
            bind(
                &format!("{key} >= ?"),
                first_key_of(from).to_string(),
                &mut args,
            );
        }
        if let Some(to) = query.to {
            let after = to.succ_opt().unwrap_or(to);
            bind(
                &format!("{key} < ?"),
                first_key_of(after).to_string(),
                &mut args,
            );
        }
        if fts.is_none() {
            conditions.push("r.deleted = 0 AND r.text != ''".to_owned());
        }
        if query.no_item && query.agenda_item_id.is_none() {
            conditions.push("r.agenda_item_id IS NULL".to_owned());
            needs_reflection = true;
        }
        if query.untagged {
            conditions.push("r.id NOT IN (SELECT reflection_id FROM reflection_theme)".to_owned());
            needs_reflection = true;
        }
        let from = match (&fts, needs_reflection) {
            (Some(_), true) => {
                "reflection_search JOIN reflection r ON r.search_key = reflection_search.rowid"
            }
            (Some(_), false) => "reflection_search",
            (None, _) => "reflection r",
        };
        let where_clause = if conditions.is_empty() {
            "1".to_owned()
        } else {
            conditions.join(" AND ")
        };
        let count_sql = format!("SELECT count(*) FROM {from} WHERE {where_clause}");
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for a in &args {
            count = count.bind(a);
        }
        let total = count.fetch_one(self.reader()).await.map_err(search_error)?;

        let limit = query.limit.unwrap_or(50).min(500);
        let relevance = query.sort == Sort::Relevance && words.is_some();
        let (rank, order, page_order) = if relevance {
            (
                "bm25(reflection_search)",
                "rank, k DESC",
                "page.rank, page.k DESC",
            )
        } else {
            ("0", "k DESC", "page.k DESC")
        };
        let highlight = format!("highlight(reflection_search, 0, '{MARK_START}', '{MARK_END}')");
        // Newest first reads the index in order, so the page's words are marked as it is read.
        // Best match first sorts every match, so only the page's rows are marked, afterwards.
        let mark_in_page = words.is_some() && !relevance;
        let page = format!(
            "SELECT {key} AS k, {rank} AS rank, {} AS marked FROM {from} WHERE {where_clause}
             ORDER BY {order} LIMIT {limit} OFFSET {}",
            if mark_in_page {
                highlight.as_str()
            } else {
                "NULL"
            },
            query.offset
        );
        // The page's rows with where they were said; the words marked only for these. Whole
        // words are looked up row by row; the start of a word (a prefix, read whole from the
        // index at each look-up) in one pass, where `+rowid` keeps the keys from being used
        // to look rows up one by one.
        let prefix = words.as_deref().is_some_and(|w| w.contains("\"*"));
        let (marked, marks) = match &words {
            Some(_) if mark_in_page => ("page.marked".to_owned(), String::new()),
            Some(_) if !prefix => (highlight.clone(), String::new()),
            Some(_) => (
                "coalesce(marks.marked, r.text)".to_owned(),
                format!(
                    ", marks AS (SELECT rowid AS k, {highlight} AS marked FROM reflection_search
                     WHERE reflection_search MATCH ?1
                       AND rowid BETWEEN (SELECT min(k) FROM page) AND (SELECT max(k) FROM page)
                       AND +rowid IN (SELECT k FROM page))"
                ),
            ),
            None => ("r.text".to_owned(), String::new()),
        };
        let marking = match &words {
            Some(_) if mark_in_page => "",
            Some(_) if !prefix => "CROSS JOIN reflection_search ON reflection_search.rowid = page.k AND reflection_search MATCH ?1",
            Some(_) => "LEFT JOIN marks ON marks.k = page.k",
            None => "",
        };
        let sql = format!(
            "WITH page AS MATERIALIZED ({page}){marks}
             SELECT r.id, r.text, {marked} AS marked, r.prompt, r.captured_at, r.session_id,
                    s.title AS session, s.date, v.name AS version, v.place, g.title AS programme,
                    a.title AS item, r.agenda_item_id, r.participant_id, p.name AS participant, p.sector,
                    r.sent_from
             FROM page
             CROSS JOIN reflection r ON r.search_key = page.k
             {marking}
             CROSS JOIN session s ON s.id = r.session_id
             LEFT JOIN programme_version v ON v.id = s.version_id
             LEFT JOIN programme g ON g.id = v.programme_id
             LEFT JOIN agenda_item a ON a.id = r.agenda_item_id
             LEFT JOIN participant p ON p.id = r.participant_id
             ORDER BY {page_order}"
        );
        let mut rows = sqlx::query_as::<_, Hit>(&sql);
        for a in &args {
            rows = rows.bind(a);
        }
        let mut hits = rows.fetch_all(self.reader()).await.map_err(search_error)?;
        let ids: Vec<String> = hits.iter().map(|h| h.id.clone()).collect();
        let mut themes = self.themes_of(&ids).await?;
        for hit in &mut hits {
            hit.themes = themes.remove(&hit.id).unwrap_or_default();
        }
        Ok(SearchResult { total, hits })
    }
}

fn search_error(e: sqlx::Error) -> Error {
    match &e {
        sqlx::Error::Database(db) if db.message().contains("fts5") => {
            Error::invalid("Fieldbook could not read that search. Try fewer symbols.")
        }
        _ => Error::Database(e),
    }
}

#[cfg(test)]
mod tests {
    use super::{fts_query, fts_query_as_typed};

    /// Asserts the FTS5 query `to_query` makes of each typed text.
    fn assert_queries(to_query: fn(&str) -> Option<String>, cases: &[(&str, &str)]) {
        for (typed, query) in cases {
            assert_eq!(to_query(typed).as_deref(), Some(*query), "{typed:?}");
        }
    }

    #[test]
    fn while_typing_the_last_word_matches_the_start_of_words() {
        assert_queries(
            fts_query_as_typed,
            &[
                ("trus", "\"trus\"*"),
                ("build compl", "\"build\" \"compl\"*"),
                // A space after it means the word is finished.
                ("know ", "\"know\""),
                // Phrases, and words too short to say much, are matched whole.
                ("\"shared power\"", "\"shared power\""),
                ("trust in", "\"trust\" \"in\""),
            ],
        );
        // Without typing, nothing is a prefix unless asked for with *.
        assert_queries(fts_query, &[("trus", "\"trus\"")]);
    }

    #[test]
    fn what_is_typed_becomes_quoted_terms() {
        assert_queries(
            fts_query,
            &[
                ("listening communities", "\"listening\" \"communities\""),
                ("\"shared power\" trust", "\"shared power\" \"trust\""),
                ("commiss*", "\"commiss\"*"),
                ("don't", "\"don't\""),
            ],
        );
    }

    #[test]
    fn symbols_and_operators_are_never_fts_syntax() {
        // Punctuation inside a word joins its parts as a phrase; operators are plain words.
        assert_queries(
            fts_query,
            &[
                (
                    "NEAR(a b) OR c AND -d",
                    "\"NEAR a\" \"b\" \"OR\" \"c\" \"AND\" \"d\"",
                ),
                ("\"unclosed phrase", "\"unclosed phrase\""),
            ],
        );
        for nothing in ["", "   ", "***", "\"\"", "()", "^:-"] {
            assert_eq!(fts_query(nothing), None, "{nothing:?}");
        }
    }
}
