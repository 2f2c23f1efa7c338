//! Which process listens on a port, read from `/proc`.
//!
//! A port picked as free is released before moto binds it, so two servers
//! started at the same moment (two homes, or a test's private home beside
//! the shared one) can be handed the same port. The loser fails to bind and
//! exits, but until it does, the winner answers on that port, and "something
//! answers HTTP" would record the loser's pid with the winner's port: a
//! record that points at another home's server, which is stopped under it.
//! Checking that the recorded pid owns the listening socket closes that gap.

use std::collections::HashSet;

/// TCP state LISTEN in `/proc/net/tcp`.
const LISTEN: &str = "0A";

/// Whether process `pid` holds a socket listening on 127.0.0.1/0.0.0.0
/// `port`. True when `/proc` cannot tell (no procfs): the HTTP probe alone
/// decides there, as before.
pub(crate) fn owned_by(pid: u32, port: u16) -> bool {
    let Ok(table) = std::fs::read_to_string(format!("/proc/{pid}/net/tcp")) else {
        return !std::path::Path::new("/proc/self").exists();
    };
    let inodes = listening_inodes(&table, port);
    if inodes.is_empty() {
        return false;
    }
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else { return false };
    fds.flatten().any(|fd| {
        std::fs::read_link(fd.path())
            .ok()
            .and_then(|target| socket_inode(&target.to_string_lossy()))
            .is_some_and(|inode| inodes.contains(&inode))
    })
}

/// Inodes of the sockets in a `/proc/net/tcp` table that listen on `port`.
fn listening_inodes(table: &str, port: u16) -> HashSet<u64> {
    let port_hex = format!("{port:04X}");
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            let fields: Vec<&str> = line.split_whitespace().collect();
            let local_port = fields.get(1)?.rsplit_once(':')?.1;
            (local_port == port_hex && *fields.get(3)? == LISTEN).then(|| fields.get(9)?.parse().ok())?
        })
        .collect()
}

/// `socket:[12345]` → 12345.
fn socket_inode(link: &str) -> Option<u64> {
    link.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listening_sockets_of_the_port_are_found() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   \
             0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0\n   \
             1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0 20 4 30 10 -1\n   \
             2: 0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4444 1 0 100 0 0 10 0\n";
        assert_eq!(listening_inodes(table, 8080), HashSet::from([4242]), "the connected socket is not a listener");
        assert!(listening_inodes(table, 80).is_empty());
    }

    #[test]
    fn a_listener_of_this_process_is_owned_by_it_and_not_by_another() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        assert!(owned_by(std::process::id(), port));
        let mut other = std::process::Command::new("sleep").arg("5").spawn().expect("spawn sleep");
        assert!(!owned_by(other.id(), port), "sleep does not listen on {port}");
        let _ = other.kill();
        let _ = other.wait();
        drop(listener);
        assert!(!owned_by(std::process::id(), port), "closed");
    }

    #[test]
    fn socket_links_are_parsed() {
        assert_eq!(socket_inode("socket:[987]"), Some(987));
        assert_eq!(socket_inode("pipe:[987]"), None);
    }
}
