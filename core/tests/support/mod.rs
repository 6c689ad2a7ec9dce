//! A keep-alive token server for the pool and proxy tests, written by hand so that each test
//! decides what happens to a connection after an answer.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use tokenfetch::{RetryPolicy, TokenClient};

/// What the server does after each answer.
#[derive(Clone, Copy)]
pub enum After {
    /// Waits for the next request on the same connection.
    KeepAlive,
    /// Closes the connection without saying so in the answer.
    Close,
    /// Sends bytes past the end of the body once the client has read the answer (bytes that
    /// came with the answer are caught by another check), then waits.
    Junk,
}

pub struct Server {
    pub url: String,
    pub connections: Arc<AtomicUsize>,
    /// One message per answer, sent once the `After` step is done.
    pub answered: mpsc::Receiver<()>,
}

pub fn serve(after: After) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/token", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let (tx, answered) = mpsc::channel();
    let counter = connections.clone();
    thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { return };
            counter.fetch_add(1, Ordering::SeqCst);
            let tx = tx.clone();
            thread::spawn(move || answer_all(stream, n, after, tx));
        }
    });
    Server {
        url,
        connections,
        answered,
    }
}

fn answer_all(stream: TcpStream, connection: usize, after: After, answered: mpsc::Sender<()>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let token = format!(r#"{{"access_token":"at-{connection}","token_type":"Bearer","expires_in":60}}"#);
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            token.len()
        );
        writer.write_all(format!("{head}{token}").as_bytes()).unwrap();
        match after {
            After::KeepAlive => {}
            After::Close => {
                drop(writer);
                answered.send(()).unwrap();
                return;
            }
            After::Junk => {
                thread::sleep(Duration::from_millis(20));
                writer.write_all(b"HTTP/1.1 200 OK\r\n\r\nnot yours").unwrap();
            }
        }
        answered.send(()).unwrap();
    }
}

pub fn client(server: &Server) -> TokenClient {
    TokenClient::builder(server.url.as_str())
        .client_id("pool-client")
        .client_secret("pool-secret")
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

/// Fetches, then waits until the server has done its `After` step and the bytes are in.
pub fn fetch(client: &TokenClient, server: &Server) -> String {
    let token = client.client_credentials(None).expect("fetch");
    server.answered.recv_timeout(Duration::from_secs(5)).unwrap();
    thread::sleep(Duration::from_millis(20));
    token.access_token
}

impl Server {
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}
