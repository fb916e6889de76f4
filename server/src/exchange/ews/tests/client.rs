//! The client against a scripted loopback server: headers, retries, backoff, authentication,
//! timeouts and batching, counted request by request.

use super::super::{
    AccessTokenSource, EwsAuth, EwsClient, EwsError, EwsSettings, ItemId, Response, ResponseCode,
    RetryPolicy, ServerVersion,
};
use super::fixture;
use super::loopback::{Loopback, Step};
use crate::config::SecretSource;
use crate::domain::EmailAddress;
use base64::Engine;
use futures_util::future::BoxFuture;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "s3cret:pässword";
const SERVER_BUSY_FAULT: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>
<faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:ErrorServerBusy</faultcode>
<faultstring xml:lang="en-US">The server cannot service this request right now. Try again later.</faultstring>
<detail>
<e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">ErrorServerBusy</e:ResponseCode>
<t:MessageXml xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><t:Value Name="BackOffMilliseconds">BACKOFF</t:Value></t:MessageXml>
</detail></s:Fault></s:Body></s:Envelope>"#;

fn busy_fault(back_off_ms: u64) -> String {
    SERVER_BUSY_FAULT.replace("BACKOFF", &back_off_ms.to_string())
}

fn basic() -> EwsAuth {
    let password = SecretSource::Env {
        env: "EWS_PASSWORD".into(),
    }
    .read(std::path::Path::new(""), &|_| Some(PASSWORD.into()))
    .unwrap();
    EwsAuth::Basic {
        username: "svc-vmr@example.org".into(),
        password,
    }
}

fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
    }
}

fn client(server: &Loopback, auth: EwsAuth, retry: RetryPolicy) -> EwsClient {
    EwsClient::new(EwsSettings {
        url: server.url.clone(),
        server_version: ServerVersion::Exchange2016,
        auth,
        timeout: Duration::from_secs(5),
        retry,
    })
    .unwrap()
}

fn resource() -> EmailAddress {
    EmailAddress::parse("vmr-resource@example.org").unwrap()
}

/// Hands out `token-1`, `token-2`, … and counts invalidations.
#[derive(Default)]
struct CountingTokens {
    issued: AtomicU32,
    invalidated: AtomicU32,
}

impl AccessTokenSource for CountingTokens {
    fn token(&self) -> BoxFuture<'_, Result<String, EwsError>> {
        Box::pin(async move {
            let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(format!("token-{n}"))
        })
    }

    fn invalidate(&self) {
        self.invalidated.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn sends_soap_with_impersonation_anchor_and_basic_credentials() {
    let server = Loopback::start(vec![Step::ok(fixture!("sync-folder-items.xml"))]);
    let ews = client(&server, basic(), RetryPolicy::default());
    let mailbox = resource();
    let page = ews.sync_inbox(Some(&mailbox), None, 100).await.unwrap();
    assert_eq!(page.changes.len(), 5);
    assert_eq!(ews.calls_made(), 1);

    let [request] = <[_; 1]>::try_from(server.requests()).unwrap();
    assert_eq!(
        request.header("content-type"),
        Some("text/xml; charset=utf-8")
    );
    assert_eq!(
        request.header("x-anchormailbox"),
        Some("vmr-resource@example.org")
    );
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("svc-vmr@example.org:{PASSWORD}"));
    assert_eq!(
        request.header("authorization"),
        Some(format!("Basic {expected}").as_str())
    );
    assert!(request.header("soapaction").is_none());
    assert!(request.body.contains("<m:SyncFolderItems "));
    assert!(request
        .body
        .contains("<t:PrimarySmtpAddress>vmr-resource@example.org</t:PrimarySmtpAddress>"));
}

#[tokio::test]
async fn acting_as_the_account_itself_sends_no_anchor() {
    let server = Loopback::start(vec![Step::ok(fixture!("find-item-calendar-view.xml"))]);
    let ews = client(&server, basic(), RetryPolicy::default());
    let start = time::macros::datetime!(2026-12-01 00:00 UTC);
    let entries = ews
        .calendar_view(None, start, start + time::Duration::days(7), 100)
        .await
        .unwrap();
    assert_eq!(entries.len(), 2);
    let request = &server.requests()[0];
    assert!(request.header("x-anchormailbox").is_none());
    assert!(!request.body.contains("ExchangeImpersonation"));
    assert!(request.body.contains("<m:FindItem "));
}

