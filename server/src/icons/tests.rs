use super::monochrome::GlyphMask;
use super::*;
use image::{Rgba, RgbaImage};
use std::path::PathBuf;

const RED: Rgba<u8> = Rgba([220, 20, 20, 255]);
const BLUE: Rgba<u8> = Rgba([15, 108, 189, 255]);
const WHITE_PIXEL: Rgba<u8> = Rgba([255, 255, 255, 255]);
const CLEAR: Rgba<u8> = Rgba([0, 0, 0, 0]);

/// A file in the temporary directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(bytes: &[u8]) -> Self {
        let path = std::env::temp_dir().join(format!("vmr-icon-{}", uuid::Uuid::new_v4()));
        std::fs::write(&path, bytes).unwrap();
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn png(image: &RgbaImage) -> Vec<u8> {
    render::encode_png(image).unwrap()
}

fn decode(bytes: &[u8]) -> RgbaImage {
    image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
        .expect("a valid PNG")
        .to_rgba8()
}

/// A disc of `colour` on transparent, whose transparent pixels are black: a resize that does
/// not premultiply would darken the disc's edge.
fn disc(side: u32, colour: Rgba<u8>) -> RgbaImage {
    let centre = side as f32 / 2.0;
    RgbaImage::from_fn(side, side, |x, y| {
        let (dx, dy) = (x as f32 + 0.5 - centre, y as f32 + 0.5 - centre);
        if dx.hypot(dy) < centre * 0.8 {
            colour
        } else {
            CLEAR
        }
    })
}

/// A `plate`-coloured square with a centred `glyph`-coloured square half its width.
fn plate_with_glyph(side: u32, plate: Rgba<u8>, glyph: Rgba<u8>) -> RgbaImage {
    let (low, high) = (side / 4, side * 3 / 4);
    RgbaImage::from_fn(side, side, |x, y| {
        if (low..high).contains(&x) && (low..high).contains(&y) {
            glyph
        } else {
            plate
        }
    })
}

fn load_bytes(bytes: &[u8]) -> Result<IconSet, IconError> {
    let file = TempFile::new(bytes);
    IconSet::load(Some(&file.0))
}

fn error_of(bytes: &[u8]) -> String {
    load_bytes(bytes).expect_err("the source is refused").0
}

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

fn assert_complete(icons: &IconSet) {
    for (file, px) in every_file() {
        let bytes = icons
            .file(&file)
            .unwrap_or_else(|| panic!("{file} missing"));
        let image = decode(bytes);
        assert_eq!(image.dimensions(), (px, px), "{file}");
        assert!(image.pixels().any(|p| p[3] > 0), "{file} is empty");
    }
    assert_eq!(icons.0.files.len(), every_file().len());
}

/// Every pixel is `tint` (at any opacity) or fully transparent, and some are opaque.
fn assert_single_colour(icons: &IconSet, file: &str, tint: [u8; 3]) {
    let image = decode(icons.file(file).unwrap());
    for pixel in image.pixels() {
        assert!(
            pixel[3] == 0 || pixel.0[..3] == tint,
            "{file}: {pixel:?} is neither {tint:?} nor transparent"
        );
    }
    assert!(image.pixels().any(|p| p[3] == 255), "{file} has no glyph");
}

fn pixel(icons: &IconSet, file: &str, x: u32, y: u32) -> Rgba<u8> {
    *decode(icons.file(file).unwrap()).get_pixel(x, y)
}

#[test]
fn the_built_in_icon_has_every_file_at_its_size() {
    let icons = IconSet::load(None).unwrap();
    assert_complete(&icons);
    assert!(icons.file("icon-17.png").is_none());
    assert_eq!(icons.version().len(), 12);
    assert!(icons.version().chars().all(|c| c.is_ascii_hexdigit()));
}

#[test]
fn the_built_in_icon_is_rendered_once() {
    let first = IconSet::load(None).unwrap();
    let second = IconSet::load(None).unwrap();
    assert!(Arc::ptr_eq(&first.0, &second.0));
}

#[test]
fn monochrome_icons_are_grey_or_white_on_transparent() {
    let icons = IconSet::load(None).unwrap();
    assert_single_colour(&icons, OUTLINE_FILE, WHITE);
    for &size in MOBILE_SIZES {
        for &scale in MOBILE_SCALES {
            assert_single_colour(&icons, &mobile_file(size, scale), MOBILE_GREY);
        }
    }
}

