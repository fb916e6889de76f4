//! Reading and checking the icon source: a PNG or an SVG, recognised by content.

use super::IconError;
use image::{ImageFormat, ImageReader, Limits, RgbaImage};
use resvg::usvg;
use std::io::{Cursor, Read};
use std::path::Path;

/// Larger files are refused before they are parsed.
pub(super) const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;
/// The largest icon made (the unified manifest's colour icon); a PNG smaller than that would
/// have to be enlarged and look blurred.
pub(super) const MIN_PNG_SIDE: u32 = 192;
/// Bounds the memory a PNG decodes into and the coordinates of an SVG.
pub(super) const MAX_SIDE: u32 = 4096;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const GZIP_SIGNATURE: &[u8] = &[0x1f, 0x8b];
const SVG_NAMESPACE: &str = "http://www.w3.org/2000/svg";

pub(super) enum Source {
    /// A square PNG, straight (not premultiplied) alpha.
    Png(RgbaImage),
    Svg(Box<usvg::Tree>),
}

/// Reads at most [`MAX_FILE_BYTES`] (and one more, to notice a larger file).
pub(super) fn read(path: &Path) -> Result<Vec<u8>, IconError> {
    let name = path.display();
    let file = std::fs::File::open(path)
        .map_err(|error| IconError(format!("`{name}` cannot be opened ({error})")))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| IconError(format!("`{name}` cannot be read ({error})")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(IconError(format!(
            "`{name}` is larger than {} MiB",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

impl Source {
    /// `name` labels the source in error messages.
    pub(super) fn parse(bytes: &[u8], name: &str) -> Result<Self, IconError> {
        let fail = |problem: String| Err(IconError(format!("{name} {problem}")));
        if bytes.starts_with(PNG_SIGNATURE) {
            return png(bytes).map(Self::Png).or_else(fail);
        }
        if bytes.starts_with(GZIP_SIGNATURE) {
            return fail("is compressed (SVGZ or gzip); save it as a plain SVG".into());
        }
        if let Some(text) = svg_text(bytes) {
            return svg(text)
                .map(|tree| Self::Svg(Box::new(tree)))
                .or_else(fail);
        }
        match image::guess_format(bytes) {
            Ok(format) => fail(format!(
                "is a {} image, which is not supported; convert it to PNG",
                format!("{format:?}").to_uppercase()
            )),
            Err(_) => fail("is neither a PNG nor an SVG image".into()),
        }
    }
}

/// The text of what looks like an SVG document: UTF-8 markup with an `<svg` element.
fn svg_text(bytes: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(bytes).ok()?;
    let markup = text.trim_start_matches('\u{feff}').trim_start();
    (markup.starts_with('<') && markup.contains("<svg")).then_some(text)
}

/// The problem text (without the source's name) when the PNG is unusable.
fn png(bytes: &[u8]) -> Result<RgbaImage, String> {
    let unreadable = |error: image::ImageError| format!("is not a readable PNG image ({error})");
    let reader = || ImageReader::with_format(Cursor::new(bytes), ImageFormat::Png);
    let (width, height) = reader().into_dimensions().map_err(unreadable)?;
    if width != height {
        return Err(format!("is {width}×{height} pixels, not square"));
    }
    if width < MIN_PNG_SIDE {
        return Err(format!(
            "is {width}×{height} pixels, smaller than {MIN_PNG_SIDE}×{MIN_PNG_SIDE}"
        ));
    }
    if width > MAX_SIDE {
        return Err(format!(
            "is {width}×{height} pixels, larger than {MAX_SIDE}×{MAX_SIDE}"
        ));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    let mut reader = reader();
    reader.limits(limits);
    Ok(reader.decode().map_err(unreadable)?.to_rgba8())
}

fn svg(text: &str) -> Result<usvg::Tree, String> {
    let options = usvg::Options {
        // Only embedded `data:` images: a path or URL in an admin's SVG must not make the
        // service read files or reach the network.
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(text, &options)
        .map_err(|error| format!("is not a valid SVG image ({error})"))?;
    if has_text(text) {
        return Err(
            "contains <text>, which is drawn without fonts and would vanish; \
                    convert the text to paths (in Inkscape: Path > Object to Path)"
                .into(),
        );
    }
    let size = tree.size();
    let limit = MAX_SIDE as f32;
    if size.width() > limit || size.height() > limit {
        return Err(format!(
            "has a {}×{} viewport, larger than {MAX_SIDE}×{MAX_SIDE}",
            size.width(),
            size.height()
        ));
    }
    Ok(tree)
}

/// Whether the document has an SVG `<text>` element (usvg, built without fonts, drops them).
fn has_text(text: &str) -> bool {
    let options = usvg::roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    usvg::roxmltree::Document::parse_with_options(text, options).is_ok_and(|document| {
        document.descendants().any(|node| {
            node.tag_name().name() == "text" && node.tag_name().namespace() == Some(SVG_NAMESPACE)
        })
    })
}
