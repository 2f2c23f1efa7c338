//! "Does it answer HTTP?", with a bare TCP client: the crate stays free of an
//! HTTP stack and of the AWS SDK.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

/// One probe must not hang the caller: a wedged server counts as not answering.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Whether something on 127.0.0.1:`port` answers `GET /moto-api/` with an
/// HTTP response.
fn answers(port: u16) -> bool {
    status_of(port, "/moto-api/").is_some()
}

/// Whether process `pid` is what answers on `port`: something answers
/// HTTP there AND `pid` owns the listening socket. A port handed to two
/// starting servers is answered by only one of them (see [`crate::listener`]).
pub(crate) fn server_answers(pid: u32, port: u16) -> bool {
    answers(port) && crate::listener::owned_by(pid, port)
}

fn status_of(port: u16, path: &str) -> Option<u16> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, PROBE_TIMEOUT).ok()?;
    stream.set_read_timeout(Some(PROBE_TIMEOUT)).ok()?;
    stream.set_write_timeout(Some(PROBE_TIMEOUT)).ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    // The status line is all we need; it arrives in the first bytes.
    let mut head = [0u8; 64];
    let mut len = 0;
    while len < 12 {
        match stream.read(&mut head[len..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => len += n,
        }
    }
    let line = std::str::from_utf8(&head[..len]).ok()?;
    let rest = line.strip_prefix("HTTP/1.")?;
    rest.get(2..5)?.parse().ok()
}
