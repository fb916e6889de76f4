//! HTTPS served directly from certificate and key files.

use crate::helpers::*;
use vmr_scheduler_tests::on_both_backends;

async fn serves_https_from_pem_files(db: String) {
    let dir = std::env::temp_dir().join(format!("vmr-tls-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap();
    let cert_pem = certified.cert.pem();
    std::fs::write(dir.join("cert.pem"), &cert_pem).unwrap();
    std::fs::write(dir.join("key.pem"), certified.signing_key.serialize_pem()).unwrap();
    let tls = format!(
        r#"tls = {{ cert_file = "{}", key_file = "{}" }}"#,
        dir.join("cert.pem").display(),
        dir.join("key.pem").display()
    );
    let app = spawn_app_with(&db, &tls, |_| String::new()).await;
    assert!(app.address.starts_with("https://"));
    let client = reqwest::Client::builder()
        .no_proxy()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let response = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let plain = reqwest::Client::new()
        .get(app.url("/healthz").replace("https://", "http://"))
        .send()
        .await;
    assert!(
        plain.map(|r| !r.status().is_success()).unwrap_or(true),
        "plain HTTP is not served on the TLS port"
    );
    let _ = std::fs::remove_dir_all(dir);
}

on_both_backends! {
    https => super::serves_https_from_pem_files;
}
