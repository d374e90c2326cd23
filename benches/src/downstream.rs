//! What depending on us costs a user's build: the same five-line app (build a client, make one
//! call) on `agent-tasks` (a path dependency on this workspace, as a user outside it would have)
//! and on octocrab (the latest 0.x from crates.io), each built from an empty target directory of
//! its own under the system's temp dir, debug and then release, in one run.
//!
//! Dependencies are downloaded before anything is timed, so the figures are compile time only.
//! The builds take turns (every app's debug build, then every app's release build, and all of
//! that [`RUNS`] times), so that a change of the machine's load over the run falls on both sides;
//! each app's figure is its fastest run (other work on the machine only ever adds time), with
//! the CPU time (user + system, of cargo and every compiler it ran) of that run beside it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// One app to build.
struct App {
    /// How the table names it.
    label: String,
    /// Its directory (a crate with a workspace of its own).
    dir: PathBuf,
}

/// The octocrab app: the crate's own example of a call, a repository read.
const OCTOCRAB_MAIN: &str = r#"#[tokio::main]
async fn main() -> octocrab::Result<()> {
    let gh = octocrab::Octocrab::builder().personal_token("ghp_example".to_owned()).build()?;
    let repo = gh.repos("octocat", "hello-world").get().await?;
    println!("{}", repo.full_name.unwrap_or_default());
    Ok(())
}
"#;

/// The agent-tasks app: the same shape, a task read.
const AGENT_TASKS_MAIN: &str = r#"#[tokio::main]
async fn main() -> agent_tasks::Result<()> {
    let client = agent_tasks::Client::builder().token("github_pat_example").build()?;
    let task = client.task("a1b2c3d4").send().await?;
    println!("{}", task.state);
    Ok(())
}
"#;

/// How many times each app is built clean, per profile.
const RUNS: usize = 2;

const TOKIO: &str = r#"tokio = { version = "1", features = ["macros", "rt-multi-thread"] }"#;

