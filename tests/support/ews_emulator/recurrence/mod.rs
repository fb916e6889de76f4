//! Recurring meeting series as EWS describes them (`t:Recurrence`, types.xsd `RecurrenceType`),
//! and their expansion into occurrences the way Exchange does it: the wall-clock start stays
//! fixed in the series' own time zone, so the UTC instant moves across daylight-saving changes.
//!
//! Supported patterns: daily, weekly, absolute monthly and relative monthly. Yearly patterns
//! are rejected by [`Recurrence::from_ews`] because the scheduler never needs them.

use std::sync::OnceLock;

use jiff::tz::{TimeZone, TimeZoneDatabase};
use roxmltree::Node;
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, UtcOffset, Weekday};

/// Namespace of the EWS types schema (prefix `t`).
pub const TYPES_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/types";

/// Used when a weekly pattern has no `FirstDayOfWeek`. EWS documents no default; Sunday is
/// Outlook's week start in its default (en-US) locale.
pub const DEFAULT_FIRST_DAY_OF_WEEK: Weekday = Weekday::Sunday;

/// Upper bound on the recurrence periods (days, weeks or months) examined per call, so that a
/// series without end cannot loop for long. Covers more than 270 years of a daily series.
const MAX_PERIODS: u32 = 100_000;

/// More than the largest UTC offset of any zone (±14 h) plus a day-long daylight-saving shift;
/// lets occurrences far from the query window be skipped without a time-zone lookup.
const ZONE_SLACK: Duration = Duration::days(2);

/// A recurring series: which days it falls on, and from when until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recurrence {
    pub pattern: Pattern,
    pub range: Range,
}

/// The rule that picks the days of a series.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// Every `interval` days.
    Daily { interval: u32 },
    /// On `days` of every `interval`-th week; weeks begin on `first_day_of_week`.
    Weekly {
        interval: u32,
        days: Vec<Weekday>,
        first_day_of_week: Weekday,
    },
    /// On `day_of_month` of every `interval`-th month. In months that are shorter (day 31 in
    /// April, day 30 in February), the occurrence falls on the month's last day, as Outlook
    /// and Exchange schedule it.
    AbsoluteMonthly { interval: u32, day_of_month: u8 },
    /// On the `index`-th `day` (e.g. last Friday) of every `interval`-th month.
    RelativeMonthly {
        interval: u32,
        day: Weekday,
        index: WeekIndex,
    },
}

/// Which matching weekday of a month a relative monthly pattern means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeekIndex {
    First,
    Second,
    Third,
    Fourth,
    Last,
}

/// When a series starts and ends. Dates are in the series' own time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Range {
    NoEnd {
        start: Date,
    },
    /// Occurrences on `end` itself are included.
    EndDate {
        start: Date,
        end: Date,
    },
    /// The first `count` days of the pattern on or after `start`.
    Numbered {
        start: Date,
        count: u32,
    },
}

impl Range {
    pub fn start(&self) -> Date {
        match *self {
            Range::NoEnd { start }
            | Range::EndDate { start, .. }
            | Range::Numbered { start, .. } => start,
        }
    }
}

/// One concrete meeting of a series.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// The scheduled wall-clock start in the series' zone (may lie in a daylight-saving gap).
    pub original_start_local: PrimitiveDateTime,
    /// The actual start instant, with the zone's offset at that instant.
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
}

impl Recurrence {
    pub fn daily(interval: u32, range: Range) -> Self {
        Recurrence {
            pattern: Pattern::Daily { interval },
            range,
        }
    }

    /// Weekly on `days` (duplicates dropped), weeks starting on [`DEFAULT_FIRST_DAY_OF_WEEK`].
    pub fn weekly(interval: u32, days: &[Weekday], range: Range) -> Self {
        Recurrence {
            pattern: Pattern::Weekly {
                interval,
                days: dedup_days(days.iter().copied()),
                first_day_of_week: DEFAULT_FIRST_DAY_OF_WEEK,
            },
            range,
        }
    }

