//! The hub's optional parts are cargo features (`media`, `audio`, `vision`, all on by default):
//! a hub built with one serves its routes and has its subcommand; built without it, its routes
//! are JSON 404s missing from the OpenAPI document, and `kidyboard` has no such subcommand.

mod common;

use std::process::Command;

use common::TestHub;
use serde_json::Value;

/// Each part: its cargo feature, a route it serves (under `/api/v1`) and its subcommand.
fn parts() -> [(&'static str, bool, &'static str, &'static str); 3] {
    [
        ("media", cfg!(feature = "media"), "/menus/designs", "menu"),
        ("audio", cfg!(feature = "audio"), "/audio/settings", "audio"),
        (
            "vision",
            cfg!(feature = "vision"),
            "/vision/status",
            "vision",
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_part_left_out_has_no_routes_and_no_subcommand() {
    let hub = TestHub::start().await;
    let admin = hub.login("admin").await;
    let doc: Value = reqwest::get(hub.url("/api/v1/openapi.json"))
        .await
        .expect("document")
        .json()
        .await
        .expect("json");
    for (feature, built, path, subcommand) in parts() {
        let answer = admin.get(path).await;
        let documented = doc["paths"].get(format!("/api/v1{path}")).is_some();
        let help = Command::new(env!("CARGO_BIN_EXE_kidyboard"))
            .args([subcommand, "--help"])
            .output()
            .expect("kidyboard runs");
        if built {
            assert_eq!(answer.status, 200, "{feature}: GET {path}: {}", answer.body);
            assert!(documented, "{feature}: {path} is in the document");
            assert!(
                help.status.success(),
                "{feature}: `kidyboard {subcommand}` exists: {}",
                String::from_utf8_lossy(&help.stderr)
            );
        } else {
            assert_eq!(answer.status, 404, "{feature}: GET {path}: {}", answer.body);
            assert_eq!(
                answer.body["error"]["code"], "not_found",
                "{feature}: the usual JSON 404"
            );
            assert!(!documented, "{feature}: {path} is not in the document");
            let stderr = String::from_utf8_lossy(&help.stderr);
            assert!(
                !help.status.success() && stderr.contains("unrecognized subcommand"),
                "{feature}: `kidyboard {subcommand}` does not exist: {stderr}"
            );
        }
    }
}
