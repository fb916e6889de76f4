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

fn is_types_element(node: Node, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && node.tag_name().namespace() == Some(TYPES_NS)
}

fn describe(node: Node) -> String {
    match node.tag_name().namespace() {
        Some(ns) => format!("element {{{ns}}}{}", node.tag_name().name()),
        None => format!("element {}", node.tag_name().name()),
    }
}

/// Reads the element children of one parent in schema order.
struct Sequence<'a, 'input> {
    parent: &'static str,
    children: Vec<Node<'a, 'input>>,
    next: usize,
}

impl<'a, 'input> Sequence<'a, 'input> {
    fn new(parent_node: Node<'a, 'input>, parent: &'static str) -> Self {
        Sequence {
            parent,
            children: parent_node.children().filter(Node::is_element).collect(),
            next: 0,
        }
    }

    /// The text of the next child if it is `t:{name}`; it must hold no elements.
    fn optional(&mut self, name: &str) -> Result<Option<&'a str>, String> {
        let Some(node) = self.children.get(self.next).copied() else {
            return Ok(None);
        };
        if !is_types_element(node, name) {
            return Ok(None);
        }
        self.next += 1;
        if let Some(child) = node.children().find(Node::is_element) {
            return Err(format!("unexpected {} in t:{name}", describe(child)));
        }
        Ok(Some(node.text().unwrap_or("").trim()))
    }

    fn required(&mut self, name: &str) -> Result<&'a str, String> {
        if let Some(text) = self.optional(name)? {
            return Ok(text);
        }
        Err(match self.children.get(self.next) {
            Some(other) => format!(
                "expected t:{name} in t:{}, found {}",
                self.parent,
                describe(*other)
            ),
            None => format!("missing t:{name} in t:{}", self.parent),
        })
    }

    fn finish(self) -> Result<(), String> {
        match self.children.get(self.next) {
            Some(extra) => Err(format!(
                "unexpected {} in t:{}",
                describe(*extra),
                self.parent
            )),
            None => Ok(()),
        }
    }
}

fn parse_pattern(node: Node) -> Result<Pattern, String> {
    if node.tag_name().namespace() != Some(TYPES_NS) {
        return Err(format!(
            "expected a recurrence pattern, found {}",
            describe(node)
        ));
    }
    let pattern = match node.tag_name().name() {
        "DailyRecurrence" => {
            let mut seq = Sequence::new(node, "DailyRecurrence");
            let interval = parse_interval(seq.required("Interval")?)?;
            seq.finish()?;
            Pattern::Daily { interval }
        }
        "WeeklyRecurrence" => {
            let mut seq = Sequence::new(node, "WeeklyRecurrence");
            let interval = parse_interval(seq.required("Interval")?)?;
            let days = parse_days_of_week(seq.required("DaysOfWeek")?)?;
            let first_day_of_week = match seq.optional("FirstDayOfWeek")? {
                Some(text) => parse_single_weekday(text)?,
                None => DEFAULT_FIRST_DAY_OF_WEEK,
            };
            seq.finish()?;
            Pattern::Weekly {
                interval,
                days,
                first_day_of_week,
            }
        }
        "AbsoluteMonthlyRecurrence" => {
            let mut seq = Sequence::new(node, "AbsoluteMonthlyRecurrence");
            let interval = parse_interval(seq.required("Interval")?)?;
            let day = seq.required("DayOfMonth")?;
            seq.finish()?;
            let day_of_month =
                day.parse::<i32>()
                    .ok()
                    .filter(|d| (1..=31).contains(d))
                    .ok_or_else(|| format!("invalid DayOfMonth {day:?}"))? as u8;
            Pattern::AbsoluteMonthly {
                interval,
                day_of_month,
            }
        }
        "RelativeMonthlyRecurrence" => {
            let mut seq = Sequence::new(node, "RelativeMonthlyRecurrence");
            let interval = parse_interval(seq.required("Interval")?)?;
            let day = parse_single_weekday(seq.required("DaysOfWeek")?)?;
            let index = parse_week_index(seq.required("DayOfWeekIndex")?)?;
            seq.finish()?;
            Pattern::RelativeMonthly {
                interval,
                day,
                index,
            }
        }
        "RelativeYearlyRecurrence" | "AbsoluteYearlyRecurrence" => {
            return Err(format!(
                "t:{} is not supported by this emulator",
                node.tag_name().name()
            ))
        }
        _ => {
            return Err(format!(
                "expected a recurrence pattern, found {}",
                describe(node)
            ))
        }
    };
    Ok(pattern)
}