    /// Parses a `<t:Recurrence>` element. Element names, namespace and order are checked as
    /// strictly as Exchange's schema validation would.
    pub fn from_ews(node: Node) -> Result<Self, String> {
        if !is_types_element(node, "Recurrence") {
            return Err(format!("expected t:Recurrence, found {}", describe(node)));
        }
        let mut children = node.children().filter(Node::is_element);
        let pattern = children
            .next()
            .ok_or("t:Recurrence has no pattern element")?;
        let range = children.next().ok_or("t:Recurrence has no range element")?;
        if let Some(extra) = children.next() {
            return Err(format!("unexpected {} in t:Recurrence", describe(extra)));
        }
        let rec = Recurrence {
            pattern: parse_pattern(pattern)?,
            range: parse_range(range)?,
        };
        rec.validate()?;
        Ok(rec)
    }

    /// Serialises as `<t:Recurrence>…</t:Recurrence>`; the caller declares the `t` prefix.
    pub fn to_ews_xml(&self) -> String {
        let pattern = match &self.pattern {
            Pattern::Daily { interval } => {
                format!(
                    "<t:DailyRecurrence><t:Interval>{interval}</t:Interval></t:DailyRecurrence>"
                )
            }
            Pattern::Weekly {
                interval,
                days,
                first_day_of_week,
            } => {
                let days: Vec<&str> = days.iter().map(|d| weekday_name(*d)).collect();
                format!(
                    "<t:WeeklyRecurrence><t:Interval>{interval}</t:Interval>\
                     <t:DaysOfWeek>{}</t:DaysOfWeek><t:FirstDayOfWeek>{}</t:FirstDayOfWeek>\
                     </t:WeeklyRecurrence>",
                    days.join(" "),
                    weekday_name(*first_day_of_week)
                )
            }
            Pattern::AbsoluteMonthly {
                interval,
                day_of_month,
            } => format!(
                "<t:AbsoluteMonthlyRecurrence><t:Interval>{interval}</t:Interval>\
                 <t:DayOfMonth>{day_of_month}</t:DayOfMonth></t:AbsoluteMonthlyRecurrence>"
            ),
            Pattern::RelativeMonthly {
                interval,
                day,
                index,
            } => format!(
                "<t:RelativeMonthlyRecurrence><t:Interval>{interval}</t:Interval>\
                 <t:DaysOfWeek>{}</t:DaysOfWeek><t:DayOfWeekIndex>{}</t:DayOfWeekIndex>\
                 </t:RelativeMonthlyRecurrence>",
                weekday_name(*day),
                week_index_name(*index)
            ),
        };
        let range = match self.range {
            Range::NoEnd { start } => format!(
                "<t:NoEndRecurrence><t:StartDate>{}</t:StartDate></t:NoEndRecurrence>",
                xs_date(start)
            ),
            Range::EndDate { start, end } => format!(
                "<t:EndDateRecurrence><t:StartDate>{}</t:StartDate>\
                 <t:EndDate>{}</t:EndDate></t:EndDateRecurrence>",
                xs_date(start),
                xs_date(end)
            ),
            Range::Numbered { start, count } => format!(
                "<t:NumberedRecurrence><t:StartDate>{}</t:StartDate>\
                 <t:NumberOfOccurrences>{count}</t:NumberOfOccurrences></t:NumberedRecurrence>",
                xs_date(start)
            ),
        };
        format!("<t:Recurrence>{pattern}{range}</t:Recurrence>")
    }

    /// Rejects series Exchange would refuse (zero interval, no days, empty range).
    pub fn validate(&self) -> Result<(), String> {
        let interval = match &self.pattern {
            Pattern::Daily { interval } => *interval,
            Pattern::Weekly { interval, days, .. } => {
                if days.is_empty() {
                    return Err("weekly recurrence without days of week".into());
                }
                *interval
            }
            Pattern::AbsoluteMonthly {
                interval,
                day_of_month,
            } => {
                if !(1..=31).contains(day_of_month) {
                    return Err(format!("day of month {day_of_month} is not in 1..=31"));
                }
                *interval
            }
            Pattern::RelativeMonthly { interval, .. } => *interval,
        };
        if interval == 0 {
            return Err("recurrence interval must be at least 1".into());
        }
        match self.range {
            Range::EndDate { start, end } if end < start => Err(format!(
                "recurrence end date {end} is before its start date {start}"
            )),
            Range::Numbered { count: 0, .. } => {
                Err("number of occurrences must be at least 1".into())
            }
            _ => Ok(()),
        }
    }
}

