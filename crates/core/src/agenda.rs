//! Agenda times: when each item starts and ends, given the session's start, the items'
//! durations and any items pinned to a fixed time of day.

use serde::Serialize;

use crate::domain::AgendaItem;
use crate::error::{Error, Result};

const DAY: i64 = 24 * 60;

/// Reads a time of day written "HH:MM" (24-hour) as minutes after midnight.
pub fn parse_time_of_day(text: &str) -> Result<i64> {
    let bad = || {
        Error::invalid(format!(
            "\"{text}\" is not a time of day. Write it as hours and minutes on the 24-hour clock, for example 09:30 or 14:00."
        ))
    };
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: i64 = h.parse().map_err(|_| bad())?;
    let m: i64 = m.parse().map_err(|_| bad())?;
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// Writes minutes after the session day's midnight as "HH:MM" (wrapping past midnight).
pub fn format_time_of_day(minutes: i64) -> String {
    let m = minutes.rem_euclid(DAY);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// The first time at `time_of_day` that is not before `not_before`, counting from the
/// session day's midnight: an item pinned to 00:30 in a session starting at 22:00 falls on
/// the next day.
fn on_or_after(time_of_day: i64, not_before: i64) -> i64 {
    let mut t = time_of_day;
    while t < not_before {
        t += DAY;
    }
    t
}

/// One agenda item with its computed times.
#[derive(Debug, Clone, Serialize)]
pub struct TimedItem {
    pub item: AgendaItem,
    /// "HH:MM".
    pub start: String,
    pub end: String,
    /// Minutes after the session day's midnight (more than a day's worth past midnight).
    pub start_minutes: i64,
    pub end_minutes: i64,
    /// For a pinned item: idle minutes before it because what runs before finishes early.
    pub gap_before: i64,
    /// For a pinned item: minutes by which what runs before it overruns its pinned time.
    pub overrun_before: i64,
    pub starts_next_day: bool,
}

/// A session's agenda laid out in time.
#[derive(Debug, Clone, Serialize)]
pub struct Timetable {
    pub start: String,
    pub end: String,
    /// The sum of the items' durations.
    pub total_minutes: i64,
    /// From the session's start to the end of its last item, gaps included.
    pub span_minutes: i64,
    pub planned_end: Option<String>,
    /// Minutes the agenda runs past the planned end (0 when it fits).
    pub over_planned_end: i64,
    pub ends_next_day: bool,
    pub items: Vec<TimedItem>,
}

/// Lays out `items` (already in agenda order) from `start_time`, honouring pinned times.
pub fn timetable(
    start_time: &str,
    planned_end: Option<&str>,
    items: Vec<AgendaItem>,
) -> Result<Timetable> {
    let start = parse_time_of_day(start_time)?;
    let mut clock = start;
    let mut timed = Vec::with_capacity(items.len());
    for item in items {
        let (item_start, gap_before, overrun_before) = match item.pinned_time.as_deref() {
            Some(pinned) => {
                let pinned = on_or_after(parse_time_of_day(pinned)?, start);
                (pinned, (pinned - clock).max(0), (clock - pinned).max(0))
            }
            None => (clock, 0, 0),
        };
        let item_end = item_start + i64::from(item.minutes);
        timed.push(TimedItem {
            start: format_time_of_day(item_start),
            end: format_time_of_day(item_end),
            start_minutes: item_start,
            end_minutes: item_end,
            gap_before,
            overrun_before,
            starts_next_day: item_start >= DAY,
            item,
        });
        clock = item_end;
    }
    let planned_end = planned_end.map(parse_time_of_day).transpose()?;
    let over_planned_end = planned_end
        .map(|end| (clock - on_or_after(end, start)).max(0))
        .unwrap_or(0);
    Ok(Timetable {
        start: format_time_of_day(start),
        end: format_time_of_day(clock),
        total_minutes: timed.iter().map(|t| i64::from(t.item.minutes)).sum(),
        span_minutes: clock - start,
        planned_end: planned_end.map(format_time_of_day),
        over_planned_end,
        ends_next_day: clock >= DAY,
        items: timed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ItemKind;
    use uuid::Uuid;

    fn item(title: &str, minutes: u32, pinned: Option<&str>) -> AgendaItem {
        AgendaItem {
            session_id: Uuid::nil(),
            title: title.into(),
            minutes,
            kind: ItemKind::Activity,
            pinned_time: pinned.map(Into::into),
            ..Default::default()
        }
    }

    fn starts(t: &Timetable) -> Vec<&str> {
        t.items.iter().map(|i| i.start.as_str()).collect()
    }

    #[test]
    fn items_start_one_after_another_from_the_session_start() {
        let t = timetable(
            "09:30",
            None,
            vec![
                item("Welcome", 15, None),
                item("Check-in", 30, None),
                item("Break", 15, None),
            ],
        )
        .unwrap();
        assert_eq!(starts(&t), ["09:30", "09:45", "10:15"]);
        assert_eq!(t.end, "10:30");
        assert_eq!(t.total_minutes, 60);
        assert_eq!(t.span_minutes, 60);
    }

    #[test]
    fn an_empty_agenda_ends_when_it_starts() {
        let t = timetable("13:00", Some("16:00"), vec![]).unwrap();
        assert_eq!((t.start.as_str(), t.end.as_str()), ("13:00", "13:00"));
        assert_eq!((t.total_minutes, t.over_planned_end), (0, 0));
        assert!(t.items.is_empty());
    }

    #[test]
    fn a_pinned_item_after_an_early_finish_shows_the_gap() {
        let t = timetable(
            "10:00",
            None,
            vec![
                item("Fishbowl", 90, None),
                item("Lunch", 45, Some("12:30")),
                item("Walk", 20, None),
            ],
        )
        .unwrap();
        assert_eq!(starts(&t), ["10:00", "12:30", "13:15"]);
        assert_eq!((t.items[1].gap_before, t.items[1].overrun_before), (60, 0));
        assert_eq!(t.total_minutes, 155);
        assert_eq!(t.span_minutes, 215);
    }

    #[test]
    fn a_pinned_item_after_an_overrun_shows_by_how_much_and_keeps_its_time() {
        let t = timetable(
            "10:00",
            None,
            vec![
                item("Open space", 160, None),
                item("Lunch", 30, Some("12:30")),
            ],
        )
        .unwrap();
        assert_eq!(t.items[1].start, "12:30");
        assert_eq!((t.items[1].gap_before, t.items[1].overrun_before), (0, 10));
        assert_eq!(t.end, "13:00");
    }

    #[test]
    fn running_past_the_planned_end_says_by_how_much() {
        let items = vec![item("Long exercise", 200, None)];
        let t = timetable("13:00", Some("16:00"), items.clone()).unwrap();
        assert_eq!((t.end.as_str(), t.over_planned_end), ("16:20", 20));
        let t = timetable("13:00", Some("17:00"), items).unwrap();
        assert_eq!(t.over_planned_end, 0);
    }

    #[test]
    fn an_evening_session_runs_past_midnight() {
        let t = timetable(
            "22:30",
            Some("00:30"),
            vec![
                item("Night walk", 60, None),
                item("Fire", 45, None),
                item("Stars", 15, Some("00:45")),
            ],
        )
        .unwrap();
        assert_eq!(starts(&t), ["22:30", "23:30", "00:45"]);
        assert!(!t.items[1].starts_next_day);
        assert!(t.items[2].starts_next_day);
        assert_eq!(t.items[2].gap_before, 30);
        assert_eq!(t.end, "01:00");
        assert!(t.ends_next_day);
        assert_eq!(t.over_planned_end, 30);
    }

    #[test]
    fn times_must_be_written_as_hours_and_minutes() {
        for good in ["00:00", "9:05", "23:59", " 12:30 "] {
            assert!(parse_time_of_day(good).is_ok(), "{good}");
        }
        for bad in [
            "", "24:00", "12:60", "12", "12:5", "noon", "-1:30", "12:30:00",
        ] {
            let err = parse_time_of_day(bad).unwrap_err().to_string();
            assert!(err.contains("24-hour clock"), "{bad}: {err}");
        }
        assert!(timetable("25:00", None, vec![]).is_err());
    }
}