/// Builds the apps and adds a row per app and profile, with the ratio to octocrab.
pub fn compare(workspace: &Path, rows: &mut Vec<[String; 4]>) {
    let root = std::env::temp_dir().join(format!("agent-tasks-bench-apps-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let sdk = workspace.join("crates/agent-tasks");
    let sdk = sdk.display().to_string().replace('\\', "/");
    let ours = [
        ("default features", String::new()),
        (
            "native-tls",
            r#", default-features = false, features = ["native-tls"]"#.to_owned(),
        ),
        (
            "rustls-aws-lc",
            r#", default-features = false, features = ["rustls-aws-lc"]"#.to_owned(),
        ),
    ];
    let mut apps: Vec<App> = ours
        .iter()
        .enumerate()
        .map(|(i, (what, features))| {
            app(
                &root.join(format!("agent-tasks-{i}")),
                "agent-tasks",
                what,
                &format!(r#"agent-tasks = {{ path = "{sdk}"{features} }}"#),
                AGENT_TASKS_MAIN,
            )
        })
        .collect();
    apps.push(app(
        &root.join("octocrab"),
        "octocrab",
        "default features",
        r#"octocrab = "0""#,
        OCTOCRAB_MAIN,
    ));
    let last = apps.len() - 1;

    // The fastest run of each app, by profile, in the order of `apps`.
    let mut best: [Vec<Option<Build>>; 2] = [vec![None; apps.len()], vec![None; apps.len()]];
    for run in 1..=RUNS {
        for (p, release) in [false, true].into_iter().enumerate() {
            for (i, app) in apps.iter().enumerate() {
                let build = build_clean(&root, app, release);
                println!(
                    "run {run}/{RUNS}: clean {} build of the {} app: {:.1} s ({:.1} s of CPU)",
                    profile_name(release),
                    app.label,
                    build.wall.as_secs_f64(),
                    build.cpu.map_or(f64::NAN, |d| d.as_secs_f64()),
                );
                let slot = &mut best[p][i];
                if slot.is_none_or(|b| build.wall < b.wall) {
                    *slot = Some(build);
                }
            }
        }
    }
    let best = best.map(|builds| {
        builds
            .into_iter()
            .map(|b| b.expect("every app was built"))
            .collect::<Vec<_>>()
    });

    println!();
    println!("| five-line app, built clean (fastest of {RUNS}) | debug | release |");
    println!("|---|---|---|");
    for (i, app) in apps.iter().enumerate() {
        println!(
            "| {} | {} | {} |",
            app.label,
            best[0][i].describe(),
            best[1][i].describe()
        );
    }
    println!();

    for (release, builds) in [false, true].into_iter().zip(&best) {
        let baseline = builds[last];
        for (i, app) in apps[..last].iter().enumerate() {
            rows.push([
                format!(
                    "clean {} build of a five-line app (fastest of {RUNS}): {}",
                    profile_name(release),
                    app.label
                ),
                builds[i].describe(),
                format!("{} ({})", baseline.describe(), apps[last].label),
                format!(
                    "{:.2}",
                    builds[i].wall.as_secs_f64() / baseline.wall.as_secs_f64()
                ),
            ]);
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// Writes an app's crate on `krate` and downloads what it needs (untimed).
fn app(dir: &Path, krate: &str, what: &str, dependency: &str, main: &str) -> App {
    std::fs::create_dir_all(dir.join("src")).expect("a temp dir");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"app\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [workspace]\n\n[dependencies]\n{dependency}\n{TOKIO}\n"
        ),
    )
    .expect("a manifest");
    std::fs::write(dir.join("src/main.rs"), main).expect("main.rs");
    let status = cargo(dir).arg("fetch").status().expect("cargo runs");
    assert!(status.success(), "cargo fetch failed in {}", dir.display());
    App {
        label: format!("{krate} {}, {what}", locked_version(dir, krate)),
        dir: dir.to_path_buf(),
    }
}

/// Cargo in `dir`, with the settings of a user's plain `cargo build`: whatever the caller's
/// environment says (CI sets `CARGO_INCREMENTAL` and `CARGO_PROFILE_DEV_DEBUG`), each build gets
/// the target dir it is given and the profiles its manifest gives.
pub fn cargo(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO"));
    command.current_dir(dir);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PROFILE_")
            || name == "CARGO_INCREMENTAL"
            || name == "CARGO_TARGET_DIR"
            || name == "CARGO_BUILD_TARGET_DIR"
        {
            command.env_remove(&*name);
        }
    }
    command
}

/// One clean build: wall time, and CPU time where the system tells it.
#[derive(Clone, Copy)]
struct Build {
    wall: Duration,
    cpu: Option<Duration>,
}

impl Build {
    fn describe(&self) -> String {
        match self.cpu {
            Some(cpu) => format!(
                "{:.1} s (CPU {:.0} s)",
                self.wall.as_secs_f64(),
                cpu.as_secs_f64()
            ),
            None => format!("{:.1} s", self.wall.as_secs_f64()),
        }
    }
}

fn profile_name(release: bool) -> &'static str {
    if release { "release" } else { "debug" }
}

/// Builds `app` from an empty target directory of its own.
fn build_clean(root: &Path, app: &App, release: bool) -> Build {
    let target = root.join(format!(
        "target-{}-{}",
        app.dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("app"),
        profile_name(release)
    ));
    let _ = std::fs::remove_dir_all(&target);
    let mut command = cargo(&app.dir);
    command
        .args(["build", "--quiet", "--locked", "--offline"])
        .env("CARGO_TARGET_DIR", &target);
    if release {
        command.arg("--release");
    }
    let cpu_before = children_cpu();
    let t = Instant::now();
    let out = command.output().expect("cargo runs");
    let wall = t.elapsed();
    let cpu = children_cpu()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    assert!(
        out.status.success(),
        "building the {} app failed:\n{}",
        app.label,
        String::from_utf8_lossy(&out.stderr)
    );
    // Release targets of these apps take a gigabyte or more; keep the disk as it was.
    let _ = std::fs::remove_dir_all(&target);
    Build { wall, cpu }
}

/// User + system time of this process's finished children and their finished descendants
/// (`cutime` and `cstime` of `/proc/self/stat`), on Linux.
fn children_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // cutime and cstime are fields 16 and 17 of the line, 14 and 15 after the name.
    let ticks: u64 = fields.get(13)?.parse::<u64>().ok()? + fields.get(14)?.parse::<u64>().ok()?;
    // Clock ticks; 100 per second on every Linux configuration in use.
    Some(Duration::from_millis(ticks * 10))
}

/// The version of `name` in the app's lock file.
fn locked_version(dir: &Path, name: &str) -> String {
    let lock = std::fs::read_to_string(dir.join("Cargo.lock")).unwrap_or_default();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{name}\"")
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = "))
        {
            return version.trim_matches('"').to_owned();
        }
    }
    "?".to_owned()
}