fn parse_range(node: Node) -> Result<Range, String> {
    if node.tag_name().namespace() != Some(TYPES_NS) {
        return Err(format!(
            "expected a recurrence range, found {}",
            describe(node)
        ));
    }
    let name = node.tag_name().name();
    let parent = match name {
        "NoEndRecurrence" => "NoEndRecurrence",
        "EndDateRecurrence" => "EndDateRecurrence",
        "NumberedRecurrence" => "NumberedRecurrence",
        _ => {
            return Err(format!(
                "expected a recurrence range, found {}",
                describe(node)
            ))
        }
    };
    let mut seq = Sequence::new(node, parent);
    let start = parse_xs_date(seq.required("StartDate")?)?;
    let range = match parent {
        "NoEndRecurrence" => Range::NoEnd { start },
        "EndDateRecurrence" => Range::EndDate {
            start,
            end: parse_xs_date(seq.required("EndDate")?)?,
        },
        _ => {
            let text = seq.required("NumberOfOccurrences")?;
            let count = text
                .parse::<i32>()
                .ok()
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n >= 1)
                .ok_or_else(|| format!("invalid NumberOfOccurrences {text:?}"))?;
            Range::Numbered { start, count }
        }
    };
    seq.finish()?;
    Ok(range)
}

/// An `xs:int` interval, which must be positive.
fn parse_interval(text: &str) -> Result<u32, String> {
    text.parse::<i32>()
        .ok()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n >= 1)
        .ok_or_else(|| format!("invalid recurrence Interval {text:?}"))
}

/// An `xs:date`: `YYYY-MM-DD` with an optional zone suffix (`Z`, `+01:00`), which Exchange
/// sometimes adds and which does not change the calendar date meant.
fn parse_xs_date(text: &str) -> Result<Date, String> {
    let invalid = || format!("invalid xs:date {text:?}");
    let (date, zone) = text.split_at(text.len().min(10));
    let zone_ok = zone.is_empty()
        || zone == "Z"
        || (zone.len() == 6
            && (zone.starts_with('+') || zone.starts_with('-'))
            && zone.as_bytes()[3] == b':'
            && zone[1..3]
                .bytes()
                .chain(zone[4..].bytes())
                .all(|b| b.is_ascii_digit()));
    let mut parts = date.split('-');
    let (Some(year), Some(month), Some(day), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    if !zone_ok || year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return Err(invalid());
    }
    let number = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| s.parse::<u16>().ok())
            .flatten()
    };
    let (Some(year), Some(month), Some(day)) = (number(year), number(month), number(day)) else {
        return Err(invalid());
    };
    let month =
        Month::try_from(u8::try_from(month).map_err(|_| invalid())?).map_err(|_| invalid())?;
    Date::from_calendar_date(
        i32::from(year),
        month,
        u8::try_from(day).map_err(|_| invalid())?,
    )
    .map_err(|_| invalid())
}

fn xs_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// A `DaysOfWeekType` list; the aggregates `Day`, `Weekday` and `WeekendDay` expand to their
/// days. Duplicates are dropped, first mention wins.
fn parse_days_of_week(text: &str) -> Result<Vec<Weekday>, String> {
    let mut days = Vec::new();
    for token in text.split_whitespace() {
        match token {
            "Day" => days.extend(ALL_DAYS),
            "Weekday" => days.extend(&ALL_DAYS[..5]),
            "WeekendDay" => days.extend(&ALL_DAYS[5..]),
            _ => days.push(parse_single_weekday(token)?),
        }
    }
    if days.is_empty() {
        return Err("empty DaysOfWeek".into());
    }
    Ok(dedup_days(days))
}

const ALL_DAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

fn dedup_days(days: impl IntoIterator<Item = Weekday>) -> Vec<Weekday> {
    let mut unique = Vec::new();
    for day in days {
        if !unique.contains(&day) {
            unique.push(day);
        }
    }
    unique
}

