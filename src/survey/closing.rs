//! What partners are told about a round besides its questions, and when it stops taking answers
//! by itself.
//!
//! A closing date is a calendar date, as the facilitator types it and partners read it: "until
//! 12 December". The round closes at the end of that day in the server's time zone
//! (`--time-zone`). That moment is worked out once, when the date is set, and stored beside it
//! as Unix seconds, so every app server closes the round at the same moment even if one of them
//! is started with another time zone later, and the check is a comparison of two integers.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// What a round tells its partners about itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoundDetails {
    /// Who is asking, shown at the top of the form: by default the partnership's name.
    pub title: String,
    /// Whom partners contact with questions (a name, an address, a phone number); may be empty.
    pub contact: String,
    /// When the round closes by itself, if it does.
    pub closes: Option<Closing>,
}

impl RoundDetails {
    /// Who asks, as partners and members read it: the title, or else `partnership`'s name.
    pub fn asker<'a>(&'a self, partnership: &'a str) -> &'a str {
        match self.title.trim() {
            "" => partnership,
            title => title,
        }
    }
}

/// A round's closing date and the moment it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closing {
    /// The last day partners can answer.
    pub on: Date,
    /// The end of that day in the server's time zone (the first second after it), as Unix
    /// seconds.
    pub at: i64,
}

/// Why a closing date was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ClosingDateError {
    /// Not a date written as `YYYY-MM-DD`.
    #[error("not a date written as YYYY-MM-DD")]
    Malformed,
    /// A day that is already over in the server's time zone.
    #[error("a day that is already over")]
    Past,
}

impl Closing {
    /// The closing of a round whose last day is `on` in `zone`. `None` only for a date at the
    /// very end of the calendar, which has no day after it.
    pub fn end_of(on: Date, zone: &TimeZone) -> Option<Closing> {
        // The start of the next day, not 23:59:59: a day that a clock change shortens or
        // lengthens still ends where the next begins (`to_zoned_datetime` moves a midnight that
        // does not exist forward to the first moment of the day).
        let next = on.tomorrow().ok()?.to_zoned_datetime(zone.clone()).ok()?;
        Some(Closing {
            on,
            at: next.timestamp().as_second(),
        })
    }

    /// Whether the round is past its end at `now` (Unix seconds).
    pub fn is_over(&self, now: i64) -> bool {
        now >= self.at
    }
}

/// The day it is at `now` (Unix seconds) in `zone`.
pub fn today(zone: &TimeZone, now: i64) -> Date {
    Timestamp::from_second(now)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned_datetime(zone.clone())
        .date()
}

/// Reads a closing date field: blank is no closing date; otherwise a `YYYY-MM-DD` date (what a
/// browser's date input sends) that is today or later in `zone` at `now`.
pub fn parse_closing_date(
    text: &str,
    zone: &TimeZone,
    now: i64,
) -> Result<Option<Closing>, ClosingDateError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let on = stored_date(text).ok_or(ClosingDateError::Malformed)?;
    if on < today(zone, now) {
        return Err(ClosingDateError::Past);
    }
    Closing::end_of(on, zone)
        .map(Some)
        .ok_or(ClosingDateError::Malformed)
}

/// Reads a date written exactly as `YYYY-MM-DD`; `None` otherwise. The parser alone also takes
/// a date with a time after it, which no date field sends.
pub fn stored_date(text: &str) -> Option<Date> {
    text.parse::<Date>()
        .ok()
        .filter(|on| on.to_string() == text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).expect("a zone of the bundled database")
    }

    fn date(text: &str) -> Date {
        text.parse().expect("a date")
    }

    /// 2026-11-26 15:00 UTC.
    const NOW: i64 = 1_795_705_200;

    #[test]
    fn a_round_closes_at_the_first_second_of_the_next_day_in_the_servers_time_zone() {
        let utc = Closing::end_of(date("2026-12-12"), &TimeZone::UTC).expect("a closing");
        assert_eq!(utc.at, 1_797_120_000, "2026-12-13T00:00:00Z");
        let chicago = Closing::end_of(date("2026-12-12"), &zone("America/Chicago")).expect("");
        assert_eq!(
            chicago.at - utc.at,
            6 * 3600,
            "Chicago is six hours behind in December"
        );
        assert!(!chicago.is_over(chicago.at - 1));
        assert!(chicago.is_over(chicago.at));
    }

    #[test]
    fn a_day_shortened_by_a_clock_change_still_ends_where_the_next_begins() {
        // Europe/Berlin moves from 02:00 to 03:00 on 2026-03-29; the day before it ends at
        // midnight, 23:00 UTC, and the short day itself at midnight, 22:00 UTC.
        let berlin = zone("Europe/Berlin");
        let before = Closing::end_of(date("2026-03-28"), &berlin).expect("");
        let short = Closing::end_of(date("2026-03-29"), &berlin).expect("");
        assert_eq!(short.at - before.at, 23 * 3600);
    }

    #[test]
    fn a_closing_date_is_blank_today_or_later_and_anything_else_is_named() {
        let utc = TimeZone::UTC;
        assert_eq!(parse_closing_date("  ", &utc, NOW), Ok(None));
        let today = parse_closing_date("2026-11-26", &utc, NOW).expect("today is allowed");
        assert_eq!(today.map(|c| c.on), Some(date("2026-11-26")));
        assert_eq!(
            parse_closing_date("2026-11-25", &utc, NOW),
            Err(ClosingDateError::Past)
        );
        for junk in ["26/11/2026", "2026-02-30", "tomorrow", "2026-11-26T10:00"] {
            assert_eq!(
                parse_closing_date(junk, &utc, NOW),
                Err(ClosingDateError::Malformed),
                "{junk}"
            );
        }
    }

    #[test]
    fn what_is_today_depends_on_the_servers_time_zone() {
        // 15:00 UTC is already the next day in Auckland (UTC+13 in November).
        let auckland = zone("Pacific/Auckland");
        assert_eq!(today(&auckland, NOW), date("2026-11-27"));
        assert_eq!(
            parse_closing_date("2026-11-26", &auckland, NOW),
            Err(ClosingDateError::Past)
        );
    }
}
