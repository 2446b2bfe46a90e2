//! Time: an injectable wall clock, and the hybrid logical clock stamps that order every write.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Local, Offset, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};

/// Where "now" comes from. Tests inject a [`ManualClock`] so timing is tested without waiting.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Milliseconds since the Unix epoch, UTC.
    fn now_ms(&self) -> i64;

    fn now(&self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.now_ms())
            .single()
            .unwrap_or_default()
    }

    /// How far the laptop's local time is from UTC at `at` (session times are local).
    fn local_offset(&self, at: DateTime<Utc>) -> FixedOffset {
        Local.offset_from_utc_datetime(&at.naive_utc()).fix()
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        Utc::now().timestamp_millis()
    }
}

/// A clock that moves only when told to.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn at(time: DateTime<Utc>) -> Self {
        Self(Arc::new(AtomicI64::new(time.timestamp_millis())))
    }

    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    pub fn set(&self, time: DateTime<Utc>) {
        self.0.store(time.timestamp_millis(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }

    /// Tests run on UTC, whatever the machine's time zone.
    fn local_offset(&self, _at: DateTime<Utc>) -> FixedOffset {
        FixedOffset::east_opt(0).expect("zero is a valid offset")
    }
}

/// A hybrid logical clock stamp: wall milliseconds, a counter for writes within the same
/// millisecond (or while the wall clock is behind), and the device that wrote.
///
/// Stamps are totally ordered by (ms, counter, device), and their text form sorts the same way,
/// so the database can compare them as strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    pub ms: i64,
    pub counter: u32,
    pub device: Uuid,
}

impl Stamp {
    /// The next stamp after `last` on `device`, given the wall clock reads `now_ms`: never
    /// earlier than `last`, even when the wall clock has gone backwards.
    pub fn next(last_ms: i64, last_counter: u32, now_ms: i64, device: Uuid) -> Stamp {
        if now_ms > last_ms {
            Stamp {
                ms: now_ms,
                counter: 0,
                device,
            }
        } else {
            Stamp {
                ms: last_ms,
                counter: last_counter.saturating_add(1),
                device,
            }
        }
    }
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:015}-{:010}-{}",
            self.ms,
            self.counter,
            self.device.simple()
        )
    }
}

impl FromStr for Stamp {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::invalid(format!("\"{s}\" is not a Fieldbook clock stamp"));
        let mut parts = s.splitn(3, '-');
        let (Some(ms), Some(counter), Some(device)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if ms.len() != 15 || counter.len() != 10 || device.len() != 32 {
            return Err(bad());
        }
        Ok(Stamp {
            ms: ms.parse().map_err(|_| bad())?,
            counter: counter.parse().map_err(|_| bad())?,
            device: Uuid::try_parse(device).map_err(|_| bad())?,
        })
    }
}

impl Serialize for Stamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn next_stamp_follows_the_wall_clock_when_it_moves_forward() {
        let s = Stamp::next(1_000, 7, 2_000, device(1));
        assert_eq!((s.ms, s.counter), (2_000, 0));
    }

    #[test]
    fn next_stamp_never_goes_back_when_the_wall_clock_does() {
        let s = Stamp::next(5_000, 3, 1_000, device(1));
        assert_eq!((s.ms, s.counter), (5_000, 4));
        assert!(
            s > Stamp {
                ms: 5_000,
                counter: 3,
                device: device(1)
            }
        );
    }

    #[test]
    fn text_form_sorts_like_the_stamps_themselves() {
        let stamps = [
            Stamp {
                ms: 9,
                counter: 0,
                device: device(2),
            },
            Stamp {
                ms: 10,
                counter: 0,
                device: device(1),
            },
            Stamp {
                ms: 10,
                counter: 2,
                device: device(1),
            },
            Stamp {
                ms: 10,
                counter: 10,
                device: device(1),
            },
            Stamp {
                ms: 10,
                counter: 10,
                device: device(3),
            },
            Stamp {
                ms: 1_700_000_000_000,
                counter: 0,
                device: device(1),
            },
        ];
        for pair in stamps.windows(2) {
            assert!(pair[0] < pair[1]);
            assert!(pair[0].to_string() < pair[1].to_string(), "{pair:?}");
        }
    }

    #[test]
    fn text_form_round_trips_and_rejects_garbage() {
        let s = Stamp {
            ms: 1_732_000_000_123,
            counter: 42,
            device: Uuid::now_v7(),
        };
        assert_eq!(s.to_string().parse::<Stamp>().unwrap(), s);
        for bad in [
            "",
            "12-3",
            "x".repeat(59).as_str(),
            "000000000000001-0000000001-zz",
        ] {
            assert!(bad.parse::<Stamp>().is_err(), "{bad:?} parsed");
        }
    }
}
