//! A throwaway PostgreSQL cluster for one test: initdb into a temp dir, pg_ctl start listening
//! only on a unix socket inside that dir, stopped (and deleted) when dropped. Missing binaries
//! fail the test: `apt-get install -y postgresql`.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Postgres {
    _tmp: tempfile::TempDir,
    data: PathBuf,
    socket: PathBuf,
    bin: PathBuf,
    as_user: Option<String>,
    durable: bool,
}

fn find_bin_dir() -> PathBuf {
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    candidates.sort();
    candidates.reverse();
    candidates.push(PathBuf::from("/usr/local/bin"));
    candidates
        .into_iter()
        .find(|d| d.join("initdb").exists() && d.join("pg_ctl").exists())
        .unwrap_or_else(|| {
            panic!("PostgreSQL binaries (initdb, pg_ctl) not found: apt-get install -y postgresql")
        })
}

/// PostgreSQL refuses to run as root; under root the cluster belongs to the `postgres` user.
fn server_user() -> Option<String> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let euid = unsafe { libc::geteuid() };
    (euid == 0).then(|| "postgres".to_string())
}

impl Postgres {
    /// A fast cluster for tests (fsync off: a crash of the machine is not what is tested).
    pub fn start() -> Postgres {
        Postgres::start_with(false)
    }

    /// `durable`: fsync and synchronous commit on, as in production (for benchmarks).
    pub fn start_with(durable: bool) -> Postgres {
        let bin = find_bin_dir();
        let tmp = tempfile::Builder::new()
            .prefix("kbpg")
            .tempdir_in("/tmp")
            .expect("temp dir");
        let data = tmp.path().join("data");
        let socket = tmp.path().join("sock");
        std::fs::create_dir_all(&socket).expect("socket dir");
        let as_user = server_user();
        if let Some(user) = &as_user {
            let status = Command::new("chown")
                .args(["-R", &format!("{user}:{user}")])
                .arg(tmp.path())
                .status()
                .expect("chown runs");
            assert!(status.success(), "chown of the cluster dir to {user}");
        }
        let pg = Postgres {
            _tmp: tmp,
            data,
            socket,
            bin,
            as_user,
            durable,
        };
        let data_arg = pg.data.to_string_lossy().to_string();
        pg.run(
            "initdb",
            &[
                "-D",
                &data_arg,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        pg.start_server();
        pg
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let exe = self.bin.join(tool);
        let mut cmd = match &self.as_user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        let out = cmd
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{} runs: {e}", exe.display()));
        assert!(
            out.status.success(),
            "{tool} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts (or restarts) the server; waits until it accepts connections.
    pub fn start_server(&self) {
        let fsync = if self.durable { "on" } else { "off" };
        let opts = format!(
            "-c listen_addresses='' -k {} -p 5432 -c fsync={fsync} -c synchronous_commit={fsync} -c full_page_writes={fsync} -c max_connections=60",
            self.socket.display()
        );
        let data = self.data.to_string_lossy().to_string();
        let log = self.data.join("server.log").to_string_lossy().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D", &data, "-l", &log, "-w", "-t", "60", "-o", &opts, "start",
            ],
        );
    }

    /// Kills the server as a crash would (`immediate`: no checkpoint, clients cut off).
    pub fn kill_server(&self) {
        let data = self.data.to_string_lossy().to_string();
        self.run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
    }

    pub fn url(&self, dbname: &str) -> String {
        format!(
            "host={} port=5432 user=postgres dbname={dbname}",
            self.socket.display()
        )
    }

    pub fn socket_dir(&self) -> &Path {
        &self.socket
    }

    /// A fresh database on this cluster.
    pub async fn create_database(&self, name: &str) -> String {
        let (client, conn) = tokio_postgres::connect(&self.url("postgres"), tokio_postgres::NoTls)
            .await
            .expect("connects to the test cluster");
        let task = tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("database created");
        drop(client);
        let _ = task.await;
        self.url(name)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.data.to_string_lossy().to_string();
        let exe = self.bin.join("pg_ctl");
        let mut cmd = match &self.as_user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        let _ = cmd
            .args(["-D", &data, "-m", "immediate", "-w", "stop"])
            .output();
    }
}
