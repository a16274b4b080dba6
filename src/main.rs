//! The `thetabench` binary: everything is in `thetabench::cli::main`, so a
//! program that registers its own strategies runs the same thing.

fn main() -> std::process::ExitCode {
    thetabench::cli::main()
}
