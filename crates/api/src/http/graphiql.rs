//! GraphiQL, served from assets vendored into the binary.
//!
//! The files live in `crates/api/assets/graphiql/` (see `VENDORED.md` there for their origin,
//! licences and checksums) and are embedded at compile time, so the page needs no network
//! access beyond this server: no CDN, no fonts from elsewhere.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Where the assets are served; versioned with GraphiQL so they can be cached forever.
pub const ASSET_PREFIX: &str = "/graphiql/4.1.2";

/// The Content-Security-Policy of the GraphiQL page.
///
/// Scripts only from this server (no inline script, no `eval`). Styles also allow
/// `'unsafe-inline'` because GraphiQL 4 (CodeMirror 5, Radix UI) sets `style` attributes and
/// inserts `<style>` elements at run time. `data:` fonts and images: the Roboto and Fira Code
/// fonts are `data:` URLs inside `graphiql.min.css`, and the page's icon is `data:,`.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; \
    form-action 'none'; frame-ancestors 'none'";

/// The page; every URL in it is a same-origin path under [`ASSET_PREFIX`].
const INDEX_HTML: &str = include_str!("../../assets/graphiql/index.html");

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// Every file that [`asset`] serves: name, content type, bytes. Nothing else can be reached.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "react.production.min.js",
        JS,
        include_bytes!("../../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        JS,
        include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    ),
    (
        "graphiql.min.js",
        JS,
        include_bytes!("../../assets/graphiql/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        CSS,
        include_bytes!("../../assets/graphiql/graphiql.min.css"),
    ),
    (
        "init.js",
        JS,
        include_bytes!("../../assets/graphiql/init.js"),
    ),
    (
        "page.css",
        CSS,
        include_bytes!("../../assets/graphiql/page.css"),
    ),
    (
        "LICENSE.graphiql",
        TEXT,
        include_bytes!("../../assets/graphiql/LICENSE.graphiql"),
    ),
    (
        "LICENSE.react",
        TEXT,
        include_bytes!("../../assets/graphiql/LICENSE.react"),
    ),
    (
        "LICENSE.react-dom",
        TEXT,
        include_bytes!("../../assets/graphiql/LICENSE.react-dom"),
    ),
];

/// The GraphiQL page: 200, HTML, with [`CSP`] and `Cache-Control: no-cache`.
pub fn page() -> Response {
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CSP),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        INDEX_HTML,
    )
        .into_response()
}