#[test]
fn the_built_in_glyph_stands_on_transparency_with_its_plus_cut_out() {
    let icons = IconSet::load(None).unwrap();
    // The 16-unit grid doubled: the camera body spans x 2..24, y 6..24, with the plus centred
    // on (13, 15); the lens spans x 26..30.
    assert_eq!(pixel(&icons, "icon-32.png", 0, 0)[3], 0);
    assert_eq!(pixel(&icons, "icon-32.png", 4, 12), BLUE);
    assert_eq!(pixel(&icons, "icon-32.png", 13, 15)[3], 0, "the plus");
    assert_eq!(pixel(&icons, "icon-32.png", 28, 15), BLUE, "the lens");
    assert_eq!(pixel(&icons, OUTLINE_FILE, 13, 15)[3], 0);
    assert_eq!(pixel(&icons, OUTLINE_FILE, 4, 12), WHITE_PIXEL);
}

#[test]
fn a_png_source_is_downscaled_without_dark_edges() {
    let icons = load_bytes(&png(&disc(600, RED))).unwrap();
    assert_complete(&icons);
    assert_ne!(icons.version(), IconSet::load(None).unwrap().version());
    for px in [16, 20, 192] {
        let image = decode(icons.file(&color_file(px)).unwrap());
        assert_eq!(*image.get_pixel(px / 2, px / 2), RED, "{px}");
        for edge in image.pixels().filter(|p| p[3] > 16) {
            assert!(
                edge[0] > 180 && edge[1] < 60 && edge[2] < 60,
                "{px}: {edge:?}"
            );
        }
    }
    assert_single_colour(&icons, OUTLINE_FILE, WHITE);
    assert_eq!(pixel(&icons, OUTLINE_FILE, 0, 0)[3], 0);
}

#[test]
fn a_png_of_exactly_the_largest_icon_size_is_used_as_is() {
    let source = disc(192, BLUE);
    let icons = load_bytes(&png(&source)).unwrap();
    assert_eq!(decode(icons.file("icon-192.png").unwrap()), source);
}

#[test]
fn a_glyph_on_a_plate_keeps_only_the_glyph_in_monochrome() {
    let icons = load_bytes(&png(&plate_with_glyph(256, BLUE, WHITE_PIXEL))).unwrap();
    assert_eq!(pixel(&icons, "icon-32.png", 2, 2), BLUE);
    assert_eq!(
        pixel(&icons, OUTLINE_FILE, 2, 2)[3],
        0,
        "the plate is dropped"
    );
    assert_eq!(pixel(&icons, OUTLINE_FILE, 16, 16), WHITE_PIXEL);
    assert_eq!(pixel(&icons, "mobile-48-3x.png", 72, 72)[3], 255);
    assert_eq!(pixel(&icons, "mobile-48-3x.png", 5, 5)[3], 0);
}

#[test]
fn glyph_detection_tells_plates_from_glyphs() {
    let blue = [BLUE[0], BLUE[1], BLUE[2]];
    let cases = [
        (disc(192, RED), GlyphMask::Silhouette),
        (
            plate_with_glyph(192, BLUE, WHITE_PIXEL),
            GlyphMask::OnPlate(blue),
        ),
        // A glyph cut out of the plate: the silhouette shows it.
        (plate_with_glyph(192, BLUE, CLEAR), GlyphMask::Silhouette),
        // Mostly one colour but on transparency: a large glyph, not a plate.
        (plate_with_glyph(192, CLEAR, RED), GlyphMask::Silhouette),
    ];
    for (index, (image, expected)) in cases.into_iter().enumerate() {
        assert_eq!(GlyphMask::detect(&image), expected, "case {index}");
    }
}

#[test]
fn a_png_must_be_square_and_large_enough() {
    let transparent = |w, h| png(&RgbaImage::from_pixel(w, h, RED));
    assert!(error_of(&transparent(200, 180)).ends_with("is 200×180 pixels, not square"));
    assert!(error_of(&transparent(100, 100)).ends_with("is 100×100 pixels, smaller than 192×192"));
}

/// CRC-32 as PNG chunks use it (ISO-HDLC, reflected, polynomial 0xEDB88320).
fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |crc, &byte| {
        (0..8).fold(crc ^ u32::from(byte), |crc, _| {
            (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg())
        })
    })
}

