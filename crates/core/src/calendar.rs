//! A cohort's session dates as an iCalendar file (RFC 5545) for participants' and partners'
//! calendars: one event per dated session, in the place's local time with its time zone, and
//! a UID that is the session's own id, so importing a later export updates the events instead
//! of adding them again. See docs/files.md.
//!
//! [`gather_calendar`](Store::gather_calendar) reads what the file needs; [`render_ics`] is a
//! pure function of it.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::agenda::{parse_time_of_day, timetable};
use crate::domain::{Programme, ProgrammeVersion};
use crate::error::{Error, Result};
use crate::store::Store;

/// The time zone session times are written in. Fieldbook's places are in the United
/// Kingdom and a session's times are the place's clock times ("09:30" in Sunderland), so
/// every calendar is written in UK time, with the UK's summer-time rules in its VTIMEZONE.
pub const PLACE_TIME_ZONE: &str = "Europe/London";

/// The UK's rules since 1996 (EU summer time): BST from 01:00 UTC on the last Sunday of
/// March to 01:00 UTC on the last Sunday of October.
const LONDON_VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\n\
TZID:Europe/London\r\n\
BEGIN:DAYLIGHT\r\n\
TZOFFSETFROM:+0000\r\n\
TZOFFSETTO:+0100\r\n\
TZNAME:BST\r\n\
DTSTART:19960331T010000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n\
END:DAYLIGHT\r\n\
BEGIN:STANDARD\r\n\
TZOFFSETFROM:+0100\r\n\
TZOFFSETTO:+0000\r\n\
TZNAME:GMT\r\n\
DTSTART:19961027T020000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n\
END:STANDARD\r\n\
END:VTIMEZONE\r\n";

/// One session as a calendar event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalendarEvent {
    /// The session's id: the event's UID is made from it.
    pub session_id: Uuid,
    /// How many times the session has been saved: a later export carries a higher number,
    /// which calendars take as an update.
    pub sequence: i64,
    pub title: String,
    /// Local (place) times.
    pub start: NaiveDateTime,
    pub end: Option<NaiveDateTime>,
    pub venue: String,
    pub objectives: String,
    pub last_modified: DateTime<Utc>,
}

/// Everything a calendar file holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calendar {
    pub name: String,
    pub events: Vec<CalendarEvent>,
    /// Sessions left out because they have no date yet.
    pub undated: Vec<String>,
    pub made_at: DateTime<Utc>,
}

impl Calendar {
    /// A file name for it, from the version's name.
    pub fn file_name(&self) -> String {
        crate::export::file_name_from(&format!("{} sessions", self.name), "ics")
    }
}

/// Escapes TEXT as RFC 5545 (3.3.11) asks.
fn escape(text: &str) -> String {
    crate::export::swap_chars(text, |c| match c {
        '\\' => Some("\\\\"),
        ';' => Some("\\;"),
        ',' => Some("\\,"),
        '\n' => Some("\\n"),
        '\r' => Some(""),
        c if c.is_control() => Some(" "),
        _ => None,
    })
}

/// Writes one content line, folded at 75 octets without splitting a character (3.1).
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

fn local(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The iCalendar text of a calendar. A pure function: the same calendar gives the same bytes.
pub fn render_ics(calendar: &Calendar) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(
        &mut out,
        concat!(
            "PRODID:-//Fieldbook//Fieldbook ",
            env!("CARGO_PKG_VERSION"),
            "//EN"
        ),
    );
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(
        &mut out,
        &format!("X-WR-CALNAME:{}", escape(&calendar.name)),
    );
    line(&mut out, &format!("X-WR-TIMEZONE:{PLACE_TIME_ZONE}"));
    out.push_str(LONDON_VTIMEZONE);
    for e in &calendar.events {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}@fieldbook", e.session_id));
        line(&mut out, &format!("SEQUENCE:{}", e.sequence));
        line(&mut out, &format!("DTSTAMP:{}", utc(calendar.made_at)));
        line(&mut out, &format!("LAST-MODIFIED:{}", utc(e.last_modified)));
        line(
            &mut out,
            &format!("DTSTART;TZID={PLACE_TIME_ZONE}:{}", local(e.start)),
        );
        if let Some(end) = e.end {
            line(
                &mut out,
                &format!("DTEND;TZID={PLACE_TIME_ZONE}:{}", local(end)),
            );
        }
        line(&mut out, &format!("SUMMARY:{}", escape(&e.title)));
        if !e.venue.trim().is_empty() {
            line(&mut out, &format!("LOCATION:{}", escape(e.venue.trim())));
        }
        if !e.objectives.trim().is_empty() {
            line(
                &mut out,
                &format!("DESCRIPTION:{}", escape(e.objectives.trim())),
            );
        }
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

fn at(date: NaiveDate, minutes: i64) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN) + Duration::minutes(minutes)
}

