//! The watchdog thread behind [`HostOptions::call_timeout`](crate::HostOptions::call_timeout).

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use ckb_vm::machine::Pause;

/// Interrupts the running scheduler when a call's deadline passes.
pub(crate) struct Watchdog {
    shared: Arc<(Mutex<Watch>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Watch {
    armed: Option<(Instant, Pause)>,
    quit: bool,
}

impl Watchdog {
    pub(crate) fn new() -> Self {
        let shared = Arc::new((Mutex::new(Watch::default()), Condvar::new()));
        let theirs = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("ckb-ipc-watchdog".into())
            .spawn(move || watch(&theirs))
            .ok();
        Self { shared, thread }
    }

    pub(crate) fn arm(&self, deadline: Instant, pause: Pause) {
        let (watch, cv) = &*self.shared;
        watch.lock().unwrap_or_else(|p| p.into_inner()).armed = Some((deadline, pause));
        cv.notify_one();
    }

    pub(crate) fn disarm(&self) {
        let (watch, _) = &*self.shared;
        watch.lock().unwrap_or_else(|p| p.into_inner()).armed = None;
    }
}

fn watch(shared: &(Mutex<Watch>, Condvar)) {
    let (watch, cv) = shared;
    let mut w = watch.lock().unwrap_or_else(|p| p.into_inner());
    while !w.quit {
        w = match &w.armed {
            None => cv.wait(w).unwrap_or_else(|p| p.into_inner()),
            Some((deadline, pause)) => {
                let now = Instant::now();
                if now >= *deadline {
                    pause.interrupt();
                    w.armed = None;
                    continue;
                }
                let wait = *deadline - now;
                cv.wait_timeout(w, wait)
                    .unwrap_or_else(|p| p.into_inner())
                    .0
            }
        };
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let (watch, cv) = &*self.shared;
        watch.lock().unwrap_or_else(|p| p.into_inner()).quit = true;
        cv.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
