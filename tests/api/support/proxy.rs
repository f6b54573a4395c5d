//! A small TCP proxy between the app and PostgreSQL, to stall the network (bytes held, sockets
//! open) or cut it (every connection closed), as a failing network would.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const PASS: u8 = 0;
const STALL: u8 = 1;
const CUT: u8 = 2;

/// A running proxy; stops forwarding when dropped.
pub struct Proxy {
    /// Where the app should connect.
    pub addr: SocketAddr,
    mode: Arc<AtomicU8>,
    streams: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    /// Forwards 127.0.0.1:<random> to `upstream`.
    pub fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mode = Arc::new(AtomicU8::new(PASS));
        let streams: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (m, s) = (mode.clone(), streams.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                if m.load(Ordering::SeqCst) == CUT {
                    continue; // refused: dropped at once
                }
                let Ok(server) = TcpStream::connect(upstream) else { continue };
                s.lock().unwrap().extend([client.try_clone().unwrap(), server.try_clone().unwrap()]);
                pump(client.try_clone().unwrap(), server.try_clone().unwrap(), m.clone());
                pump(server, client, m.clone());
            }
        });
        Proxy { addr, mode, streams }
    }

    /// Holds every byte from now on, keeping the sockets open.
    pub fn stall(&self) {
        self.mode.store(STALL, Ordering::SeqCst);
    }

    /// Forwards again (held bytes go through).
    pub fn resume(&self) {
        self.mode.store(PASS, Ordering::SeqCst);
    }

    /// Closes every connection and refuses new ones until [`Proxy::resume`].
    pub fn cut(&self) {
        self.mode.store(CUT, Ordering::SeqCst);
        for stream in self.streams.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, mode: Arc<AtomicU8>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            while mode.load(Ordering::SeqCst) == STALL {
                std::thread::sleep(Duration::from_millis(20));
            }
            if mode.load(Ordering::SeqCst) == CUT || to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    });
}
