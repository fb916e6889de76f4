use super::*;
use crate::domain::AliasMarker;
use serde_json::json;
use std::path::Path;

#[test]
fn names_are_complete_unique_and_round_trip() {
    let all = TemplateName::all();
    assert_eq!(all.len(), 45);
    for (position, &name) in all.iter().enumerate() {
        assert_eq!(name.index(), position);
        assert_eq!(TemplateName::parse(name.key()), Some(name));
        assert!(name.variables().ends_with(SHARED_VARIABLES), "{name}");
    }
    let html = all.iter().filter(|name| name.is_html()).count();
    assert_eq!(html, 14);
    assert_eq!(all.iter().filter(|name| name.is_pane_string()).count(), 25);
    assert_eq!(
        TemplateName::parse("joining_instructions"),
        Some(TemplateName::JoiningInstructions)
    );
    assert_eq!(TemplateName::parse("nope"), None);
}

#[test]
fn every_default_renders_with_its_sample_values() {
    let mut problems = Problems::default();
    let templates = RawTemplates::default().validate(KEY, Path::new("."), &mut problems);
    assert!(problems.is_empty(), "{:#?}", problems.into_vec());
    let templates = templates.unwrap();
    for &name in TemplateName::all() {
        let rendered = templates.render(name, &sample_values(name)).unwrap();
        assert!(!rendered.trim().is_empty(), "{name} renders empty");
        assert_eq!(templates.source(name), name.default_source());
        if !name.is_html() {
            assert!(
                !rendered.contains(['\n', '\r', '\t']),
                "{name}: {rendered:?}"
            );
        }
    }
    let text = templates.render(
        TemplateName::ConferenceName,
        &sample_values(TemplateName::ConferenceName),
    );
    assert_eq!(text.unwrap(), "Q3 planning & budget (Alice Example)");
}

#[test]
fn html_templates_escape_values_and_text_templates_do_not() {
    let templates = Templates::defaults();
    let hostile = "<script>alert(\"x\")</script> & 'q' = `b`";
    let mut values = sample_values(TemplateName::AcceptNewSingleMeeting);
    values["subject"] = json!(hostile);
    let html = templates
        .render(TemplateName::AcceptNewSingleMeeting, &values)
        .unwrap();
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains(
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27; &#x3D; &#x60;b&#x60;"
    ));

    let mut values = sample_values(TemplateName::ConferenceName);
    values["subject"] = json!(hostile);
    let text = templates
        .render(TemplateName::ConferenceName, &values)
        .unwrap();
    assert_eq!(text, format!("{hostile} (Alice Example)"));
}

#[test]
fn text_templates_become_one_trimmed_line() {
    let templates = load(
        "location = \"\\n  Room\\r\\n{{alias}}\\t\\u0007 {{numeric_alias}}  \"",
        Path::new("."),
    )
    .unwrap();
    let mut values = sample_values(TemplateName::Location);
    values["alias"] = json!("a\u{202E}b\nc");
    let text = templates.render(TemplateName::Location, &values).unwrap();
    assert_eq!(text, "Room a b c 88482913");
}

#[test]
fn default_joining_instructions_carry_the_marker_exactly_once() {
    let meeting = meeting();
    let html = Templates::defaults()
        .joining_instructions(&meeting)
        .unwrap();
    assert_eq!(html.matches(meeting.marker.as_str()).count(), 1, "{html}");
    assert_eq!(AliasMarker::find_all(&html), vec![meeting.marker.clone()]);
    assert!(html.contains("meet482913@vc.example.com") && html.contains("88482913"));
}

#[test]
fn optional_lines_appear_only_when_set() {
    let templates = Templates::defaults();
    let meeting = meeting();
    let bare = templates.joining_instructions(&meeting).unwrap();
    for absent in ["By phone", "PIN", "browser", "href"] {
        assert!(!bare.contains(absent), "{absent} in {bare}");
    }

    let full = JoiningContext {
        web_join_url: Some(
            "https://meet.example.com/webapp/#/?conference=meet482913@vc.example.com".into(),
        ),
        dial_in_number: Some("+1 555 0100".into()),
        host_pin: Some("2468".into()),
        ..meeting.clone()
    };
    let html = templates.joining_instructions(&full).unwrap();
    assert!(
        html.contains("call +1 555 0100, then enter meeting ID <b>88482913</b>"),
        "{html}"
    );
    assert!(html.contains(
        "href=\"https://meet.example.com/webapp/#/?conference&#x3D;meet482913@vc.example.com\""
    ));
    assert!(html.contains("PIN: <b>2468</b>") && !html.contains("Guest PIN"));

    // With guests allowed the invitation shows the guest PIN only: it goes to every attendee.
    let guests = JoiningContext {
        guests_allowed: true,
        guest_pin: Some("1357".into()),
        ..full.clone()
    };
    let html = templates.joining_instructions(&guests).unwrap();
    assert!(
        html.contains("Guest PIN: <b>1357</b>") && !html.contains("2468"),
        "{html}"
    );

    assert_eq!(
        templates.location(&meeting).unwrap(),
        "Video meeting: meet482913@vc.example.com"
    );
}

#[test]
fn personal_vmr_templates_use_the_preferred_alias() {
    let templates = Templates::defaults();
    let ctx = PersonalVmrContext {
        name: "Alice's room".into(),
        other_aliases: vec!["alice".into()],
        numeric_aliases: vec!["887001".into()],
        pin: Some("2468".into()),
        dial_in_number: Some("+1 555 0100".into()),
        shared: shared(),
        ..PersonalVmrContext::default()
    };
    assert_eq!(ctx.preferred_alias(), Some("alice"));
    let location = templates
        .render(TemplateName::PersonalVmrLocation, &ctx)
        .unwrap();
    assert_eq!(location, "Video meeting: alice");
    let html = templates
        .render(TemplateName::PersonalVmrInstructions, &ctx)
        .unwrap();
    assert!(
        html.contains("in Alice&#x27;s room") && html.contains("PIN: <b>2468</b>"),
        "{html}"
    );
    assert!(html.contains("meeting ID <b>887001</b>"));
    assert_eq!(
        templates
            .render(TemplateName::PersonalVmrName, &ctx)
            .unwrap(),
        "Alice's room"
    );
}

#[test]
fn pane_strings_are_all_rendered() {
    let strings = Templates::defaults().pane_strings(&shared()).unwrap();
    assert_eq!(strings.len(), 25);
    assert_eq!(strings["pane_title"], "Video meeting room");
    assert!(strings.values().all(|text| !text.is_empty()));
}

#[test]
fn a_missing_variable_at_render_time_names_it() {
    let error = Templates::defaults()
        .render(TemplateName::DeclineAliasConflict, &shared())
        .unwrap_err();
    assert_eq!(error.template, TemplateName::DeclineAliasConflict);
    assert!(error.reason.contains("`alias`"), "{error}");
    assert!(
        error
            .to_string()
            .starts_with("template decline_alias_conflict line 1:"),
        "{error}"
    );
}

#[test]
fn templates_are_shareable_across_threads() {
    fn assert_shareable<T: Send + Sync + Clone + 'static>() {}
    assert_shareable::<Templates>();
}
