//! The transports against real endpoints: a TCP listener on 127.0.0.1 standing in for a
//! network printer, a file standing in for a device node, and an `lp` program that keeps what
//! it is given.

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use kidyboard_receipt::escpos::encode;
use kidyboard_receipt::{Printer, PrinterSettings, PrinterTarget, ReceiptHeader};
use serde_json::json;

fn sale() -> serde_json::Value {
    json!({"number": 7, "total_cents": 3500, "change_cents": 0,
           "items": [{"name": "Café", "quantity": 1, "unit_price_cents": 3500, "total_cents": 3500}],
           "payments": [{"method": "card", "amount_cents": 3500}]})
}

fn header() -> ReceiptHeader {
    ReceiptHeader {
        store_name: "Kidyboard".into(),
        ..ReceiptHeader::default()
    }
}

fn printer(target: PrinterTarget, lp: &Path) -> Printer {
    let mut p = Printer::new(PrinterSettings {
        target,
        ..PrinterSettings::default()
    });
    p.lp = lp.to_path_buf();
    p.timeout = Duration::from_secs(2);
    p
}

/// A shell script playing `lp`: it writes its arguments and standard input to files in `dir`.
///
/// The script is written by a child `sh`, never through a file this test process opens: the
/// tests run on parallel threads, and a thread that forks to start an `lp` while another holds
/// a freshly written script open for writing hands that descriptor to its child, whose later
/// `exec` of the script then fails with «Text file busy» (ETXTBSY).
fn recording_lp(dir: &Path, exit_code: i32) -> PathBuf {
    let path = dir.join("lp");
    let script = format!(
        "#!/bin/sh\necho \"$@\" > '{0}/args'\ncat > '{0}/job'\nexit {exit_code}\n",
        dir.display()
    );
    let status = std::process::Command::new("/bin/sh")
        .args([
            "-c",
            "printf '%s' \"$1\" > \"$2\" && chmod 755 \"$2\"",
            "sh",
        ])
        .arg(&script)
        .arg(&path)
        .status()
        .expect("start sh");
    assert!(status.success(), "the lp stand-in is written");
    path
}

#[test]
fn a_network_printer_receives_the_whole_receipt() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let reader = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        let mut got = Vec::new();
        conn.read_to_end(&mut got)
            .expect("read until the printer's job ends");
        got
    });
    let tmp = tempfile::tempdir().expect("tmp");
    let p = printer(
        PrinterTarget::Network { address: addr },
        &tmp.path().join("no-lp"),
    );
    let outcome = p.print_sale(&sale(), &header()).expect("prints");
    let got = reader.join().expect("reader");
    assert_eq!((outcome.via, outcome.fell_back), ("network", false));
    let receipt = kidyboard_receipt::SaleReceipt::from_json(&sale()).expect("sale");
    let expected = encode(&receipt.lines(&header(), 48), &p.settings.escpos);
    assert_eq!(
        got, expected,
        "the printer gets exactly the encoded receipt"
    );
    assert_eq!(outcome.bytes, expected.len());
}

#[test]
fn a_device_file_receives_the_receipt() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dev = tmp.path().join("lp0");
    std::fs::write(&dev, b"").expect("device node stand-in");
    let p = printer(
        PrinterTarget::Device { path: dev.clone() },
        &tmp.path().join("no-lp"),
    );
    let outcome = p.print_sale(&sale(), &header()).expect("prints");
    let written = std::fs::read(&dev).expect("read");
    assert_eq!(outcome.via, "device");
    assert_eq!(
        &written[..2],
        &[0x1B, b'@'],
        "the job starts by initialising the printer"
    );
    assert!(
        written.windows(4).any(|w| w == b"Caf\x82"),
        "é is PC850 0x82 on the paper"
    );
}

#[test]
fn an_unreachable_printer_falls_back_to_the_system_printer_as_text() {
    // A port nobody listens on: bind, note the port, close.
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let tmp = tempfile::tempdir().expect("tmp");
    let lp = recording_lp(tmp.path(), 0);
    let p = printer(
        PrinterTarget::Network {
            address: format!("127.0.0.1:{port}"),
        },
        &lp,
    );
    let outcome = p
        .print_sale(&sale(), &header())
        .expect("the fallback prints");
    assert_eq!((outcome.via, outcome.fell_back), ("system", true));
    let job = std::fs::read_to_string(tmp.path().join("job")).expect("lp got a job");
    assert!(
        job.contains("Café") && job.contains("Tarjeta"),
        "plain UTF-8 text: {job}"
    );
    let args = std::fs::read_to_string(tmp.path().join("args")).expect("args");
    assert_eq!(args.trim(), "-t Kidyboard", "the default queue, not raw");
}