#[test]
fn a_png_larger_than_the_limit_is_refused_before_decoding() {
    // A 1×1 PNG whose header (IHDR) claims 4097×4097 pixels: the size is checked before the
    // pixels are read, which would fail.
    let mut bytes = png(&RgbaImage::from_pixel(1, 1, RED));
    bytes[16..24].copy_from_slice(&[0, 0, 0x10, 0x01, 0, 0, 0x10, 0x01]);
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    let message = error_of(&bytes);
    assert!(
        message.ends_with("is 4097×4097 pixels, larger than 4096×4096"),
        "{message}"
    );
}

#[test]
fn corrupt_and_unsupported_files_get_specific_errors() {
    let valid = png(&disc(256, RED));
    let cases: [(&[u8], &str); 6] = [
        (&valid[..valid.len() / 2], "is not a readable PNG image"),
        (
            b"\x89PNG\r\n\x1a\nnot really",
            "is not a readable PNG image",
        ),
        (
            b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
            "is a JPEG image, which is not supported",
        ),
        (b"GIF89a\x01\x00\x01\x00", "is a GIF image"),
        (b"\x1f\x8b\x08\x00", "is compressed (SVGZ or gzip)"),
        (b"plain text", "is neither a PNG nor an SVG image"),
    ];
    for (bytes, expected) in cases {
        let message = error_of(bytes);
        assert!(message.contains(expected), "{message}");
        assert!(message.starts_with("`"), "names the file: {message}");
    }
}

#[test]
fn the_file_is_recognised_by_content_not_name() {
    let file = TempFile::new(br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4" fill="red"/></svg>"#);
    let named_png = file.0.with_extension("png");
    std::fs::rename(&file.0, &named_png).unwrap();
    let renamed = TempFile(named_png);
    let icons = IconSet::load(Some(&renamed.0)).unwrap();
    assert_eq!(pixel(&icons, "icon-16.png", 8, 8), Rgba([255, 0, 0, 255]));
}

#[test]
fn an_svg_source_is_rendered_at_every_size_and_centred() {
    // Twice as wide as high: transparent bands above and below.
    let svg = br##"<?xml version="1.0"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20">
          <rect width="40" height="20" fill="#0f6cbd"/>
        </svg>"##;
    let icons = load_bytes(svg).unwrap();
    assert_complete(&icons);
    for px in [16, 80, 192] {
        let file = color_file(px);
        assert_eq!(pixel(&icons, &file, px / 2, px / 2), BLUE, "{file}");
        assert_eq!(pixel(&icons, &file, px / 2, 0)[3], 0, "{file}");
        assert_eq!(pixel(&icons, &file, px / 2, px - 1)[3], 0, "{file}");
    }
}

#[test]
fn unusable_svgs_get_specific_errors() {
    let cases: [(&[u8], &str); 4] = [
        (b"<svg xmlns=\"http://www.w3.org/2000/svg\"><rect", "is not a valid SVG image"),
        (
            br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="5"/><text y="9">Hi</text></svg>"#,
            "contains <text>",
        ),
        (
            br#"<svg xmlns="http://www.w3.org/2000/svg" width="5000" height="5000"><rect width="10" height="10"/></svg>"#,
            "has a 5000×5000 viewport, larger than 4096×4096",
        ),
        (
            br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"/>"#,
            "draws nothing: every pixel is transparent",
        ),
    ];
    for (bytes, expected) in cases {
        let message = error_of(bytes);
        assert!(message.contains(expected), "{message}");
    }
}

#[test]
fn an_svg_does_not_load_files_it_refers_to() {
    let image = TempFile::new(&png(&disc(64, RED)));
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">
             <rect width="2" height="2" fill="blue"/>
             <image width="10" height="10" xlink:href="{}"/>
           </svg>"#,
        image.0.display()
    );
    let icons = load_bytes(svg.as_bytes()).unwrap();
    assert_eq!(pixel(&icons, "icon-192.png", 96, 96)[3], 0);
}

#[test]
fn the_version_follows_the_content() {
    let red = png(&disc(256, RED));
    let blue = png(&disc(256, BLUE));
    let version = |bytes: &[u8]| load_bytes(bytes).unwrap().version().to_string();
    assert_eq!(version(&red), version(&red));
    assert_ne!(version(&red), version(&blue));
}

#[test]
fn missing_and_oversized_files_are_refused() {
    let missing = std::env::temp_dir().join(format!("vmr-icon-missing-{}", uuid::Uuid::new_v4()));
    let message = IconSet::load(Some(&missing)).unwrap_err().0;
    assert!(message.contains("cannot be opened"), "{message}");

    let huge = vec![b' '; source::MAX_FILE_BYTES as usize + 1];
    assert!(error_of(&huge).ends_with("is larger than 5 MiB"));
}
