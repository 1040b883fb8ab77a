//! The socket server: `tcp://HOST:PORT` or `unix://PATH`, one thread per
//! connection (CometBFT opens four: consensus, mempool, query, snapshot),
//! requests answered in order on each. A frame that cannot be read is
//! answered with an exception and the connection closed; a fatal failure
//! (an upgrade this binary lacks, a failed commit) ends the process's
//! serving with that error, as a Cosmos node stops.

use std::io::{BufReader, BufWriter, Read, Write};
use std::net::TcpListener;
use std::os::unix::net::UnixListener;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Sender, channel};

use anyhow::{Context, bail};
use tendermint_proto::v0_38::abci::{Response, ResponseException, response};

use super::frame::{FrameError, read_request, write_response};
use super::state::AbciNode;

/// Where the server listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Listen {
    /// `tcp://HOST:PORT`.
    Tcp(String),
    /// `unix://PATH`.
    Unix(PathBuf),
}

impl Listen {
    /// Parses `tcp://127.0.0.1:26658` or `unix:///path/app.sock`.
    ///
    /// # Errors
    ///
    /// Another scheme, or none.
    pub fn parse(address: &str) -> anyhow::Result<Self> {
        if let Some(rest) = address.strip_prefix("tcp://") {
            Ok(Listen::Tcp(rest.to_owned()))
        } else if let Some(rest) = address.strip_prefix("unix://") {
            Ok(Listen::Unix(PathBuf::from(rest)))
        } else {
            bail!(
                "--abci {address:?}: expected tcp://HOST:PORT or unix://PATH, as CometBFT's proxy_app"
            )
        }
    }
}

/// Serves `node` on `listen` until a fatal failure, which is returned.
///
/// # Errors
///
/// The address cannot be bound, or the node stopped on a fatal failure.
pub fn serve(node: Arc<AbciNode>, listen: &Listen, max_frame: usize) -> anyhow::Result<()> {
    let (fatal, stopped) = channel::<String>();
    match listen {
        Listen::Tcp(addr) => {
            let listener = TcpListener::bind(addr)
                .with_context(|| format!("cannot listen on tcp://{addr}"))?;
            let local = listener.local_addr()?;
            announce(&format!("tcp://{local}"));
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let _ = stream.set_nodelay(true);
                    let (node, fatal) = (Arc::clone(&node), fatal.clone());
                    let Ok(reader) = stream.try_clone() else {
                        continue;
                    };
                    std::thread::spawn(move || {
                        connection(&node, reader, stream, max_frame, &fatal)
                    });
                }
            });
        }
        Listen::Unix(path) => {
            if path.exists() {
                std::fs::remove_file(path).with_context(|| {
                    format!("cannot remove the stale socket {}", path.display())
                })?;
            }
            let listener = UnixListener::bind(path)
                .with_context(|| format!("cannot listen on unix://{}", path.display()))?;
            announce(&format!("unix://{}", path.display()));
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let (node, fatal) = (Arc::clone(&node), fatal.clone());
                    let Ok(reader) = stream.try_clone() else {
                        continue;
                    };
                    std::thread::spawn(move || {
                        connection(&node, reader, stream, max_frame, &fatal)
                    });
                }
            });
        }
    }
    match stopped.recv() {
        Ok(reason) => bail!(reason),
        Err(_) => Ok(()),
    }
}

/// Prints where the server listens (stdout, so a supervisor or a test can
/// read the port the system chose for `:0`).
fn announce(address: &str) {
    println!("ABCI server listening on {address}");
    tracing::info!(address, "ABCI server listening");
}

fn connection(
    node: &AbciNode,
    reader: impl Read,
    writer: impl Write,
    max_frame: usize,
    fatal: &Sender<String>,
) {
    let mut reader = BufReader::new(reader);
    let mut writer = BufWriter::new(writer);
    loop {
        let request = match read_request(&mut reader, max_frame) {
            Ok(request) => request,
            Err(FrameError::Closed) => return,
            Err(e) => {
                tracing::warn!(error = %e, "closing an ABCI connection");
                let _ = write_response(&mut writer, &exception(e.to_string()));
                return;
            }
        };
        // A bug must not leave CometBFT waiting on a dead thread: the panic
        // becomes an exception and the node stops, as on a fatal failure.
        let handled = std::panic::catch_unwind(AssertUnwindSafe(|| node.handle(request)));
        let (response, stop) = handled.unwrap_or_else(|payload| {
            let what = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("a panic");
            let reason = format!("the application failed on an ABCI request ({what}); stopping");
            (exception(reason.clone()), Some(reason))
        });
        if write_response(&mut writer, &response).is_err() {
            return;
        }
        if let Some(reason) = stop {
            let _ = fatal.send(reason);
            return;
        }
    }
}

/// An exception response: CometBFT stops on it.
pub fn exception(error: String) -> Response {
    Response {
        value: Some(response::Value::Exception(ResponseException { error })),
    }
}