#[tokio::test]
async fn server_busy_fault_waits_the_back_off_then_retries() {
    let server = Loopback::start(vec![
        Step::status(500, &busy_fault(150)),
        Step::ok(fixture!("sync-folder-items.xml")),
    ]);
    let retry = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_secs(2),
    };
    let ews = client(&server, basic(), retry);
    let started = Instant::now();
    ews.sync_inbox(None, Some("state"), 10).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(ews.calls_made(), 2);
    assert_eq!(server.requests()[0].body, server.requests()[1].body);
}

#[tokio::test]
async fn back_off_hint_is_capped_by_max_delay() {
    // The shared fixture's hint of almost five minutes must not stall the call.
    let server = Loopback::start(vec![
        Step::status(500, &busy_fault(297_749)),
        Step::ok(fixture!("sync-folder-items.xml")),
    ]);
    let ews = client(&server, basic(), fast_retries(4));
    let started = Instant::now();
    ews.sync_inbox(None, None, 10).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(ews.calls_made(), 2);
}

#[tokio::test]
async fn busy_response_message_retries_the_whole_call() {
    let server = Loopback::start(vec![
        Step::ok(fixture!("get-item-busy.xml")),
        Step::ok(fixture!("get-item.xml")),
    ]);
    let ews = client(&server, basic(), fast_retries(4));
    let ids: Vec<_> = (0..3)
        .map(|i| ItemId::new(format!("id{i}"), None))
        .collect();
    let items = ews.get_items(Some(&resource()), &ids).await.unwrap();
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[2].is_err());
    assert_eq!(ews.calls_made(), 2);
}

#[tokio::test]
async fn transient_statuses_retry_until_the_policy_is_spent() {
    let server = Loopback::start(vec![
        Step::status(503, "Service Unavailable"),
        Step::status(502, "Bad Gateway"),
        Step::status(429, "Too Many Requests"),
        Step::status(503, "Service Unavailable"),
        Step::ok(fixture!("sync-folder-items.xml")),
    ]);
    let ews = client(&server, basic(), fast_retries(4));
    let error = ews.sync_inbox(None, None, 10).await.unwrap_err();
    assert_eq!(
        error,
        EwsError::RetriesExhausted {
            attempts: 4,
            last: Box::new(EwsError::Http { status: 503 })
        }
    );
    assert_eq!(ews.calls_made(), 4);
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn a_500_without_a_fault_is_transient_but_a_real_fault_is_not() {
    let server = Loopback::start(vec![
        Step::status(500, "<html>Internal Server Error</html>"),
        Step::ok(fixture!("sync-folder-items.xml")),
        Step::status(500, fixture!("fault-impersonation-denied.xml")),
    ]);
    let ews = client(&server, basic(), fast_retries(4));
    ews.sync_inbox(None, None, 10).await.unwrap();
    assert_eq!(ews.calls_made(), 2);
    let denied = ews
        .sync_inbox(Some(&resource()), None, 10)
        .await
        .unwrap_err();
    assert_eq!(
        denied.response_code(),
        Some(ResponseCode::ErrorImpersonateUserDenied)
    );
    assert_eq!(ews.calls_made(), 3);
}

#[tokio::test]
async fn basic_401_fails_at_once() {
    let server = Loopback::start(vec![
        Step::status(401, ""),
        Step::ok(fixture!("sync-folder-items.xml")),
    ]);
    let ews = client(&server, basic(), fast_retries(4));
    let error = ews.sync_inbox(None, None, 10).await.unwrap_err();
    assert_eq!(error, EwsError::Unauthorized);
    assert_eq!(ews.calls_made(), 1);
    assert!(!format!("{error} {error:?}").contains(PASSWORD));
}

#[tokio::test]
async fn bearer_401_refreshes_the_token_once() {
    let server = Loopback::start(vec![
        Step::status(401, ""),
        Step::ok(fixture!("sync-folder-items.xml")),
        Step::status(401, ""),
        Step::status(401, ""),
    ]);
    let tokens = Arc::new(CountingTokens::default());
    let ews = client(&server, EwsAuth::Bearer(tokens.clone()), fast_retries(4));
    ews.sync_inbox(None, None, 10).await.unwrap();
    assert_eq!(tokens.invalidated.load(Ordering::SeqCst), 1);
    let sent: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_string())
        .collect();
    assert_eq!(sent, ["Bearer token-1", "Bearer token-2"]);

    // Refused again after the refresh: the credentials are wrong, not stale.
    let error = ews.sync_inbox(None, None, 10).await.unwrap_err();
    assert_eq!(error, EwsError::Unauthorized);
    assert_eq!(tokens.invalidated.load(Ordering::SeqCst), 2);
    assert_eq!(ews.calls_made(), 4);
    assert!(!format!("{error:?}").contains("token-"));
}

