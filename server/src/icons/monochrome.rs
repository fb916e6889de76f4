//! The glyph of a colour icon, for the single-colour icons (mobile grey, outline white).
//!
//! A glyph on transparency is simply everything opaque. Many logos are instead a glyph on a
//! plate (a coloured tile or disc); their silhouette would be a featureless square or circle,
//! so a plate is recognised by one colour covering much of the icon, and the glyph is then
//! what differs from that colour. Anything else (a photo, a gradient plate) falls back to the
//! silhouette of its opaque area.

use image::{Rgba, RgbaImage};

/// A plate covers most of the icon with one colour; a glyph alone rarely does.
const MIN_PLATE_OPAQUE_SHARE: f32 = 0.6;
const MIN_PLATE_COLOUR_SHARE: f32 = 0.35;
/// Less than this share of the icon differing from the plate is noise, or a glyph cut out of
/// the plate, which the silhouette shows well.
const MIN_GLYPH_SHARE: f32 = 0.01;
/// RGB distance (0–441) up to which a pixel is plate and from which it is glyph; in between,
/// partly glyph, which keeps anti-aliased edges smooth.
const PLATE_DISTANCE: f32 = 32.0;
const GLYPH_DISTANCE: f32 = 96.0;
/// Pixels at least this opaque count towards the plate colour.
const OPAQUE: u8 = 240;
/// Colours are counted in 16×16×16 bins, so a plate with slight noise is still one colour.
const BIN_SHIFT: u32 = 4;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum GlyphMask {
    /// The glyph stands on transparency: it is everything opaque.
    Silhouette,
    /// The glyph stands on a plate of this colour: it is whatever differs from it.
    OnPlate([u8; 3]),
}

#[derive(Clone, Copy, Default)]
struct Bin {
    pixels: u32,
    colour_sums: [u64; 3],
}

impl GlyphMask {
    /// Decides from one rendering of the icon (at its largest size).
    pub(super) fn detect(reference: &RgbaImage) -> Self {
        let total = reference.pixels().len() as f32;
        let mut bins = vec![Bin::default(); 1 << (3 * (8 - BIN_SHIFT))];
        let mut opaque = 0u32;
        for pixel in reference.pixels().filter(|pixel| pixel[3] >= OPAQUE) {
            opaque += 1;
            let bin = &mut bins[bin_index(pixel)];
            bin.pixels += 1;
            for (sum, channel) in bin.colour_sums.iter_mut().zip(pixel.0) {
                *sum += u64::from(channel);
            }
        }
        let Some(dominant) = bins.iter().max_by_key(|bin| bin.pixels) else {
            return Self::Silhouette;
        };
        if (opaque as f32) < MIN_PLATE_OPAQUE_SHARE * total
            || (dominant.pixels as f32) < MIN_PLATE_COLOUR_SHARE * total
        {
            return Self::Silhouette;
        }
        let plate = Self::OnPlate(
            dominant
                .colour_sums
                .map(|sum| (sum / u64::from(dominant.pixels)) as u8),
        );
        let glyph: f32 = reference.pixels().map(|pixel| plate.coverage(pixel)).sum();
        if glyph < MIN_GLYPH_SHARE * total {
            Self::Silhouette
        } else {
            plate
        }
    }

    /// The glyph of `colour` drawn in `tint` on a fully transparent background.
    pub(super) fn tint(&self, colour: &RgbaImage, tint: [u8; 3]) -> RgbaImage {
        let [red, green, blue] = tint;
        RgbaImage::from_fn(colour.width(), colour.height(), |x, y| {
            let alpha = (self.coverage(colour.get_pixel(x, y)) * 255.0).round() as u8;
            if alpha == 0 {
                Rgba([0; 4])
            } else {
                Rgba([red, green, blue, alpha])
            }
        })
    }

    /// How much of `pixel` (0–1) is glyph.
    fn coverage(&self, pixel: &Rgba<u8>) -> f32 {
        let alpha = f32::from(pixel[3]) / 255.0;
        match self {
            Self::Silhouette => alpha,
            Self::OnPlate(plate) => {
                let distance = plate
                    .iter()
                    .zip(pixel.0)
                    .map(|(&p, c)| (f32::from(p) - f32::from(c)).powi(2))
                    .sum::<f32>()
                    .sqrt();
                let glyphness = (distance - PLATE_DISTANCE) / (GLYPH_DISTANCE - PLATE_DISTANCE);
                alpha * glyphness.clamp(0.0, 1.0)
            }
        }
    }
}

fn bin_index(pixel: &Rgba<u8>) -> usize {
    let bits = 8 - BIN_SHIFT;
    pixel.0[..3].iter().fold(0, |index, &channel| {
        (index << bits) | usize::from(channel >> BIN_SHIFT)
    })
}
