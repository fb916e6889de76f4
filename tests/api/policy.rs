//! The external policy endpoint as Pexip Infinity calls it: a loopback "Conferencing Node"
//! asks for the service of an alias before, during and after a booked meeting's windows.

use crate::helpers::*;
use crate::policy_support::*;
use serde_json::json;
use vmr_scheduler_tests::on_both_backends;

on_both_backends! {
    policy_follows_the_windows_of_a_booked_meeting => super::follows_the_windows_of_a_booked_meeting;
    policy_continues_where_configured => super::continues_where_configured;
    policy_pins_and_guests_come_from_the_options => super::pins_and_guests_come_from_the_options;
    policy_window_edges_hold_to_the_second => super::window_edges_hold_to_the_second;
    policy_series_occurrences_across_a_dst_change => super::series_occurrences_across_a_dst_change;
    policy_refuses_bad_callers_and_requests => super::refuses_bad_callers_and_requests;
    policy_is_off_without_its_section => super::is_off_without_its_section;
    policy_cached_answers_stay_exact_and_follow_writes =>
        super::cached_answers_stay_exact_and_follow_writes;
}

async fn follows_the_windows_of_a_booked_meeting(db: String) {
    // `single`: buffers 30 minutes before, 60 after; outside its windows: reject.
    let app = spawn_with_policy(&db, "", "").await;
    let now = now_ms();
    let meeting = app
        .book("single", json!({}), &[(now + 31 * MINUTE, now + 2 * HOUR)])
        .await;
    let numeric = meeting.numeric_alias.as_str().to_string();
    assert_action(
        &app.ask(&sip_upper(&meeting), "sip", "invite", "dial_in")
            .await,
        "reject",
    );
    assert_action(
        &app.ask(&numeric, "h323", "setup", "dial_in").await,
        "reject",
    );

    // Inside the buffer before the start: the room, the same on every request.
    app.rebook(&meeting, &[(now + 29 * MINUTE, now + 2 * HOUR)])
        .await;
    let mut names = Vec::new();
    for (alias, protocol, trigger, direction) in [
        (sip_upper(&meeting), "sip", "invite", "dial_in"),
        (meeting.alias.to_string(), "webrtc", "web", "dial_in"),
        (format!("h323:{}", meeting.alias), "h323", "arq", "dial_in"),
        (numeric.clone(), "sip", "invite", "dial_in"),
        (sip_upper(&meeting), "sip", "options", "non_dial"),
    ] {
        let answer = app.ask(&alias, protocol, trigger, direction).await;
        assert_eq!(answer["status"], "success", "{answer}");
        assert_eq!(answer["action"], "continue", "{answer}");
        let result = &answer["result"];
        assert_eq!(result["service_type"], "conference", "{answer}");
        assert_eq!(result["service_tag"], format!("sched-{numeric}"));
        assert_eq!(
            result["description"],
            "Scheduled video meeting booked by alice@example.com"
        );
        assert!(result.get("pin").is_none(), "no options chosen: {answer}");
        names.push(result["name"].as_str().unwrap().to_string());
    }
    assert_eq!(
        names[0],
        format!("Quarterly review (Alice Example) [{}]", meeting.alias)
    );
    assert!(names.iter().all(|name| name == &names[0]), "{names:?}");

    // A local part is compared as stored: another case is another alias.
    let (local, domain) = meeting.alias.as_str().split_once('@').unwrap();
    let shouted = format!("sip:{}@{domain}", local.to_uppercase());
    assert_action(
        &app.ask(&shouted, "sip", "invite", "dial_in").await,
        "continue",
    );

    // Inside the buffer after the end, then past it.
    app.rebook(&meeting, &[(now - 2 * HOUR, now - 59 * MINUTE)])
        .await;
    assert_eq!(
        app.ask(&numeric, "sip", "invite", "dial_in").await["result"]["service_type"],
        "conference"
    );
    app.rebook(&meeting, &[(now - 2 * HOUR, now - 61 * MINUTE)])
        .await;
    assert_action(
        &app.ask(&sip_upper(&meeting), "sip", "invite", "dial_in")
            .await,
        "reject",
    );
    assert_action(
        &app.ask(&numeric, "webrtc", "web", "dial_in").await,
        "reject",
    );
}