#[tokio::test]
async fn timeouts_are_retried_and_bounded() {
    let slow = Step::ok(fixture!("sync-folder-items.xml")).delayed(Duration::from_secs(2));
    let server = Loopback::start(vec![slow.clone(), slow]);
    let ews = EwsClient::new(EwsSettings {
        url: server.url.clone(),
        server_version: ServerVersion::Exchange2016,
        auth: basic(),
        timeout: Duration::from_millis(200),
        retry: fast_retries(2),
    })
    .unwrap();
    let started = Instant::now();
    let error = ews.sync_inbox(None, None, 10).await.unwrap_err();
    assert_eq!(
        error,
        EwsError::RetriesExhausted {
            attempts: 2,
            last: Box::new(EwsError::Timeout)
        }
    );
    assert!(started.elapsed() < Duration::from_millis(1500));
    assert_eq!(ews.calls_made(), 2);
}

#[tokio::test]
async fn dropped_connections_are_retried() {
    let server = Loopback::start(vec![
        Step::Hangup,
        Step::ok(fixture!("sync-folder-items.xml")),
    ]);
    let ews = client(&server, basic(), fast_retries(3));
    ews.sync_inbox(None, None, 10).await.unwrap();
    assert_eq!(ews.calls_made(), 2);
}

#[tokio::test]
async fn refused_connections_end_as_transport_errors() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ews = EwsClient::new(EwsSettings {
        url: format!("http://127.0.0.1:{port}/EWS/Exchange.asmx")
            .parse()
            .unwrap(),
        server_version: ServerVersion::Exchange2013Sp1,
        auth: basic(),
        timeout: Duration::from_secs(2),
        retry: fast_retries(2),
    })
    .unwrap();
    let error = ews.sync_inbox(None, None, 10).await.unwrap_err();
    let EwsError::RetriesExhausted { attempts: 2, last } = &error else {
        panic!("{error:?}");
    };
    assert!(matches!(**last, EwsError::Transport(_)), "{last:?}");
    assert!(!error.to_string().contains(PASSWORD));
}

#[tokio::test]
async fn malformed_answers_are_not_retried() {
    let server = Loopback::start(vec![
        Step::ok("<html><body>Login page</body></html"),
        Step::ok(fixture!("sync-folder-items.xml")),
    ]);
    let ews = client(&server, basic(), fast_retries(4));
    let error = ews.sync_inbox(None, None, 10).await.unwrap_err();
    assert!(matches!(error, EwsError::Malformed(_)), "{error:?}");
    assert_eq!(ews.calls_made(), 1);
}

/// A `GetItem` answer with one found message per id.
fn get_item_answer(count: usize) -> String {
    let message = r#"<m:GetItemResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Items><t:Message><t:ItemId Id="ID" ChangeKey="ck"/><t:ItemClass>IPM.Note</t:ItemClass></t:Message></m:Items></m:GetItemResponseMessage>"#;
    let messages: String = (0..count)
        .map(|i| message.replace("ID", &format!("item-{i}")))
        .collect();
    format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:GetItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>{messages}</m:ResponseMessages></m:GetItemResponse></s:Body></s:Envelope>"#
    )
}