/// Occurrences overlapping [from, to), at most `limit`, in order. `first_start_local` is the
/// series' first start as wall-clock time in `windows_zone`; each occurrence lasts `duration`.
///
/// The days come from the pattern and range (the range start date is authoritative); the time
/// of day comes from `first_start_local`. A wall-clock start inside a spring-forward gap moves
/// forward by the gap; one inside a fall-back fold takes the earlier instant.
pub fn expand(
    rec: &Recurrence,
    first_start_local: PrimitiveDateTime,
    duration: Duration,
    windows_zone: &str,
    from: OffsetDateTime,
    to: OffsetDateTime,
    limit: usize,
) -> Result<Vec<Occurrence>, String> {
    rec.validate()?;
    check_duration(duration)?;
    let zone = time_zone(windows_zone)?;
    let mut found = Vec::new();
    if limit == 0 || from >= to {
        return Ok(found);
    }
    let time_of_day = first_start_local.time();
    for date in SeriesDates::new(rec) {
        let local = PrimitiveDateTime::new(date, time_of_day);
        // Starts ascend strictly (one day apart at least, offsets change by less), so the
        // first start at or after `to` ends the scan.
        let nominal = local.assume_utc();
        if nominal
            .checked_sub(ZONE_SLACK)
            .is_some_and(|early| early >= to)
        {
            break;
        }
        let nominal_end = nominal.checked_add(duration);
        if nominal_end
            .and_then(|end| end.checked_add(ZONE_SLACK))
            .is_some_and(|late| late <= from)
        {
            continue;
        }
        let occurrence = occurrence_at(&zone, local, duration)?;
        if occurrence.start >= to {
            break;
        }
        let overlaps = occurrence.end > from || (duration.is_zero() && occurrence.start >= from);
        if overlaps {
            found.push(occurrence);
            if found.len() >= limit {
                break;
            }
        }
    }
    Ok(found)
}

/// The series' last occurrence end (None for NoEnd).
pub fn last_end(
    rec: &Recurrence,
    first_start_local: PrimitiveDateTime,
    duration: Duration,
    windows_zone: &str,
) -> Result<Option<OffsetDateTime>, String> {
    rec.validate()?;
    check_duration(duration)?;
    let zone = time_zone(windows_zone)?;
    if let Range::NoEnd { .. } = rec.range {
        return Ok(None);
    }
    let mut dates = SeriesDates::new(rec);
    let last = dates.by_ref().last();
    if dates.truncated {
        return Err(format!(
            "series spans more than {MAX_PERIODS} recurrence periods"
        ));
    }
    let last = last.ok_or("the series has no occurrences")?;
    let local = PrimitiveDateTime::new(last, first_start_local.time());
    Ok(Some(occurrence_at(&zone, local, duration)?.end))
}

/// Maps a Windows time zone id (as EWS uses them) to its IANA zone, following CLDR's
/// windowsZones table (territory "001"). Ids are matched case-insensitively.
pub fn windows_zone_to_iana(id: &str) -> Option<&'static str> {
    WINDOWS_ZONES
        .iter()
        .find(|(windows, _)| windows.eq_ignore_ascii_case(id.trim()))
        .map(|(_, iana)| *iana)
}

