//! `dealsim play` and `dealsim simulate`: a call in the terminal, and many calls at once.

use super::Failure;
use super::records::DbArgs;
use super::tell;
use dealsim::engine::debrief::Debrief;
use dealsim::engine::session::{Entry, PlaytestStart, Session};
use dealsim::records::store::{Recording, Store};
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;

/// Who plays when `--rep` is not given: the last rep of the window, else the login name.
pub(crate) fn default_rep() -> String {
    dealsim::records::profile::Profiles::load(&dealsim::records::profile::default_path())
        .ok()
        .and_then(|p| p.last_rep)
        .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "rep".into())
}

/// Writes the session as it is played; a write that fails is reported once and the call goes
/// on (the rep's practice is not thrown away for a full disk), but the command then ends with
/// exit status 4, and the session is marked abandoned if the database still takes a write.
struct Recorder {
    store: Store,
    recording: Option<Recording>,
    failed: bool,
}

impl Recorder {
    fn step(&mut self, session: &Session, think_ms: u64) {
        if let Some(recording) = &mut self.recording
            && let Err(e) = self.store.record_turn(recording, session, think_ms)
        {
            tell(&format!(
                "dealsim: {e}; the rest of this call is not stored\n"
            ));
            let mut abandoned = session.clone();
            abandoned.abandon();
            let _ = self.store.end(recording, &abandoned);
            self.recording = None;
            self.failed = true;
        }
    }
}

/// Why playing stopped early: the terminal went away (`| head`), or reading or writing failed.
enum Stopped {
    ReaderGone,
    Failed(Failure),
}

/// How a call is shown: to a rep, or to an author testing it.
pub(crate) struct Mode {
    pub show_ids: bool,
    /// Hidden choices are listed with the condition that hides each.
    pub author: bool,
    /// Where a playtest starts, when it does not start at the beginning.
    pub playtest: Option<PlaytestStart>,
}

/// Reads `--from`, `--trust`, `--knows`, `--minutes` and `--chance` into where a playtest starts.
pub(crate) fn playtest_start(
    from: Option<String>,
    trust: Option<u8>,
    knows: Vec<String>,
    minutes: Option<u32>,
    chance: &[String],
) -> Result<Option<PlaytestStart>, Failure> {
    let mut fixed = Vec::new();
    for pair in chance {
        let Some((at, to)) = pair.split_once('=') else {
            return Err(Failure(format!(
                "--chance {pair}: write the chance node and the node its branch leads to, as NODE=TO"
            )));
        };
        fixed.push((at.trim().to_string(), to.trim().to_string()));
    }
    let from = match from {
        Some(node) => node,
        // Fixed chance turns alone: a whole call from the start, with that luck.
        None if !fixed.is_empty() => String::new(),
        None => return Ok(None),
    };
    Ok(Some(PlaytestStart {
        node: from,
        trust,
        knows: knows.into_iter().map(|k| k.trim().to_string()).collect(),
        minutes_left: minutes,
        chance: fixed,
    }))
}

pub(crate) fn run(
    file: &Path,
    seed: Option<u64>,
    rep: Option<String>,
    db: Option<&DbArgs>,
    mode: Mode,
) -> Result<ExitCode, Failure> {
    let scenario = super::load_playable(file)?;
    let seed = seed.unwrap_or_else(dealsim::engine::play::random::fresh_seed);
    let mut session = match &mode.playtest {
        Some(start) => {
            let mut start = start.clone();
            if start.node.is_empty() {
                start.node = scenario.start_id().to_string();
            }
            Session::playtest(&scenario, seed, &start).map_err(Failure)?
        }
        None => Session::new(&scenario, seed),
    };
    play_session(file, &scenario, seed, rep, db, &mode, &mut session)
}

