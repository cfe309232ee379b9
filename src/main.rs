//! The `dealsim` binary: subcommands over the library, for managers, authors and scripts.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
