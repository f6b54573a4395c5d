//! The process's log: env_logger's lines go to stderr through a buffer written out every
//! 100 ms, on a panic and at exit, so a busy instance makes one write per batch of lines instead
//! of one per request (the access log is a line per request: about a tenth of a single-school
//! read's CPU written line by line, bench/README.md step 14). A crash that kills the process
//! outright may lose the last 100 ms of lines; a panic does not.

use std::io::{self, BufWriter, Stderr, Write};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// How long a line may wait in the buffer.
const FLUSH_EVERY: Duration = Duration::from_millis(100);

type Shared = Arc<Mutex<BufWriter<Stderr>>>;

static BUFFER: OnceLock<Shared> = OnceLock::new();

/// env_logger's target: the shared buffer. env_logger flushes after every line; that flush is
/// left to [`flush`] (the timer, a panic, exit).
struct Batched(Shared);

impl Write for Batched {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Starts logging at `RUST_LOG` (default `info`), the flusher thread and the panic hook.
pub fn init() {
    let buffer: Shared = Arc::new(Mutex::new(BufWriter::with_capacity(64 * 1024, io::stderr())));
    let _ = BUFFER.set(buffer.clone());
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        .target(env_logger::Target::Pipe(Box::new(Batched(buffer))))
        .init();
    let _ = std::thread::Builder::new().name("log-flush".into()).spawn(|| loop {
        std::thread::sleep(FLUSH_EVERY);
        flush();
    });
    // The lines before a panic come out before its message.
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        flush();
        report(info)
    }));
}

/// Writes out what the buffer holds.
pub fn flush() {
    if let Some(buffer) = BUFFER.get() {
        let _ = buffer.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).flush();
    }
}
