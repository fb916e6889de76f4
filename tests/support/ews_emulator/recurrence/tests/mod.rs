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

mod expansion;
mod xml;
