//! Participant lists: a cohort from the spreadsheet a facilitator was sent (a registration
//! form, Eventbrite, an HR list), as CSV, Excel (.xlsx) or LibreOffice (.ods).
//!
//! Reading a file gives a [`Table`] of text cells; [`guess_mapping`] recognises the usual
//! English headings; [`plan`] is a pure function of the table, the mapping and the people
//! already in the cohort, saying what would be added, what is a duplicate and which rows are
//! refused and why. Nothing is written until [`Store::import_participants`] applies a plan
//! the facilitator has seen, and it plans again against the cohort as it is then, so
//! importing the same file twice adds nothing.

use std::collections::HashMap;
use std::io::Cursor;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::{Meta, Participant, Sector};
use crate::error::{Error, Result};
use crate::store::Store;

/// The largest participant list read (a cohort is tens of people; this is generous).
pub const MAX_ROWS: usize = 20_000;
/// The largest file read, in bytes.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// How many rows the preview shows as they will be saved.
pub const PREVIEW_ROWS: usize = 5;

/// A spreadsheet's cells as text, the heading row first. Row `i` of `rows` is the file's row
/// `numbers[i]` (counting from 1, as Excel and LibreOffice number them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub rows: Vec<Vec<String>>,
    pub numbers: Vec<usize>,
}

/// What a column of the list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    FirstName,
    LastName,
    Email,
    Organisation,
    Role,
    Sector,
    ConsentNamed,
    ConsentQuoted,
    ConsentContact,
    /// Not imported.
    Ignore,
}

impl Field {
    /// Every field, in the order the mapping menu offers them.
    pub const ALL: [Field; 11] = [
        Field::Name,
        Field::FirstName,
        Field::LastName,
        Field::Email,
        Field::Organisation,
        Field::Role,
        Field::Sector,
        Field::ConsentNamed,
        Field::ConsentQuoted,
        Field::ConsentContact,
        Field::Ignore,
    ];

    /// The facilitator's words for it.
    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::FirstName => "First name",
            Field::LastName => "Last name",
            Field::Email => "Email",
            Field::Organisation => "Organisation",
            Field::Role => "Role",
            Field::Sector => "Sector",
            Field::ConsentNamed => "Agrees to be named",
            Field::ConsentQuoted => "Agrees to be quoted",
            Field::ConsentContact => "Agrees to be contacted",
            Field::Ignore => "Not imported",
        }
    }
}

/// Reads a participant list: `.csv`, `.xlsx`, `.xlsm`, `.xls` or `.ods`, by the file name's
/// extension.
pub fn read_table(bytes: &[u8], file_name: &str) -> Result<Table> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Error::invalid(format!(
            "{file_name} is larger than {} MB, too large for a participant list. Nothing has been changed.",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let table = match extension.as_str() {
        "csv" | "txt" => read_csv(bytes, file_name)?,
        "xlsx" | "xlsm" | "xls" | "ods" => read_spreadsheet(bytes, file_name)?,
        _ => {
            return Err(Error::invalid(format!(
                "{file_name} is not a participant list Fieldbook can read: choose a .csv, .xlsx or .ods file. Nothing has been changed."
            )))
        }
    };
    if table.rows.is_empty() {
        return Err(Error::invalid(format!(
            "{file_name} holds no rows: check it is the participant list. Nothing has been changed."
        )));
    }
    Ok(table)
}

/// Reads CSV as Excel and LibreOffice write it: UTF-8 with or without a byte-order mark,
/// quoted fields with doubled quotes and line breaks, CRLF or LF, commas or semicolons (the
/// separator is the one the heading line uses most outside quotes).
pub fn read_csv(bytes: &[u8], file_name: &str) -> Result<Table> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| {
        Error::invalid(format!(
            "{file_name} is not saved as UTF-8 text. In Excel choose \"Save as\" and \"CSV UTF-8\"; in LibreOffice choose the character set \"Unicode (UTF-8)\". Nothing has been changed."
        ))
    })?;
    let delimiter = guess_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut table = Table::default();
    // The csv reader skips blank lines, which are rows to Excel: a record's row number is the
    // previous one's plus the line ends between them, less those inside its quoted fields.
    let (mut row, mut from, mut embedded) = (0usize, 0usize, 0usize);
    for record in reader.records() {
        let record = record.map_err(|e| {
            Error::invalid(format!(
                "{file_name} could not be read as CSV near row {}: {e}. Nothing has been changed.",
                row + 1
            ))
        })?;
        let start = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(from)
            .clamp(from, text.len());
        // The reader's position can be just before the line end it stopped at; the record
        // itself starts after the line ends (a record never starts with one: blank lines are
        // skipped).
        let start = start
            + text.as_bytes()[start..]
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
        let line_ends = text.as_bytes()[from..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        row += if row == 0 {
            line_ends + 1
        } else {
            line_ends.saturating_sub(embedded).max(1)
        };
        from = start;
        embedded = record.iter().map(|f| f.matches('\n').count()).sum();
        push_row(&mut table, row, record.iter().map(str::to_owned))?;
    }
    Ok(table)
}

