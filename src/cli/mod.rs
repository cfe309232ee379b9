//! Command-line parsing: arguments are read into a raw form by clap, then each subcommand turns
//! them into settings and runs. Errors reach the user as one clear sentence and exit status 2;
//! a check that finds problems exits 1.

mod check;
mod play;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "dealsim", version, about = "A flight simulator for sales calls.", long_about = None)]
struct Args {
    #[command(subcommand)]
    command: Command,
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
    },
    /// Print a scenario as a Graphviz DOT graph (pipe into `dot -Tsvg`).
    Graph { file: PathBuf },
    /// Play a call in the terminal: numbered choices are read from standard input.
    Play {
        file: PathBuf,
        /// Seed for the buyer's chance turns; the same seed and choices replay exactly.
        #[arg(long)]
        seed: Option<u64>,
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

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum PolicyArg {
    Random,
    Best,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

/// A failure to report to the user: one sentence, exit status 2.
pub(crate) struct Failure(pub String);

pub fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.command {
        Command::Check { paths, color } => Ok(check::run(&paths, color)),
        Command::Graph { file } => check::graph(&file),
        Command::Play { file, seed } => play::run(&file, seed),
        Command::Simulate {
            file,
            runs,
            policy,
            seed,
            threads,
            format,
        } => {
            let policy = match policy {
                PolicyArg::Random => dealsim::simulate::Policy::Random,
                PolicyArg::Best => dealsim::simulate::Policy::Best,
            };
            let settings = dealsim::simulate::Settings {
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
            eprintln!("dealsim: {message}");
            ExitCode::from(2)
        }
    }
}

/// Loads one scenario for playing: problems are printed as `check` prints them.
pub(crate) fn load_playable(file: &std::path::Path) -> Result<dealsim::Scenario, Failure> {
    let report = dealsim::check_path(file);
    let color = check::use_color(ColorChoice::Auto);
    for diagnostic in report.diagnostics.iter().filter(|d| d.is_error()) {
        eprint!("{}", diagnostic.render(color));
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
