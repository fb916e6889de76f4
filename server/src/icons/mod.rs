//! The add-in's icons: every size Outlook and the Microsoft 365 admin center ask for, made from
//! one square source (the built-in icon or an admin-supplied PNG/SVG).
//!
//! - Colour icons ([`COLOR_SIZES`]) are the source drawn at each size: SVG rendered directly,
//!   PNG downscaled with a Lanczos filter (in premultiplied alpha, so transparent edges keep
//!   their colour).
//! - The mobile icons ([`mobile_file`]) are the source's glyph in grey `#919191` on transparent,
//!   as Microsoft asks for the mobile online-meeting button; the unified manifest's outline icon
//!   ([`OUTLINE_FILE`]) is the glyph in white on transparent, the only colours that icon may
//!   have. How the glyph is found: see `monochrome.rs`.
//! - The source is recognised by its content, not its file name. PNG: square, 192×192 to
//!   4096×4096 pixels. SVG: any aspect ratio (drawn centred), viewport at most 4096×4096, no
//!   `<text>`: the service renders without fonts, so text must be converted to paths. Images
//!   an SVG refers to by file name or URL are not loaded; embedded `data:` images are.
//!   Either file at most 5 MiB.

mod monochrome;
mod render;
mod source;
#[cfg(test)]
mod tests;

use monochrome::GlyphMask;
use render::Renderer;
use sha2::{Digest, Sha256};
use source::Source;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// Sizes (px) of the full-colour icons: ribbon buttons 16/20/24/32/40/48/64/80, the manifest's
/// own 64 and 128, the unified manifest's colour icon 192.
pub const COLOR_SIZES: &[u32] = &[16, 20, 24, 32, 40, 48, 64, 80, 128, 192];
/// Sizes (pt) and scales of the mobile button's icons, as the manifest schema lists them.
pub const MOBILE_SIZES: &[u32] = &[25, 32, 48];
pub const MOBILE_SCALES: &[u32] = &[1, 2, 3];

/// File name of a colour icon of `px` pixels.
pub fn color_file(px: u32) -> String {
    format!("icon-{px}.png")
}

/// File name of a mobile icon of `size` points at `scale`.
pub fn mobile_file(size: u32, scale: u32) -> String {
    format!("mobile-{size}-{scale}x.png")
}

/// The unified manifest's 32×32 outline icon (white on transparent).
pub const OUTLINE_FILE: &str = "outline-32.png";
const OUTLINE_PX: u32 = 32;

/// Microsoft's grey for the mobile online-meeting button.
const MOBILE_GREY: [u8; 3] = [0x91, 0x91, 0x91];
const WHITE: [u8; 3] = [0xff, 0xff, 0xff];

/// The built-in icon, drawn on a 16-unit grid so it stays crisp at 16 px.
const BUILT_IN_SVG: &[u8] = include_bytes!("../../../addin-web/icons/default.svg");

/// Part of every version hash: change it when the rendering changes its output, so clients
/// holding immutably cached icons get new URLs even though the source file is the same.
const RENDERING_REVISION: &[u8] = b"vmr-scheduler icons r1\n";

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct IconError(pub String);

/// Every icon file, rendered once when the configuration is loaded.
#[derive(Clone)]
pub struct IconSet(Arc<Inner>);

struct Inner {
    /// Short hash of the source; part of every icon URL, so a new icon gets new URLs.
    version: String,
    files: BTreeMap<String, Vec<u8>>,
}

impl IconSet {
    /// `None` loads the built-in icon (rendered once per process).
    pub fn load(source: Option<&Path>) -> Result<Self, IconError> {
        match source {
            None => Ok(built_in().clone()),
            Some(path) => {
                let bytes = source::read(path)?;
                Self::from_bytes(&bytes, &format!("`{}`", path.display()))
            }
        }
    }

    pub fn version(&self) -> &str {
        &self.0.version
    }

    /// The PNG bytes of `name` (see [`color_file`], [`mobile_file`], [`OUTLINE_FILE`]).
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.0.files.get(name).map(Vec::as_slice)
    }

    /// `name` labels the source in error messages.
    fn from_bytes(bytes: &[u8], name: &str) -> Result<Self, IconError> {
        let renderer = Renderer::new(Source::parse(bytes, name)?);
        let files = render_files(&renderer, name)?;
        Ok(Self(Arc::new(Inner {
            version: version_of(bytes),
            files,
        })))
    }
}

fn built_in() -> &'static IconSet {
    static BUILT_IN: OnceLock<IconSet> = OnceLock::new();
    BUILT_IN.get_or_init(|| {
        IconSet::from_bytes(BUILT_IN_SVG, "the built-in icon").expect("the built-in icon renders")
    })
}

/// First 12 hex digits of SHA-256 over the rendering revision and the source.
fn version_of(source: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(RENDERING_REVISION)
        .chain_update(source)
        .finalize();
    digest[..6]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn render_files(renderer: &Renderer, name: &str) -> Result<BTreeMap<String, Vec<u8>>, IconError> {
    let reference = renderer.draw(render::REFERENCE_PX);
    if reference.pixels().all(|pixel| pixel[3] == 0) {
        return Err(IconError(format!(
            "{name} draws nothing: every pixel is transparent"
        )));
    }
    let glyph = GlyphMask::detect(&reference);
    let colour = COLOR_SIZES
        .iter()
        .map(|&px| (color_file(px), renderer.draw(px)));
    let mobile = MOBILE_SIZES.iter().flat_map(|&size| {
        MOBILE_SCALES.iter().map(move |&scale| {
            let image = glyph.tint(&renderer.draw(size * scale), MOBILE_GREY);
            (mobile_file(size, scale), image)
        })
    });
    let outline = std::iter::once((
        OUTLINE_FILE.to_string(),
        glyph.tint(&renderer.draw(OUTLINE_PX), WHITE),
    ));
    colour
        .chain(mobile)
        .chain(outline)
        .map(|(file, image)| Ok((file, render::encode_png(&image)?)))
        .collect()
}

impl std::fmt::Debug for IconSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IconSet")
            .field("version", &self.0.version)
            .field("files", &self.0.files.len())
            .finish()
    }
}