fn guess_delimiter(text: &str) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semicolons += 1,
            '\n' if !quoted => break,
            _ => {}
        }
    }
    if semicolons > commas {
        b';'
    } else {
        b','
    }
}

/// Reads the first sheet of an Excel or LibreOffice file with calamine.
fn read_spreadsheet(bytes: &[u8], file_name: &str) -> Result<Table> {
    use calamine::{Data, Reader};
    let unreadable = |e: &dyn std::fmt::Display| {
        Error::invalid(format!(
            "{file_name} could not be read as a spreadsheet ({e}). Check it opens in Excel or LibreOffice, or save it as CSV. Nothing has been changed."
        ))
    };
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| unreadable(&e))?;
    let Some(range) = book.worksheet_range_at(0) else {
        return Err(Error::invalid(format!(
            "{file_name} has no sheets. Nothing has been changed."
        )));
    };
    let range = range.map_err(|e| unreadable(&e))?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    let mut table = Table::default();
    for (index, row) in range.rows().enumerate() {
        let cells =
            std::iter::repeat_n(String::new(), first_col).chain(row.iter().map(
                |cell| match cell {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
                    Data::Int(i) => i.to_string(),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                        format!("{}", *f as i64)
                    }
                    other => other.to_string(),
                },
            ));
        push_row(&mut table, first_row + index + 1, cells)?;
    }
    Ok(table)
}

fn push_row(table: &mut Table, number: usize, cells: impl Iterator<Item = String>) -> Result<()> {
    if table.rows.len() >= MAX_ROWS {
        return Err(Error::invalid(format!(
            "The list has more than {MAX_ROWS} rows, more than any cohort: check it is the participant list. Nothing has been changed."
        )));
    }
    let cells: Vec<String> = cells.map(|c| c.trim().to_owned()).collect();
    // Rows with nothing in them are left out (spreadsheets often have them between blocks).
    if cells.iter().all(String::is_empty) {
        return Ok(());
    }
    table.rows.push(cells);
    table.numbers.push(number);
    Ok(())
}

