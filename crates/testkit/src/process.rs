//! A server program started for a test: its first line on stdout announces where it listens
//! (`… http://127.0.0.1:PORT`).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Starts `cmd` with stdout piped (stderr dropped), reads the address its first line announces,
/// and keeps draining the rest in a thread so the program never blocks on a full pipe. Answers
/// the process and its base URL (`http://…` or `https://…`).
pub fn spawn_announcing(mut cmd: Command) -> (Child, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server program starts");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    reader.read_line(&mut first).expect("first line");
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
        .unwrap_or_else(|| panic!("the first line should announce the address: {first:?}"))
        .to_string();
    (child, url)
}
