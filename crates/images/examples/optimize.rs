//! `optimize IN --width W --format avif|webp|jpeg -o OUT`: the library call behind
//! `kidyboard image optimize`, as a tiny stand-alone program.
//!
//!     cargo run -p kidyboard-images --example optimize -- photo.jpg --width 800 --format avif -o photo.avif

use std::path::PathBuf;
use std::process::ExitCode;

use kidyboard_images::{optimize_file, Format};

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(msg) => {
            println!("{msg}");
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("{msg}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<String, String> {
    const USAGE: &str = "usage: optimize IN --width W --format avif|webp|jpeg -o OUT";
    let (mut input, mut width, mut format, mut output) = (None, None, None, None);
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--width" | "-w" => {
                width = Some(
                    value()?
                        .parse::<u32>()
                        .map_err(|e| format!("--width: {e}"))?,
                )
            }
            "--format" | "-f" => {
                format = Some(value()?.parse::<Format>().map_err(|e| e.to_string())?)
            }
            "-o" | "--output" => output = Some(PathBuf::from(value()?)),
            _ if input.is_none() => input = Some(PathBuf::from(arg)),
            _ => return Err(format!("unexpected argument {arg}\n{USAGE}")),
        }
    }
    let (Some(input), Some(width), Some(format), Some(output)) = (input, width, format, output)
    else {
        return Err(USAGE.into());
    };
    let made =
        optimize_file(&input, &output, width, format).map_err(|e| format!("{}: {e}", e.code()))?;
    Ok(format!(
        "{} {}×{} {} bytes → {}",
        format,
        made.width,
        made.height,
        made.bytes.len(),
        output.display()
    ))
}