fn simplify(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a heading usually means, or `Ignore`.
pub fn recognise(heading: &str) -> Field {
    let h = simplify(heading);
    let has = |w: &str| h.split(' ').any(|x| x == w);
    if has("consent") || has("agree") || has("agrees") || has("agreed") || has("permission") {
        if has("named") || has("name") || has("names") {
            return Field::ConsentNamed;
        }
        if has("quoted") || has("quote") || has("quotes") {
            return Field::ConsentQuoted;
        }
        if has("contact") || has("contacted") {
            return Field::ConsentContact;
        }
        return Field::Ignore;
    }
    match h.as_str() {
        "name" | "full name" | "fullname" | "participant" | "participant name" | "attendee"
        | "attendee name" | "delegate" | "delegate name" | "your name" => Field::Name,
        "first name" | "firstname" | "forename" | "forenames" | "given name" | "first" => {
            Field::FirstName
        }
        "last name" | "lastname" | "surname" | "family name" | "last" => Field::LastName,
        "email" | "e mail" | "email address" | "e mail address" | "work email" | "your email" => {
            Field::Email
        }
        "organisation"
        | "organization"
        | "organisation name"
        | "organization name"
        | "employer"
        | "company"
        | "organisation employer" => Field::Organisation,
        "role" | "job title" | "job role" | "title role" | "position" | "job" => Field::Role,
        "sector" => Field::Sector,
        _ => Field::Ignore,
    }
}

/// A mapping for the heading row: each heading recognised, and each field used once (a second
/// column with the same meaning is not imported).
pub fn guess_mapping(headings: &[String]) -> Vec<Field> {
    let mut used = Vec::new();
    headings
        .iter()
        .map(|h| {
            let field = recognise(h);
            if field == Field::Ignore || used.contains(&field) {
                Field::Ignore
            } else {
                used.push(field);
                field
            }
        })
        .collect()
}

/// The mapping for `headings` with the facilitator's choices applied: each `(heading, field)`
/// names a heading (ignoring case and spacing) and what its column holds, as
/// `Field`'s snake_case name ("name", "first_name", "email", "consent_quoted", "ignore"...).
pub fn mapping_with(headings: &[String], choices: &[(String, String)]) -> Result<Vec<Field>> {
    let mut mapping = guess_mapping(headings);
    for (heading, field) in choices {
        let column = headings
            .iter()
            .position(|h| simplify(h) == simplify(heading))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "The list has no column \"{heading}\". Its headings are: {}. Nothing has been changed.",
                    headings.join(", ")
                ))
            })?;
        let chosen: Field = serde_json::from_value(serde_json::Value::String(field.trim().to_lowercase()))
            .map_err(|_| {
                Error::invalid(format!(
                    "\"{field}\" is not something a column can hold: choose name, first_name, last_name, email, organisation, role, sector, consent_named, consent_quoted, consent_contact or ignore. Nothing has been changed."
                ))
            })?;
        // A field holds one column: a column chosen for it takes it from any other.
        for m in mapping.iter_mut() {
            if *m == chosen && chosen != Field::Ignore {
                *m = Field::Ignore;
            }
        }
        mapping[column] = chosen;
    }
    Ok(mapping)
}

/// One person as they will be saved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListedPerson {
    /// The file's row number.
    pub row: usize,
    pub name: String,
    pub email: Option<String>,
    pub organisation: String,
    pub role: String,
    pub sector: Sector,
    pub consent_named: bool,
    pub consent_quoted: bool,
    pub consent_contact: bool,
}

/// A row that is not imported, and why, in the facilitator's words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefusedRow {
    pub row: usize,
    pub reason: String,
}

/// A row for someone already in the cohort or earlier in the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuplicateRow {
    pub row: usize,
    pub name: String,
    pub reason: String,
}

/// What importing a list would do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportPlan {
    pub headings: Vec<String>,
    pub mapping: Vec<Field>,
    /// The first rows as they will be saved.
    pub preview: Vec<ListedPerson>,
    pub to_add: Vec<ListedPerson>,
    pub duplicates: Vec<DuplicateRow>,
    pub refused: Vec<RefusedRow>,
    /// Why nothing can be imported with this mapping (no column of names), if so.
    pub problem: Option<String>,
}

