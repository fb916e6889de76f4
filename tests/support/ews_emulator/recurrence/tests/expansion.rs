//! Expanding series into occurrences: time zones, DST, ranges, monthly and weekly patterns.

use super::*;

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
