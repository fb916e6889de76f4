//! The stored identity of an integration's add-in: an id created once, and a version counter
//! that goes up whenever what the generator produces changes.
//!
//! Office installs a manifest only if its version is higher than the installed one, so any
//! change (a label, a locale, the public URL, a new icon) needs a new version, and an unchanged
//! manifest must keep its version however often it is downloaded. The fingerprint is a hash of
//! every generated document with the version left at 0, plus the icon set's version (the icon
//! bytes in the package are not in the documents).

use super::input::{ManifestInput, Revision};
use super::{package, render, ManifestError};
use crate::config::IntegrationSettings;
use crate::store::Store;
use sha2::{Digest, Sha256};

/// The add-in id and current version of `integration`'s manifests, creating the id on first
/// use and counting up when the generated content differs from the last one recorded.
pub async fn current_revision(
    store: &Store,
    integration: &IntegrationSettings,
    public_url: &url::Url,
) -> Result<Revision, ManifestError> {
    let addin_id = store.addin_id(&integration.id).await?;
    let draft = ManifestInput::new(
        integration,
        public_url,
        Revision {
            addin_id,
            version: 0,
        },
    );
    let version = store
        .record_manifest_fingerprint(&integration.id, &fingerprint(&draft)?)
        .await?;
    Ok(Revision { addin_id, version })
}

/// Hex SHA-256 over the draft documents and the icon version.
pub(super) fn fingerprint(draft: &ManifestInput<'_>) -> Result<String, ManifestError> {
    let mut hash = Sha256::new();
    let mut part = |name: &str, content: &[u8]| {
        // Length-prefixed, so that no two different sets of parts hash alike.
        for piece in [name.as_bytes(), content] {
            hash.update((piece.len() as u64).to_be_bytes());
            hash.update(piece);
        }
    };
    part(
        "manifest.xml",
        render::xml(draft, &draft.xml_version()?)?.as_bytes(),
    );
    part(
        package::MANIFEST_FILE,
        render::json(draft, &draft.json_version()?)?.as_bytes(),
    );
    for (file, text) in package::language_files(draft) {
        part(&file, text.as_bytes());
    }
    part("icons", draft.addin().icons.version().as_bytes());
    Ok(hash
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect())
}