fn squash(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether an address looks like one an email could be sent to: one `@`, something before
/// it, a domain with a dot after it, and no spaces.
pub fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

fn parse_sector(text: &str) -> Option<Sector> {
    let s = simplify(text);
    let s = s.strip_suffix(" sector").unwrap_or(&s);
    match s {
        "" | "not known" | "unknown" => Some(Sector::Unknown),
        "public" => Some(Sector::Public),
        "private" => Some(Sector::Private),
        "voluntary" => Some(Sector::Voluntary),
        "community" => Some(Sector::Community),
        _ => None,
    }
}

fn parse_yes_no(text: &str) -> Option<bool> {
    match simplify(text).as_str() {
        "yes" | "y" | "true" | "1" | "x" | "agreed" | "agree" | "i agree" | "consented" => {
            Some(true)
        }
        "" | "no" | "n" | "false" | "0" | "not agreed" | "declined" => Some(false),
        _ => match text.trim() {
            "✓" | "✔" => Some(true),
            _ => None,
        },
    }
}

/// Plans an import: `table` as read, `mapping` one field per heading, `cohort` the people
/// already in the version. A pure function: the same input gives the same plan.
pub fn plan(table: &Table, mapping: &[Field], cohort: &[Participant]) -> ImportPlan {
    let headings = table.rows.first().cloned().unwrap_or_default();
    let mut mapping = mapping.to_vec();
    mapping.resize(headings.len(), Field::Ignore);
    let column = |f: Field| mapping.iter().position(|m| *m == f);
    let mut result = ImportPlan {
        headings: headings.clone(),
        mapping: mapping.clone(),
        preview: Vec::new(),
        to_add: Vec::new(),
        duplicates: Vec::new(),
        refused: Vec::new(),
        problem: None,
    };
    let name_col = column(Field::Name);
    let (first_col, last_col) = (column(Field::FirstName), column(Field::LastName));
    if name_col.is_none() && first_col.is_none() && last_col.is_none() {
        result.problem = Some(format!(
            "Fieldbook could not tell which column holds people's names. The headings are: {}. Choose \"Name\" (or \"First name\" and \"Last name\") for the right columns.",
            headings
                .iter()
                .map(|h| format!("\"{h}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return result;
    }

    let mut by_email: HashMap<String, String> = HashMap::new();
    let mut by_name: HashMap<(String, String), String> = HashMap::new();
    for p in cohort {
        if let Some(email) = p.email.as_deref().filter(|e| !e.is_empty()) {
            by_email.insert(email.to_lowercase(), "already in the cohort".into());
        }
        by_name.insert(
            (squash(&p.name), squash(&p.organisation)),
            "already in the cohort".into(),
        );
    }

    for (row, &number) in table.rows.iter().zip(&table.numbers).skip(1) {
        let cell = |f: Field| {
            column(f)
                .and_then(|c| row.get(c))
                .map(String::as_str)
                .unwrap_or("")
        };
        let name = match name_col {
            Some(c) => row.get(c).cloned().unwrap_or_default(),
            None => format!("{} {}", cell(Field::FirstName), cell(Field::LastName)),
        };
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        let refuse = |reason: String| RefusedRow {
            row: number,
            reason,
        };
        if name.is_empty() {
            result.refused.push(refuse("it has no name".into()));
            continue;
        }
        let email = cell(Field::Email);
        if !email.is_empty() && !plausible_email(email) {
            result.refused.push(refuse(format!(
                "the email \"{email}\" is not an email address"
            )));
            continue;
        }
        let Some(sector) = parse_sector(cell(Field::Sector)) else {
            result.refused.push(refuse(format!(
                "the sector \"{}\" is not one of Fieldbook's: public, private, voluntary or community (or leave it empty)",
                cell(Field::Sector)
            )));
            continue;
        };
        let mut consents = [false; 3];
        let mut bad_consent = None;
        for (slot, field) in [
            Field::ConsentNamed,
            Field::ConsentQuoted,
            Field::ConsentContact,
        ]
        .into_iter()
        .enumerate()
        {
            match parse_yes_no(cell(field)) {
                Some(v) => consents[slot] = v,
                None => {
                    bad_consent = Some(format!(
                        "\"{}\" says \"{}\": write yes or no",
                        column(field)
                            .and_then(|c| headings.get(c))
                            .map_or(field.label(), String::as_str),
                        cell(field)
                    ));
                    break;
                }
            }
        }
        if let Some(reason) = bad_consent {
            result.refused.push(refuse(reason));
            continue;
        }
        let person = ListedPerson {
            row: number,
            name: name.clone(),
            email: (!email.is_empty()).then(|| email.to_owned()),
            organisation: cell(Field::Organisation).to_owned(),
            role: cell(Field::Role).to_owned(),
            sector,
            consent_named: consents[0],
            consent_quoted: consents[1],
            consent_contact: consents[2],
        };
        let email_key = person.email.as_deref().map(str::to_lowercase);
        let name_key = (squash(&person.name), squash(&person.organisation));
        let earlier = email_key
            .as_ref()
            .and_then(|e| by_email.get(e).map(|w| (w, "same email")))
            .or_else(|| {
                by_name
                    .get(&name_key)
                    .map(|w| (w, "same name and organisation"))
            });
        if let Some((where_, why)) = earlier {
            result.duplicates.push(DuplicateRow {
                row: number,
                name: person.name.clone(),
                reason: format!("{where_} ({why})"),
            });
            continue;
        }
        let here = format!("the same person as row {number}");
        if let Some(e) = email_key {
            by_email.insert(e, here.clone());
        }
        by_name.insert(name_key, here);
        result.to_add.push(person);
    }
    result.preview = result.to_add.iter().take(PREVIEW_ROWS).cloned().collect();
    result
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    pub added: Vec<ListedPerson>,
    pub duplicates: Vec<DuplicateRow>,
    pub refused: Vec<RefusedRow>,
}

impl Store {
    /// The plan for importing `table` into a version's cohort (nothing is written).
    pub async fn plan_participant_import(
        &self,
        version_id: Uuid,
        table: &Table,
        mapping: Option<&[Field]>,
    ) -> Result<ImportPlan> {
        self.get::<crate::domain::ProgrammeVersion>(version_id)
            .await?;
        let cohort = self.cohort(version_id).await?;
        let guessed;
        let mapping = match mapping {
            Some(m) => m,
            None => {
                guessed = guess_mapping(table.rows.first().map_or(&[][..], |r| &r[..]));
                &guessed
            }
        };
        Ok(plan(table, mapping, &cohort))
    }

    /// Imports a participant list into a version's cohort: plans against the cohort as it is
    /// now and saves everyone to add in one transaction.
    pub async fn import_participants(
        &self,
        version_id: Uuid,
        table: &Table,
        mapping: Option<&[Field]>,
    ) -> Result<ImportReport> {
        let plan = self
            .plan_participant_import(version_id, table, mapping)
            .await?;
        if let Some(problem) = plan.problem {
            return Err(Error::invalid(format!(
                "{problem} Nothing has been changed."
            )));
        }
        let now = self.clock().now();
        let mut writer = self.writer().await?;
        for person in &plan.to_add {
            let at = |given: bool| given.then_some(now);
            let mut p = Participant {
                meta: Meta::new(),
                version_id: Some(version_id),
                name: person.name.clone(),
                organisation: person.organisation.clone(),
                sector: person.sector,
                role: person.role.clone(),
                consent_named: person.consent_named,
                consent_named_at: at(person.consent_named),
                consent_quoted: person.consent_quoted,
                consent_quoted_at: at(person.consent_quoted),
                consent_contact: person.consent_contact,
                consent_contact_at: at(person.consent_contact),
                email: person.email.clone(),
                anonymised: false,
                pseudonym_number: None,
            };
            writer.save(&mut p).await?;
        }
        writer.commit().await?;
        Ok(ImportReport {
            added: plan.to_add,
            duplicates: plan.duplicates,
            refused: plan.refused,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(csv: &str) -> Table {
        read_csv(csv.as_bytes(), "list.csv").unwrap()
    }

    #[test]
    fn semicolons_bom_and_crlf_are_read_like_excel_writes_them() {
        let t = read_csv(
            "\u{feff}Name;Organisation\r\n\"Smith; Jo\";\"Age \"\"UK\"\"\"\r\n".as_bytes(),
            "x.csv",
        )
        .unwrap();
        assert_eq!(t.rows[0], vec!["Name", "Organisation"]);
        assert_eq!(t.rows[1], vec!["Smith; Jo", "Age \"UK\""]);
    }

    #[test]
    fn first_and_last_names_make_the_name_and_rows_keep_their_numbers() {
        let t = table("First name,Surname,E-mail\nAmélie,Dubois,a@x.org\n\n,,\nBo,Li,\n");
        let p = plan(&t, &guess_mapping(&t.rows[0]), &[]);
        let names: Vec<_> = p.to_add.iter().map(|p| (p.row, p.name.as_str())).collect();
        assert_eq!(names, vec![(2, "Amélie Dubois"), (5, "Bo Li")]);
    }

    #[test]
    fn refused_rows_say_why_and_duplicates_within_the_file_are_caught() {
        let t = table(
            "Name,Email,Sector,Organisation\n,a@x.org,public,A\nAl,not-an-email,,A\nBea,,Retail,B\nCy,c@x.org,Public sector,C\nCy Two,C@X.org,,D\nCy,,,C\n",
        );
        let p = plan(&t, &guess_mapping(&t.rows[0]), &[]);
        let refused: Vec<_> = p.refused.iter().map(|r| r.row).collect();
        assert_eq!(refused, vec![2, 3, 4]);
        assert!(p.refused[1].reason.contains("not-an-email"));
        assert!(p.refused[2].reason.contains("Retail"));
        assert_eq!(p.to_add.len(), 1);
        assert_eq!(p.to_add[0].sector, Sector::Public);
        let dup: Vec<_> = p.duplicates.iter().map(|d| d.row).collect();
        assert_eq!(dup, vec![6, 7]);
        assert!(p.duplicates[0].reason.contains("row 5"));
    }

    #[test]
    fn a_list_without_a_name_column_is_a_problem_until_one_is_chosen() {
        let t = table("Who,Where\nAl,Leeds\n");
        let guessed = guess_mapping(&t.rows[0]);
        assert!(plan(&t, &guessed, &[]).problem.is_some());
        let chosen = plan(&t, &[Field::Name, Field::Organisation], &[]);
        assert_eq!(chosen.problem, None);
        assert_eq!(chosen.to_add[0].organisation, "Leeds");
    }

    #[test]
    fn a_facilitators_choice_of_column_replaces_the_guess() {
        let headings: Vec<String> = ["Who", "Email", "Email 2"].map(String::from).to_vec();
        let m = mapping_with(
            &headings,
            &[
                ("who".into(), "name".into()),
                ("Email 2".into(), "email".into()),
            ],
        )
        .unwrap();
        assert_eq!(m, vec![Field::Name, Field::Ignore, Field::Email]);
        assert!(mapping_with(&headings, &[("Where".into(), "name".into())]).is_err());
        assert!(mapping_with(&headings, &[("Who".into(), "height".into())]).is_err());
    }

    #[test]
    fn consent_columns_are_recognised_and_read() {
        let t = table("Name,Consent to be named,Happy to be quoted? (consent),Agree to contact\nAl,Yes,no,x\nBo,maybe,,\n");
        let m = guess_mapping(&t.rows[0]);
        assert_eq!(
            &m[1..],
            &[
                Field::ConsentNamed,
                Field::ConsentQuoted,
                Field::ConsentContact
            ]
        );
        let p = plan(&t, &m, &[]);
        assert!(p.to_add[0].consent_named && !p.to_add[0].consent_quoted);
        assert!(p.to_add[0].consent_contact);
        assert_eq!(p.refused[0].row, 3);
    }
}
