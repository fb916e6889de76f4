//! `make bench`, policy part: fills a database with booked meetings and writes the wrk script
//! that asks the policy endpoint about them the way Conferencing Nodes do.
//!
//! `policy-seed DATABASE_URL CONFERENCES LUA_FILE USER PASSWORD`
//!
//! Meetings of integration `bench` (aliases `meet<9 digits>@vc.example.com`, numeric
//! `81<9 digits>`): a third open now, a third later, a third over; one in ten a weekly series
//! of 52 occurrences. The script mixes `sip:` aliases with an upper-case domain, numeric
//! aliases and unknown aliases.

use base64::Engine;
use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use std::fmt::Write as _;
use vmr_scheduler_tests::test_db::connect_store;

const HOUR: i64 = 3_600_000;
const WEEK: i64 = 7 * 24 * HOUR;
/// Rows per INSERT, far below both databases' parameter limits.
const BATCH: usize = 500;
/// Aliases in the wrk script (each connection walks through them).
const SCRIPT_ALIASES: usize = 2000;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, count, lua, user, password] = args.as_slice() else {
        eprintln!("usage: policy-seed DATABASE_URL CONFERENCES LUA_FILE USER PASSWORD");
        std::process::exit(2);
    };
    let count: usize = count.parse().expect("CONFERENCES is a number");
    // Migrations, through the service's own store.
    drop(connect_store(url).await);
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("database reachable");
    let now = now_ms();
    let started = std::time::Instant::now();
    for first in (0..count).step_by(BATCH) {
        insert_batch(&pool, first..(first + BATCH).min(count), now).await;
    }
    eprintln!(
        "seeded {count} conferences in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    std::fs::write(lua, script(count, user, password)).expect("write the wrk script");
}

fn now_ms() -> i64 {
    let elapsed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(elapsed.as_millis()).unwrap()
}

/// Meeting `n`'s first window: open now, later today, or over, in turn.
fn first_window(n: usize, now: i64) -> (i64, i64) {
    let start = match n % 3 {
        0 => now - HOUR / 2,
        1 => now + 5 * HOUR,
        _ => now - 6 * HOUR,
    };
    (start, start + HOUR)
}

fn occurrences(n: usize) -> i64 {
    if n % 10 == 9 {
        52
    } else {
        1
    }
}

async fn insert_batch(pool: &AnyPool, range: std::ops::Range<usize>, now: i64) {
    let mut conferences = Vec::new();
    let mut windows = Vec::new();
    for n in range {
        let (start, end) = first_window(n, now);
        let repeats = occurrences(n);
        let last_end = end + (repeats - 1) * WEEK;
        conferences.push(format!(
            "('bench', 'meeting-{n}', NULL, 'meet{n:09}@vc.example.com', '81{n:09}', \
             'Meeting {n}', 'organizer{}@example.com', NULL, NULL, {}, {start}, {last_end}, \
             {now}, {now})",
            n % 1000,
            i64::from(repeats > 1),
        ));
        windows.extend((0..repeats).map(|k| {
            let (s, e) = (start + k * WEEK, end + k * WEEK);
            format!("('bench', 'meeting-{n}', {s}, {s}, {e})")
        }));
    }
    let mut transaction = pool.begin().await.expect("begin");
    sqlx::query(&format!(
        "INSERT INTO conferences (integration, global_object_id, reservation_id, alias, \
         numeric_alias, subject, organizer_email, organizer_name, reserved_by, is_series, \
         first_start, last_end, created_at, updated_at) VALUES {}",
        conferences.join(", ")
    ))
    .execute(&mut *transaction)
    .await
    .expect("insert conferences");
    // Long series make many rows: chunked so no statement grows without bound.
    for chunk in windows.chunks(BATCH * 2) {
        sqlx::query(&format!(
            "INSERT INTO conference_windows (integration, global_object_id, original_start, \
             start_at, end_at) VALUES {}",
            chunk.join(", ")
        ))
        .execute(&mut *transaction)
        .await
        .expect("insert windows");
    }
    transaction.commit().await.expect("commit");
}

/// The wrk script: every request a different alias of a spread-out sample, in three forms.
fn script(count: usize, user: &str, password: &str) -> String {
    let credentials =
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let step = (count / SCRIPT_ALIASES).max(1);
    let aliases: Vec<String> = (0..SCRIPT_ALIASES)
        .map(|i| {
            let n = (i * step + i % 7) % count.max(1);
            match i % 4 {
                0 | 1 => format!("sip%3Ameet{n:09}%40VC.Example.com"),
                2 => format!("81{n:09}"),
                _ => format!("sip%3Aunknown{n}%40vc.example.com"),
            }
        })
        .collect();
    let mut lua = String::from("aliases = {\n");
    for alias in &aliases {
        writeln!(lua, "  \"{alias}\",").unwrap();
    }
    write!(
        lua,
        "}}\ncounter = 0\nrequest = function()\n  counter = counter + 1\n  \
         local alias = aliases[(counter % #aliases) + 1]\n  \
         local path = \"/policy/v1/service/configuration?local_alias=\" .. alias .. \
         \"&remote_alias=sip%3Aalice%40example.com&call_direction=dial_in&protocol=sip\
         &trigger=invite&node_ip=127.0.0.1&location=bench\"\n  \
         return wrk.format(\"GET\", path, {{ [\"Authorization\"] = \"Basic {credentials}\" }})\n\
         end\n"
    )
    .unwrap();
    lua
}
