//! The generated manifests against the official schemas: every variant of the XML manifest
//! through `xmllint` with the Office add-in XSDs, every app package against Microsoft's JSON
//! schemas of the unified manifest. Each suite has a negative control, so that a validator that
//! accepts anything cannot make it pass.
//!
//! The XSDs are read from `../shared/schemas` beside the repository and the JSON schemas from
//! npm `@microsoft/app-manifest` (`npm ci` in `addin-web/`, or a folder named by
//! `VMR_APP_MANIFEST_DIR`). Where either is missing the suite says why and passes, unless
//! `VMR_REQUIRE_SCHEMAS=1` (XSDs and xmllint) or `VMR_REQUIRE_NODE_MODULES=1` (JSON schemas)
//! turns that into a failure.

mod json_schema;
mod variants;
mod xml_schema;
