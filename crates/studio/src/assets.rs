//! The studio's CSS and JavaScript (and the vendored htmx), embedded in the binary and served
//! under names that carry a hash of their content, so browsers may keep them for a year and a
//! new build is never served stale.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use include_dir::{Dir, include_dir};
use sha2::{Digest, Sha256};

static ASSETS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets");

/// One embedded file.
struct Asset {
    body: &'static [u8],
    content_type: &'static str,
}

/// The embedded files by their fingerprinted names, and each plain name's URL.
pub(crate) struct Assets {
    by_name: HashMap<String, Asset>,
    urls: HashMap<&'static str, String>,
}

impl Assets {
    /// Fingerprints every embedded file.
    pub(crate) fn embedded() -> Self {
        let mut by_name = HashMap::new();
        let mut urls = HashMap::new();
        for file in ASSETS.files() {
            let Some(name) = file.path().file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let content_type = match name.rsplit('.').next() {
                Some("css") => "text/css; charset=utf-8",
                Some("js") => "text/javascript; charset=utf-8",
                Some("svg") => "image/svg+xml",
                _ => continue,
            };
            let digest = Sha256::digest(file.contents());
            let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
            let fingerprinted = match name.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
                None => format!("{name}.{hash}"),
            };
            urls.insert(name, format!("/studio/assets/{fingerprinted}"));
            by_name.insert(
                fingerprinted,
                Asset {
                    body: file.contents(),
                    content_type,
                },
            );
        }
        Self { by_name, urls }
    }

    /// The URL of the embedded file `name` (e.g. `studio.css`).
    pub(crate) fn url(&self, name: &str) -> String {
        self.urls.get(name).cloned().unwrap_or_default()
    }
}

/// `GET /studio/assets/{name}`: immutable, since the name changes with the content.
pub(crate) async fn serve(
    State(studio): State<crate::State>,
    Path(name): Path<String>,
) -> Response {
    match studio.assets.by_name.get(&name) {
        Some(asset) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(asset.content_type),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
            ],
            asset.body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_a_fingerprinted_url_that_serves_it() {
        let assets = Assets::embedded();
        for name in ["studio.css", "studio.js", "htmx.min.js"] {
            let url = assets.url(name);
            let served = url
                .strip_prefix("/studio/assets/")
                .expect("under /studio/assets");
            assert!(served.len() > name.len() + 10, "{url}");
            assert!(assets.by_name.contains_key(served), "{url}");
        }
    }
}
