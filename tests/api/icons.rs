//! The add-in's icons over HTTP: every file decodes at its size, the current version is cached
//! for good, an older version only briefly, and unknown names are problems. Icons never touch
//! the database, so these run on SQLite only.

use crate::helpers::*;
use image::{Rgba, RgbaImage};
use reqwest::Response;
use std::future::Future;
use std::path::PathBuf;
use vmr_scheduler::icons::{
    color_file, mobile_file, IconSet, COLOR_SIZES, MOBILE_SCALES, MOBILE_SIZES, OUTLINE_FILE,
};
use vmr_scheduler_tests::test_db::{run_on, TestBackend};

const CURRENT: &str = "public, max-age=31536000, immutable";
const STALE: &str = "public, max-age=300";
const ORANGE: Rgba<u8> = Rgba([240, 120, 0, 255]);

async fn on_sqlite<F, Fut>(case: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_on(TestBackend::Sqlite, case).await;
}

/// Every icon file with its width and height in pixels.
fn every_file() -> Vec<(String, u32)> {
    let colour = COLOR_SIZES.iter().map(|&px| (color_file(px), px));
    let mobile = MOBILE_SIZES.iter().flat_map(|&size| {
        MOBILE_SCALES
            .iter()
            .map(move |&scale| (mobile_file(size, scale), size * scale))
    });
    colour
        .chain(mobile)
        .chain([(OUTLINE_FILE.to_string(), 32)])
        .collect()
}

fn built_in_version() -> String {
    IconSet::load(None).unwrap().version().to_string()
}

fn header<'a>(response: &'a Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

async fn get_icon(app: &TestApp, integration: &str, version: &str, file: &str) -> Response {
    app.client
        .get(app.url(&format!("/addin/{integration}/icons/{version}/{file}")))
        .send()
        .await
        .expect("request reaches the service")
}

/// Checks a successful icon response and decodes it.
async fn png(response: Response, cache_control: &str, etag_version: &str) -> RgbaImage {
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), "image/png");
    assert_eq!(header(&response, "cache-control"), cache_control);
    assert_eq!(header(&response, "etag"), format!("\"{etag_version}\""));
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    let bytes = response.bytes().await.unwrap();
    image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
        .expect("a valid PNG")
        .to_rgba8()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_icon_is_served_at_its_size_and_cached_for_good() {
    on_sqlite(|db| async move {
        let app = spawn_app(&db).await;
        let version = built_in_version();
        for (file, px) in every_file() {
            let response = get_icon(&app, "single", &version, &file).await;
            let image = png(response, CURRENT, &version).await;
            assert_eq!(image.dimensions(), (px, px), "{file}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_version_gets_the_current_icon_briefly_cached() {
    on_sqlite(|db| async move {
        let app = spawn_app(&db).await;
        let version = built_in_version();
        let current = get_icon(&app, "cloud", &version, "icon-80.png").await;
        let current = png(current, CURRENT, &version).await;
        let stale = get_icon(&app, "cloud", "0123456789ab", "icon-80.png").await;
        assert_eq!(png(stale, STALE, &version).await, current);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_etag_gets_not_modified() {
    on_sqlite(|db| async move {
        let app = spawn_app(&db).await;
        let version = built_in_version();
        for (url_version, cache_control) in [(version.as_str(), CURRENT), ("old", STALE)] {
            let response = app
                .client
                .get(app.url(&format!("/addin/single/icons/{url_version}/icon-16.png")))
                .header("if-none-match", format!("\"{version}\""))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 304);
            assert_eq!(header(&response, "cache-control"), cache_control);
            assert_eq!(header(&response, "etag"), format!("\"{version}\""));
            assert!(response.bytes().await.unwrap().is_empty());
        }
        let other = app
            .client
            .get(app.url(&format!("/addin/single/icons/{version}/icon-16.png")))
            .header("if-none-match", "\"something-else\"")
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), 200);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_integrations_and_files_are_problems() {
    on_sqlite(|db| async move {
        let app = spawn_app(&db).await;
        let version = built_in_version();
        let unknown_integration = get_icon(&app, "nowhere", &version, "icon-16.png").await;
        problem(unknown_integration, 404, "not_found").await;
        for file in [
            "icon-17.png",
            "icon-16.PNG",
            "..%2Fmanifest.xml",
            "mobile-25-4x.png",
        ] {
            let response = get_icon(&app, "single", &version, file).await;
            let body = problem(response, 404, "not_found").await;
            assert!(body["detail"].as_str().unwrap().contains("outline-32.png"));
        }
        let post = app
            .client
            .post(app.url(&format!("/addin/single/icons/{version}/icon-16.png")))
            .send()
            .await
            .unwrap();
        problem(post, 405, "method_not_allowed").await;
    })
    .await;
}

/// A PNG written to the temporary directory, removed when dropped.
struct IconFile(PathBuf);

impl Drop for IconFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// An orange 256×256 disc on transparent.
fn orange_disc() -> IconFile {
    let image = RgbaImage::from_fn(256, 256, |x, y| {
        let (dx, dy) = (x as f32 - 127.5, y as f32 - 127.5);
        if dx.hypot(dy) < 110.0 {
            ORANGE
        } else {
            Rgba([0, 0, 0, 0])
        }
    });
    let path = std::env::temp_dir().join(format!("vmr-e2e-icon-{}.png", uuid::Uuid::new_v4()));
    image.save(&path).unwrap();
    IconFile(path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_icon_replaces_the_built_in_one() {
    on_sqlite(|db| async move {
        let icon = orange_disc();
        let configured = format!(
            "[integrations.single.addin]\nicon = '{}'\n",
            icon.0.display()
        );
        let app = spawn_app_with(&db, "", |_| configured).await;
        let version = IconSet::load(Some(&icon.0)).unwrap().version().to_string();
        let built_in = built_in_version();
        assert_ne!(version, built_in);

        for file in [color_file(192), color_file(16)] {
            let image = png(
                get_icon(&app, "single", &version, &file).await,
                CURRENT,
                &version,
            )
            .await;
            let centre = image.width() / 2;
            assert_eq!(*image.get_pixel(centre, centre), ORANGE, "{file}");
        }
        // A manifest from before the change still points at the built-in icon's version.
        let old_url = get_icon(&app, "single", &built_in, "icon-192.png").await;
        assert_eq!(
            *png(old_url, STALE, &version).await.get_pixel(96, 96),
            ORANGE
        );
        let outline = png(
            get_icon(&app, "single", &version, OUTLINE_FILE).await,
            CURRENT,
            &version,
        )
        .await;
        assert_eq!(*outline.get_pixel(16, 16), Rgba([255, 255, 255, 255]));
        // Other integrations keep the built-in icon.
        let other = get_icon(&app, "cloud", &built_in, "icon-192.png").await;
        assert_ne!(
            *png(other, CURRENT, &built_in).await.get_pixel(96, 96),
            ORANGE
        );
    })
    .await;
}
