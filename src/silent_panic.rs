//! Catch a panic without its message on stderr — for the two places hpp
//! provokes one on purpose (asking the arithmetic whether overflow checks are
//! on; showing a bounds check stop a read). The panic hook is process-wide,
//! so it is swapped under one lock here and nowhere else: two threads doing
//! this at once cannot leave the silent hook installed.

use std::any::Any;
use std::panic::{UnwindSafe, catch_unwind, set_hook, take_hook};
use std::sync::Mutex;

static HOOK: Mutex<()> = Mutex::new(());

/// Run `f`, returning its value, or the panic's payload with nothing printed.
pub(crate) fn catch_silently<T>(
    f: impl FnOnce() -> T + UnwindSafe,
) -> Result<T, Box<dyn Any + Send>> {
    let _guard = HOOK.lock().unwrap_or_else(|e| e.into_inner());
    let previous = take_hook();
    set_hook(Box::new(|_| {}));
    let got = catch_unwind(f);
    set_hook(previous);
    got
}
