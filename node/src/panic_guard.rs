//! Panics become errors. A panic deep in a dependency (redb meeting a page
//! corrupted on disk) must end with a clear message and a non-zero exit,
//! not a backtrace; a closed stdout (`status | head -c0`) ends quietly.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);
/// The state file the command opened last, to name it when a panic shows
/// it is corrupt.
static STATE_FILE: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Records that the command opened the state file at `path`.
pub fn note_state_file(path: &Path) {
    if let Ok(mut file) = STATE_FILE.lock() {
        *file = Some(path.to_owned());
    }
}

/// How a guarded command ended.
pub enum Outcome {
    /// It returned.
    Returned(anyhow::Result<()>),
    /// It could not write to stdout because the reader went away.
    BrokenPipe,
}

/// Runs `command`, turning a panic into an error.
pub fn run_guarded(command: impl FnOnce() -> anyhow::Result<()>) -> Outcome {
    std::panic::set_hook(Box::new(|info| {
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(format!("{payload}{location}"));
        }
    }));
    match catch_unwind(AssertUnwindSafe(command)) {
        Ok(result) => Outcome::Returned(result),
        Err(_) => {
            let message = LAST_PANIC
                .lock()
                .ok()
                .and_then(|mut m| m.take())
                .unwrap_or_else(|| "unknown panic".to_owned());
            if message.contains("Broken pipe") {
                return Outcome::BrokenPipe;
            }
            let file = STATE_FILE
                .lock()
                .ok()
                .and_then(|f| f.clone())
                .map_or_else(|| "data/state.redb".to_owned(), |p| p.display().to_string());
            Outcome::Returned(Err(anyhow::anyhow!(
                "internal error ({message}); if the command was reading the node's state file {file}, the file is probably corrupt: restore it from a backup or initialise a new home"
            )))
        }
    }
}
