//! Getting a receipt's bytes to the printer. Receipt printers are reached three ways in the
//! stores: on the network (raw TCP port 9100, "JetDirect"), as a device file (USB printer
//! class `/dev/usb/lp0`, or a serial port already set to the printer's speed), or as a CUPS
//! queue. When the configured printer cannot be reached the receipt can go, as plain text, to
//! the system's default printer instead, so the customer still gets one.

use std::io::Write;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::escpos::{self, EscPosOptions};
use crate::layout::{Line, ReceiptHeader, SaleReceipt};
use crate::{ReceiptError, Result};

/// Where this device's receipt printer is.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PrinterTarget {
    /// No receipt printer: receipts go to the system printer if there is one.
    #[default]
    None,
    /// `host:port` of a network printer (port 9100 if left out).
    Network { address: String },
    /// A device file: `/dev/usb/lp0`, `/dev/ttyUSB0`…
    Device { path: PathBuf },
    /// A CUPS queue (the default one when `queue` is absent). `raw` sends ESC/POS as is, for a
    /// queue that is a receipt printer; otherwise the receipt is sent as plain text.
    System {
        queue: Option<String>,
        #[serde(default)]
        raw: bool,
    },
}

/// The `[printer]` part of a device's settings.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct PrinterSettings {
    pub target: PrinterTarget,
    #[serde(flatten)]
    pub escpos: EscPosOptions,
    /// Use the system's default printer when the receipt printer fails.
    pub fallback_to_system: Option<bool>,
}

impl PrinterSettings {
    fn falls_back(&self) -> bool {
        self.fallback_to_system.unwrap_or(true)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrintOutcome {
    /// "network", "device" or "system".
    pub via: &'static str,
    /// The configured printer failed and the system printer took the receipt.
    pub fell_back: bool,
    pub bytes: usize,
}

/// Sends receipts according to the settings. `lp` is the CUPS client to use (normally `lp`).
pub struct Printer {
    pub settings: PrinterSettings,
    pub lp: PathBuf,
    pub timeout: Duration,
}

impl Printer {
    pub fn new(settings: PrinterSettings) -> Printer {
        Printer {
            settings,
            lp: PathBuf::from("lp"),
            timeout: Duration::from_secs(4),
        }
    }

    /// Lays out, encodes and prints a sale as the hub returned it.
    pub fn print_sale(
        &self,
        sale: &serde_json::Value,
        header: &ReceiptHeader,
    ) -> Result<PrintOutcome> {
        let sale = SaleReceipt::from_json(sale)?;
        let lines = sale.lines(header, self.settings.escpos.paper.columns());
        self.print_lines(&lines)
    }

    pub fn print_lines(&self, lines: &[Line]) -> Result<PrintOutcome> {
        let bytes = escpos::encode(lines, &self.settings.escpos);
        let text = || escpos::plain_text(lines, self.settings.escpos.paper.columns());
        let first = match &self.settings.target {
            PrinterTarget::None => Err(ReceiptError::NoPrinter),
            PrinterTarget::Network { address } => {
                send_tcp(address, &bytes, self.timeout).map(|()| ("network", bytes.len()))
            }
            PrinterTarget::Device { path } => {
                send_device(path, &bytes).map(|()| ("device", bytes.len()))
            }
            PrinterTarget::System { queue, raw } => {
                let data = if *raw {
                    bytes.clone()
                } else {
                    text().into_bytes()
                };
                send_lp(&self.lp, queue.as_deref(), *raw, &data).map(|()| ("system", data.len()))
            }
        };
        match first {
            Ok((via, bytes)) => Ok(PrintOutcome {
                via,
                fell_back: false,
                bytes,
            }),
            Err(e) if self.settings.falls_back() && !self.is_system() => {
                let data = text().into_bytes();
                send_lp(&self.lp, None, false, &data).map_err(|fallback| {
                    log_fallback_failure(&e, &fallback);
                    e
                })?;
                Ok(PrintOutcome {
                    via: "system",
                    fell_back: true,
                    bytes: data.len(),
                })
            }
            Err(e) => Err(e),
        }
    }

    /// Sends bytes already encoded as ESC/POS (the hub's `format=escpos` copy) to the receipt
    /// printer as they are. A system queue that prints text, or no printer at all, is refused
    /// (the page then shows the text copy instead): ESC/POS is no text.
    pub fn print_bytes(&self, bytes: &[u8]) -> Result<PrintOutcome> {
        let via = match &self.settings.target {
            PrinterTarget::None => return Err(ReceiptError::NoPrinter),
            PrinterTarget::Network { address } => {
                send_tcp(address, bytes, self.timeout)?;
                "network"
            }
            PrinterTarget::Device { path } => {
                send_device(path, bytes)?;
                "device"
            }
            PrinterTarget::System { queue, raw: true } => {
                send_lp(&self.lp, queue.as_deref(), true, bytes)?;
                "system"
            }
            PrinterTarget::System { raw: false, .. } => {
                return Err(ReceiptError::System(
                    "la impresora del sistema imprime texto, no ESC/POS (raw = false)".into(),
                ))
            }
        };
        Ok(PrintOutcome {
            via,
            fell_back: false,
            bytes: bytes.len(),
        })
    }

    fn is_system(&self) -> bool {
        matches!(self.settings.target, PrinterTarget::System { .. })
    }
}

/// The first error is what the user needs to see; the fallback's goes to stderr for the logs.
fn log_fallback_failure(first: &ReceiptError, fallback: &ReceiptError) {
    eprintln!("receipt: {first}; the system printer fallback failed too: {fallback}");
}

fn resolve(address: &str) -> std::io::Result<SocketAddr> {
    let with_port = if address
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        address.to_string()
    } else {
        format!("{address}:9100")
    };
    with_port.to_socket_addrs()?.next().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::NotFound, "the address did not resolve")
    })
}

/// Raw TCP (port 9100): connect, write, and close our side so the printer knows the job ended.
pub fn send_tcp(address: &str, bytes: &[u8], timeout: Duration) -> Result<()> {
    let io = |source| ReceiptError::Io {
        target: address.to_string(),
        source,
    };
    let addr = resolve(address).map_err(io)?;
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(io)?;
    stream.set_write_timeout(Some(timeout)).map_err(io)?;
    stream.write_all(bytes).map_err(io)?;
    stream.flush().map_err(io)?;
    stream.shutdown(std::net::Shutdown::Write).map_err(io)?;
    Ok(())
}

/// Writes to a printer's device file (it must exist: we never create one).
pub fn send_device(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |source| ReceiptError::Io {
        target: path.display().to_string(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .truncate(false)
        .open(path)
        .map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.flush().map_err(io)
}

/// Hands the job to CUPS through `lp`, data on standard input.
pub fn send_lp(lp: &Path, queue: Option<&str>, raw: bool, data: &[u8]) -> Result<()> {
    let mut cmd = Command::new(lp);
    if let Some(q) = queue {
        cmd.arg("-d").arg(q);
    }
    if raw {
        cmd.arg("-o").arg("raw");
    }
    cmd.args(["-t", "Kidyboard"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| ReceiptError::System(format!("{} could not be started: {e}", lp.display())))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(data)
            .map_err(|e| ReceiptError::System(e.to_string()))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| ReceiptError::System(e.to_string()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(ReceiptError::System(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ))
    }
}
