//! Command-line parsing: arguments are read into a raw form by clap, then each subcommand turns
//! them into settings and runs. Errors reach the user as one clear sentence and exit status 2;
//! a check that finds problems exits 1.

mod assign;
mod campaign;
mod check;
mod new;
mod play;
mod records;
mod test;

use records::{DbArgs, FilterArgs, TableFormat};

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "dealsim",
    version,
    about = "A flight simulator for sales calls.",
    long_about = "A flight simulator for sales calls. With no command, opens the game window."
)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    window: WindowArgs,
}

/// Settings of the game window (used when no command is given).
#[derive(clap::Args, Debug)]
struct WindowArgs {
    /// The folder of scenarios to offer (default: this machine's copy of the team's library
    /// when the settings name one, else `scenarios`).
    #[arg(long)]
    scenarios: Option<PathBuf>,
    /// The folder of portraits and other assets.
    #[arg(long, default_value = "assets")]
    assets: PathBuf,
    /// The file that remembers reps and their scores (default: the platform's data folder).
    #[arg(long)]
    profiles: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
    /// The scripted demo (built with the `dev` feature only).
    #[cfg(feature = "dev")]
    #[command(flatten)]
    demo: DemoArgs,
}

/// The scripted demo that drives the real window and saves a screenshot of each screen: a tool
/// for building dealsim (feature `dev`), so it is not in a rep's `--help`.
#[cfg(feature = "dev")]
#[derive(clap::Args, Debug)]
struct DemoArgs {
    /// Scripted run: play this scenario id, save a screenshot of each screen, and exit.
    #[arg(long, value_name = "SCENARIO_ID")]
    demo: Option<String>,
    /// With --demo: the choices to make, as typed in `dealsim play`: numbers as shown or choice
    /// ids such as `open/2`, comma-separated.
    #[arg(long, value_delimiter = ',', requires = "demo")]
    choices: Vec<String>,
    /// With --demo: where to save the screenshots.
    #[arg(long, default_value = "screenshots", requires = "demo")]
    screenshot_dir: PathBuf,
    /// With --demo: the seed of the call.
    #[arg(long, default_value_t = 1, requires = "demo")]
    demo_seed: u64,
    /// With --demo: the rep's name.
    #[arg(long, default_value = "Sam Rivera", requires = "demo")]
    rep: String,
    /// With --demo: the window's size in pixels, as WIDTHxHEIGHT (default 1280x720).
    #[arg(long, requires = "demo", value_parser = parse_size)]
    demo_size: Option<(u32, u32)>,
}

