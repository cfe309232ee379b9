//! Sessions reach a real Learning Record Store: Ralph, started on a free loopback port. The test
//! syncs with the real binary, reads the statements back from the LRS and checks them; a second
//! sync sends nothing twice; a stopped LRS queues statements and gets them once it is back; a
//! trainer on a fourth machine pulls every machine's sessions back, each replayable, once; a
//! statement the LRS refuses is kept aside with the reason; the password appears nowhere.
//!
//! Ralph comes from `.ci/run` (a virtual environment in `.ci/ralph`), `DEALSIM_RALPH`, or PATH.
//! Without it the test says so and passes, unless `DEALSIM_REQUIRE_LRS=1` (as in CI).

use dealsim::engine::session::Session;
use dealsim::records::store::Store;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

const USER: &str = "trainer";
const PASSWORD: &str = "pa55-Hx7q-lrs";

/// Ralph, or `None` with the test said to be skipped, and why; under `DEALSIM_REQUIRE_LRS=1`
/// (CI) a missing Ralph fails the test instead.
fn ralph_or_skip(test: &str) -> Option<PathBuf> {
    let found = ralph();
    if found.is_none() {
        assert!(
            std::env::var("DEALSIM_REQUIRE_LRS").as_deref() != Ok("1"),
            "DEALSIM_REQUIRE_LRS=1 but Ralph was not found (.ci/ralph, DEALSIM_RALPH or PATH)"
        );
        eprintln!("Ralph is not installed: the {test} test is skipped (see .ci/run)");
    }
    found
}

fn ralph() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("DEALSIM_RALPH") {
        return Some(PathBuf::from(path));
    }
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/ralph/bin/ralph");
    if local.exists() {
        return Some(local);
    }
    let found = Command::new("sh")
        .args(["-c", "command -v ralph"])
        .output()
        .ok()?;
    found
        .status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&found.stdout).trim()))
}

struct Lrs {
    child: Child,
    port: u16,
    ralph: PathBuf,
    dir: PathBuf,
}

