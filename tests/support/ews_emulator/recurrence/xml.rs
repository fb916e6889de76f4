//! Reading and writing the EWS `t:Recurrence` element.

use super::*;

pub(super) fn is_types_element(node: Node, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && node.tag_name().namespace() == Some(TYPES_NS)
}

pub(super) fn describe(node: Node) -> String {
    match node.tag_name().namespace() {
        Some(ns) => format!("element {{{ns}}}{}", node.tag_name().name()),
        None => format!("element {}", node.tag_name().name()),
    }
}

/// Reads the element children of one parent in schema order.
pub(super) struct Sequence<'a, 'input> {
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

pub(super) fn parse_pattern(node: Node) -> Result<Pattern, String> {
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

pub(super) fn parse_range(node: Node) -> Result<Range, String> {
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
pub(super) fn parse_interval(text: &str) -> Result<u32, String> {
    text.parse::<i32>()
        .ok()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n >= 1)
        .ok_or_else(|| format!("invalid recurrence Interval {text:?}"))
}

/// An `xs:date`: `YYYY-MM-DD` with an optional zone suffix (`Z`, `+01:00`), which Exchange
/// sometimes adds and which does not change the calendar date meant.
pub(super) fn parse_xs_date(text: &str) -> Result<Date, String> {
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

pub(super) fn xs_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// A `DaysOfWeekType` list; the aggregates `Day`, `Weekday` and `WeekendDay` expand to their
/// days. Duplicates are dropped, first mention wins.
pub(super) fn parse_days_of_week(text: &str) -> Result<Vec<Weekday>, String> {
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

pub(super) fn dedup_days(days: impl IntoIterator<Item = Weekday>) -> Vec<Weekday> {
    let mut unique = Vec::new();
    for day in days {
        if !unique.contains(&day) {
            unique.push(day);
        }
    }
    unique
}

pub(super) fn parse_single_weekday(text: &str) -> Result<Weekday, String> {
    ALL_DAYS
        .into_iter()
        .find(|day| weekday_name(*day) == text)
        .ok_or_else(|| format!("unsupported day of week {text:?}"))
}

pub(super) fn weekday_name(day: Weekday) -> &'static str {
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

pub(super) fn parse_week_index(text: &str) -> Result<WeekIndex, String> {
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

pub(super) fn week_index_name(index: WeekIndex) -> &'static str {
    match index {
        WeekIndex::First => "First",
        WeekIndex::Second => "Second",
        WeekIndex::Third => "Third",
        WeekIndex::Fourth => "Fourth",
        WeekIndex::Last => "Last",
    }
}
