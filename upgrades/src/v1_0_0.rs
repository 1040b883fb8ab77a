//! v1.0.0, the genesis release: auth, bank and crisis at version 1.

use app_modules::auth::Auth;
use app_modules::bank::Bank;
use app_modules::crisis::Crisis;

use upgrade_runtime::Release;

/// The release.
pub fn release() -> Release {
    Release::genesis("v1.0.0", || {
        vec![
            Box::new(Auth::new(1)),
            Box::new(Bank::new(1)),
            Box::new(Crisis::new()),
        ]
    })
}
