//! `chatr-load`: the load generator of `chatr emulator` and `chatr serve`, a process of its
//! own (one process cannot hold 10,000 sockets on each side under the descriptor limit). The
//! emulator scenarios start the emulator as a child (`--chatr`, killed at the end) or use one
//! already running (`--connection-string`); the membership scenarios (`joins`, `creates`,
//! `burst`) start a fresh `chatr serve` each, with a Web PubSub REST stand-in of their own;
//! `chat` starts a fresh `chatr dev` (the whole local stack) and talks to it over WebSockets.
//! Each drives one scenario and prints its figures as plain lines. Every loop is bounded in
//! count and time; all traffic goes to 127.0.0.1.
//! `docs/PERFORMANCE.md` has the figures and the commands.

mod chatr_load;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use chatr_load::burst::{self, BurstArgs};
use chatr_load::chat::{self, ChatArgs};
use chatr_load::connects::{self, ConnectsArgs};
use chatr_load::creates::{self, CreatesArgs};
use chatr_load::emulator::{ensure_descriptors, load_average, Emulator};
use chatr_load::fanout::{self, FanoutArgs};
use chatr_load::handler;
use chatr_load::idle::{self, IdleArgs};
use chatr_load::joins::{self, JoinsArgs};
use chatr_load::slow_reader::{self, SlowReaderArgs};

/// Descriptors needed besides one per connection.
const SPARE_DESCRIPTORS: u64 = 256;

/// Load scenarios for `chatr emulator` and `chatr serve`.
#[derive(Debug, Parser)]
#[command(name = "chatr-load", version, about, long_about = None)]
struct Cli {
    /// The chatr binary to start the emulator or the handler (`chatr serve`) from.
    #[arg(long, global = true, default_value = "target/release/chatr")]
    chatr: PathBuf,
    /// Use this running emulator instead of starting one (its printed connection string).
    #[arg(long, global = true)]
    connection_string: Option<String>,
    /// The running emulator's process id, for its memory and CPU time.
    #[arg(long, global = true)]
    emulator_pid: Option<u32>,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Debug, Subcommand)]
enum Scenario {
    /// One sender, a group of receivers: deliveries per second and latency.
    Fanout(FanoutArgs),
    /// Idle connections held, and the emulator's memory per 1,000 of them.
    Idle(IdleArgs),
    /// Connects per second with the token check and a connect/connected upstream.
    Connects(ConnectsArgs),
    /// A group member that never reads while a sender floods the group: the emulator's
    /// memory, and how the reader is let go.
    SlowReader(SlowReaderArgs),
    /// Every emulator scenario with the settings of docs/PERFORMANCE.md, each on a fresh
    /// emulator.
    All,
    /// `chatr serve`: distinct users join one chat; early and late joins compared.
    Joins(JoinsArgs),
    /// `chatr serve`: one user creates many chats; then the `connect` listing them all.
    Creates(CreatesArgs),
    /// `chatr serve`: many accounts join one chat at the same moment.
    Burst(BurstArgs),
    /// `joins`, `creates` and `burst` with their defaults, each on a fresh `chatr serve`.
    Membership,
    /// `chatr dev` (emulator + handler + SQLite): messages into a 100-member chat at a set
    /// rate (send to receipt), then as many as a 10-member chat's senders get stored.
    Chat(ChatArgs),
}