const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("Dateline Standard Time", "Etc/GMT+12"),
    ("UTC-11", "Etc/GMT+11"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Mountain Standard Time", "America/Denver"),
    ("Central America Standard Time", "America/Guatemala"),
    ("Central Standard Time", "America/Chicago"),
    ("Central Standard Time (Mexico)", "America/Mexico_City"),
    ("Canada Central Standard Time", "America/Regina"),
    ("SA Pacific Standard Time", "America/Bogota"),
    ("Eastern Standard Time", "America/New_York"),
    ("US Eastern Standard Time", "America/Indiana/Indianapolis"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("Newfoundland Standard Time", "America/St_Johns"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("Argentina Standard Time", "America/Argentina/Buenos_Aires"),
    ("UTC-02", "Etc/GMT+2"),
    ("Azores Standard Time", "Atlantic/Azores"),
    ("UTC", "Etc/UTC"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("Morocco Standard Time", "Africa/Casablanca"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Romance Standard Time", "Europe/Paris"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("W. Central Africa Standard Time", "Africa/Lagos"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("FLE Standard Time", "Europe/Kiev"),
    ("Egypt Standard Time", "Africa/Cairo"),
    ("South Africa Standard Time", "Africa/Johannesburg"),
    ("Israel Standard Time", "Asia/Jerusalem"),
    ("Turkey Standard Time", "Europe/Istanbul"),
    ("Arab Standard Time", "Asia/Riyadh"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("E. Africa Standard Time", "Africa/Nairobi"),
    ("Iran Standard Time", "Asia/Tehran"),
    ("Arabian Standard Time", "Asia/Dubai"),
    ("Pakistan Standard Time", "Asia/Karachi"),
    ("India Standard Time", "Asia/Kolkata"),
    ("Sri Lanka Standard Time", "Asia/Colombo"),
    ("Nepal Standard Time", "Asia/Kathmandu"),
    ("Bangladesh Standard Time", "Asia/Dhaka"),
    ("SE Asia Standard Time", "Asia/Bangkok"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("Taipei Standard Time", "Asia/Taipei"),
    ("W. Australia Standard Time", "Australia/Perth"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("Cen. Australia Standard Time", "Australia/Adelaide"),
    ("AUS Central Standard Time", "Australia/Darwin"),
    ("E. Australia Standard Time", "Australia/Brisbane"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
    ("UTC+12", "Etc/GMT-12"),
];

/// The tz database compiled into the binary, so results do not depend on the host's
/// zoneinfo files.
fn bundled_zones() -> &'static TimeZoneDatabase {
    static ZONES: OnceLock<TimeZoneDatabase> = OnceLock::new();
    ZONES.get_or_init(TimeZoneDatabase::bundled)
}

fn time_zone(windows_zone: &str) -> Result<TimeZone, String> {
    let iana = windows_zone_to_iana(windows_zone)
        .ok_or_else(|| format!("unknown Windows time zone id {windows_zone:?}"))?;
    bundled_zones()
        .get(iana)
        .map_err(|e| format!("time zone {iana} is not available: {e}"))
}

fn check_duration(duration: Duration) -> Result<(), String> {
    if duration.is_negative() {
        return Err(format!("negative occurrence duration {duration}"));
    }
    Ok(())
}

fn occurrence_at(
    zone: &TimeZone,
    local: PrimitiveDateTime,
    duration: Duration,
) -> Result<Occurrence, String> {
    let start = resolve_wall_clock(zone, local)?;
    let end = start
        .checked_add(duration)
        .ok_or_else(|| format!("occurrence starting {local} ends out of range"))?;
    Ok(Occurrence {
        original_start_local: local,
        start,
        end,
    })
}

/// The instant a wall-clock time denotes in `zone`. jiff's "compatible" rule is exactly
/// Exchange's: a time in a gap is read with the offset before the gap (so it lands later by
/// the gap's length), a time in a fold takes the earlier instant.
fn resolve_wall_clock(zone: &TimeZone, local: PrimitiveDateTime) -> Result<OffsetDateTime, String> {
    let out_of_range = || format!("wall-clock time {local} is out of range");
    let civil = jiff::civil::DateTime::new(
        i16::try_from(local.year()).map_err(|_| out_of_range())?,
        u8::from(local.month()) as i8,
        local.day() as i8,
        local.hour() as i8,
        local.minute() as i8,
        local.second() as i8,
        local.nanosecond() as i32,
    )
    .map_err(|_| out_of_range())?;
    let instant = zone
        .to_ambiguous_timestamp(civil)
        .compatible()
        .map_err(|_| out_of_range())?;
    let offset = UtcOffset::from_whole_seconds(zone.to_offset(instant).seconds())
        .map_err(|_| out_of_range())?;
    OffsetDateTime::from_unix_timestamp_nanos(instant.as_nanosecond())
        .ok()
        .and_then(|utc| utc.checked_to_offset(offset))
        .ok_or_else(out_of_range)
}

/// The series' dates in ascending order, with the range applied. Stops after
/// [`MAX_PERIODS`] periods and then sets `truncated`.
struct SeriesDates<'a> {
    rec: &'a Recurrence,
    period: u32,
    /// Dates of the current period not yet returned, latest first.
    pending: Vec<Date>,
    returned: u32,
    finished: bool,
    truncated: bool,
}

impl<'a> SeriesDates<'a> {
    fn new(rec: &'a Recurrence) -> Self {
        SeriesDates {
            rec,
            period: 0,
            pending: Vec::new(),
            returned: 0,
            finished: false,
            truncated: false,
        }
    }
}

impl Iterator for SeriesDates<'_> {
    type Item = Date;

    fn next(&mut self) -> Option<Date> {
        while !self.finished {
            if let Some(date) = self.pending.pop() {
                let past_end = match self.rec.range {
                    Range::NoEnd { .. } => false,
                    Range::EndDate { end, .. } => date > end,
                    Range::Numbered { count, .. } => self.returned >= count,
                };
                if past_end {
                    self.finished = true;
                    return None;
                }
                self.returned += 1;
                return Some(date);
            }
            if self.period >= MAX_PERIODS {
                self.truncated = true;
                self.finished = true;
                return None;
            }
            match period_dates(&self.rec.pattern, self.rec.range.start(), self.period) {
                Some(mut dates) => {
                    dates.reverse();
                    self.pending = dates;
                }
                // The calendar ran out (beyond year 9999).
                None => self.finished = true,
            }
            self.period += 1;
        }
        None
    }
}

/// The pattern's dates (ascending, none before `start`) in the `period`-th day, week or
/// month counted from `start`'s; None past the end of the representable calendar.
fn period_dates(pattern: &Pattern, start: Date, period: u32) -> Option<Vec<Date>> {
    let dates = match pattern {
        Pattern::Daily { interval } => {
            vec![add_days(start, i64::from(period) * i64::from(*interval))?]
        }
        Pattern::Weekly {
            interval,
            days,
            first_day_of_week,
        } => {
            let week_start = add_days(start, -days_after(*first_day_of_week, start.weekday()))?;
            let first_day = i64::from(period) * i64::from(*interval) * 7;
            let mut offsets: Vec<i64> = days
                .iter()
                .map(|day| days_after(*first_day_of_week, *day))
                .collect();
            offsets.sort_unstable();
            offsets.dedup();
            let mut dates = Vec::with_capacity(offsets.len());
            for offset in offsets {
                dates.push(add_days(week_start, first_day + offset)?);
            }
            dates
        }
        Pattern::AbsoluteMonthly {
            interval,
            day_of_month,
        } => {
            let (year, month) = add_months(start, period, *interval)?;
            let day = (*day_of_month).min(month.length(year));
            vec![Date::from_calendar_date(year, month, day).ok()?]
        }
        Pattern::RelativeMonthly {
            interval,
            day,
            index,
        } => {
            let (year, month) = add_months(start, period, *interval)?;
            vec![nth_weekday_of_month(year, month, *day, *index)?]
        }
    };
    Some(dates.into_iter().filter(|date| *date >= start).collect())
}

fn add_days(date: Date, days: i64) -> Option<Date> {
    // Beyond the whole representable calendar; also keeps `Duration::days` from overflowing.
    const CALENDAR_DAYS: i64 = 2 * 10_000 * 366;
    if days.abs() > CALENDAR_DAYS {
        return None;
    }
    date.checked_add(Duration::days(days))
}

/// How many days `day` comes after `week_start` within a week (0..=6).
fn days_after(week_start: Weekday, day: Weekday) -> i64 {
    (i64::from(day.number_days_from_monday()) - i64::from(week_start.number_days_from_monday()))
        .rem_euclid(7)
}

/// The month `period * interval` months after `start`'s month.
fn add_months(start: Date, period: u32, interval: u32) -> Option<(i32, Month)> {
    let index = i64::from(start.year()) * 12
        + i64::from(u8::from(start.month()) - 1)
        + i64::from(period) * i64::from(interval);
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(index.rem_euclid(12) + 1).ok()?).ok()?;
    Some((year, month))
}

fn nth_weekday_of_month(year: i32, month: Month, day: Weekday, index: WeekIndex) -> Option<Date> {
    let first = Date::from_calendar_date(year, month, 1).ok()?;
    let first_match = 1 + days_after(first.weekday(), day) as u8;
    let day_of_month = match index {
        WeekIndex::First => first_match,
        WeekIndex::Second => first_match + 7,
        WeekIndex::Third => first_match + 14,
        WeekIndex::Fourth => first_match + 21,
        WeekIndex::Last => {
            let length = month.length(year);
            first_match + (length - first_match) / 7 * 7
        }
    };
    Date::from_calendar_date(year, month, day_of_month).ok()
}

// ---- EWS XML parsing -------------------------------------------------------------------

mod xml;
use xml::*;

#[cfg(test)]
mod tests;
