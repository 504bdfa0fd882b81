//! The editor studio: server-rendered HTML under `/studio` for people who edit and publish
//! role pages, over the api crate's services and permits (the same `Caller` and role mapping
//! as the API's JWTs). The session cookie counts only under `/studio`; `/graphql` never reads
//! it, so the API has no CSRF surface.

mod assets;
mod diff;
mod error;
mod form;
mod merge;
mod oidc;
mod page;
mod pages;
mod security;
mod session;
mod view;

use std::sync::Arc;

use api::Application;
use api::config::Config;
use api::service::Store;
use axum::Router;
use axum::routing::{get, post};
use ipnet::IpNet;

pub use error::StudioError;

/// Everything the studio's handlers share.
pub(crate) struct Studio {
    store: Store,
    /// The embedded assets, by fingerprinted name.
    assets: assets::Assets,
    /// The public origin (`JOBRISK_STUDIO_PUBLIC_URL`), else the request's host.
    public_url: Option<String>,
    /// Whether passwords sign in.
    local_login: bool,
    /// The site's preview URL with `{slug}`.
    preview_url: Option<String>,
    /// Single sign-on, when `JOBRISK_OIDC_ISSUER` is set.
    oidc: Option<oidc::Oidc>,
    /// Proxies whose `X-Forwarded-For` names the client (for the login throttle).
    trusted_proxies: Vec<IpNet>,
}

/// Shared state of the studio's routes.
pub(crate) type State = Arc<Studio>;

/// Adds the studio to `app` unless `JOBRISK_STUDIO=off`; with no user yet, logs the one-time
/// link that creates the first admin.
pub async fn mount(app: Application, config: &Config) -> api::ApiResult<Application> {
    let settings = &config.studio;
    if !settings.enabled {
        return Ok(app);
    }
    let store = app.store().clone();
    if let Some(link) = store.setup_link().await? {
        let base = match &settings.public_url {
            Some(url) => url.clone(),
            None => format!("http://{}", app.local_addr()?),
        };
        let url = format!("{base}/studio/setup?token={}", link.token);
        tracing::warn!(
            %url,
            expires_at = %link.expires_at,
            "no studio user yet: open this one-time link to create the first admin"
        );
    }
    let state = Arc::new(Studio {
        store,
        assets: assets::Assets::embedded(),
        public_url: settings.public_url.clone(),
        local_login: settings.local_login,
        preview_url: settings.preview_url.clone(),
        oidc: settings.oidc.clone().map(oidc::Oidc::new).transpose()?,
        trusted_proxies: config.trusted_proxies.clone(),
    });
    Ok(app.merge(router(state)))
}

fn router(state: State) -> Router {
    use pages::{account, catalog, changes, edit, history, merge, roles, users};
    Router::new()
        .route("/studio", get(roles::dashboard))
        .route("/studio/", get(roles::dashboard))
        .route(
            "/studio/login",
            get(account::login_page).post(account::login),
        )
        .route("/studio/logout", post(account::logout))
        .route("/studio/oidc/login", get(oidc::login))
        .route("/studio/oidc/callback", get(oidc::callback))
        .route(
            "/studio/setup",
            get(account::setup_page).post(account::setup),
        )
        .route(
            "/studio/reset",
            get(account::reset_page).post(account::reset),
        )
        .route("/studio/roles", get(roles::list))
        .route("/studio/pick/roles", get(roles::pick_roles))
        .route("/studio/bulk", post(roles::bulk))
        .route("/studio/roles/{slug}", get(edit::page).post(edit::save))
        .route("/studio/roles/{slug}/preview", post(edit::preview))
        .route("/studio/roles/{slug}/reviewed", post(roles::mark_reviewed))
        .route("/studio/roles/{slug}/publish", post(edit::publish))
        .route("/studio/roles/{slug}/buffer", post(edit::keep_buffer))
        .route("/studio/roles/{slug}/heartbeat", post(edit::heartbeat))
        .route(
            "/studio/roles/{slug}/buffer/discard",
            post(edit::discard_buffer),
        )
        .route("/studio/roles/{slug}/changes", get(changes::page))
        .route("/studio/roles/{slug}/history", get(history::page))
        .route("/studio/roles/{slug}/merge", post(merge::save))
        .route("/studio/roles/{slug}/restore", post(history::restore))
        .route("/studio/roles/{slug}/discard", post(changes::discard))
        .route("/studio/roles/{slug}/schedule", post(changes::schedule))
        .route(
            "/studio/roles/{slug}/schedule/cancel",
            post(changes::cancel),
        )
        .route("/studio/users", get(users::list).post(users::create))
        .route(
            "/studio/categories",
            get(catalog::list::<catalog::Categories>).post(catalog::create::<catalog::Categories>),
        )
        .route(
            "/studio/categories/new",
            get(catalog::new_page::<catalog::Categories>),
        )
        .route(
            "/studio/categories/{slug}",
            get(catalog::page::<catalog::Categories>).post(catalog::save::<catalog::Categories>),
        )
        .route(
            "/studio/categories/{slug}/delete",
            post(catalog::delete::<catalog::Categories>),
        )
        .route(
            "/studio/tools",
            get(catalog::list::<catalog::Tools>).post(catalog::create::<catalog::Tools>),
        )
        .route(
            "/studio/tools/new",
            get(catalog::new_page::<catalog::Tools>),
        )
        .route(
            "/studio/tools/{slug}",
            get(catalog::page::<catalog::Tools>).post(catalog::save::<catalog::Tools>),
        )
        .route(
            "/studio/tools/{slug}/delete",
            post(catalog::delete::<catalog::Tools>),
        )
        .route(
            "/studio/sources",
            get(catalog::list::<catalog::Sources>).post(catalog::create::<catalog::Sources>),
        )
        .route(
            "/studio/sources/new",
            get(catalog::new_page::<catalog::Sources>),
        )
        .route(
            "/studio/sources/{slug}",
            get(catalog::page::<catalog::Sources>).post(catalog::save::<catalog::Sources>),
        )
        .route(
            "/studio/sources/{slug}/delete",
            post(catalog::delete::<catalog::Sources>),
        )
        .route("/studio/users/{login}/{action}", post(users::act))
        .route("/studio/account", get(users::account))
        .route("/studio/account/password", post(users::change_password))
        .route(
            "/studio/account/sessions/{id}/end",
            post(users::end_session),
        )
        .route("/studio/csp-report", post(security::csp_report))
        .route("/studio/assets/{name}", get(assets::serve))
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(state)
}