impl Cli {
    /// The emulator for one scenario: a fresh child with `args`, or the running one.
    fn emulator(&self, args: &[String]) -> anyhow::Result<Emulator> {
        println!(
            "load average before the run: {} ({} cores)",
            load_average().unwrap_or_else(|| "n/a".into()),
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
        match &self.connection_string {
            Some(cs) => Emulator::attach(cs, self.emulator_pid),
            None => Emulator::spawn(&self.chatr, args),
        }
    }

    /// The key the emulator signs with: the connection string's, or the default one.
    fn key(&self) -> anyhow::Result<chatr::access_key::AccessKey> {
        let key = match &self.connection_string {
            Some(cs) => chatr::config::connection_string::WebPubSubConnectionString::parse(cs)
                .map_err(|e| anyhow::anyhow!("the connection string is not valid: {e}"))?
                .access_key()
                .clone(),
            None => chatr::access_key::AccessKey::new(chatr::emulator::DEFAULT_ACCESS_KEY)
                .ok_or_else(|| anyhow::anyhow!("the default key is not valid"))?,
        };
        Ok(key)
    }

    async fn fanout(&self, args: &FanoutArgs) -> anyhow::Result<()> {
        ensure_descriptors(args.receivers as u64 + SPARE_DESCRIPTORS)?;
        fanout::run(&self.emulator(&[])?, args).await
    }

    async fn slow_reader(&self, args: &SlowReaderArgs) -> anyhow::Result<()> {
        slow_reader::run(&self.emulator(&[])?, args).await
    }

    async fn idle(&self, args: &IdleArgs) -> anyhow::Result<()> {
        ensure_descriptors(args.connections as u64 + SPARE_DESCRIPTORS)?;
        idle::run(&self.emulator(&[])?, args).await
    }

    async fn connects(&self, args: &ConnectsArgs) -> anyhow::Result<()> {
        ensure_descriptors(args.connections as u64 + SPARE_DESCRIPTORS)?;
        let handler = handler::start(args.handler_port, self.key()?).await?;
        let emulator = self.emulator(&[
            format!("--hub={}", args.hub),
            format!("--event-handler={}", handler.url()),
            "--system-events=connect,connected,disconnected".into(),
        ])?;
        connects::run(&emulator, &handler, args).await
    }

    /// The membership scenarios run their own `chatr serve`: a running emulator is no use.
    fn serve_only(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.connection_string.is_none() && self.emulator_pid.is_none(),
            "joins, creates, burst and membership start their own chatr serve: drop \
             --connection-string and --emulator-pid"
        );
        Ok(())
    }

    async fn joins(&self, args: &JoinsArgs) -> anyhow::Result<()> {
        self.serve_only()?;
        // Each request holds a socket on both sides, and the handler's REST calls more.
        ensure_descriptors(4 * args.concurrency as u64 + SPARE_DESCRIPTORS)?;
        joins::run(&self.chatr, args).await
    }

    async fn creates(&self, args: &CreatesArgs) -> anyhow::Result<()> {
        self.serve_only()?;
        ensure_descriptors(4 * args.concurrency as u64 + SPARE_DESCRIPTORS)?;
        creates::run(&self.chatr, args).await
    }

    async fn chat(&self, args: &ChatArgs) -> anyhow::Result<()> {
        self.serve_only()?;
        // Each member's socket on both sides, and the emulator's webhooks.
        ensure_descriptors(4 * (args.members + args.flood_members) as u64 + SPARE_DESCRIPTORS)?;
        chat::run(&self.chatr, args).await
    }

    async fn burst(&self, args: &BurstArgs) -> anyhow::Result<()> {
        self.serve_only()?;
        ensure_descriptors(4 * args.accounts as u64 + SPARE_DESCRIPTORS)?;
        burst::run(&self.chatr, args).await
    }

    async fn run(&self) -> anyhow::Result<()> {
        match &self.scenario {
            Scenario::Joins(args) => self.joins(args).await,
            Scenario::Creates(args) => self.creates(args).await,
            Scenario::Burst(args) => self.burst(args).await,
            Scenario::Chat(args) => self.chat(args).await,
            Scenario::Membership => {
                self.joins(&JoinsArgs::parse_from(["joins"])).await?;
                self.creates(&CreatesArgs::parse_from(["creates"])).await?;
                self.burst(&BurstArgs::parse_from(["burst"])).await
            }
            Scenario::Fanout(args) => self.fanout(args).await,
            Scenario::Idle(args) => self.idle(args).await,
            Scenario::Connects(args) => self.connects(args).await,
            Scenario::SlowReader(args) => self.slow_reader(args).await,
            Scenario::All => {
                let fanout = |rate: u32, messages: usize, reliable| FanoutArgs {
                    rate,
                    messages,
                    reliable,
                    ..FanoutArgs::parse_from(["fanout"])
                };
                self.fanout(&fanout(100, 2000, false)).await?;
                self.fanout(&fanout(200, 2000, false)).await?;
                self.fanout(&fanout(400, 4000, false)).await?;
                self.fanout(&fanout(0, 2000, false)).await?;
                self.fanout(&fanout(100, 2000, true)).await?;
                self.idle(&IdleArgs::parse_from(["idle"])).await?;
                self.idle(&IdleArgs::parse_from(["idle", "--reliable"]))
                    .await?;
                self.connects(&ConnectsArgs::parse_from(["connects"])).await
            }
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chatr-load: {e:#}");
            ExitCode::FAILURE
        }
    }
}
