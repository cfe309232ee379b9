//! dealsim's own cost of a trainer's pull at a company's scale, apart from the LRS's speed: a
//! local server answers the statements API page by page (500 statements, `more` links) with
//! generated sessions (one recorded session of 20 turns, renamed per session: its own
//! registration, statement ids and rep), and `xapi::pull` rebuilds each in an empty database.
//! Prints sessions per second and the process's peak memory, so runs at two sizes show whether
//! memory grows with the pull.
//!
//!   cargo bench --no-default-features --features records --bench pull
//!   DEALSIM_BENCH_PULL_SESSIONS=100000 cargo bench ... --bench pull

use dealsim::engine::session::Session;
use dealsim::records::config::{LrsConfig, XapiSettings};
use dealsim::records::store::Store;
use dealsim::records::xapi::{Lrs, pull, statements};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::Instant;

const PAGE: usize = 500;

fn settings() -> XapiSettings {
    XapiSettings {
        base: "https://acme.example/xapi".into(),
        home_page: "https://acme.example".into(),
        language: "en-US".into(),
    }
}

/// One finished session's statements as JSON texts, recorded through the real store.
fn template(dir: &Path) -> Vec<String> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/harbor-discovery.scenario.ron");
    let scenario = dealsim::check_path(&path).scenario.unwrap();
    let store = Store::open(&dir.join("laptop.db")).unwrap();
    let mut session = Session::new(&scenario, 7);
    let mut recording = store.begin("Rep 0", "bench", &session).unwrap();
    while !session.is_over() {
        let last = session.offered().count() - 1;
        session.choose_offered(last.min(1)).unwrap();
        store.record_turn(&mut recording, &session, 1_500).unwrap();
    }
    let stored = store.session(recording.session_id).unwrap();
    statements(&stored, &settings())
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// The statements of session `k`: the template with its registration, ids and rep renamed.
fn session_statements(template: &[String], registration: &str, k: usize) -> Vec<String> {
    let old =
        serde_json::from_str::<serde_json::Value>(&template[0]).unwrap()["context"]["registration"]
            .as_str()
            .unwrap()
            .to_string();
    template
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let id = format!("{:08x}-0000-4000-8000-{:012x}", k, i);
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            let old_id = value["id"].as_str().unwrap().to_string();
            text.replace(&old, registration)
                .replace(&old_id, &id)
                .replace("\"Rep 0\"", &format!("\"Rep {}\"", k % 500))
        })
        .collect()
}

/// Serves `sessions` sessions' statements, generated page by page as they are asked for.
fn serve(template: Vec<String>, sessions: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let per_session = template.len();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buffer = [0u8; 8192];
            let n = stream.read(&mut buffer).unwrap_or(0);
            let request = String::from_utf8_lossy(&buffer[..n]).to_string();
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
            let page: usize = path
                .split("page=")
                .nth(1)
                .and_then(|p| p.split('&').next())
                .and_then(|p| p.parse().ok())
                .unwrap_or(0);
            let total = sessions * per_session;
            let (from, to) = ((page * PAGE).min(total), ((page + 1) * PAGE).min(total));
            let mut items = Vec::with_capacity(PAGE);
            let mut k = from / per_session;
            while k * per_session < to {
                let registration = format!("{:08x}-1111-4111-8111-{:012x}", k, k);
                for (i, statement) in session_statements(&template, &registration, k)
                    .into_iter()
                    .enumerate()
                {
                    let at = k * per_session + i;
                    if at >= from && at < to {
                        items.push(statement);
                    }
                }
                k += 1;
            }
            let more = if to < total {
                format!("/xAPI/statements?page={}", page + 1)
            } else {
                String::new()
            };
            let body = format!(
                "{{\"statements\":[{}],\"more\":\"{more}\"}}",
                items.join(",")
            );
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://127.0.0.1:{port}/xAPI")
}

/// The process's peak resident memory, in MB (Linux).
fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let sessions: usize = std::env::var("DEALSIM_BENCH_PULL_SESSIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let template = template(dir.path());
    let statements_each = template.len();
    let endpoint = serve(template, sessions);
    // SAFETY: set before any other thread reads the environment.
    unsafe { std::env::set_var("DEALSIM_BENCH_LRS_PASSWORD", "bench") };
    let lrs = Lrs::from_config(&LrsConfig {
        endpoint,
        user: "bench".into(),
        password_env: "DEALSIM_BENCH_LRS_PASSWORD".into(),
    })
    .unwrap();
    let store = Store::open(&dir.path().join("trainer.db")).unwrap();
    let before = peak_mb();
    let started = Instant::now();
    let report = pull(&store, &settings(), &lrs, &|_| None).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(report.added, sessions, "{:?}", report.left.first());
    println!(
        "pull: {sessions} sessions ({} statements of {statements_each} each) in {seconds:.1} s: {:.0} sessions/s; peak memory {:.0} MB (before the pull {before:.0} MB)",
        report.statements,
        sessions as f64 / seconds,
        peak_mb()
    );
}
