//! Loopback network kernels: a TCP stream and a ping-pong between two
//! threads of this process, on 127.0.0.1 only. Every socket has a timeout and
//! every thread is joined before a function returns.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

const TIMEOUT: Duration = Duration::from_secs(10);

fn io(what: &str) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(format!("loopback TCP: {what}"), e)
}

fn listener() -> Result<(TcpListener, SocketAddr)> {
    // Loopback only: nothing outside this machine can connect.
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(io("binding 127.0.0.1"))?;
    let a = l.local_addr().map_err(io("reading the bound address"))?;
    Ok((l, a))
}

fn connect(a: SocketAddr) -> Result<TcpStream> {
    let s = TcpStream::connect_timeout(&a, TIMEOUT).map_err(io("connecting"))?;
    s.set_read_timeout(Some(TIMEOUT))
        .map_err(io("setting a timeout"))?;
    s.set_write_timeout(Some(TIMEOUT))
        .map_err(io("setting a timeout"))?;
    Ok(s)
}

/// Accept one connection, giving up after the timeout (so a client that
/// never connects cannot leave this thread, and its caller, waiting forever).
fn accept(l: &TcpListener) -> Result<TcpStream> {
    l.set_nonblocking(true)
        .map_err(io("setting up the listener"))?;
    let t0 = Instant::now();
    let s = loop {
        match l.accept() {
            Ok((s, _)) => break s,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && t0.elapsed() < TIMEOUT => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(e) => return Err(io("accepting")(e)),
        }
    };
    s.set_nonblocking(false)
        .map_err(io("setting up the connection"))?;
    s.set_read_timeout(Some(TIMEOUT))
        .map_err(io("setting a timeout"))?;
    s.set_write_timeout(Some(TIMEOUT))
        .map_err(io("setting a timeout"))?;
    Ok(s)
}

/// Send `total` bytes in `chunk`-byte writes to a reader thread; returns
/// the seconds from the first write until the reader has everything.
///
/// # Errors
/// [`Error::BadInput`] for zero sizes; [`Error::Io`] if a socket fails or
/// the byte count arriving differs.
pub fn stream(total: u64, chunk: usize) -> Result<f64> {
    if total == 0 || chunk == 0 {
        return Err(Error::bad_input(
            "stream needs a total and a chunk of at least 1 byte",
        ));
    }
    let (l, addr) = listener()?;
    std::thread::scope(|s| {
        let reader = s.spawn(move || -> Result<u64> {
            let mut c = accept(&l)?;
            let mut buf = vec![0u8; 1 << 16];
            let mut got = 0u64;
            loop {
                let n = c.read(&mut buf).map_err(io("reading"))?;
                if n == 0 {
                    return Ok(got);
                }
                got += n as u64;
            }
        });
        let send = || -> Result<f64> {
            let mut c = connect(addr)?;
            let buf = vec![0xA5u8; chunk];
            let t0 = Instant::now();
            let mut left = total;
            while left > 0 {
                let n = (left as usize).min(chunk);
                c.write_all(&buf[..n]).map_err(io("writing"))?;
                left -= n as u64;
            }
            c.shutdown(std::net::Shutdown::Write)
                .map_err(io("closing"))?;
            Ok(t0.elapsed().as_secs_f64())
        };
        let sent = send();
        let got = reader
            .join()
            .map_err(|_| Error::bad_input("loopback reader thread panicked"))??;
        let secs = sent?;
        if got != total {
            return Err(Error::io(
                "loopback TCP",
                std::io::Error::other(format!("sent {total} bytes, {got} arrived")),
            ));
        }
        Ok(secs)
    })
}

/// `rounds` round trips of a `size`-byte message to an echo thread, with
/// Nagle's algorithm off; returns total seconds.
///
/// # Errors
/// As for [`stream`].
pub fn ping_pong(rounds: usize, size: usize) -> Result<f64> {
    if rounds == 0 || size == 0 {
        return Err(Error::bad_input(
            "ping-pong needs at least one round of at least 1 byte",
        ));
    }
    let (l, addr) = listener()?;
    std::thread::scope(|s| {
        let echo = s.spawn(move || -> Result<()> {
            let mut c = accept(&l)?;
            c.set_nodelay(true).map_err(io("setting TCP_NODELAY"))?;
            let mut buf = vec![0u8; size];
            for _ in 0..rounds {
                c.read_exact(&mut buf).map_err(io("echo reading"))?;
                c.write_all(&buf).map_err(io("echo writing"))?;
            }
            Ok(())
        });
        let run = || -> Result<f64> {
            let mut c = connect(addr)?;
            c.set_nodelay(true).map_err(io("setting TCP_NODELAY"))?;
            let mut buf = vec![7u8; size];
            let t0 = Instant::now();
            for _ in 0..rounds {
                c.write_all(&buf).map_err(io("writing"))?;
                c.read_exact(&mut buf).map_err(io("reading"))?;
            }
            Ok(t0.elapsed().as_secs_f64())
        };
        let r = run();
        echo.join()
            .map_err(|_| Error::bad_input("loopback echo thread panicked"))??;
        r
    })
}