/// Plays a session already started (a call, a playtest, or a campaign's call started from
/// what its run carried in), storing it when `db` is given. The session is left as it ended:
/// over, or abandoned when the rep left or the terminal went away.
pub(crate) fn play_session(
    file: &Path,
    scenario: &dealsim::Scenario,
    seed: u64,
    rep: Option<String>,
    db: Option<&DbArgs>,
    mode: &Mode,
    session: &mut Session,
) -> Result<ExitCode, Failure> {
    let mut recorder = None;
    let rep = match db {
        Some(db) => {
            let (store, config) = db.open()?;
            // A machine set up for one rep plays as that rep's account unless told otherwise.
            let rep = match (rep, &config.rep) {
                (Some(rep), _) => rep,
                (None, Some(identity)) => identity.name.clone(),
                (None, None) => default_rep(),
            };
            if let Some(identity) = &config.rep
                && dealsim::records::store::rep_key(&identity.name)
                    == dealsim::records::store::rep_key(&rep)
            {
                store
                    .set_login(&identity.name, &identity.login)
                    .map_err(|e| Failure(e.to_string()))?;
            }
            let recording = store
                .begin(&rep, "cli", session)
                .map_err(|e| Failure(e.to_string()))?;
            recorder = Some(Recorder {
                store,
                recording: Some(recording),
                failed: false,
            });
            rep
        }
        None => rep.unwrap_or_else(default_rep),
    };
    let outcome = play_loop(scenario, file, &rep, seed, mode, session, &mut recorder);
    if let Err(stopped) = outcome {
        // Whatever stopped the call, it is stored as abandoned, never left `playing`.
        if !session.is_over() {
            session.abandon();
            if let Some(recorder) = &mut recorder {
                recorder.step(session, 0);
            }
        }
        return match stopped {
            Stopped::ReaderGone => Ok(ExitCode::SUCCESS),
            Stopped::Failed(failure) => Err(failure),
        };
    }
    if recorder.as_ref().is_some_and(|r| r.failed) {
        tell("dealsim: the call was played, but it could not all be stored (see above)\n");
        return Ok(ExitCode::from(4));
    }
    Ok(ExitCode::SUCCESS)
}

