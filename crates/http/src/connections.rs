//! Accepting connections so that nobody on the store's network can exhaust the hub: a cap on
//! connections per client address and in total, a deadline for a request's headers, an idle
//! deadline for every connection (upgraded WebSockets included), and the open-file limit raised
//! at start. axum's own `serve` has none of these, so the hub and the cloud serve through hyper
//! directly.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

/// File descriptors kept free for the database, backups, pictures and logs whatever the load.
const RESERVED_FILES: u64 = 128;

/// How the listener protects itself; built from each program's settings.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Open connections one client address may hold (browsers use about 6 per page).
    pub per_address: usize,
    /// Open connections in all (further bounded by the open-file limit).
    pub total: usize,
    /// A request's headers must arrive whole within this time once they start.
    pub header_read_timeout: Duration,
    /// A connection that neither sends nor receives a byte for this long is closed.
    pub idle_timeout: Duration,
}

impl Limits {
    /// The limits as configured, each at least 1, the total kept under the open-file limit
    /// (less the files the program needs for itself).
    pub fn new(
        per_address: usize,
        total: usize,
        header_read_timeout_secs: u64,
        idle_timeout_secs: u64,
    ) -> Limits {
        let files = open_file_limit().unwrap_or(1024);
        let by_files = files.saturating_sub(RESERVED_FILES).max(16) as usize;
        Limits {
            per_address: per_address.max(1),
            total: total.clamp(1, by_files),
            header_read_timeout: Duration::from_secs(header_read_timeout_secs.max(1)),
            idle_timeout: Duration::from_secs(idle_timeout_secs.max(1)),
        }
    }
}

/// What the listener reports as it works, for a program's metrics (the hub counts refusals and
/// shows the open connections); `()` reports nothing.
pub trait ConnectionObserver: Send + Sync {
    /// Serving has started; `admission` counts the open connections from now on.
    fn serving(&self, _admission: &Admission) {}
    /// A connection was closed at once because its address or the server was at its cap.
    fn refused(&self) {}
}

impl ConnectionObserver for () {}

/// The soft limit on open files, raised to the hard limit where the OS allows it (systemd and
/// most desktops start programs at 1,024, which a busy hub with WebSockets can reach).
#[cfg(unix)]
pub fn raise_open_file_limit() -> Option<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return None;
        }
        if lim.rlim_cur < lim.rlim_max {
            let wanted = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &wanted) == 0 {
                lim = wanted;
            }
        }
    }
    Some(lim.rlim_cur)
}

#[cfg(not(unix))]
pub fn raise_open_file_limit() -> Option<u64> {
    None
}

#[cfg(unix)]
fn open_file_limit() -> Option<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct we pass.
    (unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0).then_some(lim.rlim_cur)
}

#[cfg(not(unix))]
fn open_file_limit() -> Option<u64> {
    None
}

/// Who holds how many connections now.
#[derive(Default)]
struct Table {
    by_address: HashMap<IpAddr, usize>,
    total: usize,
}

/// Counts open connections; a [`Permit`] is one of them, given back when dropped.
#[derive(Clone)]
pub struct Admission {
    limits: Limits,
    table: Arc<Mutex<Table>>,
}

impl Admission {
    pub fn new(limits: Limits) -> Admission {
        Admission {
            limits,
            table: Arc::default(),
        }
    }

    /// A permit for a new connection from `ip`, or `None` when it is over a cap.
    pub fn admit(&self, ip: IpAddr) -> Option<Permit> {
        let mut t = self.table.lock().unwrap_or_else(|p| p.into_inner());
        let mine = t.by_address.get(&ip).copied().unwrap_or(0);
        if mine >= self.limits.per_address || t.total >= self.limits.total {
            return None;
        }
        t.by_address.insert(ip, mine + 1);
        t.total += 1;
        Some(Permit {
            ip,
            table: self.table.clone(),
        })
    }

    pub fn open(&self) -> usize {
        self.table.lock().unwrap_or_else(|p| p.into_inner()).total
    }
}

pub struct Permit {
    ip: IpAddr,
    table: Arc<Mutex<Table>>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut t = self.table.lock().unwrap_or_else(|p| p.into_inner());
        t.total = t.total.saturating_sub(1);
        if let Some(n) = t.by_address.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                t.by_address.remove(&self.ip);
            }
        }
    }
}

/// A socket that holds its connection's permit (so a WebSocket that outlives hyper's connection
/// future still counts) and fails with `TimedOut` after `idle` without a byte either way.
struct Guarded {
    inner: TcpStream,
    _permit: Permit,
    idle: Duration,
    last_activity: Instant,
    deadline: Pin<Box<Sleep>>,
}

impl Guarded {
    fn new(inner: TcpStream, permit: Permit, idle: Duration) -> Guarded {
        let now = Instant::now();
        Guarded {
            inner,
            _permit: permit,
            idle,
            last_activity: now,
            deadline: Box::pin(tokio::time::sleep_until(now + idle)),
        }
    }

    fn touch(&mut self) {
        self.last_activity = Instant::now();
    }

    /// A client that stops reading what it asked for (a full send buffer) is idle too.
    fn after_write(
        &mut self,
        cx: &mut Context<'_>,
        r: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        match r {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    self.touch();
                }
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => match self.poll_idle(cx) {
                Poll::Ready(e) => Poll::Ready(Err(e)),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    /// Called while a read or write is pending: an error once the connection has been idle too long.
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        loop {
            let due = self.last_activity + self.idle;
            if self.deadline.deadline() != due {
                self.deadline.as_mut().reset(due);
            }
            ready!(self.deadline.as_mut().poll(cx));
            if self.last_activity + self.idle <= Instant::now() {
                return Poll::Ready(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "connection idle for too long",
                ));
            }
        }
    }
}

