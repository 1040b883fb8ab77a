//! The command to run, added to a library error: the runtime's errors are
//! neutral (they cannot know the binary's name); the CLI knows it and says
//! what to type next.

use upgrade_runtime::app::AppError;
use upgrade_runtime::store::StoreError;

/// What to run next for `err`, spelled with the binary `name`, if the
/// error is one a command fixes: a suffix for the error's line, with its
/// own separator.
pub fn hint(name: &str, err: &anyhow::Error) -> Option<String> {
    err.chain().find_map(|cause| {
        if let Some(app) = cause.downcast_ref::<AppError>() {
            return match app {
                AppError::NotInitialised => Some(format!("; run `{name} init` first")),
                AppError::AlreadyInitialised { .. } => Some(format!(
                    "; start it with `{name} start`, or use a new --home for another chain"
                )),
                AppError::UpgradeSection(message) if message.contains("genesis migrate") => {
                    Some(format!(
                        "; run `{name} genesis migrate <release> <file> --output-document <out>`"
                    ))
                }
                _ => None,
            };
        }
        match cause.downcast_ref::<StoreError>() {
            Some(StoreError::StateFile { reason, .. })
                if reason.ends_with("restore it from a backup") =>
            {
                Some(format!(" or re-run `{name} init` on a new home"))
            }
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_errors_gain_the_command_with_the_binary_name() {
        let err = anyhow::Error::new(AppError::NotInitialised);
        assert_eq!(
            hint("mychaind", &err).as_deref(),
            Some("; run `mychaind init` first")
        );
        let wrapped = anyhow::Error::new(AppError::AlreadyInitialised { height: 3 }).context("x");
        assert_eq!(
            hint("appd", &wrapped).as_deref(),
            Some("; start it with `appd start`, or use a new --home for another chain")
        );
        assert_eq!(hint("appd", &anyhow::anyhow!("something else")), None);
    }
}