/// `1920x1080` as a width and a height.
#[cfg(feature = "dev")]
fn parse_size(text: &str) -> Result<(u32, u32), String> {
    let (w, h) = text
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("{text}: write the size as WIDTHxHEIGHT, such as 1920x1080"))?;
    let number = |n: &str| {
        n.trim()
            .parse::<u32>()
            .map_err(|_| format!("{text}: write the size as WIDTHxHEIGHT, such as 1920x1080"))
    };
    Ok((number(w)?, number(h)?))
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check scenario files (or folders of them) and report every problem, as a compiler would.
    Check {
        /// Files or folders; folders are searched for *.scenario.ron.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Colour the output: auto (when a terminal), always or never.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// Text for people, or JSON for a scenario repository's CI.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Run the tests written beside calls (NAME.tests.ron next to NAME.scenario.ron), with
    /// coverage: which nodes and choices the tests, best play and random play reach.
    Test {
        /// Folders (searched for *.tests.ron), tests files, or scenario files.
        #[arg(default_value = "scenarios")]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// Text for people, or JSON for a scenario repository's CI.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Start a new scenario from a short, valid, commented call:
    /// `dealsim new "Acme renewal"` writes scenarios/acme-renewal.scenario.ron.
    New {
        /// The call's name (it becomes the id), or a path ending in .scenario.ron.
        name: String,
        /// The folder to write it in (default: scenarios/ when there is one, else here).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Draw a call as a map, left to right from the start, with best play highlighted:
    /// `--format html > call.html` (no Graphviz needed), svg, or dot (`| dot -Tsvg`).
    Graph {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = check::GraphFormat::Dot)]
        format: check::GraphFormat,
    },
    /// Play a call in the terminal: numbered choices are read from standard input.
    Play {
        file: PathBuf,
        /// Seed for the buyer's chance turns; the same seed and choices replay exactly.
        #[arg(long)]
        seed: Option<u64>,
        /// Who is playing: the session is stored under this name (default: the last rep to
        /// play in the window, else the login name).
        #[arg(long)]
        rep: Option<String>,
        /// Play without storing the session.
        #[arg(long)]
        no_record: bool,
        /// Show each choice's stable id (such as `open/2`) in the menu; an id typed instead of
        /// a number picks that choice, whatever order the seed shows the choices in.
        #[arg(long)]
        ids: bool,
        /// Playtest from this node instead of the start (never stored; ids and hidden choices
        /// shown, as with --author).
        #[arg(long, value_name = "NODE")]
        from: Option<String>,
        /// With --from: the buyer's trust on arriving (default: the starting trust).
        #[arg(long, requires = "from", value_parser = clap::value_parser!(u8).range(0..=100))]
        trust: Option<u8>,
        /// With --from: facts already known, comma-separated fact ids.
        #[arg(
            long,
            requires = "from",
            value_delimiter = ',',
            value_name = "FACT,..."
        )]
        knows: Vec<String>,
        /// With --from: minutes left on arriving (default: the call's minutes).
        #[arg(long, requires = "from", value_parser = clap::value_parser!(u32).range(1..=600))]
        minutes: Option<u32>,
        /// Fix a chance turn: NODE=TO takes the branch of NODE that leads to TO (repeatable).
        #[arg(long, value_name = "NODE=TO")]
        chance: Vec<String>,
        /// Author mode: show choice ids, and the hidden choices with the condition that hides
        /// each. An author's playtest is not stored.
        #[arg(long)]
        author: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Play a campaign (NAME.campaign.ron): its calls in order, each starting with what the
    /// earlier ones carried in. Your latest unfinished run goes on where it stopped.
    Campaign {
        file: PathBuf,
        /// Start a new run with this seed (its calls' seeds and what happens between them).
        #[arg(long)]
        seed: Option<u64>,
        /// Who is playing (as for `play`).
        #[arg(long)]
        rep: Option<String>,
        /// Start a new run even if one is not over.
        #[arg(long)]
        new: bool,
        /// Play without storing the calls (the run cannot be picked up later).
        #[arg(long)]
        no_record: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Every rep's campaign runs, latest first: the calls each run played, where it stands (the
    /// call up next, or what the run came to) and the campaign's score.
    Runs {
        #[arg(long)]
        rep: Option<String>,
        /// Only this campaign's runs (its id).
        #[arg(long)]
        campaign: Option<String>,
        /// Where the campaign files are, to say where each run stands.
        #[arg(long, default_value = "scenarios")]
        scenarios: PathBuf,
        #[arg(long, value_enum, default_value_t = TableFormat::Table)]
        format: TableFormat,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List stored sessions, newest first.
    Sessions {
        #[command(flatten)]
        filters: FilterArgs,
        /// At most this many.
        #[arg(long)]
        limit: Option<u32>,
        #[arg(long, value_enum, default_value_t = TableFormat::Table)]
        format: TableFormat,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Per rep and dimension: sessions, mean, best, latest and trend.
    Report {
        #[command(flatten)]
        filters: FilterArgs,
        #[arg(long, value_enum, default_value_t = TableFormat::Table)]
        format: TableFormat,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Show a stored session exactly as it was played, with its debrief.
    Replay {
        /// The session's id (the first column of `dealsim sessions`).
        session_id: i64,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Show or set a rep's focus skills for the month (one or two dimensions), as the trainer's
    /// screen does: `dealsim focus "Sam Rivera" discovery velocity`.
    Focus {
        rep: String,
        /// One or two of: qualification, discovery, rapport, velocity. None shows the current.
        #[arg(value_enum, num_args = 0..=2)]
        dimensions: Vec<DimensionArg>,
        /// Clear the rep's focus skills.
        #[arg(long, conflicts_with = "dimensions")]
        clear: bool,
        /// Set the focus of a rep who has no sessions here yet (otherwise a name that matches
        /// nobody is refused, so a typo does not create a rep).
        #[arg(long)]
        new: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// A rep's brief for a 1:1: practice, skills against their ceilings, focus before and
    /// after, recognitions, the moves that cost them most and the facts they miss.
    Brief {
        rep: String,
        /// From this date (YYYY-MM-DD, UTC; default: every session).
        #[arg(long, value_parser = records::parse_date)]
        since: Option<i64>,
        /// Until this date, not included.
        #[arg(long, value_parser = records::parse_date)]
        until: Option<i64>,
        #[arg(long, value_enum, default_value_t = BriefFormat::Text)]
        format: BriefFormat,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Where the team loses the most points on a call, node by node, and what the top quartile
    /// of sessions chooses there.
    Insight {
        /// The scenario's id.
        scenario: String,
        #[arg(long, value_parser = records::parse_date)]
        since: Option<i64>,
        #[arg(long, value_parser = records::parse_date)]
        until: Option<i64>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Assign scenarios to reps or a team, with a due date and a required score: `dealsim assign
    /// fernway-bakery --rep "Eve Moreau" --due 2026-12-04 --score 75`. It reaches the reps' apps
    /// through the LRS at the next `dealsim sync`.
    Assign {
        /// Scenario ids, each to be passed; a campaign's id assigns each of its calls.
        #[arg(required = true)]
        scenarios: Vec<String>,
        /// A rep it is for (give --rep again for more).
        #[arg(long, required_unless_present = "team", conflicts_with = "team")]
        rep: Vec<String>,
        /// A team it is for: every member (`dealsim reps team`).
        #[arg(long)]
        team: Option<String>,
        /// When it is due: YYYY-MM-DD (the end of that day, UTC) or a time.
        #[arg(long, value_parser = assign::parse_due)]
        due: i64,
        /// The overall score a right call must reach (default: the scenario's pass mark).
        #[arg(long, value_parser = clap::value_parser!(u8).range(0..=100))]
        score: Option<u8>,
        /// The scenarios folder the ids are checked against.
        #[arg(long, default_value = "scenarios")]
        scenarios_folder: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Every assignment and where each rep stands: not started, in progress, not passed, past
    /// due, done. `dealsim assignments cancel ID` cancels one.
    Assignments {
        #[command(subcommand)]
        what: Option<AssignmentsCommand>,
        /// Only this rep's assignments.
        #[arg(long)]
        rep: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Bring this machine's copy of the team's library up to date from where the managers
    /// publish it (the settings' `library`): every file is checked first, and a broken or
    /// unreachable one keeps its last good copy.
    Library {
        #[command(flatten)]
        db: DbArgs,
    },
    /// The reps on record; `dealsim reps merge "Eve Moreu" "Eve Moreau"` makes two names one rep.
    Reps {
        #[command(subcommand)]
        what: Option<RepsCommand>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Look after the session database: `dealsim db check` reads all of it for damage.
    Db {
        #[command(subcommand)]
        what: DbCommand,
    },
    /// Write stored sessions in another format.
    Export {
        #[command(subcommand)]
        what: ExportKind,
    },
    /// Send the sessions not yet sent to a Learning Record Store (xAPI).
    Sync {
        /// The LRS's xAPI endpoint (default: the settings file's `lrs`).
        #[arg(long, value_name = "URL")]
        lrs: Option<String>,
        #[arg(long)]
        user: Option<String>,
        /// The environment variable that holds the password.
        #[arg(long, value_name = "VAR")]
        password_env: Option<String>,
        /// Statements per request.
        #[arg(long, default_value_t = 100)]
        batch: u32,
        /// Put statements the LRS rejected back in the queue first.
        #[arg(long)]
        retry_rejected: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Read every session the team sent to the LRS and rebuild it here, for the trainer: a
    /// second pull adds nothing, and an interrupted one carries on.
    Pull {
        /// The LRS's xAPI endpoint (default: the settings file's `lrs`).
        #[arg(long, value_name = "URL")]
        lrs: Option<String>,
        #[arg(long)]
        user: Option<String>,
        /// The environment variable that holds the password.
        #[arg(long, value_name = "VAR")]
        password_env: Option<String>,
        /// This machine's scenarios, for sessions whose statements do not carry their scenario's
        /// text (sent by an older dealsim).
        #[arg(long, default_value = "scenarios")]
        scenarios: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Play many sessions to see how hard a call is.
    Simulate {
        file: PathBuf,
        /// How many sessions to play.
        #[arg(long, default_value_t = 10_000)]
        runs: u64,
        #[arg(long, value_enum, default_value_t = PolicyArg::Random)]
        policy: PolicyArg,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Worker threads (default: one per core).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Subcommand, Debug)]
enum RepsCommand {
    /// Moves every session and the focus of FROM to INTO (the same person under two names);
    /// FROM's name stays with INTO, also for sessions pulled from the LRS later.
    Merge {
        from: String,
        into: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Puts a rep in a team (one team per rep; "" takes them out): assignments can be set for a
    /// team, and `sessions`/`report --team` show its members.
    Team {
        rep: String,
        team: String,
        /// Add a rep who has not played yet.
        #[arg(long)]
        new: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
enum AssignmentsCommand {
    /// Cancel an assignment (by the id `dealsim assignments` shows, or its first characters).
    Cancel {
        id: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
enum DbCommand {
    /// Read the whole database for damage now (it is also checked when first opened by this
    /// build, and weekly); exit 1 when it is damaged.
    Check {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
enum ExportKind {
    /// xAPI 1.0.3 statements as a JSON array (`> statements.json`).
    Xapi {
        #[command(flatten)]
        filters: FilterArgs,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DimensionArg {
    Qualification,
    Discovery,
    Rapport,
    Velocity,
}

impl DimensionArg {
    pub(crate) fn dimension(self) -> dealsim::Dimension {
        match self {
            DimensionArg::Qualification => dealsim::Dimension::Qualification,
            DimensionArg::Discovery => dealsim::Dimension::Discovery,
            DimensionArg::Rapport => dealsim::Dimension::Rapport,
            DimensionArg::Velocity => dealsim::Dimension::Velocity,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum PolicyArg {
    Random,
    Best,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BriefFormat {
    Text,
    Html,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

/// Writes to standard output; when the reader has gone away (`| head`), stops quietly, as
/// command-line tools do, instead of panicking.
pub(crate) fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(error) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        tell(&format!("dealsim: cannot write the output: {error}\n"));
        std::process::exit(2);
    }
}

/// Writes to standard error, ignoring a closed or full one (`eprintln!` would panic): the exit
/// status still says what happened.
pub(crate) fn tell(text: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// A failure to report to the user: one sentence, exit status 2.
#[derive(Debug)]
pub(crate) struct Failure(pub String);

pub fn main() -> ExitCode {
    let args = Args::parse();
    let Some(command) = args.command else {
        return window(args.window);
    };
    let result = match command {
        Command::Check {
            paths,
            color,
            format,
        } => Ok(check::run(&paths, color, format == Format::Json)),
        Command::Graph { file, format } => check::graph(&file, format),
        Command::Test {
            paths,
            color,
            format,
        } => test::run(&paths, color, format == Format::Json),
        Command::New { name, dir } => {
            let dir = dir.unwrap_or_else(|| {
                let shipped = PathBuf::from("scenarios");
                if shipped.is_dir() {
                    shipped
                } else {
                    PathBuf::from(".")
                }
            });
            new::run(&name, &dir)
        }
        Command::Play {
            file,
            seed,
            rep,
            no_record,
            ids,
            from,
            trust,
            knows,
            minutes,
            chance,
            author,
            db,
        } => {
            let playtest = play::playtest_start(from, trust, knows, minutes, &chance);
            match playtest {
                // `play` on a campaign file plays the campaign.
                Ok(None) if dealsim::engine::campaign::is_campaign_path(&file) && !author => {
                    campaign::run(&file, seed, rep, (!no_record).then_some(&db), false)
                }
                Err(failure) => Err(failure),
                Ok(playtest) => {
                    // An author's playtest is never a rep's session.
                    let author = author || playtest.is_some();
                    let store = !(no_record || author);
                    play::run(
                        &file,
                        seed,
                        rep,
                        store.then_some(&db),
                        play::Mode {
                            show_ids: ids || author,
                            author,
                            playtest,
                        },
                    )
                }
            }
        }
        Command::Campaign {
            file,
            seed,
            rep,
            new,
            no_record,
            db,
        } => campaign::run(&file, seed, rep, (!no_record).then_some(&db), new),
        Command::Runs {
            rep,
            campaign,
            scenarios,
            format,
            db,
        } => campaign::runs(&db, rep.as_deref(), campaign.as_deref(), &scenarios, format),
        Command::Sessions {
            filters,
            limit,
            format,
            db,
        } => records::sessions(&db, &filters, limit, format),
        Command::Report {
            filters,
            format,
            db,
        } => records::report(&db, &filters, format),
        Command::Replay {
            session_id,
            format,
            db,
        } => records::replay(&db, session_id, format == Format::Json),
        Command::Export {
            what: ExportKind::Xapi { filters, db },
        } => records::export_xapi(&db, &filters),
        Command::Db {
            what: DbCommand::Check { db },
        } => records::check_database(&db),
        Command::Focus {
            rep,
            dimensions,
            clear,
            new,
            db,
        } => records::focus(&db, &rep, &dimensions, clear, new),
        Command::Brief {
            rep,
            since,
            until,
            format,
            db,
        } => records::brief(&db, &rep, since, until, format),
        Command::Insight {
            scenario,
            since,
            until,
            format,
            db,
        } => records::insight(&db, &scenario, since, until, format == Format::Json),
        Command::Assign {
            scenarios,
            rep,
            team,
            due,
            score,
            scenarios_folder,
            db,
        } => assign::assign(
            &db,
            &campaign::calls_of_campaigns(&scenarios, &scenarios_folder),
            &rep,
            team.as_deref(),
            due,
            score,
            &assign::scenario_ids(&scenarios_folder),
        ),
        Command::Assignments {
            what,
            rep,
            format,
            db,
        } => match what {
            None => assign::list(&db, rep.as_deref(), format == Format::Json),
            Some(AssignmentsCommand::Cancel { id, db: cancel_db }) => assign::cancel(
                if cancel_db.db.is_some() || cancel_db.config.is_some() {
                    &cancel_db
                } else {
                    &db
                },
                &id,
            ),
        },
        Command::Library { db } => assign::library(&db),
        Command::Reps { what, db } => match what {
            None => records::reps(&db),
            Some(RepsCommand::Team {
                rep,
                team,
                new,
                db: team_db,
            }) => assign::team(
                if team_db.db.is_some() || team_db.config.is_some() {
                    &team_db
                } else {
                    &db
                },
                &rep,
                &team,
                new,
            ),
            Some(RepsCommand::Merge {
                from,
                into,
                db: merge_db,
            }) => records::merge_reps(
                if merge_db.db.is_some() || merge_db.config.is_some() {
                    &merge_db
                } else {
                    &db
                },
                &from,
                &into,
            ),
        },
        Command::Sync {
            lrs,
            user,
            password_env,
            batch,
            retry_rejected,
            db,
        } => records::sync(
            &db,
            &records::SyncArgs {
                lrs,
                user,
                password_env,
                batch,
                retry_rejected,
            },
        ),
        Command::Pull {
            lrs,
            user,
            password_env,
            scenarios,
            db,
        } => records::pull(&db, lrs, user, password_env, &scenarios),
        Command::Simulate {
            file,
            runs,
            policy,
            seed,
            threads,
            format,
        } => {
            let policy = match policy {
                PolicyArg::Random => dealsim::engine::simulate::Policy::Random,
                PolicyArg::Best => dealsim::engine::simulate::Policy::Best,
            };
            let settings = dealsim::engine::simulate::Settings {
                runs,
                policy,
                seed,
                threads,
            };
            play::simulate(&file, &settings, format == Format::Json)
        }
    };
    match result {
        Ok(code) => code,
        Err(Failure(message)) => {
            tell(&format!("dealsim: {message}\n"));
            ExitCode::from(2)
        }
    }
}

#[cfg(feature = "app")]
fn window(args: WindowArgs) -> ExitCode {
    #[cfg(feature = "dev")]
    let demo = args
        .demo
        .demo
        .map(|scenario_id| dealsim::app::dev::demo::DemoScript {
            scenario_id,
            choices: args.demo.choices,
            seed: args.demo.demo_seed,
            screenshot_dir: args.demo.screenshot_dir,
            rep: args.demo.rep,
            size: args.demo.demo_size,
        });
    #[cfg(feature = "dev")]
    if demo.as_ref().is_some_and(|d| d.choices.is_empty()) {
        tell("dealsim: --demo needs --choices, such as --choices open/1,booking/2\n");
        return ExitCode::from(2);
    }
    let config = match args.db.config() {
        Ok(config) => config,
        Err(Failure(message)) => {
            tell(&format!("dealsim: {message}\n"));
            return ExitCode::from(2);
        }
    };
    // The copy of the team's library is made before the window opens: the window reads the
    // folder it was given at start, and the first update may still be on its way.
    if args.scenarios.is_none()
        && let Some(library) = &config.library
        && let Err(e) = std::fs::create_dir_all(library.copy_folder())
    {
        tell(&format!(
            "dealsim: cannot create the team library's folder {}: {e}\n",
            library.copy_folder().display()
        ));
    }
    dealsim::app::run(
        dealsim::app::AppOptions {
            scenarios_dir: args.scenarios.unwrap_or_else(|| {
                config
                    .library
                    .as_ref()
                    .map_or_else(|| PathBuf::from("scenarios"), |l| l.copy_folder())
            }),
            assets_dir: args.assets,
            profiles_path: args
                .profiles
                .unwrap_or_else(dealsim::records::profile::default_path),
            db_path: config.db_path(args.db.db.as_deref()),
            config,
        },
        |_app| {
            #[cfg(feature = "dev")]
            if let Some(script) = demo {
                _app.add_plugins(dealsim::app::dev::demo::DemoPlugin { script });
            }
        },
    )
}

#[cfg(not(feature = "app"))]
fn window(_args: WindowArgs) -> ExitCode {
    tell(
        "dealsim: this build has no window (built without the `app` feature); run `dealsim --help` for the commands\n",
    );
    ExitCode::from(2)
}

/// Loads one scenario for playing, without measuring it: problems are printed as `check` prints
/// them.
pub(crate) fn load_playable(file: &std::path::Path) -> Result<dealsim::Scenario, Failure> {
    let report = dealsim::engine::check::compile_path(file);
    let color = check::use_color(ColorChoice::Auto);
    for diagnostic in report.diagnostics.iter().filter(|d| d.is_error()) {
        tell(&diagnostic.render(color));
    }
    let errors = report.errors();
    report.scenario.ok_or_else(|| {
        Failure(format!(
            "{} has {errors} error(s); fix them first (`dealsim check {}` lists them)",
            file.display(),
            file.display()
        ))
    })
}
