//! Drawing the source at one size, and encoding the result as PNG.

use super::source::Source;
use super::IconError;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::{self, FilterType};
use image::{ImageEncoder, RgbaImage};
use resvg::{tiny_skia, usvg};

/// The size the glyph of the monochrome icons is detected at (the largest icon).
pub(super) const REFERENCE_PX: u32 = 192;
/// A large PNG is reduced once to this size (twice the largest icon, so nothing is lost),
/// and every icon is made from that copy: resizing a 4096-pixel source twenty times is slow.
const RASTER_WORKING_PX: u32 = 2 * REFERENCE_PX;

pub(super) enum Renderer {
    Vector(Box<usvg::Tree>),
    /// Square, premultiplied alpha: a filter averaging straight-alpha pixels would mix in the
    /// (meaningless) colour of transparent ones, leaving dark fringes.
    Raster(RgbaImage),
}

impl Renderer {
    pub(super) fn new(source: Source) -> Self {
        match source {
            Source::Svg(tree) => Self::Vector(tree),
            Source::Png(mut image) => {
                premultiply(&mut image);
                if image.width() > RASTER_WORKING_PX {
                    image = resize(&image, RASTER_WORKING_PX);
                }
                Self::Raster(image)
            }
        }
    }

    /// The icon at `px`×`px`, straight alpha.
    pub(super) fn draw(&self, px: u32) -> RgbaImage {
        match self {
            Self::Vector(tree) => draw_svg(tree, px),
            Self::Raster(image) => {
                let mut icon = resize(image, px);
                unpremultiply(&mut icon);
                icon
            }
        }
    }
}

fn resize(image: &RgbaImage, px: u32) -> RgbaImage {
    if image.width() == px {
        return image.clone();
    }
    imageops::resize(image, px, px, FilterType::Lanczos3)
}

/// Scales the SVG's viewport to fit `px`, centred (a non-square SVG gets transparent margins).
fn draw_svg(tree: &usvg::Tree, px: u32) -> RgbaImage {
    let mut pixmap = tiny_skia::Pixmap::new(px, px).expect("icon sizes are not zero");
    let size = tree.size();
    let side = px as f32;
    let scale = side / size.width().max(size.height());
    let transform = tiny_skia::Transform::from_row(
        scale,
        0.0,
        0.0,
        scale,
        (side - size.width() * scale) / 2.0,
        (side - size.height() * scale) / 2.0,
    );
    resvg::render(tree, transform, &mut pixmap.as_mut());
    let straight = pixmap.pixels().iter().flat_map(|pixel| {
        let colour = pixel.demultiply();
        [colour.red(), colour.green(), colour.blue(), colour.alpha()]
    });
    RgbaImage::from_vec(px, px, straight.collect()).expect("one RGBA pixel per pixmap pixel")
}

fn premultiply(image: &mut RgbaImage) {
    for pixel in image.pixels_mut() {
        let alpha = u16::from(pixel[3]);
        for channel in &mut pixel.0[..3] {
            *channel = ((u16::from(*channel) * alpha + 127) / 255) as u8;
        }
    }
}

fn unpremultiply(image: &mut RgbaImage) {
    for pixel in image.pixels_mut() {
        let alpha = u16::from(pixel[3]);
        if alpha == 0 {
            pixel.0 = [0; 4];
            continue;
        }
        for channel in &mut pixel.0[..3] {
            // The filter can overshoot the alpha a little near sharp edges: clamp.
            *channel = ((u16::from(*channel) * 255 + alpha / 2) / alpha).min(255) as u8;
        }
    }
}

/// Rendering happens once at start-up, so the smallest files are worth the extra time.
pub(super) fn encode_png(image: &RgbaImage) -> Result<Vec<u8>, IconError> {
    let mut bytes = Vec::new();
    PngEncoder::new_with_quality(&mut bytes, CompressionType::Best, PngFilter::Adaptive)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgba8,
        )
        .map_err(|error| IconError(format!("an icon could not be encoded as PNG ({error})")))?;
    Ok(bytes)
}
