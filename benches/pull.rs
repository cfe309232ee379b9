//! dealsim's own cost of a trainer's pull at a company's scale, apart from the LRS's speed: a
//! local server answers the statements API page by page (500 statements, `more` links) with
//! generated sessions (one recorded session of 20 turns, renamed per session: its own
//! registration, statement ids and rep, written ahead by a thread of its own so that making
//! them is not timed), and `xapi::pull` rebuilds each in an empty database.
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

/// The recorded session's statements with what each generated session renames in them.
struct Template {
    texts: Vec<String>,
    registration: String,
    ids: Vec<String>,
}

impl Template {
    fn new(texts: Vec<String>) -> Template {
        let values: Vec<serde_json::Value> = texts
            .iter()
            .map(|t| serde_json::from_str(t).unwrap())
            .collect();
        Template {
            registration: values[0]["context"]["registration"]
                .as_str()
                .unwrap()
                .to_string(),
            ids: values
                .iter()
                .map(|v| v["id"].as_str().unwrap().to_string())
                .collect(),
            texts,
        }
    }

    /// The statements of session `k`: its own registration, statement ids and rep.
    fn session(&self, k: usize) -> impl Iterator<Item = String> + '_ {
        let registration = format!("{:08x}-1111-4111-8111-{:012x}", k, k);
        let rep = format!("\"Rep {}\"", k % 500);
        self.texts.iter().enumerate().map(move |(i, text)| {
            text.replace(&self.registration, &registration)
                .replace(
                    &self.ids[i],
                    &format!("{:08x}-0000-4000-8000-{:012x}", k, i),
                )
                .replace("\"Rep 0\"", &rep)
        })
    }
}

/// Serves `sessions` sessions' statements page by page. A thread of its own writes the pages
/// ahead (a few at a time, so memory stays bounded), so that what is timed is dealsim reading
/// them, not the bench making them: as from an LRS answering from recorded responses.
fn serve(template: Vec<String>, sessions: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let template = Template::new(template);
    let per_session = template.texts.len();
    let total = sessions * per_session;
    let pages = total.div_ceil(PAGE);
    let (ready, next_page) = std::sync::mpsc::sync_channel::<String>(4);
    std::thread::spawn(move || {
        let mut statements = (0..sessions).flat_map(|k| template.session(k).collect::<Vec<_>>());
        for page in 0..pages {
            let items: Vec<String> = statements.by_ref().take(PAGE).collect();
            let more = if page + 1 < pages {
                format!("/xAPI/statements?page={}", page + 1)
            } else {
                String::new()
            };
            let body = format!(
                "{{\"statements\":[{}],\"more\":\"{more}\"}}",
                items.join(",")
            );
            if ready.send(body).is_err() {
                return;
            }
        }
    });
    std::thread::spawn(move || {
        for (expected, stream) in listener.incoming().enumerate() {
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
            assert_eq!(page, expected, "the pull reads the pages in order");
            let body = next_page.recv().unwrap_or_default();
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
