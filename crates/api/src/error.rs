//! The api crate's one error type and its mapping to GraphQL errors.
//!
//! Policy: client errors carry a stable `extensions.code` and a message naming the field and the
//! rule; internal errors (database, I/O) are logged with their cause and answered with
//! "internal error", so SQL, paths and stack traces never reach a client.

use async_graphql::ErrorExtensions;
use thiserror::Error;

/// Everything that can go wrong serving or loading content.
#[derive(Debug, Error)]
pub enum ApiError {
    /// Invalid argument or input field (`BAD_USER_INPUT`).
    #[error("{field}: {message}")]
    BadInput {
        /// Argument or input path, e.g. `first` or `input.slug`.
        field: String,
        /// The rule that was broken.
        message: String,
    },
    /// Missing or invalid credentials (`UNAUTHENTICATED`).
    #[error("{0}")]
    Unauthenticated(String),
    /// Valid credentials without the needed permission (`FORBIDDEN`).
    #[error("{0}")]
    Forbidden(String),
    /// The addressed object does not exist (`NOT_FOUND`).
    #[error("{0}")]
    NotFound(String),
    /// The write conflicts with the current state (`CONFLICT`).
    #[error("{message}")]
    Conflict {
        /// What conflicts.
        message: String,
        /// The current version, for lost-update conflicts.
        current_version: Option<i32>,
    },
    /// The database cannot be reached right now (`SERVICE_UNAVAILABLE`, HTTP 503); retry later.
    #[error("the service is temporarily unavailable; retry shortly")]
    Unavailable(String),
    /// Too many requests from this client (`RATE_LIMITED`, HTTP 429).
    #[error("too many requests; retry after {retry_after_secs} s")]
    RateLimited {
        /// Seconds until a request would be accepted again.
        retry_after_secs: u64,
    },
    /// A database failure; its detail is logged, never shown (Display says only "internal error",
    /// so even an accidental `to_string()` cannot leak SQL).
    #[error("internal error")]
    Database(#[source] sea_orm::DbErr),
    /// Any other internal failure; the detail is logged, never shown.
    #[error("internal error")]
    Internal(String),
    /// Configuration that cannot be used, found while starting; for the operator, never shown
    /// to clients.
    #[error("internal error")]
    Config(#[from] crate::config::ConfigError),
}

impl ApiError {
    /// A `BAD_USER_INPUT` error for `field`.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The stable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadInput { .. } => "BAD_USER_INPUT",
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Conflict { .. } => "CONFLICT",
            Self::Unavailable(_) => "SERVICE_UNAVAILABLE",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Database(_) | Self::Internal(_) | Self::Config(_) => "INTERNAL",
        }
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        match self {
            Self::Database(e) => tracing::error!(error = ?e, "database error answering a request"),
            Self::Internal(detail) => {
                tracing::error!(%detail, "internal error answering a request")
            }
            Self::Unavailable(detail) => tracing::warn!(%detail, "database unavailable"),
            Self::Config(e) => {
                tracing::error!(error = %e, "configuration error answering a request")
            }
            _ => {}
        }
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", self.code());
            match self {
                Self::BadInput { field, .. } => ext.set("field", field.as_str()),
                Self::Conflict {
                    current_version: Some(v),
                    ..
                } => ext.set("currentVersion", *v),
                Self::RateLimited { retry_after_secs } => {
                    ext.set("retryAfterSeconds", *retry_after_secs)
                }
                _ => {}
            }
        })
    }
}

impl From<sea_orm::DbErr> for ApiError {
    /// The one place database errors become client errors: connection trouble is 503, a
    /// constraint the write broke is a coded field error or CONFLICT (two writers racing past
    /// the same check), anything else is INTERNAL.
    fn from(e: sea_orm::DbErr) -> Self {
        if is_unavailable(&e) {
            Self::Unavailable(e.to_string())
        } else if let Some(violation) = constraint_violation(&e) {
            violation
        } else {
            Self::Database(e)
        }
    }
}

