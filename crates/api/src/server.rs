//! The HTTP server: assembles the router from `http/` and runs it until SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path};
use axum::routing::get;
use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;

use crate::auth::Authenticator;
use crate::cache::ResponseCache;
use crate::config::Config;
use crate::db::{self, StatementHook};
use crate::error::{ApiError, ApiResult};
use crate::events::delivery::DeliveryWorker;
use crate::events::scheduler::Scheduler;
use crate::graphql::cost::CostModel;
use crate::graphql::schema_over;
use crate::http::rate_limit::RateLimits;
use crate::http::{AppState, Settings, Shared, graphiql, graphql, layers, ops};
use crate::metrics::Metrics;
use crate::seed;
use crate::service::Store;

/// How often rate limiters forget clients that have gone quiet.
const FORGET_IDLE_CLIENTS_EVERY: Duration = Duration::from_secs(60);

/// A server bound to its address, ready to run; used by `main` and by the tests alike.
pub struct Application {
    listener: tokio::net::TcpListener,
    /// The routes, before the middleware every answer passes through (added when serving).
    router: Router,
    /// Origins allowed to send credentials (`JOBRISK_CORS_ORIGINS`).
    cors_origins: Vec<String>,
    /// The content store, for routes mounted beside the API (the studio).
    store: Store,
    state: AppState,
    /// Sends webhook deliveries while the server runs.
    deliveries: DeliveryWorker,
    /// Runs scheduled publishes while the server runs.
    scheduler: Scheduler,
    shutdown_grace: Duration,
}

impl Application {
    /// Connects, migrates, seeds the embedded default when empty, and binds the listener.
    pub async fn build(config: &Config) -> ApiResult<Self> {
        let db = db::connect(config.database_url.expose_secret()).await?;
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
        Self::with_statement_hook(config, db, None).await
    }

    /// Like [`Application::with_database`], showing every SQL statement to `hook` (tests count
    /// statements per request with it).
    pub async fn with_statement_hook(
        config: &Config,
        mut db: DatabaseConnection,
        hook: Option<StatementHook>,
    ) -> ApiResult<Self> {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|e| ApiError::Internal(format!("cannot listen on {}: {e}", config.listen)))?;
        let auth = Authenticator::new(&config.auth)?;
        if !auth.enabled() {
            tracing::warn!("no JWT key configured: reads work, mutations are refused");
        }
        let metrics = Arc::new(Metrics::new());
        // Background workers get the connection before it is instrumented:
        // `jobrisk_db_statements_total` counts what requests run, not the workers' polling.
        let background = db.clone();
        db::instrument(&mut db, metrics.db_statements(), hook);
        let cache = (config.cache.max_bytes > 0)
            .then(|| ResponseCache::new(config.cache.max_bytes, config.cache.ttl));
        if let Some(cache) = &cache
            && db.get_database_backend() == sea_orm::DatabaseBackend::Postgres
        {
            // Other servers on the database announce their writes; until this one hears them,
            // its cache is passed by.
            crate::cache::listen(cache.clone(), db.get_postgres_connection_pool().clone()).await;
        }
        let wake = Arc::new(tokio::sync::Notify::new());
        let store = Store::new(db.clone())
            .with_cache(cache.clone())
            .with_source_max_age_days(config.source_max_age_days)
            .with_webhooks(wake.clone(), config.webhooks.allow_private);
        let deliveries =
            DeliveryWorker::new(store.over(background.clone()), config.webhooks, wake)?;
        let scheduler = Scheduler::new(store.over(background));
        let schema = schema_over(Some(store.clone()), config.introspection);
        let cost = CostModel::from_sdl(&schema.sdl()).map_err(ApiError::Internal)?;
        let state: AppState = Arc::new(Shared {
            schema,
            cost,
            db,
            auth,
            metrics,
            rate_limits: RateLimits::new(&config.rate_limit),
            documents: Default::default(),
            persisted: Default::default(),
            cache,
            settings: Settings {
                limits: config.limits,
                max_query_bytes: config.max_query_bytes,
                max_response_bytes: config.max_response_bytes,
                request_timeout: Duration::from_secs(config.request_timeout_secs),
                batch_window: Duration::from_millis(config.batch_window_ms),
                introspection: config.introspection,
                graphiql: config.graphiql,
                trusted_proxies: config.trusted_proxies.clone(),
                // Digits and ASCII words only: always a valid header value.
                public_cache_control: axum::http::HeaderValue::from_str(
                    &config.cache.public_cache_control(),
                )
                .map_err(|e| ApiError::Internal(format!("Cache-Control: {e}")))?,
            },
        });
        Ok(Self {
            listener,
            router: router(config, state.clone()),
            cors_origins: config.cors_origins.clone(),
            store,
            state,
            deliveries,
            scheduler,
            shutdown_grace: Duration::from_secs(config.shutdown_grace_secs),
        })
    }

    /// The content store the API writes through, for routes mounted beside it.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Adds `routes` (with their own state) beside the API; they pass through the same
    /// middleware (request ids, access log, compression, security headers).
    pub fn merge(mut self, routes: Router) -> Self {
        self.router = self.router.merge(routes);
        self
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> ApiResult<SocketAddr> {
        self.listener
            .local_addr()
            .map_err(|e| ApiError::Internal(format!("local address: {e}")))
    }

    /// Serves until the process receives Ctrl-C or SIGTERM, then stops accepting and lets
    /// in-flight requests finish for up to `JOBRISK_SHUTDOWN_GRACE_SECS`.
    pub async fn run(self) -> std::io::Result<()> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown_signal().await;
            let _ = stop.send(true);
        });
        self.serve(stopped).await
    }

    /// Serves until the task is dropped (tests).
    pub async fn run_forever(self) -> std::io::Result<()> {
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        self.serve(stopped).await
    }

    async fn serve(self, stopped: tokio::sync::watch::Receiver<bool>) -> std::io::Result<()> {
        let state = self.state.clone();
        let janitor = tokio::spawn(async move {
            let mut every = tokio::time::interval(FORGET_IDLE_CLIENTS_EVERY);
            loop {
                every.tick().await;
                state.rate_limits.forget_idle_clients();
            }
        });
        let deliveries = tokio::spawn(self.deliveries.run(stopped.clone()));
        let scheduler = tokio::spawn(self.scheduler.run(stopped.clone()));
        let mut on_signal = stopped.clone();
        let server = axum::serve(
            self.listener,
            layers::apply(self.router, &self.cors_origins)
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = on_signal.wait_for(|stop| *stop).await;
            tracing::info!("shutting down: no new connections, finishing requests in flight");
        });
        let grace = self.shutdown_grace;
        let mut after_signal = stopped;
        let deadline = async move {
            let _ = after_signal.wait_for(|stop| *stop).await;
            tokio::time::sleep(grace).await;
        };
        let result = tokio::select! {
            result = server => result,
            () = deadline => {
                tracing::warn!(?grace, "shutdown grace period over; exiting with requests in flight");
                Ok(())
            }
        };
        janitor.abort();
        // An attempt cut off here is sent again after its lease: at least once.
        deliveries.abort();
        // A scheduled action cut off here is rolled back with its claim: it runs later.
        scheduler.abort();
        result
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
}

/// The router with its middleware.
fn router(config: &Config, state: AppState) -> Router {
    let mut router = Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics));
    if config.graphiql {
        router = router.route(
            &format!("{}/{{name}}", graphiql::ASSET_PREFIX),
            get(|Path(name): Path<String>| async move { graphiql::asset(&name) }),
        );
    }
    router
        .with_state(state)
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
}
