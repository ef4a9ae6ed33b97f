//! `stemma serve`: the web UI and HTTP API (see the `stemma-server` crate).

use std::net::SocketAddr;

use anyhow::{Context, Result};
use clap::Args;

use super::index::IndexDir;

/// Arguments of `stemma serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. The default is loopback only: other machines cannot connect.
    #[arg(long, default_value = stemma_server::DEFAULT_BIND, value_name = "ADDR:PORT")]
    pub bind: SocketAddr,
    #[command(flatten)]
    pub index: IndexDir,
    /// Largest request body accepted, in bytes (larger requests get HTTP 413).
    #[arg(long, default_value_t = stemma_server::Config::new(".").max_body_bytes)]
    pub max_body_bytes: usize,
    /// Most candidate sources one trace request may ask for.
    #[arg(long, default_value_t = stemma_server::Config::new(".").max_top)]
    pub max_top: usize,
    /// Look for sources in other languages in traces: auto (when the index holds sentence
    /// embeddings and the model is installed; the model is loaded once, at start) or never.
    #[arg(long, default_value = "auto", value_parser = ["auto", "never"])]
    pub cross_lingual: String,
    #[command(flatten)]
    pub model: super::model::ModelDirArg,
}

/// Run `stemma serve` until Ctrl-C or SIGTERM.
pub fn run(args: ServeArgs) -> Result<()> {
    let config = stemma_server::Config {
        index_dir: args.index.dir.clone(),
        max_body_bytes: args.max_body_bytes.max(1024),
        max_top: args.max_top.max(1),
        cross_lingual: (args.cross_lingual != "never").then(|| args.model.folder()),
    };
    if !args.bind.ip().is_loopback() {
        eprintln!(
            "stemma: warning: listening on {}, reachable from other machines; the server has no authentication",
            args.bind
        );
    }
    let app = stemma_server::app(config).map_err(anyhow::Error::msg)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.bind)
            .await
            .with_context(|| format!("cannot listen on {}", args.bind))?;
        let addr = listener.local_addr()?;
        eprintln!(
            "stemma: serving http://{addr} over {} (Ctrl-C stops)",
            args.index.dir.display()
        );
        stemma_server::serve(listener, app)
            .await
            .context("the server stopped")
    })
}