async fn continues_where_configured(db: String) {
    let extra = r#"
        [integrations.cloud.policy]
        outside_window = "continue"
        service_tag = "{integration}/{numeric_alias}"
        view = "four_mains_zero_pips"
        enable_chat = "no"
        ivr_theme_name = "Corporate"
        guests_can_present = false
    "#;
    let app = spawn_with_policy(&db, r#"unknown_alias = "reject""#, extra).await;
    let now = now_ms();
    let later = app
        .book("cloud", json!({}), &[(now + 3 * HOUR, now + 4 * HOUR)])
        .await;
    assert_action(
        &app.ask(&sip_upper(&later), "sip", "invite", "dial_in")
            .await,
        "continue",
    );
    let current = app
        .book("cloud", json!({}), &[(now - MINUTE, now + HOUR)])
        .await;
    let answer = app
        .ask(current.numeric_alias.as_str(), "api", "web", "dial_in")
        .await;
    let result = &answer["result"];
    assert_eq!(
        result["service_tag"],
        format!("cloud/{}", current.numeric_alias)
    );
    assert_eq!(result["view"], "four_mains_zero_pips");
    assert_eq!(result["enable_chat"], "no");
    assert_eq!(result["ivr_theme_name"], "Corporate");
    assert_eq!(result["guests_can_present"], false);
    // `single` keeps the default (reject); an unknown alias gets the global `unknown_alias`.
    let single = app
        .book("single", json!({}), &[(now + 3 * HOUR, now + 4 * HOUR)])
        .await;
    assert_action(
        &app.ask(single.alias.as_str(), "sip", "invite", "dial_in")
            .await,
        "reject",
    );
    assert_action(
        &app.ask(
            "sip:nobody@cloud.vc.example.com",
            "sip",
            "invite",
            "dial_in",
        )
        .await,
        "reject",
    );
    assert_action(
        &app.ask("meetingroom", "webrtc", "web", "dial_in").await,
        "reject",
    );
}

async fn pins_and_guests_come_from_the_options(db: String) {
    let app = spawn_with_policy(&db, "", "").await;
    let now = now_ms();
    let window = [(now - MINUTE, now + HOUR)];
    let guarded = app
        .book(
            "single",
            json!({ "host_pin": "1234", "guest_pin": "5678", "guests_allowed": true }),
            &window,
        )
        .await;
    let result = app
        .ask(guarded.alias.as_str(), "sip", "invite", "dial_in")
        .await["result"]
        .clone();
    assert_eq!(
        (
            &result["pin"],
            &result["guest_pin"],
            &result["allow_guests"]
        ),
        (&json!("1234"), &json!("5678"), &json!(true))
    );
    let hosts_only = app
        .book(
            "single",
            json!({ "host_pin": "2468", "guests_allowed": false }),
            &window,
        )
        .await;
    let result = app
        .ask(
            hosts_only.numeric_alias.as_str(),
            "sip",
            "invite",
            "dial_in",
        )
        .await["result"]
        .clone();
    assert_eq!(result["pin"], "2468");
    assert_eq!(result["allow_guests"], false);
    assert!(result.get("guest_pin").is_none(), "{result}");
}

async fn window_edges_hold_to_the_second(db: String) {
    let app = spawn_with_policy(&db, "", "").await;
    let settings = settings_of(&app, &db, "");
    // Whole seconds, as meeting times are; `single` opens 30 minutes early, closes 60 late.
    let start = now_ms() / 1000 * 1000 + 2000;
    let meeting = app
        .book("single", json!({}), &[(start, start + HOUR)])
        .await;
    let opens = start - 30 * MINUTE;
    let closes = start + HOUR + 60 * MINUTE;
    let alias = meeting.numeric_alias.as_str();
    for (now, open) in [
        (opens - 1000, false),
        (opens - 1, false),
        (opens, true),
        (closes, true),
        (closes + 999, true),
        (closes + 1000, false),
    ] {
        let answer = answer_at(&app, &settings, alias, now).await;
        let expected = if open { "continue" } else { "reject" };
        assert_eq!(
            answer["action"], expected,
            "at {now} (opens {opens}, closes {closes})"
        );
        assert_eq!(answer.get("result").is_some(), open, "at {now}");
    }
    // Over HTTP, with the real clock: the meeting starts 2 s from now but its room opens
    // 30 minutes before, so it is open; moved so that the room opens 5 s from now, it is not.
    assert_eq!(
        app.ask(alias, "sip", "invite", "dial_in").await["action"],
        "continue"
    );
    let opens_soon = now_ms() / 1000 * 1000 + 30 * MINUTE + 5000;
    app.rebook(&meeting, &[(opens_soon, opens_soon + HOUR)])
        .await;
    assert_action(&app.ask(alias, "sip", "invite", "dial_in").await, "reject");
}

async fn series_occurrences_across_a_dst_change(db: String) {
    let app = spawn_with_policy(&db, "", "").await;
    let settings = settings_of(&app, &db, "");
    // Mondays 09:00–10:00 in Oslo; summer time starts on Sunday 29 March 2026, so the
    // occurrence of 23 March is at 08:00 UTC and that of 30 March at 07:00 UTC. Stored per
    // occurrence in UTC, as the series code stores them.
    let zone = jiff::tz::TimeZone::get("Europe/Oslo").unwrap();
    let occurrences: Vec<(i64, i64)> = ["2026-03-16", "2026-03-23", "2026-03-30", "2026-04-06"]
        .iter()
        .map(|day| {
            let start = format!("{day}T09:00:00")
                .parse::<jiff::civil::DateTime>()
                .unwrap();
            let start = start
                .to_zoned(zone.clone())
                .unwrap()
                .timestamp()
                .as_millisecond();
            (start, start + HOUR)
        })
        .collect();
    assert_eq!(occurrences[2].0 - occurrences[1].0, 7 * 24 * HOUR - HOUR);
    let series = app.book("single", json!({}), &occurrences).await;
    let alias = series.alias.as_str();
    let utc = |text: &str| text.parse::<jiff::Timestamp>().unwrap().as_millisecond();
    // `single`: 30 minutes before, 60 after.
    for (at, open) in [
        ("2026-03-23T07:30:00Z", true),
        ("2026-03-23T07:29:59Z", false),
        ("2026-03-30T06:30:00Z", true),
        ("2026-03-30T06:29:59Z", false),
        ("2026-03-30T09:00:00Z", true),
        ("2026-03-30T09:00:01Z", false),
        ("2026-04-01T08:00:00Z", false),
    ] {
        let answer = answer_at(&app, &settings, alias, utc(at)).await;
        assert_eq!(answer.get("result").is_some(), open, "at {at}: {answer}");
    }
}

async fn refuses_bad_callers_and_requests(db: String) {
    let app = spawn_with_policy(&db, "", "").await;
    let query = node_query("81123456", "sip", "invite", "dial_in");
    for auth in [
        None,
        Some((USER, "wrong")),
        Some(("other", PASSWORD)),
        Some((USER, "")),
    ] {
        let response = app.policy_raw(&query, auth).await;
        let challenge = response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(challenge.starts_with("Basic realm="), "{challenge}");
        problem(response, 401, "policy_unauthorized").await;
    }
    let bad_queries: Vec<(Vec<(String, String)>, &str)> = vec![
        (
            node_query("", "sip", "invite", "dial_in"),
            "missing_local_alias",
        ),
        (
            vec![("protocol".into(), "sip".into())],
            "missing_local_alias",
        ),
        (
            node_query(
                &format!("sip:{}@vc.example.com", "a".repeat(300)),
                "sip",
                "invite",
                "dial_in",
            ),
            "value_too_long",
        ),
        (
            node_query("sip:meet\u{7}1@vc.example.com", "sip", "invite", "dial_in"),
            "invalid_characters",
        ),
        (
            node_query("sip:meet 1@vc.example.com", "sip", "invite", "dial_in"),
            "invalid_characters",
        ),
        (
            [
                node_query("1", "sip", "invite", "dial_in"),
                vec![("local_alias".into(), "2".into())],
            ]
            .concat(),
            "duplicate_parameter",
        ),
    ];
    for (query, code) in bad_queries {
        problem(
            app.policy_raw(&query, Some((USER, PASSWORD))).await,
            400,
            code,
        )
        .await;
    }
    let response = app
        .client
        .post(app.url("/policy/v1/service/configuration"))
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .await
        .unwrap();
    problem(response, 405, "method_not_allowed").await;

    // Only listed Conferencing Nodes: the loopback client is not one of them.
    let fenced =
        spawn_with_policy(&db, r#"allowed_nodes = ["10.0.0.0/24", "192.0.2.7"]"#, "").await;
    let response = fenced.policy_raw(&query, Some((USER, PASSWORD))).await;
    problem(response, 403, "policy_node_not_allowed").await;
    let open_to_loopback = spawn_with_policy(&db, r#"allowed_nodes = ["127.0.0.0/8"]"#, "").await;
    assert_action(
        &open_to_loopback
            .ask("81123456", "sip", "invite", "dial_in")
            .await,
        "continue",
    );
}

async fn is_off_without_its_section(db: String) {
    let app = spawn_app(&db).await;
    let query = node_query("81123456", "sip", "invite", "dial_in");
    let response = app.policy_raw(&query, Some((USER, PASSWORD))).await;
    problem(response, 404, "not_found").await;
}

async fn cached_answers_stay_exact_and_follow_writes(db: String) {
    let app = spawn_with_policy(&db, "", "").await;
    let settings = settings_of(&app, &db, "");
    let cache = std::sync::Arc::new(vmr_scheduler::policy::PolicyCache::new(
        std::time::Duration::from_secs(1),
    ));
    let start = now_ms() / 1000 * 1000 + 2000;
    let meeting = app
        .book("single", json!({}), &[(start, start + HOUR)])
        .await;
    let opens = start - 30 * MINUTE;
    let alias = meeting.numeric_alias.as_str();
    let ask = |now: i64| answer_through(Some(&cache), &app, &settings, alias, now);
    // Filled a second before the room opens, the entry still decides the opening second.
    assert_action(&ask(opens - 1000).await, "reject");
    assert_eq!(ask(opens).await["action"], "continue");
    // A write through the same store is seen at once, not after the entry ages.
    let later = start + 2 * HOUR;
    let moved = vmr_scheduler::store::Conference {
        windows: vec![vmr_scheduler::store::ConferenceWindow {
            original_start: start,
            start: later,
            end: later + HOUR,
        }],
        ..meeting.clone()
    };
    app.store.save_conference(&moved, now_ms()).await.unwrap();
    assert_action(&ask(opens).await, "reject");
    assert_eq!(ask(later - 30 * MINUTE).await["action"], "continue");
}