#[test]
fn without_a_fallback_the_printer_error_is_reported() {
    let tmp = tempfile::tempdir().expect("tmp");
    let missing = tmp.path().join("usb-lp-not-plugged");
    let mut p = printer(
        PrinterTarget::Device { path: missing },
        &tmp.path().join("no-lp"),
    );
    p.settings.fallback_to_system = Some(false);
    let err = p
        .print_sale(&sale(), &header())
        .expect_err("nothing to print on");
    assert_eq!(err.code(), "printer_unreachable");
    assert!(
        !tmp.path().join("usb-lp-not-plugged").exists(),
        "a device file is never created"
    );
}

#[test]
fn a_raw_cups_queue_gets_escpos_and_a_refusal_is_reported() {
    let tmp = tempfile::tempdir().expect("tmp");
    let lp = recording_lp(tmp.path(), 0);
    let p = printer(
        PrinterTarget::System {
            queue: Some("termica".into()),
            raw: true,
        },
        &lp,
    );
    p.print_sale(&sale(), &header()).expect("prints");
    let args = std::fs::read_to_string(tmp.path().join("args")).expect("args");
    assert_eq!(args.trim(), "-d termica -o raw -t Kidyboard");
    assert_eq!(
        &std::fs::read(tmp.path().join("job")).expect("job")[..2],
        &[0x1B, b'@']
    );

    let failing = tempfile::tempdir().expect("tmp");
    let lp = recording_lp(failing.path(), 1);
    let p = printer(
        PrinterTarget::System {
            queue: None,
            raw: false,
        },
        &lp,
    );
    assert_eq!(
        p.print_sale(&sale(), &header())
            .expect_err("lp failed")
            .code(),
        "system_printer_failed"
    );
}

#[test]
fn settings_read_from_toml() {
    let text = "paper = \"58\"\ncode_page = \"wpc1252\"\nopen_drawer = true\n\n[target]\nkind = \"network\"\naddress = \"10.0.0.9\"\n";
    let settings: PrinterSettings = toml::from_str(text).expect("settings parse");
    assert_eq!(
        settings.target,
        PrinterTarget::Network {
            address: "10.0.0.9".into()
        }
    );
    assert_eq!(settings.escpos.paper.columns(), 32);
    assert!(
        settings.escpos.open_drawer && settings.escpos.cut,
        "unset options keep their defaults"
    );
}

#[test]
fn encoded_bytes_reach_the_printer_as_they_are_and_a_text_queue_refuses_them() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let reader = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        let mut got = Vec::new();
        conn.read_to_end(&mut got).expect("read");
        got
    });
    let tmp = tempfile::tempdir().expect("tmp");
    let bytes = b"\x1b@COPIA\n\x1dV\x00".to_vec();
    let p = printer(
        PrinterTarget::Network { address: addr },
        &tmp.path().join("no-lp"),
    );
    let outcome = p.print_bytes(&bytes).expect("prints");
    assert_eq!(reader.join().expect("reader"), bytes);
    assert_eq!((outcome.via, outcome.bytes), ("network", bytes.len()));

    let lp = recording_lp(tmp.path(), 0);
    let raw = printer(
        PrinterTarget::System {
            queue: Some("recibos".into()),
            raw: true,
        },
        &lp,
    );
    raw.print_bytes(&bytes).expect("a raw queue takes them");
    assert_eq!(std::fs::read(tmp.path().join("job")).expect("job"), bytes);
    let text = printer(
        PrinterTarget::System {
            queue: None,
            raw: false,
        },
        &lp,
    );
    assert_eq!(
        text.print_bytes(&bytes).expect_err("text queue").code(),
        "system_printer_failed"
    );
    assert_eq!(
        printer(PrinterTarget::None, &lp)
            .print_bytes(&bytes)
            .expect_err("none")
            .code(),
        "no_printer"
    );
}
