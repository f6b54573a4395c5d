//! A webhook receiver on 127.0.0.1 for the tests: records every POST (headers and raw body) and
//! answers as scripted (a status, after an optional delay; 200 when the script is empty).

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// One POST as received.
#[derive(Debug, Clone)]
pub struct Received {
    /// Headers, names in lower case.
    pub headers: HashMap<String, String>,
    /// The raw body.
    pub body: Vec<u8>,
}

impl Received {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// A header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// Checks `Sro-Signature` with the recipe the README gives a receiver: split on commas, take
    /// `t` and every `v1`, compute hex HMAC-SHA256(secret, t + "." + raw body), accept if any
    /// `v1` equals it (a real receiver also refuses a `t` older than 300 s).
    pub fn signed_with(&self, secret: &str) -> bool {
        let header = self.header("sro-signature").unwrap_or_default();
        let mut t = None;
        let mut v1 = Vec::new();
        for part in header.split(',') {
            match part.split_once('=') {
                Some(("t", value)) => t = Some(value.to_owned()),
                Some(("v1", value)) => v1.push(value.to_owned()),
                _ => {}
            }
        }
        let Some(t) = t else { return false };
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(&self.body);
        let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        v1.contains(&expected)
    }

    /// How many `v1` values the signature carries.
    pub fn signatures(&self) -> usize {
        self.header("sro-signature").unwrap_or_default().matches("v1=").count()
    }
}

/// How to answer the next POST.
#[derive(Debug, Clone, Copy)]
pub enum Reply {
    /// This status at once.
    Status(u16),
    /// This status after a pause.
    Slow(Duration, u16),
    /// A redirect elsewhere (to check it is not followed).
    Redirect,
}

/// The receiver.
pub struct Receiver {
    /// `http://127.0.0.1:<port>/hook`.
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<Reply>>>,
}

impl Receiver {
    /// Starts one on a free port.
    pub fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Mutex<VecDeque<Reply>>> = Arc::new(Mutex::new(VecDeque::new()));
        let (r, s) = (Arc::clone(&received), Arc::clone(&script));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, s) = (Arc::clone(&r), Arc::clone(&s));
                std::thread::spawn(move || {
                    let _ = serve(stream, &r, &s);
                });
            }
        });
        Receiver { url, received, script }
    }

    /// Queues the answers to the next POSTs.
    pub fn script(&self, replies: &[Reply]) {
        self.script.lock().unwrap().extend(replies.iter().copied());
    }

    /// Forgets the answers not yet given.
    pub fn clear_script(&self) {
        self.script.lock().unwrap().clear();
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, received: &Mutex<Vec<Received>>, script: &Mutex<VecDeque<Reply>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let length: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    received.lock().unwrap().push(Received { headers, body });
    let reply = script.lock().unwrap().pop_front().unwrap_or(Reply::Status(200));
    let mut stream = stream;
    let answer = match reply {
        Reply::Status(code) => format!("HTTP/1.1 {code} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
        Reply::Slow(pause, code) => {
            std::thread::sleep(pause);
            format!("HTTP/1.1 {code} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        }
        Reply::Redirect => {
            "HTTP/1.1 307 X\r\nLocation: http://127.0.0.1:9/elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                .to_owned()
        }
    };
    stream.write_all(answer.as_bytes())?;
    stream.flush()
}
