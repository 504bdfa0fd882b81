//! The HTTP server: POST /graphql (GraphiQL on GET), GET /healthz.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::DataLoader;
use async_graphql::http::GraphiQLSource;
use async_graphql_axum::rejection::GraphQLRejection;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use entity::Visibility;
use sea_orm::DatabaseConnection;
use tower_http::cors::{Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use async_graphql::ErrorExtensions;

use crate::auth::Authenticator;
use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::graphql::loaders::DbLoader;
use crate::graphql::{AppSchema, build_schema};
use crate::{db, seed};

/// Shared state of the router.
#[derive(Clone)]
struct AppState {
    schema: AppSchema,
    db: DatabaseConnection,
    auth: Arc<Authenticator>,
    batch_window: Duration,
}

/// A server bound to its address, ready to run; used by `main` and by the tests alike.
pub struct Application {
    listener: tokio::net::TcpListener,
    router: Router,
}

impl Application {
    /// Connects, migrates, seeds the embedded default when empty, and binds the listener.
    pub async fn build(config: &Config) -> ApiResult<Self> {
        let db = db::connect(&config.database_url).await?;
        db::migrate(&db).await?;
        if config.embedded_default
            && let Some(report) = seed::seed_if_empty(&db).await?
        {
            tracing::info!(
                ?report,
                "loaded demo content into the empty embedded database"
            );
        }
        Self::with_database(config, db).await
    }

    /// Binds the listener for an already migrated database.
    pub async fn with_database(config: &Config, db: DatabaseConnection) -> ApiResult<Self> {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|e| ApiError::Internal(format!("cannot listen on {}: {e}", config.listen)))?;
        let auth = Arc::new(Authenticator::new(&config.auth)?);
        if !auth.enabled() {
            tracing::warn!("no JWT key configured: reads work, mutations are refused");
        }
        Ok(Self {
            listener,
            router: router(config, db, auth),
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> ApiResult<SocketAddr> {
        self.listener
            .local_addr()
            .map_err(|e| ApiError::Internal(format!("local address: {e}")))
    }

    /// Serves until the process receives Ctrl-C or SIGTERM, then drains in-flight requests.
    pub async fn run(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown_signal())
            .await
    }

    /// Serves until the task is dropped (tests).
    pub async fn run_forever(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.router).await
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// The router with its middleware.
fn router(config: &Config, db: DatabaseConnection, auth: Arc<Authenticator>) -> Router {
    let state = AppState {
        schema: build_schema(Some(db.clone())),
        db,
        auth,
        batch_window: Duration::from_millis(config.batch_window_ms),
    };
    Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .route("/healthz", get(healthz))
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(config.request_timeout_secs),
        ))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
                .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION]),
        )
        .layer(TraceLayer::new_for_http())
}

async fn graphiql() -> impl IntoResponse {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}

async fn graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    // The default rejection answers with the parser's Debug output in plain text; answer like
    // any other GraphQL error instead, with a code and no internals.
    let request = match request {
        Ok(request) => request,
        Err(rejection) => {
            let (status, message) = match rejection.0 {
                async_graphql::ParseRequestError::PayloadTooLarge => (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "the request body is too large",
                ),
                _ => (
                    StatusCode::BAD_REQUEST,
                    "the body is not a GraphQL request: send JSON like {\"query\": \"...\", \"variables\": {...}}",
                ),
            };
            return (status, error_body(ApiError::bad_input("body", message))).into_response();
        }
    };
    // A header that is not visible ASCII cannot be a bearer token: let it fail verification.
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("invalid"));
    let caller = match state.auth.caller(authorization).await {
        Ok(caller) => caller,
        // A token that does not verify is refused outright, never served as anonymous.
        Err(e) => {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                error_body(e),
            )
                .into_response();
        }
    };
    // Nested links (migration targets, related roles) always show what the public sees.
    let loader = DataLoader::new(
        DbLoader::new(state.db.clone(), Visibility::Public),
        tokio::spawn,
    )
    .delay(state.batch_window);
    let request = request.into_inner().data(caller).data(loader);
    let mut response = state.schema.execute(request).await;
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        if has_code {
            continue;
        }
        let ext = error.extensions.get_or_insert_with(Default::default);
        if error.path.is_empty() {
            // Parse and validation errors: the request itself is wrong.
            ext.set("code", "BAD_USER_INPUT");
        } else {
            // A resolver error that bypassed ApiError: treat as internal, never show it.
            tracing::error!(message = %error.message, "uncoded resolver error");
            error.message = "internal error".to_owned();
            ext.set("code", "INTERNAL");
        }
    }
    GraphQLResponse::from(response).into_response()
}

/// A GraphQL response holding only `e`, for requests refused before execution.
fn error_body(e: ApiError) -> GraphQLResponse {
    let mut error = async_graphql::ServerError::new(e.to_string(), None);
    error.extensions = e.extend().extensions;
    GraphQLResponse::from(async_graphql::Response::from_errors(vec![error]))
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({ "status": "ok" }))),
        Err(e) => {
            tracing::error!(error = ?e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable" })),
            )
        }
    }
}
