//! The served OpenAPI document describes exactly the routes the service has, and real responses
//! match its schemas.

use crate::helpers::*;
use serde_json::{json, Value};
use vmr_scheduler_tests::on_both_backends;

fn validator(spec: &Value, schema: &str) -> jsonschema::Validator {
    let root = json!({ "$ref": format!("#/components/schemas/{schema}"), "components": spec["components"] });
    jsonschema::draft202012::new(&root).expect("schema compiles")
}

fn assert_matches(spec: &Value, schema: &str, instance: &Value) {
    let validator = validator(spec, schema);
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{schema} mismatch: {errors:?}\n{instance}"
    );
}

async fn served_document_matches_routes_and_responses(db: String) {
    let app = spawn_app(&db).await;
    let response = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let spec: Value = response.json().await.unwrap();
    assert_eq!(spec["openapi"], "3.1.0");

    let documented: Vec<(String, String)> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    let served: Vec<(String, String)> = vmr_scheduler::http::ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let mut a = documented.clone();
    let mut b = served.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b, "documented routes differ from served routes");

    let created: Value = app
        .reserve(
            "single",
            Some(&app.entra_token()),
            Some(json!({ "meeting_key": "k1" })),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_matches(&spec, "Reservation", &created);
    let health = app.get_json("/healthz").await;
    assert_matches(&spec, "Health", &health);
    let rejected: Value = app
        .reserve("single", None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_matches(&spec, "Problem", &rejected);
    // The request schema accepts what the add-in sends and refuses what the service refuses.
    let request = validator(&spec, "ReservationRequest");
    assert!(request.is_valid(&json!({ "meeting_key": "AAMk=", "replace": true })));
    assert!(!request.is_valid(&json!({ "meetingKey": "x" })));
    // And the schema has teeth: a reservation without its marker does not match.
    let mut broken = created.clone();
    broken.as_object_mut().unwrap().remove("alias_id_marker");
    assert!(!validator(&spec, "Reservation").is_valid(&broken));
}

on_both_backends! {
    openapi_document => super::served_document_matches_routes_and_responses;
}
