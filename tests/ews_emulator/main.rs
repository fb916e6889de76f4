//! The loopback EWS emulator, driven with raw SOAP: the shared fixtures, a meeting's whole
//! life (request, accept/decline, cancellation), sync states, series expansion, access
//! control, injected faults and schema validation.

mod access;
mod client;
mod fixtures;
mod meetings;
mod organizer_updates;
mod series;

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};
use vmr_scheduler_tests::ews_emulator::Invite;

/// `y-m-d h:00` at a whole-hour UTC offset.
pub fn at(year: i32, month: u8, day: u8, hour: u8, offset_hours: i8) -> OffsetDateTime {
    let date = Date::from_calendar_date(year, Month::try_from(month).expect("month"), day)
        .expect("valid date");
    PrimitiveDateTime::new(date, Time::from_hms(hour, 0, 0).expect("valid time"))
        .assume_offset(UtcOffset::from_hms(offset_hours, 0, 0).expect("offset"))
}

/// A one-hour meeting from Alice to the resource.
pub fn invite(uid: &str, start: OffsetDateTime) -> Invite {
    Invite {
        uid: uid.to_owned(),
        organizer: ("Alice Example".to_owned(), client::ORGANIZER.to_owned()),
        resource: client::RESOURCE.to_owned(),
        subject: format!("Planning {uid}"),
        body_html: "<html><body><p>Join via <b>meet.4711@vmr.example.org</b></p></body></html>"
            .to_owned(),
        start,
        end: start + time::Duration::hours(1),
        time_zone: "W. Europe Standard Time".to_owned(),
        recurrence: None,
    }
}
