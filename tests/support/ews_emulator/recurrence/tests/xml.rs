//! Reading and writing series as EWS XML, checked against the schema.

use super::*;

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