fn parse_single_weekday(text: &str) -> Result<Weekday, String> {
    ALL_DAYS
        .into_iter()
        .find(|day| weekday_name(*day) == text)
        .ok_or_else(|| format!("unsupported day of week {text:?}"))
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

fn parse_week_index(text: &str) -> Result<WeekIndex, String> {
    [
        WeekIndex::First,
        WeekIndex::Second,
        WeekIndex::Third,
        WeekIndex::Fourth,
        WeekIndex::Last,
    ]
    .into_iter()
    .find(|index| week_index_name(*index) == text)
    .ok_or_else(|| format!("invalid DayOfWeekIndex {text:?}"))
}

fn week_index_name(index: WeekIndex) -> &'static str {
    match index {
        WeekIndex::First => "First",
        WeekIndex::Second => "Second",
        WeekIndex::Third => "Third",
        WeekIndex::Fourth => "Fourth",
        WeekIndex::Last => "Last",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    use time::macros::{date, datetime};

    const MESSAGES_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";

    fn starts(occurrences: &[Occurrence]) -> Vec<OffsetDateTime> {
        occurrences.iter().map(|o| o.start).collect()
    }

    fn all(
        rec: &Recurrence,
        first: PrimitiveDateTime,
        zone: &str,
    ) -> Result<Vec<Occurrence>, String> {
        expand(
            rec,
            first,
            Duration::minutes(30),
            zone,
            datetime!(2000-01-01 0:00 UTC),
            datetime!(2100-01-01 0:00 UTC),
            10_000,
        )
    }

    fn parse(xml: &str) -> Result<Recurrence, String> {
        let wrapped = format!("<root xmlns:t=\"{TYPES_NS}\">{xml}</root>");
        let doc = roxmltree::Document::parse(&wrapped).map_err(|e| e.to_string())?;
        let node = doc
            .root_element()
            .first_element_child()
            .ok_or("no element")?;
        Recurrence::from_ews(node)
    }

    #[test]
    fn weekly_keeps_wall_clock_across_european_dst_changes() {
        let rec = Recurrence::weekly(
            1,
            &[Weekday::Wednesday, Weekday::Monday],
            Range::NoEnd {
                start: date!(2027 - 03 - 22),
            },
        );
        let spring = expand(
            &rec,
            datetime!(2027-03-22 9:00),
            Duration::hours(1),
            "W. Europe Standard Time",
            datetime!(2027-03-22 0:00 UTC),
            datetime!(2027-04-01 0:00 UTC),
            100,
        )
        .unwrap();
        assert_eq!(
            starts(&spring),
            [
                datetime!(2027-03-22 8:00 UTC),
                datetime!(2027-03-24 8:00 UTC),
                datetime!(2027-03-29 7:00 UTC),
                datetime!(2027-03-31 7:00 UTC),
            ]
        );
        assert!(spring
            .iter()
            .all(|o| o.original_start_local.time() == time::macros::time!(9:00)));
        assert_eq!(
            spring[2].start.offset(),
            UtcOffset::from_hms(2, 0, 0).unwrap()
        );
        assert_eq!(spring[2].end, datetime!(2027-03-29 8:00 UTC));

        let autumn = expand(
            &rec,
            datetime!(2027-03-22 9:00),
            Duration::hours(1),
            "W. Europe Standard Time",
            datetime!(2027-10-25 0:00 UTC),
            datetime!(2027-11-04 0:00 UTC),
            100,
        )
        .unwrap();
        assert_eq!(
            starts(&autumn),
            [
                datetime!(2027-10-25 7:00 UTC),
                datetime!(2027-10-27 7:00 UTC),
                datetime!(2027-11-01 8:00 UTC),
                datetime!(2027-11-03 8:00 UTC),
            ]
        );
        assert_eq!(autumn[2].original_start_local, datetime!(2027-11-01 9:00));
    }

    #[test]
    fn pacific_series_moves_in_utc_and_handles_gap_and_fold() {
        let daily = Recurrence::daily(
            1,
            Range::NoEnd {
                start: date!(2027 - 03 - 12),
            },
        );
        let window = |from, to| {
            expand(
                &daily,
                datetime!(2027-03-12 10:00),
                Duration::minutes(45),
                "Pacific Standard Time",
                from,
                to,
                10,
            )
            .unwrap()
        };
        assert_eq!(
            starts(&window(
                datetime!(2027-03-12 0:00 UTC),
                datetime!(2027-03-15 0:00 UTC)
            )),
            [
                datetime!(2027-03-12 18:00 UTC),
                datetime!(2027-03-13 18:00 UTC),
                datetime!(2027-03-14 17:00 UTC),
            ]
        );

        // 02:30 does not exist on 2027-03-14: it moves forward by the hour-long gap.
        let in_gap = expand(
            &daily,
            datetime!(2027-03-12 2:30),
            Duration::minutes(30),
            "Pacific Standard Time",
            datetime!(2027-03-14 0:00 UTC),
            datetime!(2027-03-16 0:00 UTC),
            10,
        )
        .unwrap();
        assert_eq!(in_gap[0].original_start_local, datetime!(2027-03-14 2:30));
        assert_eq!(in_gap[0].start, datetime!(2027-03-14 3:30 -7));
        assert_eq!(in_gap[1].start, datetime!(2027-03-15 2:30 -7));

        // 01:30 happens twice on 2027-11-07: the earlier (daylight time) instant wins.
        let in_fold = expand(
            &daily,
            datetime!(2027-03-12 1:30),
            Duration::minutes(30),
            "Pacific Standard Time",
            datetime!(2027-11-07 0:00 UTC),
            datetime!(2027-11-09 0:00 UTC),
            10,
        )
        .unwrap();
        assert_eq!(in_fold[0].start, datetime!(2027-11-07 8:30 UTC));
        assert_eq!(in_fold[1].start, datetime!(2027-11-08 9:30 UTC));
    }

    #[test]
    fn numbered_range_counts_from_range_start() {
        let rec = Recurrence::daily(
            2,
            Range::Numbered {
                start: date!(2027 - 01 - 01),
                count: 5,
            },
        );
        let first = datetime!(2027-01-01 12:00);
        let dates: Vec<Date> = all(&rec, first, "UTC")
            .unwrap()
            .iter()
            .map(|o| o.start.date())
            .collect();
        assert_eq!(
            dates,
            [
                date!(2027 - 01 - 01),
                date!(2027 - 01 - 03),
                date!(2027 - 01 - 05),
                date!(2027 - 01 - 07),
                date!(2027 - 01 - 09),
            ]
        );
        // A later window still sees only the tail of the same five occurrences.
        let tail = expand(
            &rec,
            first,
            Duration::hours(1),
            "UTC",
            datetime!(2027-01-06 0:00 UTC),
            datetime!(2027-02-01 0:00 UTC),
            100,
        )
        .unwrap();
        assert_eq!(
            starts(&tail),
            [
                datetime!(2027-01-07 12:00 UTC),
                datetime!(2027-01-09 12:00 UTC)
            ]
        );
        assert_eq!(
            last_end(&rec, first, Duration::hours(1), "UTC").unwrap(),
            Some(datetime!(2027-01-09 13:00 UTC))
        );
    }

    #[test]
    fn end_date_is_inclusive() {
        let rec = Recurrence::daily(
            1,
            Range::EndDate {
                start: date!(2027 - 06 - 01),
                end: date!(2027 - 06 - 03),
            },
        );
        let first = datetime!(2027-06-01 23:30);
        let occurrences = all(&rec, first, "Tokyo Standard Time").unwrap();
        assert_eq!(occurrences.len(), 3);
        assert_eq!(
            occurrences[2].original_start_local,
            datetime!(2027-06-03 23:30)
        );
        assert_eq!(occurrences[2].start, datetime!(2027-06-03 14:30 UTC));
        assert_eq!(
            last_end(&rec, first, Duration::minutes(30), "Tokyo Standard Time").unwrap(),
            Some(datetime!(2027-06-03 15:00 UTC))
        );
        let no_end = Recurrence::daily(
            1,
            Range::NoEnd {
                start: date!(2027 - 06 - 01),
            },
        );
        assert_eq!(
            last_end(&no_end, first, Duration::minutes(30), "UTC").unwrap(),
            None
        );
    }

    #[test]
    fn absolute_monthly_falls_back_to_last_day_of_short_months() {
        let rec = Recurrence {
            pattern: Pattern::AbsoluteMonthly {
                interval: 1,
                day_of_month: 31,
            },
            range: Range::Numbered {
                start: date!(2027 - 12 - 01),
                count: 5,
            },
        };
        let dates: Vec<Date> = all(&rec, datetime!(2027-12-01 9:00), "India Standard Time")
            .unwrap()
            .iter()
            .map(|o| o.original_start_local.date())
            .collect();
        assert_eq!(
            dates,
            [
                date!(2027 - 12 - 31),
                date!(2028 - 01 - 31),
                date!(2028 - 02 - 29),
                date!(2028 - 03 - 31),
                date!(2028 - 04 - 30),
            ]
        );

        // Every third month on the 15th, skipping a 15th before the range start.
        let quarterly = Recurrence {
            pattern: Pattern::AbsoluteMonthly {
                interval: 3,
                day_of_month: 15,
            },
            range: Range::Numbered {
                start: date!(2027 - 01 - 20),
                count: 3,
            },
        };
        let dates: Vec<Date> = all(&quarterly, datetime!(2027-01-20 9:00), "UTC")
            .unwrap()
            .iter()
            .map(|o| o.original_start_local.date())
            .collect();
        assert_eq!(
            dates,
            [
                date!(2027 - 04 - 15),
                date!(2027 - 07 - 15),
                date!(2027 - 10 - 15)
            ]
        );
    }

    #[test]
    fn relative_monthly_last_friday_and_second_tuesday() {
        let last_friday = Recurrence {
            pattern: Pattern::RelativeMonthly {
                interval: 1,
                day: Weekday::Friday,
                index: WeekIndex::Last,
            },
            range: Range::EndDate {
                start: date!(2027 - 01 - 01),
                end: date!(2027 - 04 - 30),
            },
        };
        let dates: Vec<Date> = all(
            &last_friday,
            datetime!(2027-01-01 16:00),
            "GMT Standard Time",
        )
        .unwrap()
        .iter()
        .map(|o| o.original_start_local.date())
        .collect();
        assert_eq!(
            dates,
            [
                date!(2027 - 01 - 29),
                date!(2027 - 02 - 26),
                date!(2027 - 03 - 26),
                date!(2027 - 04 - 30),
            ]
        );
        let second_tuesday = Recurrence {
            pattern: Pattern::RelativeMonthly {
                interval: 2,
                day: Weekday::Tuesday,
                index: WeekIndex::Second,
            },
            range: Range::Numbered {
                start: date!(2027 - 03 - 01),
                count: 2,
            },
        };
        let dates: Vec<Date> = all(&second_tuesday, datetime!(2027-03-01 8:00), "UTC")
            .unwrap()
            .iter()
            .map(|o| o.original_start_local.date())
            .collect();
        assert_eq!(dates, [date!(2027 - 03 - 09), date!(2027 - 05 - 11)]);
    }

    #[test]
    fn biweekly_weeks_begin_on_first_day_of_week() {
        let biweekly = |first_day_of_week| Recurrence {
            pattern: Pattern::Weekly {
                interval: 2,
                days: vec![Weekday::Sunday, Weekday::Monday],
                first_day_of_week,
            },
            range: Range::Numbered {
                start: date!(2027 - 03 - 01),
                count: 4,
            },
        };
        let dates = |rec: &Recurrence| -> Vec<Date> {
            all(rec, datetime!(2027-03-01 10:00), "UTC")
                .unwrap()
                .iter()
                .map(|o| o.original_start_local.date())
                .collect()
        };
        assert_eq!(
            dates(&biweekly(Weekday::Monday)),
            [
                date!(2027 - 03 - 01),
                date!(2027 - 03 - 07),
                date!(2027 - 03 - 15),
                date!(2027 - 03 - 21),
            ]
        );
        assert_eq!(
            dates(&biweekly(Weekday::Sunday)),
            [
                date!(2027 - 03 - 01),
                date!(2027 - 03 - 14),
                date!(2027 - 03 - 15),
                date!(2027 - 03 - 28),
            ]
        );
    }

    #[test]
    fn window_bounds_and_limit() {
        let rec = Recurrence::daily(
            1,
            Range::NoEnd {
                start: date!(2027 - 05 - 01),
            },
        );
        let first = datetime!(2027-05-01 10:00);
        let hour = Duration::hours(1);
        let window = |from, to, limit| expand(&rec, first, hour, "UTC", from, to, limit).unwrap();
        // Overlapping the window start counts; starting exactly at the window end does not.
        assert_eq!(
            starts(&window(
                datetime!(2027-05-02 10:30 UTC),
                datetime!(2027-05-04 10:00 UTC),
                100
            )),
            [
                datetime!(2027-05-02 10:00 UTC),
                datetime!(2027-05-03 10:00 UTC)
            ]
        );
        // Ending exactly at the window start does not overlap.
        assert_eq!(
            starts(&window(
                datetime!(2027-05-02 11:00 UTC),
                datetime!(2027-05-03 10:30 UTC),
                100
            )),
            [datetime!(2027-05-03 10:00 UTC)]
        );
        assert_eq!(
            starts(&window(
                datetime!(2027-05-01 0:00 UTC),
                datetime!(2030-01-01 0:00 UTC),
                2
            )),
            [
                datetime!(2027-05-01 10:00 UTC),
                datetime!(2027-05-02 10:00 UTC)
            ]
        );
        assert!(window(
            datetime!(2027-05-01 0:00 UTC),
            datetime!(2030-01-01 0:00 UTC),
            0
        )
        .is_empty());
        assert!(window(
            datetime!(2027-06-01 0:00 UTC),
            datetime!(2027-05-01 0:00 UTC),
            5
        )
        .is_empty());
        assert!(window(
            datetime!(2020-01-01 0:00 UTC),
            datetime!(2027-05-01 0:00 UTC),
            5
        )
        .is_empty());
        // A window decades after the start of a series without end stays bounded and exact.
        assert_eq!(
            starts(&window(
                datetime!(2090-01-01 0:00 UTC),
                datetime!(2090-01-02 0:00 UTC),
                100
            )),
            [datetime!(2090-01-01 10:00 UTC)]
        );
        // Huge intervals end at the calendar's edge instead of overflowing.
        let sparse = Recurrence::weekly(
            u32::MAX,
            &[Weekday::Monday],
            Range::NoEnd {
                start: date!(2027 - 05 - 03),
            },
        );
        let once = expand(
            &sparse,
            first,
            hour,
            "UTC",
            datetime!(2027-01-01 0:00 UTC),
            datetime!(9999-01-01 0:00 UTC),
            100,
        )
        .unwrap();
        assert_eq!(starts(&once), [datetime!(2027-05-03 10:00 UTC)]);
        let monthly = Recurrence {
            pattern: Pattern::AbsoluteMonthly {
                interval: u32::MAX,
                day_of_month: 3,
            },
            range: Range::Numbered {
                start: date!(2027 - 05 - 03),
                count: 3,
            },
        };
        assert_eq!(all(&monthly, first, "UTC").unwrap().len(), 1);
        assert_eq!(
            last_end(&monthly, first, hour, "UTC").unwrap(),
            Some(datetime!(2027-05-03 11:00 UTC))
        );
        // At the end of the representable calendar the series reports an error, not a panic.
        let at_the_edge = Recurrence::daily(
            1,
            Range::NoEnd {
                start: date!(9999 - 12 - 30),
            },
        );
        let edge = expand(
            &at_the_edge,
            datetime!(9999-12-30 1:00),
            hour,
            "UTC",
            datetime!(9999-01-01 0:00 UTC),
            datetime!(9999-12-31 23:00 UTC),
            10,
        );
        assert!(edge.unwrap_err().contains("out of range"));
        // Offsets given in other zones compare as instants.
        assert_eq!(
            window(
                datetime!(2027-05-01 12:00 +2),
                datetime!(2027-05-01 13:00 +2),
                5
            )
            .len(),
            1
        );
    }

    #[test]
    fn zones_map_to_known_iana_zones() {
        for (windows, iana) in WINDOWS_ZONES {
            assert!(
                bundled_zones().get(iana).is_ok(),
                "{windows} -> {iana} is not in the bundled tz database"
            );
        }
        assert_eq!(
            windows_zone_to_iana("W. Europe Standard Time"),
            Some("Europe/Berlin")
        );
        assert_eq!(
            windows_zone_to_iana("pacific standard time"),
            Some("America/Los_Angeles")
        );
        assert_eq!(windows_zone_to_iana("Mars Standard Time"), None);
        let rec = Recurrence::daily(
            1,
            Range::NoEnd {
                start: date!(2027 - 01 - 01),
            },
        );
        let err = all(&rec, datetime!(2027-01-01 9:00), "Mars Standard Time").unwrap_err();
        assert!(err.contains("Mars Standard Time"), "{err}");
        assert!(last_end(
            &rec,
            datetime!(2027-01-01 9:00),
            Duration::HOUR,
            "Europe/Berlin"
        )
        .is_err());
        // Australian and Indian zones: southern-hemisphere DST, half-hour offset.
        let sydney = all(
            &rec,
            datetime!(2027-01-01 9:00),
            "AUS Eastern Standard Time",
        )
        .unwrap();
        assert_eq!(sydney[0].start, datetime!(2026-12-31 22:00 UTC));
        let india = all(&rec, datetime!(2027-01-01 9:00), "India Standard Time").unwrap();
        assert_eq!(india[0].start, datetime!(2027-01-01 3:30 UTC));
    }

    #[test]
    fn invalid_series_are_rejected() {
        let start = date!(2027 - 01 - 01);
        let first = datetime!(2027-01-01 9:00);
        let bad = [
            Recurrence::daily(0, Range::NoEnd { start }),
            Recurrence::weekly(1, &[], Range::NoEnd { start }),
            Recurrence::daily(
                1,
                Range::EndDate {
                    start,
                    end: date!(2026 - 12 - 31),
                },
            ),
            Recurrence::daily(1, Range::Numbered { start, count: 0 }),
            Recurrence {
                pattern: Pattern::AbsoluteMonthly {
                    interval: 1,
                    day_of_month: 32,
                },
                range: Range::NoEnd { start },
            },
        ];
        for rec in &bad {
            assert!(all(rec, first, "UTC").is_err(), "{rec:?}");
        }
        let ok = Recurrence::daily(1, Range::NoEnd { start });
        assert!(expand(
            &ok,
            first,
            Duration::minutes(-5),
            "UTC",
            datetime!(2027-01-01 0:00 UTC),
            datetime!(2027-02-01 0:00 UTC),
            5
        )
        .is_err());
    }

    fn samples() -> Vec<Recurrence> {
        let start = date!(2027 - 03 - 01);
        vec![
            Recurrence::daily(3, Range::NoEnd { start }),
            Recurrence::weekly(
                2,
                &[Weekday::Monday, Weekday::Wednesday, Weekday::Friday],
                Range::EndDate {
                    start,
                    end: date!(2027 - 12 - 31),
                },
            ),
            Recurrence {
                pattern: Pattern::Weekly {
                    interval: 1,
                    days: vec![Weekday::Sunday],
                    first_day_of_week: Weekday::Monday,
                },
                range: Range::Numbered { start, count: 10 },
            },
            Recurrence {
                pattern: Pattern::AbsoluteMonthly {
                    interval: 1,
                    day_of_month: 31,
                },
                range: Range::Numbered { start, count: 12 },
            },
            Recurrence {
                pattern: Pattern::RelativeMonthly {
                    interval: 1,
                    day: Weekday::Friday,
                    index: WeekIndex::Last,
                },
                range: Range::NoEnd { start },
            },
        ]
    }

    #[test]
    fn xml_round_trip() {
        for rec in samples() {
            let xml = rec.to_ews_xml();
            assert!(xml.starts_with("<t:Recurrence>") && xml.ends_with("</t:Recurrence>"));
            assert_eq!(parse(&xml).unwrap(), rec, "{xml}");
        }
    }

    #[test]
    fn parses_exchange_style_xml() {
        let rec = parse(
            "<t:Recurrence>\n  <t:WeeklyRecurrence>\n    <t:Interval>1</t:Interval>\n    \
             <t:DaysOfWeek>Weekday Monday</t:DaysOfWeek>\n  </t:WeeklyRecurrence>\n  \
             <t:EndDateRecurrence>\n    <t:StartDate>2027-03-01-08:00</t:StartDate>\n    \
             <t:EndDate>2027-03-31Z</t:EndDate>\n  </t:EndDateRecurrence>\n</t:Recurrence>",
        )
        .unwrap();
        assert_eq!(
            rec,
            Recurrence {
                pattern: Pattern::Weekly {
                    interval: 1,
                    days: vec![
                        Weekday::Monday,
                        Weekday::Tuesday,
                        Weekday::Wednesday,
                        Weekday::Thursday,
                        Weekday::Friday
                    ],
                    first_day_of_week: DEFAULT_FIRST_DAY_OF_WEEK,
                },
                range: Range::EndDate {
                    start: date!(2027 - 03 - 01),
                    end: date!(2027 - 03 - 31),
                },
            }
        );
    }

    #[test]
    fn malformed_xml_is_rejected() {
        let range = "<t:NoEndRecurrence><t:StartDate>2027-03-01</t:StartDate></t:NoEndRecurrence>";
        let daily = "<t:DailyRecurrence><t:Interval>1</t:Interval></t:DailyRecurrence>";
        let cases = [
            // range before pattern
            format!("<t:Recurrence>{range}{daily}</t:Recurrence>"),
            format!("<t:Recurrence>{daily}</t:Recurrence>"),
            format!("<t:Recurrence>{daily}{range}{range}</t:Recurrence>"),
            format!("<t:Recurrence><t:DailyRecurrence><t:Interval>0</t:Interval></t:DailyRecurrence>{range}</t:Recurrence>"),
            format!("<t:Recurrence><t:DailyRecurrence/>{range}</t:Recurrence>"),
            format!("<t:Recurrence><t:AbsoluteYearlyRecurrence><t:DayOfMonth>1</t:DayOfMonth><t:Month>May</t:Month></t:AbsoluteYearlyRecurrence>{range}</t:Recurrence>"),
            format!("<t:Recurrence><t:WeeklyRecurrence><t:Interval>1</t:Interval><t:DaysOfWeek>Funday</t:DaysOfWeek></t:WeeklyRecurrence>{range}</t:Recurrence>"),
            format!("<t:Recurrence><t:WeeklyRecurrence><t:DaysOfWeek>Monday</t:DaysOfWeek><t:Interval>1</t:Interval></t:WeeklyRecurrence>{range}</t:Recurrence>"),
            format!("<t:Recurrence><t:RelativeMonthlyRecurrence><t:Interval>1</t:Interval><t:DaysOfWeek>Weekday</t:DaysOfWeek><t:DayOfWeekIndex>First</t:DayOfWeekIndex></t:RelativeMonthlyRecurrence>{range}</t:Recurrence>"),
            format!("<t:Recurrence>{daily}<t:NoEndRecurrence><t:StartDate>2027-02-30</t:StartDate></t:NoEndRecurrence></t:Recurrence>"),
            format!("<t:Recurrence>{daily}<t:NumberedRecurrence><t:StartDate>2027-02-01</t:StartDate></t:NumberedRecurrence></t:Recurrence>"),
            format!("<t:Recurrence>{daily}<t:EndDateRecurrence><t:StartDate>2027-02-01</t:StartDate><t:EndDate>2027-01-01</t:EndDate></t:EndDateRecurrence></t:Recurrence>"),
            format!("<Recurrence>{daily}{range}</Recurrence>"),
            format!("<t:Recurrence><DailyRecurrence><t:Interval>1</t:Interval></DailyRecurrence>{range}</t:Recurrence>"),
        ];
        for xml in &cases {
            assert!(parse(xml).is_err(), "accepted: {xml}");
        }
    }

    /// Wraps the serialised series in a CreateItem request and validates it with xmllint
    /// against the EWS schema.
    #[test]
    fn serialised_xml_validates_against_ews_schema() {
        let schemas = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/schemas");
        let schema = format!("{schemas}/ews/messages.xsd");
        let required = std::env::var("VMR_REQUIRE_SCHEMAS").is_ok_and(|v| v == "1");
        let skip = |reason: String| {
            assert!(!required, "schema validation required but {reason}");
            println!("skipping EWS schema validation: {reason}");
        };
        if !std::path::Path::new(&schema).is_file() {
            return skip(format!("{schema} is missing"));
        }
        if Command::new("xmllint").arg("--version").output().is_err() {
            return skip("xmllint is not installed".into());
        }
        for rec in samples() {
            let body = format!(
                "<m:CreateItem xmlns:m=\"{MESSAGES_NS}\" xmlns:t=\"{TYPES_NS}\" \
                 SendMeetingInvitations=\"SendToNone\"><m:Items><t:CalendarItem>\
                 <t:Subject>Series</t:Subject><t:Start>2027-03-01T09:00:00</t:Start>\
                 <t:End>2027-03-01T10:00:00</t:End>{}\
                 </t:CalendarItem></m:Items></m:CreateItem>",
                rec.to_ews_xml()
            );
            let mut child = Command::new("xmllint")
                .args(["--noout", "--nonet", "--schema", &schema, "-"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start xmllint");
            child
                .stdin
                .take()
                .expect("xmllint stdin")
                .write_all(body.as_bytes())
                .expect("write to xmllint");
            let output = child.wait_with_output().expect("xmllint result");
            assert!(
                output.status.success(),
                "{body}\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}
