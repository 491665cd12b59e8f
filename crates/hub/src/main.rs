use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = kidyboard_hub::cli::Cli::parse();
    match kidyboard_hub::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kidyboard: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
