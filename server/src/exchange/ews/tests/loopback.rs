//! A scripted HTTP/1.1 server on 127.0.0.1: answers each request with the next step of its
//! script and records what it received. Blocking I/O on plain threads, one per connection, so
//! that a deliberately slow answer does not hold up the next attempt.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub enum Step {
    Reply {
        status: u16,
        body: String,
        headers: Vec<(&'static str, String)>,
        delay: Duration,
    },
    /// Reads the request and closes the connection without an answer.
    Hangup,
}

impl Step {
    pub fn ok(body: &str) -> Self {
        Self::status(200, body)
    }

    pub fn status(status: u16, body: &str) -> Self {
        Self::Reply {
            status,
            body: body.to_string(),
            headers: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    pub fn delayed(self, by: Duration) -> Self {
        match self {
            Self::Reply {
                status,
                body,
                headers,
                ..
            } => Self::Reply {
                status,
                body,
                headers,
                delay: by,
            },
            Self::Hangup => Self::Hangup,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Recorded {
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

pub struct Loopback {
    pub url: url::Url,
    address: SocketAddr,
    script: Arc<Mutex<VecDeque<Step>>>,
    recorded: Arc<Mutex<Vec<Recorded>>>,
    stopped: Arc<AtomicBool>,
}

impl Loopback {
    pub fn start(script: Vec<Step>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let address = listener.local_addr().unwrap();
        let server = Self {
            url: format!("http://{address}/EWS/Exchange.asmx")
                .parse()
                .unwrap(),
            address,
            script: Arc::new(Mutex::new(script.into())),
            recorded: Arc::default(),
            stopped: Arc::default(),
        };
        let (script, recorded, stopped) = (
            server.script.clone(),
            server.recorded.clone(),
            server.stopped.clone(),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (script, recorded) = (script.clone(), recorded.clone());
                std::thread::spawn(move || serve(stream, &script, &recorded));
            }
        });
        server
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.recorded.lock().unwrap().clone()
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.address);
    }
}

fn serve(mut stream: TcpStream, script: &Mutex<VecDeque<Step>>, recorded: &Mutex<Vec<Recorded>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Some(request) = read_request(&mut stream) else {
        return;
    };
    recorded.lock().unwrap().push(request);
    let step = script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or_else(|| Step::status(599, "the script has no more steps"));
    let Step::Reply {
        status,
        body,
        headers,
        delay,
    } = step
    else {
        return;
    };
    std::thread::sleep(delay);
    let mut head = format!(
        "HTTP/1.1 {status} Scripted\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
}

fn read_request(stream: &mut TcpStream) -> Option<Recorded> {
    let mut data = Vec::new();
    let mut buffer = [0u8; 8192];
    let header_end = loop {
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let read = stream.read(&mut buffer).ok().filter(|&n| n > 0)?;
        data.extend_from_slice(&buffer[..read]);
        if data.len() > 1 << 20 {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&data[..header_end]).into_owned();
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    while data.len() < header_end + length {
        let read = stream.read(&mut buffer).ok().filter(|&n| n > 0)?;
        data.extend_from_slice(&buffer[..read]);
    }
    Some(Recorded {
        headers,
        body: String::from_utf8_lossy(&data[header_end..header_end + length]).into_owned(),
    })
}