/// Unique constraints whose violation is the client's input: (PostgreSQL constraint name,
/// SQLite `table.column`, what the slug names).
const UNIQUE_SLUGS: [(&str, &str, &str); 4] = [
    ("uq_roles_slug", "roles.slug", "role"),
    ("uq_categories_slug", "categories.slug", "category"),
    ("uq_tools_slug", "tools.slug", "tool"),
    ("uq_sources_slug", "sources.slug", "source"),
];

/// The client error for a broken unique or foreign-key constraint, on either database.
fn constraint_violation(e: &sea_orm::DbErr) -> Option<ApiError> {
    use sea_orm::sqlx::error::ErrorKind;
    use sea_orm::{DbErr, RuntimeErr};
    let (DbErr::Exec(RuntimeErr::SqlxError(inner)) | DbErr::Query(RuntimeErr::SqlxError(inner))) =
        e
    else {
        return None;
    };
    let sea_orm::sqlx::Error::Database(db) = inner.as_ref() else {
        return None;
    };
    match db.kind() {
        ErrorKind::UniqueViolation => {
            // PostgreSQL names the constraint; SQLite says "UNIQUE constraint failed: t.c".
            let constraint = db.constraint().unwrap_or_default();
            let message = db.message();
            if constraint == "uq_role_snapshots_slug" || message.ends_with(": role_snapshots.slug")
            {
                // Two publishes racing for one address: the loser learns why.
                return Some(ApiError::bad_input(
                    "slug",
                    "is the address of another published page; rename this role or unpublish that one first",
                ));
            }
            let slug = UNIQUE_SLUGS.iter().find(|(name, column, _)| {
                constraint == *name || message.ends_with(&format!(": {column}"))
            });
            Some(match slug {
                Some((_, _, what)) => ApiError::bad_input(
                    "input.slug",
                    format!("is already taken by another {what}"),
                ),
                None => ApiError::Conflict {
                    message: "the content changed while this write ran; reload and try again"
                        .into(),
                    current_version: None,
                },
            })
        }
        ErrorKind::ForeignKeyViolation => Some(ApiError::Conflict {
            message: "the write refers to content that was deleted meanwhile, or deletes content that is in use; reload and try again".into(),
            current_version: None,
        }),
        _ => None,
    }
}

/// Whether `e` says the database cannot be reached (rather than that a statement failed): the
/// pool timed out or closed, the connection broke, or the server is shutting down or starting.
pub fn is_unavailable(e: &sea_orm::DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::{DbErr, RuntimeErr};
    match e {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Conn(RuntimeErr::SqlxError(inner))
        | DbErr::Exec(RuntimeErr::SqlxError(inner))
        | DbErr::Query(RuntimeErr::SqlxError(inner)) => match inner.as_ref() {
            Sqlx::Io(_)
            | Sqlx::Tls(_)
            | Sqlx::Protocol(_)
            | Sqlx::PoolTimedOut
            | Sqlx::PoolClosed
            | Sqlx::WorkerCrashed => true,
            // SQLSTATE class 08 (connection exception) and 57P0x (shutdown, cannot connect now).
            Sqlx::Database(db) => db
                .code()
                .is_some_and(|c| c.starts_with("08") || c.starts_with("57P0")),
            _ => false,
        },
        DbErr::Conn(_) => true,
        _ => false,
    }
}

/// Result alias for the api crate.
pub type ApiResult<T> = Result<T, ApiError>;

/// Result of a resolver.
pub type GqlResult<T> = async_graphql::Result<T>;

/// Converts service results for resolvers, keeping `extensions.code`.
///
/// async-graphql converts any `Display` error with `?`, which would drop the code; resolvers call
/// `.gql()` instead, and the HTTP layer marks any code-less error that slips through as INTERNAL.
pub trait ResultExt<T> {
    /// Into a resolver result with the error's code and safe message.
    fn gql(self) -> GqlResult<T>;
}

impl<T> ResultExt<T> for ApiResult<T> {
    fn gql(self) -> GqlResult<T> {
        self.map_err(|e| e.extend())
    }
}

impl<T> ResultExt<T> for Result<T, sea_orm::DbErr> {
    fn gql(self) -> GqlResult<T> {
        self.map_err(|e| ApiError::from(e).extend())
    }
}
