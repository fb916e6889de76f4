//! An integration's `aliases` and `joining` sections.

use super::*;

fn with_prefix(prefix: &str) -> String {
    edit(
        MINIMAL,
        "prefix = \"meet\"",
        &format!("prefix = \"{prefix}\""),
    )
}

#[test]
fn suffix_length_must_be_5_to_15() {
    for length in [4, 16, 0, -1] {
        assert_only_problem(
            &with_alias_line(&format!("suffix_length = {length}")),
            &main_key("aliases.suffix_length"),
            &format!("is {length}"),
            "5 to 15",
        );
    }
    for length in [5, 15] {
        let settings = valid(&with_alias_line(&format!("suffix_length = {length}")));
        assert_eq!(
            settings.integrations[0].aliases.suffix_length.digits(),
            length
        );
    }
}

#[test]
fn the_prefix_must_be_short_and_start_with_a_letter() {
    let key = main_key("aliases.prefix");
    let too_long = with_prefix("meetingrm");
    assert_only_problem(&too_long, &key, "9 characters", "1–8 characters");
    let digit_first = with_prefix("1meet");
    assert_only_problem(
        &digit_first,
        &key,
        "does not start with a letter",
        "starting with a letter",
    );
    let empty = with_prefix("");
    assert_only_problem(&empty, &key, "0 characters", "1–8 characters");
    let spaces = with_prefix("me et");
    assert_only_problem(&spaces, &key, "characters other than", "a-z 0-9");
}

#[test]
fn the_alias_domain_must_be_a_dns_name() {
    for domain in [
        "vc_example.com",
        "localhost",
        "vc..example.com",
        "-vc.example.com",
    ] {
        let text = edit(
            MINIMAL,
            "domain = \"vc.example.com\"",
            &format!("domain = \"{domain}\""),
        );
        // The default web join URL is derived from the domain, so it is not reported again.
        assert_only_problem(
            &text,
            &main_key("aliases.domain"),
            "is not a DNS domain",
            "SIP domain",
        );
    }
}

#[test]
fn the_numeric_prefix_must_be_digits() {
    for prefix in ["8a", "123456789", "+44"] {
        assert_only_problem(
            &with_alias_line(&format!("numeric_prefix = \"{prefix}\"")),
            &main_key("aliases.numeric_prefix"),
            "is not 0–8 digits",
            "0–8 digits",
        );
    }
}

#[test]
fn the_reservation_lifetime_is_bounded() {
    for hours in [0, 2161] {
        assert_only_problem(
            &with_alias_line(&format!("reservation_lifetime_hours = {hours}")),
            &main_key("aliases.reservation_lifetime_hours"),
            &format!("is {hours}"),
            "1 to 2160",
        );
    }
}

#[test]
fn the_web_join_url_is_https_with_an_alias_placeholder() {
    for url in [
        "https://vc.example.com/webapp/",
        "http://vc.example.com/webapp/#/?conference={alias}",
        "{alias}",
    ] {
        assert_only_problem(
            &with_section(&format!(
                "[integrations.main.joining]\nweb_join_url = \"{url}\""
            )),
            &main_key("joining.web_join_url"),
            "is not an https URL containing {alias}",
            "{alias}",
        );
    }
}

#[test]
fn the_dial_in_number_is_a_phone_number() {
    for number in ["+1 555 CALL", "", "   ", "555-0100 ext. 7"] {
        assert_only_problem(
            &with_section(&format!(
                "[integrations.main.joining]\ndial_in_number = \"{number}\""
            )),
            &main_key("joining.dial_in_number"),
            "is not a phone number",
            "digits",
        );
    }
}
