//! HTTPS on the store's network. A tablet or TV installs the web app (full screen, kept awake)
//! only from a secure origin, and a hub on the LAN has no public name for a public certificate.
//! So the store gets its own certificate authority: `kidyboard tls init` makes it once (kept in
//! `<data-dir>/tls/`) and a certificate for the hub's names and addresses signed by it; each
//! device trusts the authority once (downloaded from `/ca.crt`), and the hub serves HTTPS with
//! its certificate from then on. Running it again with other names re-issues the hub's
//! certificate under the same authority, so the devices keep trusting it.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};

/// Where the store's authority and the hub's certificate live.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("tls")
}

pub fn ca_cert_path(data_dir: &Path) -> PathBuf {
    dir(data_dir).join("ca.crt")
}

/// The hub's certificate and key, when `tls init` made them.
pub fn hub_files(data_dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let (cert, key) = (dir(data_dir).join("hub.crt"), dir(data_dir).join("hub.key"));
    (cert.is_file() && key.is_file()).then_some((cert, key))
}

/// What `init` made.
#[derive(Debug)]
pub struct Issued {
    pub ca_cert: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
    pub names: Vec<String>,
    /// True when the authority was made now (devices must trust it); false when an existing one
    /// signed the new certificate.
    pub new_authority: bool,
}

/// Days a hub certificate is valid: browsers accept at most 398 for server certificates.
const VALID_DAYS: i64 = 397;

/// Makes (or reuses) the store's authority and issues the hub's certificate for `names`
/// (host names and IP addresses; `localhost` and 127.0.0.1 are always included).
pub fn init(data_dir: &Path, names: &[String], store_name: &str) -> anyhow::Result<Issued> {
    let dir = dir(data_dir);
    kidyboard_core::store::make_private_dir(&dir)?;
    let (ca_cert, ca_key) = (dir.join("ca.crt"), dir.join("ca.key"));
    let mut all: Vec<String> = vec!["localhost".into(), "127.0.0.1".into()];
    for n in names {
        let n = n.trim().trim_end_matches('.').to_ascii_lowercase();
        let ok = n.parse::<IpAddr>().is_ok()
            || (!n.is_empty()
                && n.len() <= 253
                && n.split('.').all(|l| {
                    !l.is_empty()
                        && l.len() <= 63
                        && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                }));
        if !ok {
            anyhow::bail!("«{n}» no es un nombre de equipo ni una dirección IP");
        }
        if !all.contains(&n) {
            all.push(n);
        }
    }
    let ca_name_file = dir.join("ca.name");
    let new_authority = !(ca_cert.is_file() && ca_key.is_file() && ca_name_file.is_file());
    let (ca_pem, ca_key_pair, ca_name) = if new_authority {
        let key = KeyPair::generate().context("authority key")?;
        let name = format!("Kidyboard {store_name}");
        (None, key, name)
    } else {
        let pem = std::fs::read_to_string(&ca_cert)?;
        let key = KeyPair::from_pem(&std::fs::read_to_string(&ca_key)?)
            .context("the authority's key in tls/ca.key")?;
        (Some(pem), key, std::fs::read_to_string(&ca_name_file)?)
    };
    // The authority as an issuer: its name and key (the same bytes each time, so a certificate
    // issued later chains to the one the devices already trust).
    let authority = authority_params(&ca_name)?.self_signed(&ca_key_pair)?;
    let ca_pem = match ca_pem {
        Some(pem) => pem,
        None => {
            write_private(&ca_key, &ca_key_pair.serialize_pem())?;
            std::fs::write(&ca_name_file, &ca_name)?;
            std::fs::write(&ca_cert, authority.pem())?;
            authority.pem()
        }
    };
    let mut params = CertificateParams::new(all.clone())?;
    params
        .distinguished_name
        .push(DnType::CommonName, format!("Kidyboard hub · {store_name}"));
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    let now = chrono::Utc::now();
    let start = now - chrono::Duration::days(1);
    let end = now + chrono::Duration::days(VALID_DAYS - 1);
    use chrono::Datelike;
    params.not_before = rcgen::date_time_ymd(start.year(), start.month() as u8, start.day() as u8);
    params.not_after = rcgen::date_time_ymd(end.year(), end.month() as u8, end.day() as u8);
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &authority, &ca_key_pair)?;
    let (cert_path, key_path) = (dir.join("hub.crt"), dir.join("hub.key"));
    write_private(&key_path, &key.serialize_pem())?;
    // The chain a browser needs: the hub's certificate, then the authority's.
    std::fs::write(&cert_path, format!("{}{}", cert.pem(), ca_pem))?;
    Ok(Issued {
        ca_cert,
        cert: cert_path,
        key: key_path,
        names: all,
        new_authority,
    })
}

fn authority_params(name: &str) -> anyhow::Result<CertificateParams> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.distinguished_name.push(DnType::CommonName, name);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Kidyboard (esta tienda)");
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    // Long-lived: devices trust it once.
    params.not_before = rcgen::date_time_ymd(2025, 1, 1);
    params.not_after = rcgen::date_time_ymd(2045, 1, 1);
    Ok(params)
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("{}", path.display()))?;
    f.write_all(text.as_bytes())?;
    Ok(())
}
