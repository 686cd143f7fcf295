//! Developer tool: `nwllm <gguf> info|chat <text>|gen <text>|bench [threads]`.
use nw_llm::{ChatMessage, ChatModel, LoadOptions, SamplingParams};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: nwllm <gguf> info|chat <text>|gen <text>|bench");
        std::process::exit(2);
    }
    let path = PathBuf::from(&args[1]);
    let threads = std::env::var("NW_THREADS")
        .ok()
        .and_then(|s| s.parse().ok());
    let opts = LoadOptions {
        threads,
        ..Default::default()
    };
    let mut m = ChatModel::load(&path, &opts)?;
    eprintln!(
        "loaded {} ({}) {:?}",
        m.name(),
        m.architecture(),
        m.load_info()
    );
    match args[2].as_str() {
        "info" => {
            let r = m.render_chat(
                &[ChatMessage::system("Be brief."), ChatMessage::user("Hi")],
                true,
            )?;
            println!("{r}");
        }
        "chat" => {
            let q = args.get(3).cloned().unwrap_or_default();
            let g = m.chat(&[ChatMessage::user(q)], &SamplingParams::default())?;
            println!("{}", g.text);
            eprintln!(
                "prompt {} gen {} prefill {:?} decode {:?} eos {}",
                g.prompt_tokens, g.generated_tokens, g.prefill, g.decode, g.stopped_on_eos
            );
        }
        "ids" => {
            let q = args.get(3).cloned().unwrap_or_default();
            let p = if args.get(4).is_some() {
                m.render_chat(&[ChatMessage::user(q)], true)?
            } else {
                q
            };
            println!("{:?}", m.encode(&p)?);
        }
        "gen" => {
            let q = args.get(3).cloned().unwrap_or_default();
            let g = m.generate(&q, &SamplingParams::default())?;
            println!("{}", g.text);
        }
        "bench" => {
            for _ in 0..std::env::var("NW_REPS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(1)
            {
                let r = nw_llm::bench(&mut m, 300, 128)?;
                println!("{r:?}");
            }
        }
        other => eprintln!("unknown command {other}"),
    }
    Ok(())
}
