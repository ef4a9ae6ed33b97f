//! # stemma-server
//!
//! `stemma serve`: an HTTP API and a web UI over the same crates the CLI calls.
//!
//! It owns the router, the request handlers, the security headers and the compiled-in UI
//! (a few static files and small server-rendered pages; no Node build). Every result is
//! rendered by `stemma-report`, so the API returns exactly the CLI's JSON schemas and the
//! downloadable report is the very HTML file the CLI writes.
//!
//! It must not know algorithms: alignment, attribution, clause diffs, storage and file
//! formats belong to `stemma-align`, `stemma-trace`, `stemma-diff`, `stemma-index` and
//! `stemma-ingest`. It never reads a file a request names: documents come inline, as
//! uploads (whose format is sniffed from their bytes), or by id from the index.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = stemma_server::Config::new(".stemma");
//! let app = stemma_server::app(config)?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:7878").await?;
//! stemma_server::serve(listener, app).await?;
//! # Ok(()) }
//! ```

mod analysis;
mod corpus;
mod error;
mod openapi;
mod pages;
mod report;
mod request;
mod security;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use stemma_index::Index;

pub use security::{API_CSP, APP_CSP};

/// The default address: loopback only, so nothing is reachable from another machine unless
/// the operator asks for it with `--bind`.
pub const DEFAULT_BIND: &str = "127.0.0.1:7878";

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The index folder (opened, or created when missing or empty).
    pub index_dir: PathBuf,
    /// Largest request body accepted, in bytes; larger requests get 413.
    pub max_body_bytes: usize,
    /// Most candidate sources a trace may align (bounds the work one request can ask for).
    pub max_top: usize,
    /// The cross-lingual model's folder, loaded once when the server starts (when
    /// installed) and shared by every trace; `None`: traces never look across languages.
    pub cross_lingual: Option<stemma_xling::ModelFolder>,
}

impl Config {
    /// Defaults over `index_dir`: 16 MiB bodies, at most 50 trace candidates, the model
    /// folder `STEMMA_MODEL_DIR` names (else the default one), as `stemma trace` uses.
    pub fn new(index_dir: impl Into<PathBuf>) -> Self {
        Config {
            index_dir: index_dir.into(),
            max_body_bytes: 16 * 1024 * 1024,
            max_top: 50,
            cross_lingual: Some(stemma_xling::ModelFolder::from_env()),
        }
    }
}

/// What every handler shares.
pub(crate) struct AppState {
    pub config: Config,
    pub index: Index,
    /// One writer at a time: tantivy allows a single writer per index, and serializing
    /// uploads here turns a second concurrent upload into a wait instead of an error.
    pub write_lock: Mutex<()>,
    /// The Content-Security-Policy of served reports (hashes of the report's own script).
    pub report_csp: String,
    /// Permits for CPU-bound jobs: one per core.
    pub work: tokio::sync::Semaphore,
    /// When the read view was last refreshed (ms since `started`).
    pub reloaded_ms: AtomicU64,
    /// The server's start, the origin of `reloaded_ms`.
    pub started: Instant,
}

impl AppState {
    /// The index, with a read view at most a second old: `stemma index add` in another
    /// process commits without telling us, and the index only reloads when asked.
    pub fn index(&self) -> &Index {
        let now = self.started.elapsed().as_millis() as u64;
        let last = self.reloaded_ms.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= 1000
            && self
                .reloaded_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            // A failed reload keeps the previous view, which is still consistent.
            let _ = self.index.reload();
        }
        &self.index
    }
}

/// Why the server could not start.
#[derive(Debug)]
pub struct StartError(String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

/// Open (or create) the index and build the whole application: pages, assets and API.
pub fn app(config: Config) -> Result<Router, StartError> {
    let index = Index::open_or_create(&config.index_dir).map_err(|e| StartError(e.to_string()))?;
    // Load the model now, once: no request pays for it, and a broken folder stops the start
    // with its one-line reason instead of failing every trace.
    if let Some(folder) = &config.cross_lingual {
        if folder.installed() || folder.named() {
            folder.get().map_err(|e| StartError(e.to_string()))?;
        }
    }
    let state = Arc::new(AppState {
        report_csp: security::report_csp(),
        index,
        write_lock: Mutex::new(()),
        reloaded_ms: AtomicU64::new(0),
        started: Instant::now(),
        work: tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
        ),
        config,
    });
    Ok(router(state))
}

fn router(state: Arc<AppState>) -> Router {
    let limit = state.config.max_body_bytes;
    Router::new()
        .route("/", get(pages::trace_page))
        .route("/compare", get(pages::compare_page))
        .route("/diff", get(pages::diff_page))
        .route("/corpus", get(pages::corpus_page))
        .route("/corpus/{id}", get(pages::document_page))
        .route("/assets/{name}", get(pages::asset))
        .route("/api/openapi.json", get(openapi::openapi))
        .route("/api/compare", post(analysis::compare))
        .route("/api/diff", post(analysis::diff))
        .route(
            "/api/trace",
            post(analysis::trace).get(analysis::trace_by_id),
        )
        .route(
            "/api/documents",
            get(corpus::list_documents).post(corpus::add_documents),
        )
        .route(
            "/api/documents/{id}",
            get(corpus::get_document).delete(corpus::delete_document),
        )
        .route("/api/search", get(corpus::search))
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// Serve `app` on `listener` until Ctrl-C (or SIGTERM on Unix), then finish the requests in
/// flight.
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
