//! One shell per device: the first instance listens on a Unix socket in the device's config
//! dir; a second one finds it there, asks it to come to the front, and exits. A socket left by
//! a crash is detected (nobody answers) and replaced.

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub enum Instance {
    /// We are the only one; `listener` receives other instances' knocks.
    First(InstanceLock),
    /// Another shell runs for this device and was asked to show itself.
    AlreadyRunning,
}

pub struct InstanceLock {
    pub listener: UnixListener,
    path: PathBuf,
}

impl Drop for InstanceLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

const KNOCK: &[u8] = b"show\n";

pub fn acquire(path: &Path) -> std::io::Result<Instance> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    for _ in 0..2 {
        match UnixListener::bind(path) {
            Ok(listener) => {
                return Ok(Instance::First(InstanceLock {
                    listener,
                    path: path.to_path_buf(),
                }))
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                if knock(path).is_ok() {
                    return Ok(Instance::AlreadyRunning);
                }
                // Nobody answers: a socket left behind by a crash.
                std::fs::remove_file(path)?;
            }
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AddrInUse,
        "another shell keeps taking the instance socket",
    ))
}

fn knock(path: &Path) -> std::io::Result<()> {
    let mut stream = UnixStream::connect(path)?;
    stream.set_write_timeout(Some(Duration::from_secs(2)))?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    stream.write_all(KNOCK)?;
    let mut answer = [0u8; 3];
    stream.read_exact(&mut answer)?;
    Ok(())
}

impl InstanceLock {
    /// Calls `on_knock` for every later instance started on this device (in a thread).
    pub fn serve(self, on_knock: impl Fn() + Send + 'static) {
        std::thread::spawn(move || {
            for stream in self.listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let mut buf = [0u8; KNOCK.len()];
                if stream.read_exact(&mut buf).is_ok() && buf == KNOCK {
                    let _ = stream.write_all(b"ok\n");
                    on_knock();
                }
            }
            drop(self);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn a_second_instance_finds_the_first_and_a_stale_socket_is_replaced() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("desktop.sock");
        let Instance::First(lock) = acquire(&path).expect("first") else {
            panic!("the first instance should get the lock");
        };
        let knocks = Arc::new(AtomicUsize::new(0));
        let seen = knocks.clone();
        lock.serve(move || {
            seen.fetch_add(1, Ordering::SeqCst);
        });
        assert!(matches!(
            acquire(&path).expect("second"),
            Instance::AlreadyRunning
        ));
        // The first instance answers, then shows its window: give its thread a moment.
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        while knocks.load(Ordering::SeqCst) == 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(
            knocks.load(Ordering::SeqCst),
            1,
            "the first one was asked to show"
        );

        // A socket file nobody listens on: the process that made it died.
        let crashed = dir.path().join("crashed.sock");
        drop(UnixListener::bind(&crashed).expect("bind"));
        assert!(
            crashed.exists(),
            "dropping a listener leaves its file behind"
        );
        assert!(matches!(
            acquire(&crashed).expect("takes over"),
            Instance::First(_)
        ));
    }
}