#[tokio::test]
async fn get_items_goes_in_batches_of_fifty() {
    let server = Loopback::start(vec![
        Step::ok(&get_item_answer(50)),
        Step::ok(&get_item_answer(50)),
        Step::ok(&get_item_answer(20)),
    ]);
    let ews = client(&server, basic(), fast_retries(1));
    let ids: Vec<_> = (0..120)
        .map(|i| ItemId::new(format!("id-{i}"), None))
        .collect();
    let items = ews.get_items(Some(&resource()), &ids).await.unwrap();
    assert_eq!(items.len(), 120);
    assert!(items.iter().all(Result::is_ok));
    let per_call: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.body.matches("<t:ItemId ").count())
        .collect();
    assert_eq!(per_call, [50, 50, 20]);
    assert!(server.requests()[2].body.contains("Id=\"id-119\""));
    assert!(ews.get_items(None, &[]).await.unwrap().is_empty());
    assert_eq!(ews.calls_made(), 3);
}

#[tokio::test]
async fn respond_sends_one_create_item_and_reports_each_response() {
    let server = Loopback::start(vec![Step::ok(fixture!("create-item-mixed.xml"))]);
    let ews = client(&server, basic(), fast_retries(4));
    let item = |n: u32| ItemId::new(format!("r{n}"), Some(format!("k{n}")));
    let responses = [
        Response::Accept {
            item: item(1),
            body_html: "<p>Joined VMR</p>".into(),
        },
        Response::Decline {
            item: item(2),
            body_html: "<p>No marker</p>".into(),
        },
        Response::Remove { item: item(3) },
    ];
    let results = ews.respond(Some(&resource()), &responses).await.unwrap();
    assert_eq!(results[0], Ok(()));
    assert_eq!(
        results[1].as_ref().unwrap_err().response_code(),
        Some(ResponseCode::ErrorIrresolvableConflict)
    );
    assert!(results[2].is_err());
    // Per-item failures are the caller's to handle: no retry.
    assert_eq!(ews.calls_made(), 1);
    let body = &server.requests()[0].body;
    assert!(body.contains("&lt;p&gt;Joined VMR&lt;/p&gt;"));
    assert!(ews.respond(None, &[]).await.unwrap().is_empty());
    assert_eq!(ews.calls_made(), 1);
}

#[tokio::test]
async fn delete_items_sends_the_delete_type() {
    let server = Loopback::start(vec![Step::ok(fixture!("delete-item.xml"))]);
    let ews = client(&server, basic(), fast_retries(4));
    let ids = [ItemId::new("a", None), ItemId::new("b", None)];
    let results = ews.delete_items(None, &ids, true).await.unwrap();
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok() && results[1].is_err());
    assert!(server.requests()[0]
        .body
        .contains("DeleteType=\"HardDelete\""));
}

#[test]
fn backoff_grows_with_jitter_and_stays_under_the_cap() {
    let policy = RetryPolicy {
        max_attempts: 10,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(1),
    };
    for _ in 0..50 {
        let first = policy.delay(1, None);
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        let third = policy.delay(3, None);
        assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
        assert!(policy.delay(30, None) <= Duration::from_secs(1));
    }
    assert_eq!(
        policy.delay(1, Some(Duration::from_secs(300))),
        Duration::from_secs(1)
    );
    assert_eq!(
        policy.delay(1, Some(Duration::from_millis(40))),
        Duration::from_millis(40)
    );
    assert_eq!(RetryPolicy::default().max_attempts, 4);
}

#[test]
fn settings_never_show_the_password() {
    let settings = EwsSettings {
        url: "https://mail.example.org/EWS/Exchange.asmx"
            .parse()
            .unwrap(),
        server_version: ServerVersion::Exchange2016,
        auth: basic(),
        timeout: Duration::from_secs(30),
        retry: RetryPolicy::default(),
    };
    let shown = format!("{settings:?}");
    assert!(shown.contains("svc-vmr@example.org"));
    assert!(!shown.contains(PASSWORD));
    assert_eq!(ServerVersion::Exchange2013Sp1.as_str(), "Exchange2013_SP1");
    assert_eq!(ServerVersion::Exchange2016.as_str(), "Exchange2016");
}