impl Lrs {
    fn start(ralph: &Path, dir: &Path, port: u16) -> Lrs {
        let app = dir.join("app");
        let data = dir.join("data");
        std::fs::create_dir_all(&data).unwrap();
        if !app.join("auth.json").exists() {
            let auth = Command::new(ralph)
                .args(["auth", "-u", USER, "-p", PASSWORD, "-s", "all", "-w"])
                .args(["-M", &format!("mailto:{USER}@example.com")])
                .env("RALPH_APP_DIR", &app)
                .env("RALPH_RUNSERVER_BACKEND", "fs")
                .output()
                .unwrap();
            assert!(auth.status.success(), "ralph auth: {auth:?}");
        }
        let log = std::fs::File::create(dir.join(format!("ralph-{port}.log"))).unwrap();
        let child = Command::new(ralph)
            .args([
                "runserver",
                "-b",
                "fs",
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .current_dir(&data)
            .env("RALPH_APP_DIR", &app)
            .env("RALPH_RUNSERVER_BACKEND", "fs")
            // Makes Ralph's file backend append (see tests/lrs/sitecustomize.py).
            .env(
                "PYTHONPATH",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lrs"),
            )
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap();
        let lrs = Lrs {
            child,
            port,
            ralph: ralph.to_path_buf(),
            dir: dir.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if lrs
                .get("/xAPI/statements?limit=1")
                .is_some_and(|(s, _)| s == 200)
            {
                return lrs;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        panic!(
            "Ralph did not answer on port {port} within 90 s; see {}",
            dir.display()
        );
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/xAPI", self.port)
    }

    /// A minimal HTTP GET with Basic credentials; `None` when nothing answers.
    fn get(&self, path: &str) -> Option<(u16, String)> {
        use base64::Engine;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(20)))
            .build()
            .into();
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
        let mut response = agent
            .get(format!("http://127.0.0.1:{}{path}", self.port))
            .header("Authorization", format!("Basic {token}"))
            .header("X-Experience-API-Version", "1.0.3")
            .call()
            .ok()?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .ok()?;
        Some((status, body))
    }

    /// Every statement the LRS holds.
    fn statements(&self) -> Vec<Value> {
        let (status, body) = self
            .get("/xAPI/statements?limit=1000")
            .expect("the LRS answers");
        assert_eq!(status, 200, "{body}");
        let page: Value = serde_json::from_str(&body).unwrap();
        assert!(
            page["more"].as_str().is_none_or(str::is_empty),
            "more than one page of statements"
        );
        page["statements"].as_array().unwrap().clone()
    }

    fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
        // Wait until the port is free again, so a restart can take it.
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn restart(&mut self) {
        let again = Lrs::start(&self.ralph, &self.dir, self.port);
        let old = std::mem::replace(self, again);
        std::mem::forget(old); // already stopped
    }
}

impl Drop for Lrs {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Checks statements against Ralph's strict xAPI 1.0.3 statement model (with Ralph's Python).
fn strictly_valid(ralph: &Path, statements: &[Value]) {
    let python = ralph.with_file_name("python");
    let script = r#"
import json, sys
from ralph.models.xapi.base.statements import BaseXapiStatement
bad = []
for i, s in enumerate(json.load(sys.stdin)):
    try:
        BaseXapiStatement(**s)
    except Exception as e:
        bad.append(f"{i}: {e}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
"#;
    let mut child = Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(statements).unwrap().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "invalid statements:\n{}",
        text(&output)
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn scenario(name: &str) -> dealsim::Scenario {
    let path = format!(
        "{}/scenarios/{name}.scenario.ron",
        env!("CARGO_MANIFEST_DIR")
    );
    dealsim::check_path(Path::new(&path)).scenario.unwrap()
}

/// Plays and records one call; `leave_after` abandons it after that many choices.
fn play(db: &Path, rep: &str, name: &str, seed: u64, leave_after: Option<usize>) {
    let store = Store::open(db).unwrap();
    let scenario = scenario(name);
    let mut session = Session::new(&scenario, seed);
    let mut recording = store.begin(rep, "test", &session).unwrap();
    let mut turn = 0;
    while !session.is_over() {
        if leave_after == Some(turn) {
            session.abandon();
            store.end(&mut recording, &session).unwrap();
            return;
        }
        let offered = session.offered().count();
        session
            .choose_offered((seed as usize + turn) % offered)
            .unwrap();
        store.record_turn(&mut recording, &session, 2_000).unwrap();
        turn += 1;
    }
}

/// Fernway played as the best path plays it, typed into `dealsim play` by choice id.
fn play_textbook_fernway(db: &Path, config: Option<&Path>, args: &[&str]) -> Output {
    let textbook =
        "open/1\ngut-feel/1\nwaste/2\nordering/1\nwaste-cost/1\npayoff/1\nauthority/1\nbudget/1\n";
    let mut command = Command::new(env!("CARGO_BIN_EXE_dealsim"));
    command
        .arg("play")
        .arg(format!(
            "{}/scenarios/fernway-bakery.scenario.ron",
            env!("CARGO_MANIFEST_DIR")
        ))
        .args(args)
        .arg("--db")
        .arg(db);
    if let Some(config) = config {
        command.arg("--config").arg(config);
    }
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(textbook.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn dealsim(args: &[&str], db: &Path, config: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dealsim"))
        .args(args)
        .arg("--db")
        .arg(db)
        .arg("--config")
        .arg(config)
        .env("DEALSIM_TEST_LRS_PASSWORD", PASSWORD)
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn sessions_reach_a_real_lrs_once_each_even_across_an_outage() {
    let Some(ralph) = ralph_or_skip("LRS") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut lrs = Lrs::start(&ralph, dir.path(), port);
    let db = dir.path().join("sessions.db");
    let config = dir.path().join("config.ron");
    std::fs::write(
        &config,
        format!(
            "(lrs: (endpoint: \"{}\", user: \"{USER}\", password_env: \"DEALSIM_TEST_LRS_PASSWORD\"),
              xapi: (base: \"https://acme.example/xapi\", home_page: \"https://acme.example\"))",
            lrs.endpoint()
        ),
    )
    .unwrap();

    play(&db, "Sam Rivera", "harbor-discovery", 1, None);
    play(&db, "Sam Rivera", "orbit-acquisition", 2, None);
    play(&db, "Ana Okafor", "northwind-incumbent", 3, None);
    play(&db, "Ana Okafor", "brightline-whitepaper", 4, Some(2));
    let export = dealsim(&["export", "xapi"], &db, &config);
    assert!(export.status.success(), "{}", text(&export));
    let exported: Vec<Value> = serde_json::from_slice(&export.stdout).unwrap();

    // Ralph's LRS checks statements loosely; its strict xAPI model checks every field.
    strictly_valid(&ralph, &exported);

    // First sync, in small batches: everything arrives.
    let first = dealsim(&["sync", "--batch", "7"], &db, &config);
    assert!(first.status.success(), "{}", text(&first));
    let held = lrs.statements();
    assert_eq!(held.len(), exported.len(), "{}", text(&first));
    let ids: HashSet<&str> = held.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), held.len(), "no statement twice");
    let exported_ids: HashSet<&str> = exported.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids, exported_ids,
        "the LRS holds exactly what export writes"
    );

    // Verbs: one answered per choice, one completed per finished call, passed/failed where
    // there is a pass mark, terminated for the call that was left.
    let store = Store::open(&db).unwrap();
    let rows = store
        .sessions(&Default::default(), Default::default(), false, None)
        .unwrap();
    let verb = |s: &Value| {
        s["verb"]["id"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string()
    };
    let mut verbs: HashMap<String, usize> = HashMap::new();
    for statement in &held {
        *verbs.entry(verb(statement)).or_default() += 1;
    }
    let turns: usize = rows.iter().map(|r| r.turns as usize).sum();
    assert_eq!(verbs["answered"], turns);
    assert_eq!(verbs["completed"], 3);
    assert_eq!(verbs["terminated"], 1);
    let judged = rows
        .iter()
        .filter(|r| r.scores.and_then(|s| s.passed).is_some())
        .count();
    assert_eq!(
        verbs.get("passed").unwrap_or(&0) + verbs.get("failed").unwrap_or(&0),
        judged
    );

    // Each session's statements share its registration, and the scores are the stored ones.
    for row in &rows {
        let mine: Vec<&Value> = held
            .iter()
            .filter(|s| s["context"]["registration"] == row.registration.as_str())
            .collect();
        assert_eq!(
            mine.iter().filter(|s| verb(s) == "answered").count(),
            row.turns as usize
        );
        assert!(
            mine.iter()
                .all(|s| s["actor"]["account"]["name"] == row.rep.as_str())
        );
        assert!(mine.iter().all(|s| {
            s["context"]["extensions"]["https://acme.example/xapi/extensions/seed"]
                == row.seed.to_string().as_str()
        }));
        if let Some(scores) = row.scores {
            let completed = mine.iter().find(|s| verb(s) == "completed").unwrap();
            assert_eq!(completed["result"]["score"]["raw"], scores.overall);
            assert_eq!(
                completed["result"]["score"]["scaled"].as_f64().unwrap(),
                f64::from(scores.overall) / 100.0
            );
            assert_eq!(completed["result"]["success"], row.right_call.unwrap());
            assert_eq!(completed["result"]["completion"], true);
            assert!(
                completed["result"]["duration"]
                    .as_str()
                    .unwrap()
                    .starts_with("PT")
            );
            let dimensions = &completed["result"]["extensions"]["https://acme.example/xapi/extensions/dimensions"];
            assert_eq!(dimensions["discovery"], scores.discovery);
        }
    }

    // A second sync sends nothing: the LRS holds each statement once.
    let second = dealsim(&["sync"], &db, &config);
    assert!(second.status.success(), "{}", text(&second));
    assert!(
        text(&second).contains("Sent 0 statement(s)"),
        "{}",
        text(&second)
    );
    assert_eq!(lrs.statements().len(), exported.len());

    // The LRS goes down: a new session waits in the queue, and the sync says why.
    lrs.stop();
    play(&db, "Sam Rivera", "fernway-bakery", 5, None);
    let offline = dealsim(&["sync"], &db, &config);
    assert_eq!(offline.status.code(), Some(3), "{}", text(&offline));
    assert!(
        text(&offline).contains("cannot be reached"),
        "{}",
        text(&offline)
    );
    let waiting = store.outbox_summary().unwrap().queued;
    assert!(waiting > 0);

    // Back up: the queued statements go, once.
    lrs.restart();
    let back = dealsim(&["sync"], &db, &config);
    assert!(back.status.success(), "{}", text(&back));
    assert_eq!(store.outbox_summary().unwrap().queued, 0);
    let after = lrs.statements();
    assert_eq!(after.len(), exported.len() + waiting as usize);
    let unique: HashSet<&str> = after.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(unique.len(), after.len());

    // The password is in no output and not in the database.
    for output in [&first, &second, &offline, &back] {
        assert!(!text(output).contains(PASSWORD));
    }
    drop(store);
    for file in std::fs::read_dir(dir.path()).unwrap() {
        let path = file.unwrap().path();
        if path.to_string_lossy().contains("sessions.db") {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes
                    .windows(PASSWORD.len())
                    .any(|w| w == PASSWORD.as_bytes()),
                "the password is in {}",
                path.display()
            );
        }
    }

    // A wrong password is reported as such, and nothing is lost.
    play(&db, "Sam Rivera", "cobalt-bank-ciso", 7, None);
    let wrong = Command::new(env!("CARGO_BIN_EXE_dealsim"))
        .args(["sync", "--db"])
        .arg(&db)
        .arg("--config")
        .arg(&config)
        .args([
            "--lrs",
            &lrs.endpoint(),
            "--user",
            USER,
            "--password-env",
            "WRONG_PASSWORD",
        ])
        .env("WRONG_PASSWORD", "not-it")
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(3), "{}", text(&wrong));
    assert!(
        text(&wrong).contains("refused the user name or password"),
        "{}",
        text(&wrong)
    );
    assert!(!text(&wrong).contains("not-it"));
    assert!(Store::open(&db).unwrap().outbox_summary().unwrap().queued > 0);
}

/// A stand-in LRS for what Ralph never does (it checks statements loosely): refuse some. It
/// answers 400 to any request holding a `terminated` statement and 200 otherwise, and counts the
/// statements of every request.
fn refusing_lrs() -> (String, std::sync::mpsc::Receiver<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buffer = [0u8; 65536];
            let body = loop {
                let Ok(n) = stream.read(&mut buffer) else {
                    break None;
                };
                if n == 0 {
                    break None;
                }
                request.extend_from_slice(&buffer[..n]);
                let text = String::from_utf8_lossy(&request).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if body.len() >= length {
                        break Some(body[..length].to_string());
                    }
                }
            };
            let Some(body) = body else { continue };
            // A read (the sync asking for assignments and focus skills) gets an empty page and
            // is not counted among the statements sent.
            if String::from_utf8_lossy(&request).starts_with("GET ") {
                let reply = r#"{"statements":[],"more":""}"#;
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                    reply.len()
                );
                continue;
            }
            let statements: Vec<Value> = serde_json::from_str(&body).unwrap_or_default();
            let verbs: Vec<String> = statements
                .iter()
                .map(|s| {
                    s["verb"]["display"]["en-US"]
                        .as_str()
                        .unwrap_or("")
                        .to_string()
                })
                .collect();
            let refuse = verbs.iter().any(|v| v == "terminated");
            let _ = sender.send(verbs);
            let (status, reply) = if refuse {
                (
                    "400 Bad Request",
                    r#"{"detail":"terminated statements are not accepted here"}"#,
                )
            } else {
                ("200 OK", "[]")
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    (format!("http://127.0.0.1:{port}/xAPI"), receiver)
}

#[test]
fn a_statement_the_lrs_refuses_is_kept_aside_with_its_reason_and_not_retried() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sessions.db");
    let (endpoint, requests) = refusing_lrs();
    let config = dir.path().join("config.ron");
    std::fs::write(
        &config,
        format!("(lrs: (endpoint: \"{endpoint}\", user: \"{USER}\", password_env: \"DEALSIM_TEST_LRS_PASSWORD\"),
                  xapi: (base: \"https://acme.example/xapi\", home_page: \"https://acme.example\"))"),
    )
    .unwrap();
    play(&db, "Sam Rivera", "harbor-discovery", 1, None);
    play(&db, "Ana Okafor", "brightline-whitepaper", 4, Some(2));
    let queued = Store::open(&db).unwrap().outbox_summary().unwrap().queued;

    let first = dealsim(&["sync"], &db, &config);
    assert!(first.status.success(), "{}", text(&first));
    let out = text(&first);
    assert!(out.contains("Rejected"), "{out}");
    assert!(
        out.contains("HTTP 400: {\"detail\":\"terminated statements are not accepted here\"}"),
        "{out}"
    );
    assert!(out.contains("--retry-rejected"), "{out}");
    let summary = Store::open(&db).unwrap().outbox_summary().unwrap();
    assert_eq!(
        summary.rejected.len(),
        1,
        "only the refused statement is set aside"
    );
    assert_eq!(summary.sent, queued - 1);
    assert_eq!(summary.queued, 0);
    // One batch, refused; then each statement alone.
    let sent: Vec<Vec<String>> = requests.try_iter().collect();
    assert_eq!(sent.len(), 1 + queued as usize, "{sent:?}");

    // Not retried by a plain sync; retried on request.
    let again = dealsim(&["sync"], &db, &config);
    assert!(
        text(&again).contains("Sent 0 statement(s)"),
        "{}",
        text(&again)
    );
    assert_eq!(requests.try_iter().count(), 0);
    let retry = dealsim(&["sync", "--retry-rejected"], &db, &config);
    assert!(
        text(&retry).contains("1 rejected statement(s) put back"),
        "{}",
        text(&retry)
    );
    assert_eq!(
        requests.try_iter().count(),
        2,
        "the batch of one, then alone"
    );
    assert!(!text(&retry).contains(PASSWORD));
}

/// A stand-in LRS that answers each request with the next of `answers` (status line, extra
/// headers, body; `{auth}` in a body is replaced by the request's Authorization header, as an
/// LRS that echoes its request would), then 200 to everything. Sends each request's statement
/// count.
fn scripted_lrs(
    answers: Vec<(&'static str, &'static str, &'static str)>,
) -> (String, std::sync::mpsc::Receiver<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut answers = answers.into_iter();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buffer = [0u8; 65536];
            let parts = loop {
                let Ok(n) = stream.read(&mut buffer) else {
                    break None;
                };
                if n == 0 {
                    break None;
                }
                request.extend_from_slice(&buffer[..n]);
                let text = String::from_utf8_lossy(&request).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let header = |name: &str| {
                        head.lines().find_map(|l| {
                            let (key, value) = l.split_once(':')?;
                            key.eq_ignore_ascii_case(name)
                                .then(|| value.trim().to_string())
                        })
                    };
                    let length: usize = header("content-length")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    if body.len() >= length {
                        break Some((
                            header("authorization").unwrap_or_default(),
                            body[..length].to_string(),
                        ));
                    }
                }
            };
            let Some((auth, body)) = parts else { continue };
            let count = serde_json::from_str::<Vec<Value>>(&body).map_or(0, |v| v.len());
            let _ = sender.send(count);
            let (status, headers, reply) = answers.next().unwrap_or(("200 OK", "", "[]"));
            let reply = reply.replace("{auth}", &auth);
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    (format!("http://127.0.0.1:{port}/xAPI"), receiver)
}

fn config_for(dir: &Path, endpoint: &str) -> PathBuf {
    let config = dir.join("config.ron");
    std::fs::write(
        &config,
        format!("(lrs: (endpoint: \"{endpoint}\", user: \"{USER}\", password_env: \"DEALSIM_TEST_LRS_PASSWORD\"),
                  xapi: (base: \"https://acme.example/xapi\", home_page: \"https://acme.example\"))"),
    )
    .unwrap();
    config
}

#[test]
fn an_answer_about_the_whole_request_keeps_the_queue_and_says_what_to_fix() {
    for (answer, expected) in [
        (("404 Not Found", "", "{}"), "check the address"),
        (("408 Request Timeout", "", "{}"), "send smaller batches"),
        (
            ("413 Payload Too Large", "", "{}"),
            "send smaller batches, such as --batch",
        ),
        (
            ("429 Too Many Requests", "Retry-After: 3600\r\n", "{}"),
            "wait 3600 seconds",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("sessions.db");
        let (endpoint, requests) = scripted_lrs(vec![answer]);
        let config = config_for(dir.path(), &endpoint);
        play(&db, "Sam Rivera", "harbor-discovery", 1, None);
        let queued = Store::open(&db).unwrap().outbox_summary().unwrap().queued;
        assert!(queued > 1);

        let out = dealsim(&["sync"], &db, &config);
        assert_eq!(out.status.code(), Some(3), "{}: {}", answer.0, text(&out));
        assert!(
            text(&out).contains(expected),
            "{}: {}",
            answer.0,
            text(&out)
        );
        let summary = Store::open(&db).unwrap().outbox_summary().unwrap();
        assert_eq!(summary.queued, queued, "{}: nothing is lost", answer.0);
        assert!(
            summary.rejected.is_empty(),
            "{}: nothing set aside",
            answer.0
        );
        assert_eq!(
            requests.try_iter().count(),
            1,
            "{}: one request, then it stops",
            answer.0
        );

        // The next sync delivers everything.
        let again = dealsim(&["sync"], &db, &config);
        assert!(again.status.success(), "{}", text(&again));
        assert_eq!(
            Store::open(&db).unwrap().outbox_summary().unwrap().queued,
            0
        );
    }
}

#[test]
fn the_password_and_its_token_never_reach_the_output_or_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sessions.db");
    // An LRS that echoes the request's headers in its refusal.
    let echo = r#"{"error":"bad statement","request":{"Authorization":"{auth}"}}"#;
    let (endpoint, _requests) = scripted_lrs(vec![
        ("400 Bad Request", "", echo),
        ("400 Bad Request", "", echo),
        ("400 Bad Request", "", echo),
    ]);
    let config = config_for(dir.path(), &endpoint);
    play(&db, "Sam Rivera", "harbor-discovery", 1, Some(1));
    let out = dealsim(&["sync", "--batch", "2"], &db, &config);
    let shown = text(&out);
    assert!(shown.contains("Rejected"), "{shown}");
    let token = base64_of(&format!("{USER}:{PASSWORD}"));
    for secret in [PASSWORD, token.as_str()] {
        assert!(
            !shown.contains(secret),
            "the output shows {secret}: {shown}"
        );
        for file in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(file.unwrap().path()).unwrap();
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "a file holds {secret}"
            );
        }
    }

    // The password given where its variable's name goes, and an address with credentials in
    // upper case, are refused without being echoed.
    let wrong = dir.path().join("wrong.ron");
    std::fs::write(
        &wrong,
        format!(
            "(lrs: (endpoint: \"{endpoint}\", user: \"{USER}\", password_env: \"{PASSWORD}\"))"
        ),
    )
    .unwrap();
    let out = dealsim(&["sync"], &db, &wrong);
    assert!(!out.status.success());
    assert!(!text(&out).contains(PASSWORD), "{}", text(&out));
    let with_credentials = format!("HTTP://{USER}:{PASSWORD}@127.0.0.1:9/xAPI");
    let out = dealsim(
        &["sync", "--lrs", &with_credentials, "--user", USER],
        &db,
        &config,
    );
    assert!(!out.status.success());
    assert!(!text(&out).contains(PASSWORD), "{}", text(&out));
}

/// Standard base64, as HTTP Basic authentication encodes `user:password`.
fn base64_of(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The trainer's view of the team: three reps' machines send to the LRS, and a fourth machine
/// with an empty database pulls every session back, each replayable exactly, once.
#[test]
fn a_trainer_pulls_every_machines_sessions_from_the_lrs_once() {
    let Some(ralph) = ralph_or_skip("pull") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let lrs = Lrs::start(&ralph, dir.path(), free_port());
    let config = dir.path().join("config.ron");
    std::fs::write(
        &config,
        format!(
            "(lrs: (endpoint: \"{}\", user: \"{USER}\", password_env: \"DEALSIM_TEST_LRS_PASSWORD\"),
              xapi: (base: \"https://acme.example/xapi\", home_page: \"https://acme.example\"))",
            lrs.endpoint()
        ),
    )
    .unwrap();
    // Each rep's laptop: the calls played there (scenario, seed, left after N choices).
    type Calls<'a> = &'a [(&'a str, u64, Option<usize>)];
    let machines: [(&str, Calls); 3] = [
        (
            "Sam Rivera",
            &[("harbor-discovery", 1, None), ("fernway-bakery", 2, None)],
        ),
        (
            "Ana Okafor",
            &[
                ("northwind-incumbent", 3, None),
                ("brightline-whitepaper", 4, Some(2)),
            ],
        ),
        (
            "Lee Chen",
            &[
                ("cobalt-bank-ciso", 5, None),
                ("orbit-acquisition", 6, None),
            ],
        ),
    ];
    let mut played = Vec::new();
    for (n, (rep, calls)) in machines.iter().enumerate() {
        let db = dir.path().join(format!("laptop-{n}.db"));
        for &(name, seed, leave) in *calls {
            play(&db, rep, name, seed, leave);
        }
        match n {
            // Sam's laptop also has an older revision of a call, which the trainer never had.
            0 => {
                let path = format!(
                    "{}/scenarios/harbor-discovery.scenario.ron",
                    env!("CARGO_MANIFEST_DIR")
                );
                let older = std::fs::read_to_string(path).unwrap().replacen(
                    "Marta Okafor",
                    "Marta Okafor-Lind",
                    1,
                );
                let file = dealsim::SourceFile::from_text(
                    std::path::PathBuf::from("harbor (older)"),
                    older,
                );
                let scenario = dealsim::check_source(&file).scenario.unwrap();
                let store = Store::open(&db).unwrap();
                let mut session = Session::new(&scenario, 11);
                let mut recording = store.begin(rep, "test", &session).unwrap();
                while !session.is_over() {
                    session.choose_offered(0).unwrap();
                    store.record_turn(&mut recording, &session, 1_500).unwrap();
                }
            }
            // Ana's app stopped mid-call two hours ago (a crash): the sync closes it as
            // abandoned and sends it.
            1 => {
                let store = Store::open(&db).unwrap();
                let two_hours_ago = dealsim::records::clock::now_ms() - 2 * 3_600_000;
                let mut session = Session::new(&scenario("fernway-bakery"), 12);
                let mut recording = store
                    .begin_at(rep, "test", &session, two_hours_ago)
                    .unwrap();
                session.choose_offered(0).unwrap();
                store
                    .record_turn_at(&mut recording, &session, 1_500, two_hours_ago + 2_000)
                    .unwrap();
            }
            _ => {}
        }
        let sync = dealsim(&["sync"], &db, &config);
        assert!(sync.status.success(), "{}", text(&sync));
        let rows = dealsim(&["sessions", "--format", "json"], &db, &config);
        let rows: Value = serde_json::from_slice(&rows.stdout).unwrap();
        played.extend(rows.as_array().unwrap().iter().cloned());
    }
    assert!(
        played
            .iter()
            .any(|r| r["status"] == "abandoned" && r["rep"] == "Ana Okafor" && r["turns"] == 1),
        "the interrupted call was closed as abandoned and sent"
    );
    let older_revision = played
        .iter()
        .find(|r| r["seed"] == 11)
        .expect("the older revision's session")["revision"]
        .clone();
    assert_ne!(
        older_revision.as_str(),
        Some(scenario("harbor-discovery").revision.as_str())
    );

    // A pull from an LRS that is down, or that refuses the password, fails clearly and writes
    // nothing.
    let trainer = dir.path().join("trainer.db");
    std::fs::create_dir_all(dir.path().join("down")).unwrap();
    let down = config_for(&dir.path().join("down"), "http://127.0.0.1:9/xAPI");
    let failed = dealsim(&["pull"], &trainer, &down);
    assert!(!failed.status.success());
    assert!(
        text(&failed).contains("cannot be reached"),
        "{}",
        text(&failed)
    );
    let refused = Command::new(env!("CARGO_BIN_EXE_dealsim"))
        .args(["pull", "--db"])
        .arg(&trainer)
        .arg("--config")
        .arg(&config)
        .env("DEALSIM_TEST_LRS_PASSWORD", "wrong-password")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("refused the user name or password"),
        "{}",
        text(&refused)
    );
    assert!(!text(&refused).contains("wrong-password"));
    let rows = dealsim(&["sessions", "--format", "json"], &trainer, &config);
    let rows: Value = serde_json::from_slice(&rows.stdout).unwrap();
    assert_eq!(
        rows.as_array().map_or(0, Vec::len),
        0,
        "nothing half-pulled"
    );
    assert_eq!(played.len(), 8);

    let pull = dealsim(&["pull"], &trainer, &config);
    assert!(pull.status.success(), "{}", text(&pull));
    assert!(
        text(&pull).contains("8 session(s) added, 0 already here"),
        "{}",
        text(&pull)
    );
    let rows = dealsim(&["sessions", "--format", "json"], &trainer, &config);
    let pulled: Value = serde_json::from_slice(&rows.stdout).unwrap();
    let pulled = pulled.as_array().unwrap();
    assert_eq!(pulled.len(), 8, "every session of every machine");
    // The same sessions, with the same scores and outcomes, under the same registrations.
    let key = |row: &Value| {
        (
            row["registration"].as_str().unwrap_or_default().to_string(),
            row["rep"].clone(),
            row["scenario_id"].clone(),
            row["status"].clone(),
            row["outcome"].clone(),
            row["scores"].clone(),
        )
    };
    let mut expected: Vec<_> = played.iter().map(key).collect();
    let mut got: Vec<_> = pulled.iter().map(key).collect();
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(got, expected);
    // Each replays exactly on the trainer's machine, from the revision the LRS carried.
    for row in pulled {
        let id = row["id"].as_i64().unwrap().to_string();
        let replay = dealsim(&["replay", &id], &trainer, &config);
        assert!(replay.status.success(), "{}", text(&replay));
        assert!(!text(&replay).contains("differ"), "{}", text(&replay));
    }
    // Nothing pulled goes back to the LRS, and a second pull adds nothing.
    let sync = dealsim(&["sync"], &trainer, &config);
    assert!(
        text(&sync).contains("Sent 0 statement(s)"),
        "{}",
        text(&sync)
    );
    // The trainer's own queue holds only the trainer's own sessions: none here.
    let outbox = Store::open(&trainer).unwrap().outbox_summary().unwrap();
    assert_eq!((outbox.sent, outbox.queued), (0, 0));
    let again = dealsim(&["pull"], &trainer, &config);
    assert!(again.status.success(), "{}", text(&again));
    assert!(
        text(&again).contains("0 session(s) added"),
        "{}",
        text(&again)
    );
    // A session synced after a pull arrives at the next one.
    let laptop = dir.path().join("laptop-2.db");
    play(&laptop, "Lee Chen", "harbor-discovery", 13, None);
    assert!(dealsim(&["sync"], &laptop, &config).status.success());
    let next = dealsim(&["pull"], &trainer, &config);
    assert!(
        text(&next).contains("1 session(s) added"),
        "{}",
        text(&next)
    );
}

#[test]
fn a_laptop_without_the_companys_settings_says_so_instead_of_sending() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sessions.db");
    play(&db, "Sam Rivera", "harbor-discovery", 1, None);
    let config = dir.path().join("config.ron");
    // An LRS address, but the xAPI identity left at dealsim's placeholders.
    std::fs::write(
        &config,
        "(lrs: (endpoint: \"http://127.0.0.1:9/xAPI\", user: \"u\", password_env: \"DEALSIM_TEST_LRS_PASSWORD\"))",
    )
    .unwrap();
    for command in ["sync", "pull"] {
        let out = dealsim(&[command], &db, &config);
        assert_eq!(out.status.code(), Some(2), "{command}: {}", text(&out));
        assert!(
            text(&out).contains("does not have your company's dealsim settings"),
            "{command}: {}",
            text(&out)
        );
    }
    let store = Store::open(&db).unwrap();
    let outbox = store.outbox_summary().unwrap();
    assert!(outbox.queued > 0, "everything still queued");
    assert_eq!(outbox.sent, 0);
}

#[test]
fn assignments_and_focus_set_by_the_trainer_reach_the_reps_laptop_and_its_status_comes_back() {
    let Some(ralph) = ralph_or_skip("assignments") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let lrs = Lrs::start(&ralph, dir.path(), free_port());
    let config = config_for(dir.path(), &lrs.endpoint());
    let laptop = dir.path().join("laptop.db");
    let trainer = dir.path().join("trainer.db");
    let ok = |output: Output| {
        assert!(output.status.success(), "{}", text(&output));
        text(&output)
    };
    // Eve practises once on her laptop; the trainer pulls and so knows her.
    play(&laptop, "Eve Moreau", "harbor-discovery", 1, None);
    ok(dealsim(&["sync"], &laptop, &config));
    ok(dealsim(&["pull"], &trainer, &config));
    // The trainer puts her in a team, sets her focus and assigns a call to the team.
    ok(dealsim(
        &["reps", "team", "eve moreau", "North"],
        &trainer,
        &config,
    ));
    ok(dealsim(
        &["focus", "Eve Moreau", "discovery"],
        &trainer,
        &config,
    ));
    let due = dealsim::records::clock::date(dealsim::records::clock::now_ms() + 3 * 86_400_000);
    let assigned = ok(dealsim(
        &[
            "assign",
            "fernway-bakery",
            "--team",
            "north",
            "--due",
            &due,
            "--score",
            "80",
        ],
        &trainer,
        &config,
    ));
    assert!(assigned.contains("to Eve Moreau"), "{assigned}");
    // What travels is valid xAPI, as Ralph's own model reads it.
    let unsent = Store::open(&trainer).unwrap().unsent_directions().unwrap();
    assert_eq!(unsent.len(), 2);
    let settings = dealsim::records::config::XapiSettings {
        base: "https://acme.example/xapi".into(),
        home_page: "https://acme.example".into(),
        language: "en-US".into(),
    };
    let statements: Vec<Value> = unsent
        .iter()
        .map(|u| dealsim::records::xapi::direction_statement(u, &settings, "trainer"))
        .collect();
    strictly_valid(&ralph, &statements);
    let sent = ok(dealsim(&["sync"], &trainer, &config));
    assert!(sent.contains("2 sent"), "{sent}");
    // Eve's laptop learns of both at its next sync, and never downloads the team's sessions.
    let received = ok(dealsim(&["sync"], &laptop, &config));
    assert!(received.contains("2 received"), "{received}");
    let focus = ok(dealsim(&["focus", "Eve Moreau"], &laptop, &config));
    assert!(focus.contains("Discovery"), "{focus}");
    let mine = ok(dealsim(
        &["assignments", "--rep", "Eve Moreau"],
        &laptop,
        &config,
    ));
    assert!(
        mine.contains("fernway-bakery") && mine.contains("not started"),
        "{mine}"
    );
    // She passes it (90, over the 80 asked) and syncs; the trainer's pull shows it done.
    let played = play_textbook_fernway(&laptop, None, &["--rep", "Eve Moreau", "--seed", "3"]);
    assert!(String::from_utf8_lossy(&played.stdout).contains("Overall: 90/100"));
    let mine = ok(dealsim(
        &["assignments", "--rep", "Eve Moreau"],
        &laptop,
        &config,
    ));
    assert!(mine.contains("fernway-bakery (done)"), "{mine}");
    ok(dealsim(&["sync"], &laptop, &config));
    ok(dealsim(&["pull"], &trainer, &config));
    let status = ok(dealsim(
        &["assignments", "--format", "json"],
        &trainer,
        &config,
    ));
    let status: Value = serde_json::from_str(&status).unwrap();
    assert_eq!(status[0]["reps"][0]["rep"], "Eve Moreau");
    assert_eq!(status[0]["reps"][0]["status"], "done");
    assert_eq!(status[0]["assignment"]["team"], "North");
    // A cancellation travels the same way.
    let id = status[0]["assignment"]["id"].as_str().unwrap()[..8].to_string();
    ok(dealsim(&["assignments", "cancel", &id], &trainer, &config));
    ok(dealsim(&["sync"], &trainer, &config));
    ok(dealsim(&["sync"], &laptop, &config));
    let mine = ok(dealsim(
        &["assignments", "--rep", "Eve Moreau"],
        &laptop,
        &config,
    ));
    assert!(mine.contains("No assignments"), "{mine}");
}

#[test]
fn a_rep_set_up_with_a_login_is_one_rep_on_every_machine_whatever_name_each_shows() {
    let Some(ralph) = ralph_or_skip("identity") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let lrs = Lrs::start(&ralph, dir.path(), free_port());
    // Two machines of one rep, set up with her login, each showing her name its own way.
    for (n, shown) in ["Eve Moreau", "Eve M."].iter().enumerate() {
        let machine = dir.path().join(format!("m{n}"));
        std::fs::create_dir_all(&machine).unwrap();
        let config = machine.join("config.ron");
        std::fs::write(
            &config,
            format!("(lrs: (endpoint: \"{}\", user: \"{USER}\", password_env: \"DEALSIM_TEST_LRS_PASSWORD\"),
                      xapi: (base: \"https://acme.example/xapi\", home_page: \"https://acme.example\"),
                      rep: (name: \"{shown}\", login: \"eve.moreau@acme.example\"))", lrs.endpoint()),
        )
        .unwrap();
        let db = machine.join("laptop.db");
        let seed = format!("{}", n + 1);
        let played = play_textbook_fernway(&db, Some(&config), &["--seed", &seed]);
        assert!(played.status.success());
        // Her statements go under her login.
        let stored = Store::open(&db).unwrap();
        let session = stored.session(1).unwrap();
        assert_eq!(session.row.rep, *shown);
        let settings = dealsim::records::config::XapiSettings {
            base: "https://acme.example/xapi".into(),
            home_page: "https://acme.example".into(),
            language: "en-US".into(),
        };
        let statements = dealsim::records::xapi::statements(&session, &settings);
        assert_eq!(
            statements[0]["actor"]["account"]["name"],
            "eve.moreau@acme.example"
        );
        let sync = dealsim(&["sync"], &db, &config);
        assert!(sync.status.success(), "{}", text(&sync));
    }
    // The trainer sees one rep with both sessions.
    let config = config_for(dir.path(), &lrs.endpoint());
    let trainer = dir.path().join("trainer.db");
    let pull = dealsim(&["pull"], &trainer, &config);
    assert!(
        text(&pull).contains("2 session(s) added"),
        "{}",
        text(&pull)
    );
    let reps = Store::open(&trainer).unwrap().reps().unwrap();
    assert_eq!(
        reps.len(),
        1,
        "one rep, under the name first pulled: {reps:?}"
    );
    let rows = dealsim(&["sessions", "--format", "json"], &trainer, &config);
    let rows: Value = serde_json::from_slice(&rows.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2);
    assert!(rows.as_array().unwrap().iter().all(|r| r["rep"] == reps[0]));
}

/// A campaign run played on a laptop with `dealsim campaign` reaches the trainer through a
/// real LRS: its statements are valid xAPI with the campaign as the parent activity, and the
/// pull rebuilds each call from its carried state, so the trainer sees the same run and scores
/// and replays each call exactly.
#[test]
fn a_campaign_run_travels_through_the_lrs_with_its_carried_state() {
    let Some(ralph) = ralph_or_skip("campaign") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let lrs = Lrs::start(&ralph, dir.path(), free_port());
    let config = dir.path().join("config.ron");
    std::fs::write(
        &config,
        format!(
            "(lrs: (endpoint: \"{}\", user: \"{USER}\", password_env: \"DEALSIM_TEST_LRS_PASSWORD\"),
              xapi: (base: \"https://acme.example/xapi\", home_page: \"https://acme.example\"))",
            lrs.endpoint()
        ),
    )
    .unwrap();
    let laptop = dir.path().join("laptop.db");
    let best = "open/1\nbooking/2\nstaff/1\ncost/1\npayoff/1\nauthority/1\nbudget/1\n\
                open/1\nboard/1\nstakes/1\npayoff/1\nit-needs/1\ncompetition/1\nfunding/1\n\
                open/1\nanchored/2\n";
    let mut child = Command::new(env!("CARGO_BIN_EXE_dealsim"))
        .arg("campaign")
        .arg(format!(
            "{}/scenarios/harbor-deal.campaign.ron",
            env!("CARGO_MANIFEST_DIR")
        ))
        .args(["--rep", "Sam Rivera", "--seed", "7", "--db"])
        .arg(&laptop)
        .arg("--config")
        .arg(&config)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(best.as_bytes())
        .unwrap();
    let played = child.wait_with_output().unwrap();
    assert!(
        text(&played).contains("the deal went the whole way"),
        "{}",
        text(&played)
    );
    let exported = dealsim(&["export", "xapi"], &laptop, &config);
    let statements: Vec<Value> = serde_json::from_slice(&exported.stdout).unwrap();
    strictly_valid(&ralph, &statements);
    assert!(statements.iter().all(|s| {
        s["context"]["contextActivities"]
            .to_string()
            .contains("/campaigns/harbor-deal")
    }));
    let sync = dealsim(&["sync"], &laptop, &config);
    assert!(sync.status.success(), "{}", text(&sync));
    let trainer = dir.path().join("trainer.db");
    let pull = dealsim(&["pull"], &trainer, &config);
    assert!(
        text(&pull).contains("3 session(s) added"),
        "{}",
        text(&pull)
    );
    let runs = |db: &Path| {
        Store::open(db)
            .unwrap()
            .campaign_runs(Some("Sam Rivera"), Some("harbor-deal"))
            .unwrap()
            .into_iter()
            .map(|run| (run.calls(), run.run, run.run_seed))
            .collect::<Vec<_>>()
    };
    let on_trainer = runs(&trainer);
    assert_eq!(on_trainer, runs(&laptop));
    assert_eq!(on_trainer[0].0.len(), 3);
    let rows = dealsim(&["sessions", "--format", "json"], &trainer, &config);
    let rows: Value = serde_json::from_slice(&rows.stdout).unwrap();
    for row in rows.as_array().unwrap() {
        let id = row["id"].as_i64().unwrap().to_string();
        let replay = dealsim(&["replay", &id], &trainer, &config);
        assert!(replay.status.success(), "{}", text(&replay));
        assert!(!text(&replay).contains("differ"), "{}", text(&replay));
    }
}
