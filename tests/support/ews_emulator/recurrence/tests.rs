use super::*;
use std::io::Write as _;
use std::process::{Command, Stdio};
use time::macros::{date, datetime};

const MESSAGES_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";

fn starts(occurrences: &[Occurrence]) -> Vec<OffsetDateTime> {
    occurrences.iter().map(|o| o.start).collect()
}

fn all(rec: &Recurrence, first: PrimitiveDateTime, zone: &str) -> Result<Vec<Occurrence>, String> {
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