impl AsyncRead for Guarded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(r) => {
                if buf.filled().len() > before {
                    this.touch();
                }
                Poll::Ready(r)
            }
            Poll::Pending => match this.poll_idle(cx) {
                Poll::Ready(e) => Poll::Ready(Err(e)),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.after_write(cx, r)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.after_write(cx, r)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// What a client over a cap is told before the socket closes (best effort, never waited for).
const BUSY_RESPONSE: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 5\r\nconnection: close\r\ncontent-length: 99\r\n\r\n{\"error\":{\"code\":\"too_many_connections\",\"message\":\"demasiadas conexiones; intenta de nuevo\"}}";

/// Serves `app` on `listener` until `shutdown` completes, then lets open requests finish (for at
/// most 10 s) and closes every connection.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    observer: Arc<dyn ConnectionObserver>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    serve_with(listener, app, limits, observer, None, shutdown).await
}

/// A TLS handshake, when the listener serves HTTPS.
#[cfg(feature = "tls")]
pub type Tls = Option<tokio_rustls::TlsAcceptor>;
#[cfg(not(feature = "tls"))]
pub type Tls = Option<std::convert::Infallible>;

/// [`serve`], over TLS when `tls` is given: the handshake has the header deadline to finish and
/// counts against the same connection caps.
pub async fn serve_with(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    observer: Arc<dyn ConnectionObserver>,
    tls: Tls,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let admission = Admission::new(limits);
    observer.serving(&admission);
    let (closing_tx, closing_rx) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of files or a connection reset before accept: wait a moment rather than
                    // spin, and keep serving.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Some(permit) = admission.admit(peer.ip()) else {
            observer.refused();
            let _ = stream.try_write(BUSY_RESPONSE);
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let io = Guarded::new(stream, permit, limits.idle_timeout);
        let app = app.clone();
        let closing = closing_rx.clone();
        // Without the `tls` feature the option is `Copy` (it can only be `None`).
        #[cfg_attr(not(feature = "tls"), allow(clippy::clone_on_copy))]
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => drive(io, app, peer, limits, closing).await,
                #[cfg(feature = "tls")]
                Some(acceptor) => {
                    match tokio::time::timeout(limits.header_read_timeout, acceptor.accept(io))
                        .await
                    {
                        Ok(Ok(stream)) => drive(stream, app, peer, limits, closing).await,
                        Ok(Err(e)) => tracing::debug!(error = %e, %peer, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake too slow"),
                    }
                }
                #[cfg(not(feature = "tls"))]
                Some(never) => match never {},
            }
        });
    }
    drop(listener);
    let _ = closing_tx.send(true);
    drop(closing_rx);
    let _ = tokio::time::timeout(Duration::from_secs(12), closing_tx.closed()).await;
    Ok(())
}

/// Serves one connection's requests until it ends or the listener closes.
async fn drive<I>(
    io: I,
    app: Router,
    peer: std::net::SocketAddr,
    limits: Limits,
    mut closing: tokio::sync::watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service =
        hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req)
        });
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let conn = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(error = %e, %peer, "connection ended");
            }
        }
        _ = async { closing.wait_for(|c| *c).await.map(|_| ()) } => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(Duration::from_secs(10), conn).await;
        }
    }
    drop(closing);
}

/// The TLS side of a listener from a certificate chain and its private key (PEM files, as
/// Let's Encrypt's `fullchain.pem` and `privkey.pem`). HTTP/1.1 only.
#[cfg(feature = "tls")]
pub fn tls_acceptor(
    cert_file: &std::path::Path,
    key_file: &std::path::Path,
) -> io::Result<tokio_rustls::TlsAcceptor> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |what: &str, e: &dyn std::fmt::Display| {
        io::Error::new(io::ErrorKind::InvalidData, format!("{what}: {e}"))
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_file)
        .map_err(|e| bad(&cert_file.display().to_string(), &e))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad(&cert_file.display().to_string(), &e))?;
    if certs.is_empty() {
        return Err(bad(&cert_file.display().to_string(), &"no certificate"));
    }
    let key = PrivateKeyDer::from_pem_file(key_file)
        .map_err(|e| bad(&key_file.display().to_string(), &e))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad("TLS", &e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| bad("TLS certificate and key", &e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// The listener's TLS from the configured pair of PEM files: both given is HTTPS, neither is
/// plain HTTP (a proxy in front, or a LAN without a certificate yet), and one alone is a
/// configuration mistake named by its setting.
#[cfg(feature = "tls")]
pub fn tls_from_settings(
    cert_file: Option<&std::path::Path>,
    key_file: Option<&std::path::Path>,
) -> io::Result<Tls> {
    match (cert_file, key_file) {
        (Some(cert), Some(key)) => tls_acceptor(cert, key).map(Some),
        (None, None) => Ok(None),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "tls_cert_file and tls_key_file go together",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_address: usize, total: usize) -> Limits {
        Limits {
            per_address,
            total,
            header_read_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(1),
        }
    }

    #[test]
    fn caps_each_address_and_the_total_and_gives_back_on_drop() {
        let a = Admission::new(limits(2, 3));
        let one: IpAddr = "10.0.0.1".parse().expect("ip");
        let two: IpAddr = "10.0.0.2".parse().expect("ip");
        let p1 = a.admit(one).expect("first from one");
        let _p2 = a.admit(one).expect("second from one");
        assert!(
            a.admit(one).is_none(),
            "a third from one address is over its cap"
        );
        let _p3 = a.admit(two).expect("another address still gets in");
        assert!(a.admit(two).is_none(), "the total cap holds");
        drop(p1);
        let _p4 = a.admit(one).expect("a closed connection frees its place");
        assert_eq!(a.open(), 3);
    }
}