/// One vendored file by name (e.g. `graphiql.min.js`), cacheable forever; 404 for any other name.
pub fn asset(name: &str) -> Response {
    let Some(&(_, content_type, bytes)) = ASSETS.iter().find(|(n, _, _)| *n == name) else {
        return (
            StatusCode::NOT_FOUND,
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(TEXT)),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
            ],
            "no such GraphiQL asset\n",
        )
            .into_response();
    };
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    use axum::body::to_bytes;
    use sha2::{Digest, Sha256};

    const VENDORED_MD: &str = include_str!("../../assets/graphiql/VENDORED.md");

    /// The files that come from npm (the rest of the folder is ours).
    const VENDORED: &[&str] = &[
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphiql.min.js",
        "graphiql.min.css",
        "LICENSE.graphiql",
        "LICENSE.react",
        "LICENSE.react-dom",
    ];

    fn header(response: &Response, name: header::HeaderName) -> &str {
        response
            .headers()
            .get(&name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    async fn body(response: Response) -> Vec<u8> {
        to_bytes(response.into_body(), usize::MAX)
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default()
    }

    /// The values of every `src="..."` and `href="..."` attribute of the page.
    fn references() -> Vec<&'static str> {
        let mut found = Vec::new();
        for attribute in ["src=\"", "href=\""] {
            let mut rest = INDEX_HTML;
            while let Some(start) = rest.find(attribute) {
                rest = &rest[start + attribute.len()..];
                let end = rest.find('"').unwrap_or(rest.len());
                found.push(&rest[..end]);
                rest = &rest[end..];
            }
        }
        found
    }

    fn asset_references() -> Vec<&'static str> {
        references()
            .into_iter()
            .filter(|r| !r.starts_with("data:"))
            .collect()
    }

    #[tokio::test]
    async fn page_is_html_with_the_csp() {
        let response = page();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            header(&response, header::CONTENT_TYPE),
            "text/html; charset=utf-8"
        );
        assert_eq!(header(&response, header::CONTENT_SECURITY_POLICY), CSP);
        assert_eq!(header(&response, header::CACHE_CONTROL), "no-cache");
        let html = String::from_utf8(body(response).await).unwrap_or_default();
        assert!(html.contains("id=\"graphiql\""));
    }

    #[test]
    fn page_refers_only_to_same_origin_assets() {
        for scheme in ["http:", "https:", "//"] {
            assert!(!INDEX_HTML.contains(scheme), "index.html contains {scheme}");
        }
        assert!(
            !INDEX_HTML.contains("<style"),
            "index.html has an inline <style>"
        );
        assert!(
            !INDEX_HTML.contains("style="),
            "index.html has a style attribute"
        );
        // Every <script> loads a file: no inline script.
        assert_eq!(
            INDEX_HTML.matches("<script").count(),
            INDEX_HTML.matches("<script defer src=\"").count()
        );
        let refs = references();
        assert!(refs.len() >= 5, "too few references: {refs:?}");
        for reference in refs {
            assert!(
                reference.starts_with(&format!("{ASSET_PREFIX}/")) || reference == "data:,",
                "{reference} is not under {ASSET_PREFIX}/"
            );
        }
    }

    #[tokio::test]
    async fn every_referenced_asset_is_served() {
        let refs = asset_references();
        for script in [
            "react.production.min.js",
            "react-dom.production.min.js",
            "graphiql.min.js",
            "init.js",
        ] {
            assert!(refs.contains(&format!("{ASSET_PREFIX}/{script}").as_str()));
        }
        for reference in refs {
            let name = reference
                .trim_start_matches(ASSET_PREFIX)
                .trim_start_matches('/');
            let response = asset(name);
            assert_eq!(response.status(), StatusCode::OK, "{name}");
            let expected = if name.ends_with(".js") { JS } else { CSS };
            assert_eq!(header(&response, header::CONTENT_TYPE), expected, "{name}");
            assert_eq!(
                header(&response, header::CACHE_CONTROL),
                "public, max-age=31536000, immutable"
            );
            assert_eq!(header(&response, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
            assert!(!body(response).await.is_empty(), "{name} is empty");
        }
    }

    #[tokio::test]
    async fn unknown_names_are_404() {
        for name in [
            "",
            "nope.js",
            "../Cargo.toml",
            "../../src/lib.rs",
            "..%2Fgraphiql.min.js",
            "./graphiql.min.js",
            "/graphiql.min.js",
            "graphiql.min.js.map",
            "index.umd.js.map",
            "index.html",
            "VENDORED.md",
            "GRAPHIQL.MIN.JS",
        ] {
            let response = asset(name);
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{name:?}");
            assert_eq!(header(&response, header::CONTENT_TYPE), TEXT);
            assert!(!body(response).await.is_empty());
        }
    }

    #[test]
    fn vendored_md_checksums_match_the_embedded_files() {
        for name in VENDORED {
            let Some(&(_, _, bytes)) = ASSETS.iter().find(|(n, _, _)| n == name) else {
                panic!("{name} is not embedded");
            };
            let digest: String = Sha256::digest(bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let row = VENDORED_MD
                .lines()
                .find(|line| line.starts_with(&format!("| `{name}` |")))
                .unwrap_or_else(|| panic!("VENDORED.md has no row for {name}"));
            assert!(
                row.contains(&format!("`{digest}`")),
                "VENDORED.md's SHA-256 for {name} is stale: the file's is {digest}"
            );
        }
        // And no row describes a file that is not vendored.
        let rows = VENDORED_MD
            .lines()
            .filter(|line| line.starts_with("| `"))
            .count();
        assert_eq!(rows, VENDORED.len());
    }
}