impl Store {
    /// A version's dated sessions as calendar events.
    pub async fn gather_calendar(&self, version_id: Uuid) -> Result<Calendar> {
        let version: ProgrammeVersion = self.get(version_id).await?;
        let programme: Programme = self.get(version.programme_id).await?;
        let name = if version.place.trim().is_empty() {
            format!("{}: {}", programme.title, version.name)
        } else {
            format!("{}, {}", programme.title, version.place)
        };
        let mut events = Vec::new();
        let mut undated = Vec::new();
        for session in self.sessions_of(version_id).await? {
            let Some(date) = session.date else {
                undated.push(session.title.clone());
                continue;
            };
            let start = parse_time_of_day(&session.start_time)?;
            let items = self.agenda_of(session.meta.id).await?;
            let times = timetable(&session.start_time, session.end_time.as_deref(), items)?;
            // The planned end if there is one, otherwise the end of the agenda.
            let end = match session.end_time.as_deref() {
                Some(end) => {
                    let mut end = parse_time_of_day(end)?;
                    if end < start {
                        end += 24 * 60;
                    }
                    Some(end)
                }
                None if times.span_minutes > 0 => Some(start + times.span_minutes),
                None => None,
            };
            let sequence: i64 =
                sqlx::query_scalar("SELECT count(*) FROM change_log WHERE record_id = ?1")
                    .bind(session.meta.id.to_string())
                    .fetch_one(self.reader())
                    .await?;
            events.push(CalendarEvent {
                session_id: session.meta.id,
                sequence: (sequence - 1).max(0),
                title: format!("{}: {}", name, session.title),
                start: at(date, start),
                end: end.map(|m| at(date, m)),
                venue: session.venue.clone(),
                objectives: session.objectives.clone(),
                last_modified: session.meta.updated_at,
            });
        }
        if events.is_empty() {
            return Err(Error::invalid(format!(
                "None of the sessions of {} has a date yet, so there is nothing to put in a calendar: give the sessions their dates first. Nothing has been changed.",
                version.name
            )));
        }
        Ok(Calendar {
            name,
            events,
            undated,
            made_at: self.clock().now(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar(title: &str) -> Calendar {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        Calendar {
            name: "Leading Change Together, Sunderland".into(),
            events: vec![CalendarEvent {
                session_id: Uuid::nil(),
                sequence: 2,
                title: title.into(),
                start: t("2027-07-01 09:30"),
                end: Some(t("2027-07-01 16:00")),
                venue: "Civic Centre, Room 2".into(),
                objectives: "Trust; power\nand place".into(),
                last_modified: DateTime::from_timestamp(0, 0).unwrap(),
            }],
            undated: vec![],
            made_at: DateTime::from_timestamp(0, 0).unwrap(),
        }
    }

    #[test]
    fn text_is_escaped_and_times_carry_the_time_zone() {
        let ics = render_ics(&calendar("Session 1"));
        assert!(ics.contains("DTSTART;TZID=Europe/London:20270701T093000\r\n"));
        assert!(ics.contains("LOCATION:Civic Centre\\, Room 2\r\n"));
        assert!(ics.contains("DESCRIPTION:Trust\\; power\\nand place\r\n"));
        assert!(ics.ends_with("\r\n") && !ics.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn long_lines_are_folded_at_75_octets_between_characters() {
        let ics = render_ics(&calendar(&"é".repeat(100)));
        for l in ics.split("\r\n") {
            assert!(l.len() <= 75, "{l}");
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{}\r\n", "é".repeat(100))));
    }
}
