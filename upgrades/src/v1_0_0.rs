//! v1.0.0, the genesis release: auth, bank and crisis at version 1.

use app_modules::auth::Auth;
use app_modules::bank::Bank;
use app_modules::crisis::Crisis;

use crate::Release;

/// The release.
pub fn release() -> Release {
    Release {
        name: "v1.0.0",
        modules: || {
            vec![
                Box::new(Auth::new(1)),
                Box::new(Bank::new(1)),
                Box::new(Crisis::new()),
            ]
        },
        upgrade: None,
    }
}