fn play_loop(
    scenario: &dealsim::Scenario,
    file: &Path,
    rep: &str,
    seed: u64,
    mode: &Mode,
    session: &mut Session,
    recorder: &mut Option<Recorder>,
) -> Result<(), Stopped> {
    let show_ids = mode.show_ids;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut out = std::io::stdout().lock();
    let write = |out: &mut std::io::StdoutLock, text: String| match out.write_all(text.as_bytes()) {
        // The reader went away (`| head`): nothing more to say, and nothing went wrong.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Stopped::ReaderGone),
        result => result
            .map_err(|e| Stopped::Failed(Failure(format!("cannot write to the terminal: {e}")))),
    };
    let buyer = &scenario.buyer;
    write(
        &mut out,
        format!(
            "{}\n{}, {} at {}\n{}\n{}\nType a choice's number (or its id, as `--ids` shows them); q leaves the call.\n",
            scenario.title,
            buyer.name,
            buyer.role,
            buyer.company,
            scenario.brief,
            match &mode.playtest {
                Some(start) => format!(
                    "Playtest from \"{}\" (not stored), seed {seed}.",
                    if start.node.is_empty() {
                        scenario.start_id()
                    } else {
                        &start.node
                    }
                ),
                None if mode.author => format!("Author's playtest (not stored), seed {seed}."),
                None if scenario.campaign.is_some() => format!("Playing as {rep}. Seed {seed}."),
                None => format!(
                    "Playing as {rep}. Seed {seed}: `dealsim play {} --seed {seed}` replays this call.",
                    file.display()
                ),
            }
        ),
    )?;
    let mut shown = 0;
    // The buyer's last line, so that an author sees why the buyer went on where they did.
    let (mut last_buyer_node, mut last_trust) = (String::new(), 0);
    loop {
        // Everything new in the transcript since the last prompt.
        let entries: Vec<Entry> = session.transcript().skip(shown).collect();
        shown += entries.len();
        for entry in entries {
            let text = match entry {
                Entry::Buyer {
                    line,
                    node_id,
                    trust_after,
                } => {
                    let why = if mode.author {
                        dealsim::engine::dot::buyer_branch(scenario, &last_buyer_node, node_id)
                            .map(|why| {
                                format!(
                                    "   ({last_buyer_node} -> {node_id}: {why}; trust was {last_trust})\n"
                                )
                            })
                            .unwrap_or_default()
                    } else {
                        String::new()
                    };
                    last_buyer_node = node_id.to_string();
                    last_trust = trust_after;
                    format!("{why}\n{}: \"{line}\"\n", buyer.name)
                }
                Entry::Revealed { fact } => {
                    format!("   (noted - {}: {})\n", fact.kind.label(), fact.text)
                }
                Entry::Rep { say, .. } => format!("You: \"{say}\"\n"),
                Entry::Chance { .. } => String::new(),
            };
            write(&mut out, text)?;
        }
        if session.is_over() {
            break;
        }
        let offers: Vec<_> = session.offered().collect();
        let mut menu = format!(
            "[{} min left | trust {}]\n",
            session.minutes_left(),
            session.trust()
        );
        for (n, offer) in offers.iter().enumerate() {
            let id = if show_ids {
                scenario
                    .choice_id(session.node_id(), offer.index)
                    .map(|id| format!("  ({id})"))
                    .unwrap_or_default()
            } else {
                String::new()
            };
            menu.push_str(&format!(
                "  {}. [{}] {}{id}\n",
                n + 1,
                offer.move_kind.label(),
                offer.say
            ));
        }
        if mode.author {
            for hidden in dealsim::engine::debrief::hidden_now(session) {
                menu.push_str(&format!(
                    "  -  (hidden) {}  [{}]\n",
                    hidden.say, hidden.because
                ));
            }
        }
        write(&mut out, menu)?;
        let asked = std::time::Instant::now();
        let choice = loop {
            write(&mut out, "> ".into())?;
            let _ = out.flush();
            // Bytes, not a `String`: a line that is not UTF-8 is an answer that matches nothing.
            let mut bytes = Vec::new();
            let read = input
                .read_until(b'\n', &mut bytes)
                .map_err(|e| Stopped::Failed(Failure(format!("cannot read the choice: {e}"))))?;
            let line = String::from_utf8_lossy(&bytes);
            let answer = line.trim();
            if read == 0 || answer.eq_ignore_ascii_case("q") {
                break None;
            }
            match session.offer_for_answer(answer) {
                Some(offer) => break Some(offer.index),
                None => write(
                    &mut out,
                    format!(
                        "Type a number from 1 to {}, or q to leave the call.\n",
                        offers.len()
                    ),
                )?,
            }
        };
        match choice {
            Some(index) => session
                .choose(index)
                .map_err(|e| Stopped::Failed(Failure(e.to_string())))?,
            None => {
                session.abandon();
                write(&mut out, "\nYou left the call.\n".into())?;
            }
        }
        if let Some(recorder) = recorder {
            recorder.step(session, asked.elapsed().as_millis() as u64);
        }
    }
    let stored = recorder
        .as_ref()
        .and_then(|r| r.recording.as_ref())
        .map(|r| r.session_id);
    if mode.playtest.is_some() {
        // The debrief compares a call with the best path from the start; a playtest began
        // elsewhere, so it gets the ending and the scores as counted from where it began.
        let ending = match session.ending() {
            Some(ending) => format!(
                "ended: {}{}",
                ending.outcome.label(),
                if ending.reason == dealsim::EndReason::Abandoned {
                    " (left before the end)"
                } else {
                    ""
                }
            ),
            None => "not ended".into(),
        };
        let scores = session
            .scores()
            .map(|s| {
                format!(
                    "scores from where the playtest began: qualification {}, discovery {}, rapport {}, velocity {}, overall {}",
                    s.qualification, s.discovery, s.rapport, s.velocity, s.overall
                )
            })
            .unwrap_or_else(|| "not scored".into());
        write(
            &mut out,
            format!(
                "\nPlaytest {ending}; trust {}, {} min left; {scores}.\n",
                session.trust(),
                session.minutes_left()
            ),
        )?;
        return Ok(());
    }
    let mut debrief = format!("\n{}", Debrief::of(session).render_text());
    if let Some(id) = stored {
        debrief.push_str(&format!(
            "Stored as session {id}: `dealsim replay {id}` shows it again.\n"
        ));
    }
    write(&mut out, debrief)?;
    Ok(())
}

pub(crate) fn simulate(
    file: &Path,
    settings: &dealsim::engine::simulate::Settings,
    json: bool,
) -> Result<ExitCode, Failure> {
    if settings.runs == 0 {
        return Err(Failure("--runs must be at least 1".into()));
    }
    let scenario = super::load_playable(file)?;
    let summary = dealsim::engine::simulate::simulate(&scenario, settings)
        .map_err(|e| Failure(e.to_string()))?;
    if json {
        let text = serde_json::to_string_pretty(&summary).map_err(|e| Failure(e.to_string()))?;
        super::say(&format!("{text}\n"));
    } else {
        super::say(&format!("{}{}", summary.render_text(), summary.verdict()));
    }
    Ok(ExitCode::SUCCESS)
}
