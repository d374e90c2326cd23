//! What the SDK costs, against the fake on 127.0.0.1, in one run:
//!
//! 1. per call: sequential get-task calls through the SDK and through a minimal hand-written
//!    reqwest + serde call on a reused connection (medians, ratio), and the same calls through
//!    the generated client alone against each of them (which layer costs what);
//! 2. listing: every task at `per_page=100` through the SDK's stream and a hand-written page
//!    loop (medians, ratio), and the peak heap the stream holds;
//! 3. waiting: requests the SDK's many-task wait sends against a naive loop that gets each task
//!    every interval, with the fake's schedule fixed (counted by the fake), the answers that
//!    count against the rate limit (all but 304s), and the notice delay: how long after a task
//!    ended on the fake each side reported it (median and worst);
//! 4. a list with pull requests: 100 finished tasks and their pull requests, with the fake
//!    answering 100 ms late (a round trip to GitHub), through `list` + `pull_requests` (one
//!    GraphQL request a page) against the naive one `pull_request` per task (requests counted
//!    by the fake, and the wall time);
//! 5. building: clean builds of `agent-tasks`, and rebuilds after touching the crate and the
//!    spec (skipped by `--quick` and `--skip-build`);
//! 6. what depending on us costs: the same five-line app on `agent-tasks` and on octocrab, each
//!    built clean, debug and release (`downstream.rs`; skipped like 5).
//!
//! `cargo xtask bench` runs it in release mode; `--quick` is a small smoke run that asserts
//! nothing about time.

mod downstream;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use agent_tasks::clock::Clock;
use agent_tasks::retry::RetryPolicy;
use agent_tasks::{Client, Task};
use agent_tasks_fake::{DEFAULT_TOKEN, Fake, Schedule};
use clap::Parser;
use futures_util::StreamExt;
use serde::Deserialize;

/// Counts the live heap bytes of the threads that ask for it, and their peak, so that the
/// listing benchmark can say how much the stream holds at once (the fake, on other threads of
/// the same process, is left out).
struct Counting;

thread_local! {
    static TRACKED: Cell<bool> = const { Cell::new(false) };
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn account(delta: isize) {
    // `try_with`: during thread teardown the slots may be gone; nothing to count then.
    let _ = TRACKED.try_with(|tracked| {
        if tracked.get() {
            let live = LIVE.with(|l| {
                l.set(l.get() + delta);
                l.get()
            });
            PEAK.with(|p| p.set(p.get().max(live)));
        }
    });
}

/// Starts counting on this thread from zero.
fn track_heap() {
    LIVE.with(|l| l.set(0));
    PEAK.with(|p| p.set(0));
    TRACKED.with(|t| t.set(true));
}

/// Stops counting on this thread and returns the peak.
fn heap_peak() -> usize {
    TRACKED.with(|t| t.set(false));
    PEAK.with(|p| p.get().max(0) as usize)
}

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are added,
// and counting allocates nothing.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which `System` shares.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            account(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) };
        account(-(layout.size() as isize));
    }

    // Forwarded too: the default `realloc` allocates, copies and frees on every growth, where
    // the system allocator often grows in place; the calls measured must cost what they cost
    // in an application.
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract, which `System` shares.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            account(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[derive(Parser, Debug)]
#[command(
    name = "agent-tasks-bench",
    about = "What the SDK costs against hand-written reqwest and naive polling"
)]
struct Args {
    /// Small sizes, no build measurements: a smoke run for CI.
    #[arg(long)]
    quick: bool,
    /// Leave out the build measurements (this crate's builds and the downstream apps').
    #[arg(long)]
    skip_build: bool,
    /// Only one part: `per-call`, `listing`, `waiting`, `pull-requests` or `build` (this
    /// crate's builds and the downstream apps').
    #[arg(long, value_enum, conflicts_with = "skip_build")]
    only: Option<Part>,
}

/// A part of the benchmark, for `--only`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    PerCall,
    Listing,
    Waiting,
    PullRequests,
    Build,
}

struct Sizes {
    calls: usize,
    tasks: usize,
    list_runs: usize,
    waited: usize,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if args.quick && args.only == Some(Part::Build) {
        eprintln!(
            "agent-tasks-bench: --quick leaves the builds out; --only build would run nothing"
        );
        std::process::exit(2);
    }

    let sizes = if args.quick {
        Sizes {
            calls: 500,
            tasks: 500,
            list_runs: 3,
            waited: 20,
        }
    } else {
        Sizes {
            calls: 10_000,
            tasks: 10_000,
            list_runs: 7,
            waited: 100,
        }
    };
    println!(
        "agent-tasks benchmarks ({} build, {} mode), {} cores",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        if args.quick { "quick" } else { "full" },
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let mut rows: Vec<[String; 4]> = Vec::new();
    let runs = |part: Part| args.only.is_none_or(|only| only == part);
    if runs(Part::PerCall) {
        per_call(&sizes, &mut rows).await;
    }
    if runs(Part::Listing) {
        listing(&sizes, &mut rows).await;
    }
    if runs(Part::Waiting) {
        waiting(&sizes, &mut rows).await;
    }
    if runs(Part::PullRequests) {
        pull_requests(&sizes, &mut rows).await;
    }
    if runs(Part::Build) && !args.quick && !args.skip_build {
        building(&mut rows);
        downstream::compare(&workspace(), &mut rows);
    }
    println!();
    println!("| measurement | SDK | baseline | ratio |");
    println!("|---|---|---|---|");
    for [a, b, c, d] in &rows {
        println!("| {a} | {b} | {c} | {d} |");
    }
}

/// 4. A page of finished tasks and their pull requests, every answer 100 ms late.
async fn pull_requests(sizes: &Sizes, rows: &mut Vec<[String; 4]>) {
    use agent_tasks_fake::Faults;
    let n = if sizes.waited >= 100 { 100 } else { 20 };
    let fake = Fake::builder()
        .manual_clock()
        .start()
        .await
        .expect("the fake starts");
    let client = sdk_client(&fake);
    let repo = client.repo("octocat", "hello-world");
    for i in 0..n {
        repo.create_task(format!("Task {i}"))
            .send()
            .await
            .expect("created");
    }
    fake.advance(Duration::from_secs(3600));
    fake.set_faults(Faults {
        latency_ms: 100,
        ..Faults::default()
    });
    let counted = |fake: &Fake| {
        let state = fake.state();
        (
            state.requests_of("list_tasks"),
            state.requests_of("graphql"),
        )
    };
    let list_page = || async {
        client
            .list_tasks()
            .per_page(100)
            .send()
            .await
            .expect("a page")
    };
    // Through the SDK: one list request, one GraphQL request for the page.
    let before = counted(&fake);
    let t = Instant::now();
    let page = list_page().await;
    let prs = client.pull_requests(&page.items).await.expect("resolved");
    let sdk_time = t.elapsed();
    let after = counted(&fake);
    let resolved = prs.iter().filter(|p| matches!(p, Ok(Some(_)))).count();
    assert_eq!(resolved, n, "every pull request resolved");
    let sdk = (after.0 - before.0, after.1 - before.1);
    // Naive: one GraphQL request per task, one after another.
    let before = counted(&fake);
    let t = Instant::now();
    let page = list_page().await;
    for task in &page.items {
        client.pull_request(task).await.expect("resolved");
    }
    let naive_time = t.elapsed();
    let after = counted(&fake);
    let naive = (after.0 - before.0, after.1 - before.1);
    println!(
        "list of {n} tasks with pull requests, 100 ms per answer: SDK {} REST + {} GraphQL requests in {}; naive {} REST + {} GraphQL in {}",
        sdk.0,
        sdk.1,
        millis(sdk_time),
        naive.0,
        naive.1,
        millis(naive_time)
    );
    rows.push([
        format!(
            "list {n} tasks with their pull requests, 100 ms per answer: requests (REST + GraphQL)"
        ),
        format!("{} + {}", sdk.0, sdk.1),
        format!("{} + {} (a `pull_request` per task)", naive.0, naive.1),
        format!("{:.3}", (sdk.0 + sdk.1) as f64 / (naive.0 + naive.1) as f64),
    ]);
    rows.push([
        format!("list {n} tasks with their pull requests, 100 ms per answer: wall time"),
        millis(sdk_time),
        millis(naive_time),
        format!("{:.3}", sdk_time.as_secs_f64() / naive_time.as_secs_f64()),
    ]);
}

fn sdk_client(fake: &Fake) -> Client {
    Client::builder()
        .token(DEFAULT_TOKEN)
        .base_url(fake.url())
        .build()
        .expect("valid settings")
}

/// A hand-written client configured like the SDK's own: the same connect and total timeouts
/// (a client without them can hang forever; the comparison is of like with like), and the same
/// TLS stack (with `rustls-ring`, reqwest has no provider unless one is installed; the calls
/// here are plain http either way).
fn hand_client() -> reqwest::Client {
    agent_tasks::raw::tls::client_builder()
        .connect_timeout(agent_tasks::client::DEFAULT_CONNECT_TIMEOUT)
        .timeout(agent_tasks::client::DEFAULT_TIMEOUT)
        .build()
        .expect("a reqwest client")
}

fn hand_get(http: &reqwest::Client, url: String) -> reqwest::RequestBuilder {
    http.get(url)
        .header("authorization", format!("Bearer {DEFAULT_TOKEN}"))
        .header("accept", "application/vnd.github+json")
        .header("x-github-api-version", "2022-11-28")
        .header("user-agent", "hand-written/1.0")
}

/// What a careful hand-written client would decode: every documented field, typed (the SDK
/// decodes as much, so the comparison is of the SDK's overhead, not of decoding less).
#[derive(Deserialize)]
#[allow(dead_code)]
struct HandTask {
    id: String,
    state: String,
    name: Option<String>,
    url: Option<String>,
    html_url: Option<String>,
    creator: Option<HandId>,
    creator_type: Option<String>,
    user_collaborators: Option<Vec<HandId>>,
    owner: Option<HandId>,
    repository: Option<HandId>,
    session_count: Option<i32>,
    artifacts: Option<Vec<HandArtifact>>,
    archived_at: Option<chrono::DateTime<chrono::Utc>>,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: Option<chrono::DateTime<chrono::Utc>>,
    custom_agent: Option<HandAgent>,
    sessions: Option<Vec<HandSession>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandArtifact {
    provider: String,
    #[serde(rename = "type")]
    kind: String,
    data: HandArtifactData,
}

#[derive(Deserialize)]
#[serde(untagged)]
#[allow(dead_code)]
enum HandArtifactData {
    Resource { id: i64, global_id: Option<String> },
    Branch { head_ref: String, base_ref: String },
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandAgent {
    id: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandSession {
    id: String,
    name: Option<String>,
    user: Option<HandId>,
    owner: Option<HandId>,
    repository: Option<HandId>,
    task_id: Option<String>,
    state: String,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: Option<chrono::DateTime<chrono::Utc>>,
    completed_at: Option<chrono::DateTime<chrono::Utc>>,
    prompt: Option<String>,
    head_ref: Option<String>,
    base_ref: Option<String>,
    model: Option<String>,
    usage: Option<HandUsage>,
    error: Option<HandError>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandUsage {
    #[serde(rename = "type")]
    kind: String,
    amount: f64,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandError {
    message: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandId {
    id: Option<i64>,
}

#[derive(Deserialize)]
struct HandList {
    tasks: Vec<HandTask>,
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// The middle half of sorted `samples`: from the first quartile to the third.
fn quartiles(samples: &[Duration]) -> String {
    let at = |q: usize| samples[(samples.len() * q / 4).min(samples.len() - 1)];
    format!("{}–{}", micros(at(1)), micros(at(3)))
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// Part 1: sequential get-task calls through the SDK and by hand, one by one, and the same
/// calls through the generated client alone, so that the figures say which layer costs what.
async fn per_call(sizes: &Sizes, rows: &mut Vec<[String; 4]>) {
    let fake = Fake::builder().start().await.expect("the fake starts");
    let sdk = sdk_client(&fake);
    let http = hand_client();
    let id = sdk
        .repo("octocat", "hello-world")
        .create_task("Measure me")
        .send()
        .await
        .expect("created")
        .id;
    let url = format!("{}/agents/tasks/{id}", fake.url());
    let sdk_once = || async {
        let t = Instant::now();
        let task = sdk.task(&id).send().await.expect("sdk get");
        let d = t.elapsed();
        assert_eq!(task.id, id);
        d
    };
    // The SDK's own generated client, with its defaults and hooks: the SDK less its layer.
    let raw_once = || async {
        let t = Instant::now();
        let task = sdk
            .raw()
            .get_task_by_id()
            .task_id(&id)
            .send()
            .await
            .expect("generated client get")
            .into_inner();
        let d = t.elapsed();
        assert_eq!(task.id, id);
        d
    };
    let hand_once = || async {
        let t = Instant::now();
        let bytes = hand_get(&http, url.clone())
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("hand get")
            .bytes()
            .await
            .expect("body");
        let task: HandTask = serde_json::from_slice(&bytes).expect("decodes");
        let d = t.elapsed();
        assert_eq!(task.id, id);
        d
    };
    // For profiling one side alone: AGENT_TASKS_BENCH_ONLY=sdk, =raw or =hand.
    if let Ok(only) = std::env::var("AGENT_TASKS_BENCH_ONLY") {
        for _ in 0..sizes.calls + WARM_UP {
            match only.as_str() {
                "sdk" => sdk_once().await,
                "raw" => raw_once().await,
                _ => hand_once().await,
            };
        }
        std::process::exit(0);
    }
    // For A/B of two builds, steadier than the alternation on a shared machine:
    // AGENT_TASKS_BENCH_BLOCKS=100 under `taskset -c 0` runs the three sides in turn in blocks
    // of 100 calls, all threads on one core (no wake-ups across cores), and prints the ratios.
    if let Some(block) = std::env::var("AGENT_TASKS_BENCH_BLOCKS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n > 0)
    {
        let (mut hand, mut sdk, mut raw) = (Vec::new(), Vec::new(), Vec::new());
        // The first round of blocks warms up, and is not kept.
        for round in 0..=sizes.calls.div_ceil(block) {
            for (once, times) in [(0, &mut hand), (1, &mut sdk), (2, &mut raw)] {
                for _ in 0..block {
                    let d = match once {
                        0 => hand_once().await,
                        1 => sdk_once().await,
                        _ => raw_once().await,
                    };
                    if round > 0 {
                        times.push(d);
                    }
                }
            }
        }
        let (h, s, r) = (median(&mut hand), median(&mut sdk), median(&mut raw));
        println!(
            "per call in blocks of {block}: medians hand-written {}, SDK {}, generated client {}; SDK/hand {:.3}, generated/hand {:.3}",
            micros(h),
            micros(s),
            micros(r),
            s.as_secs_f64() / h.as_secs_f64(),
            r.as_secs_f64() / h.as_secs_f64()
        );
        std::process::exit(0);
    }
    let (mut sdk_t, mut hand_t) = alternate(sizes.calls, sdk_once, hand_once).await;
    let (mut raw_t, mut hand_t2) = alternate(sizes.calls, raw_once, hand_once).await;
    let (mut sdk_t2, mut raw_t2) = alternate(sizes.calls, sdk_once, raw_once).await;
    let mut row = |what: &str, a: &mut [Duration], b: &mut [Duration], baseline: &str| {
        let (ma, mb) = (median(a), median(b));
        let ratio = ma.as_secs_f64() / mb.as_secs_f64();
        println!(
            "per call, {what}: {} calls each, medians {} and {}, ratio {ratio:.3}",
            a.len(),
            micros(ma),
            micros(mb)
        );
        rows.push([
            format!(
                "{what}, median per call ({} calls each; middle half)",
                a.len()
            ),
            format!("{} ({})", micros(ma), quartiles(a)),
            format!("{} ({}; {baseline})", micros(mb), quartiles(b)),
            format!("{ratio:.3}"),
        ]);
    };
    row("get task", &mut sdk_t, &mut hand_t, "reqwest + serde");
    row(
        "the same through the generated client alone",
        &mut raw_t,
        &mut hand_t2,
        "reqwest + serde",
    );
    row(
        "the SDK against the generated client alone",
        &mut sdk_t2,
        &mut raw_t2,
        "the generated client",
    );
}

/// Calls before the measured ones in each comparison, to warm caches and connections.
const WARM_UP: usize = 200;

/// `calls` timed calls of each side, alternating one by one, and which side goes first
/// alternating too, so that drift and warm caches favour neither; after [`WARM_UP`] pairs.
async fn alternate<A, B, FA, FB>(calls: usize, a: A, b: B) -> (Vec<Duration>, Vec<Duration>)
where
    A: Fn() -> FA,
    B: Fn() -> FB,
    FA: Future<Output = Duration>,
    FB: Future<Output = Duration>,
{
    let (mut ta, mut tb) = (Vec::with_capacity(calls), Vec::with_capacity(calls));
    for i in 0..calls + WARM_UP {
        let (x, y) = if i % 2 == 0 {
            let x = a().await;
            (x, b().await)
        } else {
            let y = b().await;
            (a().await, y)
        };
        if i >= WARM_UP {
            ta.push(x);
            tb.push(y);
        }
    }
    (ta, tb)
}

/// 2. Every task at `per_page=100`: the SDK's stream against a hand-written page loop.
async fn listing(sizes: &Sizes, rows: &mut Vec<[String; 4]>) {
    // The fake's clock stands still: on a moving one, tasks would change state during the walks
    // (queued, then in progress), move to the front of the listing (sorted by update) and shift
    // the others across pages, so each walk would list a different set.
    let fake = Fake::builder()
        .manual_clock()
        .start()
        .await
        .expect("the fake starts");
    let http = hand_client();
    let create = format!("{}/agents/repos/octocat/hello-world/tasks", fake.url());
    futures_util::stream::iter(0..sizes.tasks)
        .map(|i| {
            let request = http
                .post(&create)
                .header("authorization", format!("Bearer {DEFAULT_TOKEN}"))
                .header("user-agent", "bench-setup")
                .json(&serde_json::json!({"prompt": format!("Task {i}: make the code a little better")}));
            async move { request.send().await.expect("created").error_for_status().expect("201") }
        })
        .buffer_unordered(16)
        .for_each(|_| async {})
        .await;
    let sdk = sdk_client(&fake);
    let page_bytes = hand_get(&http, format!("{}/agents/tasks?per_page=100", fake.url()))
        .send()
        .await
        .expect("a page")
        .bytes()
        .await
        .expect("body")
        .len();

    let (mut a, mut b, mut peaks_a, mut peaks_b) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..sizes.list_runs {
        let list = sdk.list_tasks().per_page(100);
        let (elapsed, n, peak) = on_own_thread(move || {
            let list = list.clone();
            async move {
                let mut stream = std::pin::pin!(list.stream());
                let mut n = 0;
                while let Some(task) = stream.next().await {
                    let task: Task = task.expect("listed");
                    std::hint::black_box(&task);
                    n += 1;
                }
                n
            }
        });
        assert_eq!(n, sizes.tasks);
        a.push(elapsed);
        peaks_a.push(peak);

        let (http, base) = (http.clone(), fake.url().to_owned());
        let (elapsed, n, peak) = on_own_thread(move || {
            let (http, base) = (http.clone(), base.clone());
            async move {
                let mut n = 0;
                for page in 1.. {
                    let list: HandList = hand_get(
                        &http,
                        format!("{base}/agents/tasks?per_page=100&page={page}"),
                    )
                    .send()
                    .await
                    .expect("a page")
                    .json()
                    .await
                    .expect("decodes");
                    let len = list.tasks.len();
                    for task in list.tasks {
                        std::hint::black_box(&task);
                        n += 1;
                    }
                    if len < 100 {
                        break;
                    }
                }
                n
            }
        });
        assert_eq!(n, sizes.tasks);
        b.push(elapsed);
        peaks_b.push(peak);
    }
    let (ma, mb) = (median(&mut a), median(&mut b));
    peaks_a.sort();
    peaks_b.sort();
    let (pa, pb) = (peaks_a[peaks_a.len() / 2], peaks_b[peaks_b.len() / 2]);
    println!(
        "listing {} tasks: SDK stream median {}, hand-written loop median {}; peak heap: stream {} KiB, page loop {} KiB (one page of JSON: {} KiB)",
        sizes.tasks,
        millis(ma),
        millis(mb),
        pa / 1024,
        pb / 1024,
        page_bytes / 1024
    );
    rows.push([
        format!(
            "list {} tasks at per_page=100, median of {} runs",
            sizes.tasks, sizes.list_runs
        ),
        millis(ma),
        format!("{} (page loop)", millis(mb)),
        format!("{:.3}", ma.as_secs_f64() / mb.as_secs_f64()),
    ]);
    rows.push([
        "peak heap while listing (one page of JSON: {} KiB)"
            .replace("{}", &(page_bytes / 1024).to_string()),
        format!("{} KiB", pa / 1024),
        format!("{} KiB (page loop)", pb / 1024),
        format!("{:.2}", pa as f64 / pb as f64),
    ]);
}

/// Runs `work` twice alone on a new thread with a current-thread runtime: once to warm up
/// (connections, lazy statics), then measured, counting that thread's heap. Returns the
/// measured run's time, output and heap peak.
fn on_own_thread<T, F, Fut>(work: F) -> (Duration, T, usize)
where
    T: Send + 'static,
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = T>,
{
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            work().await;
            track_heap();
            let t = Instant::now();
            let out = work().await;
            let elapsed = t.elapsed();
            (elapsed, out, heap_peak())
        })
    })
    .join()
    .expect("the measured thread")
}

/// Sleeps by moving the fake's clock forward, at once.
#[derive(Debug)]
struct Stepped {
    fake: Arc<Fake>,
    now: Mutex<Instant>,
}

impl Clock for Stepped {
    fn now(&self) -> Instant {
        *self.now.lock().expect("clock")
    }

    fn sleep(
        &self,
        d: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        *self.now.lock().expect("clock") += d;
        self.fake.advance(d);
        Box::pin(std::future::ready(()))
    }

    fn utc_now(&self) -> chrono::DateTime<chrono::Utc> {
        self.fake.now()
    }
}

const SCHEDULE: Schedule = Schedule {
    queued: Duration::from_secs(30),
    running: Duration::from_secs(600),
};
const INTERVAL: Duration = Duration::from_secs(10);

/// Starts `n` tasks one second apart on a stopped clock and returns them.
async fn start_tasks(fake: &Fake, client: &Client, n: usize) -> Vec<Task> {
    let repo = client.repo("octocat", "hello-world");
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        tasks.push(
            repo.create_task(format!("Task {i}"))
                .send()
                .await
                .expect("created"),
        );
        fake.advance(Duration::from_secs(1));
    }
    tasks
}

/// How late a wait reported a task: the fake's clock when the wait yielded it, less the time
/// the task reached its final state there (`updated_at` of a task in a final state).
fn notice_delay(fake: &Fake, task: &Task) -> Duration {
    let ended = task
        .updated_at
        .expect("a task in a final state has updated_at");
    (fake.now() - ended)
        .to_std()
        .expect("noticed after it ended")
}

/// Median and worst of the delays, in seconds.
fn delays(samples: &mut [Duration]) -> String {
    let worst = samples.iter().max().copied().unwrap_or_default();
    format!(
        "median {:.1} s, worst {:.1} s",
        median(samples).as_secs_f64(),
        worst.as_secs_f64()
    )
}

/// What one way of waiting cost, and how late it noticed.
struct Waited {
    requests: u64,
    not_modified: u64,
    counted: u64,
    delays: Vec<Duration>,
}

impl Waited {
    /// The requests `fake` counted since it had counted `before`; the answers that count
    /// against GitHub's primary rate limit are every one but the 304s (the tasks were started
    /// before, with no 304 among their answers).
    fn counted(fake: &Fake, before: u64, delays: Vec<Duration>) -> Waited {
        let state = fake.state();
        let not_modified: u64 = state
            .requests
            .values()
            .filter_map(|by_status| by_status.get(&304))
            .sum();
        let requests = state.requests_total - before;
        Waited {
            requests,
            not_modified,
            counted: requests - not_modified,
            delays,
        }
    }
}

/// A fake on a stopped clock with the benchmark's schedule, a client whose sleeps move that
/// clock, the `n` tasks started on it one second apart, and the requests counted so far.
async fn scheduled(n: usize) -> (Arc<Fake>, Client, Vec<Task>, u64) {
    let fake = Arc::new(
        Fake::builder()
            .manual_clock()
            .schedule(SCHEDULE)
            .start()
            .await
            .expect("the fake starts"),
    );
    let clock = Arc::new(Stepped {
        fake: fake.clone(),
        now: Mutex::new(Instant::now()),
    });
    let client = Client::builder()
        .token(DEFAULT_TOKEN)
        .base_url(fake.url())
        .clock(clock)
        .retry(RetryPolicy::none())
        .build()
        .expect("valid settings");
    let tasks = start_tasks(&fake, &client, n).await;
    let before = fake.state().requests_total;
    (fake, client, tasks, before)
}

/// The SDK's many-task wait (`finished()`, which `send()` uses) with `interval` (and a
/// `max_interval` of six times it), or its default options without one.
async fn sdk_wait(n: usize, interval: Option<Duration>) -> Waited {
    let (fake, client, tasks, before) = scheduled(n).await;
    let mut wait = client.wait_for_all(&tasks);
    if let Some(interval) = interval {
        wait = wait.interval(interval).max_interval(interval * 6);
    }
    let mut events = wait.finished();
    let mut delays = Vec::with_capacity(tasks.len());
    while let Some(task) = events.next().await {
        let task = task.expect("the wait goes on");
        assert!(task.state.is_terminal());
        delays.push(notice_delay(&fake, &task));
    }
    assert_eq!(delays.len(), tasks.len(), "every task was noticed once");
    Waited::counted(&fake, before, delays)
}

/// The naive loop: every `INTERVAL`, get each task that has not finished.
async fn naive_wait(n: usize) -> Waited {
    let (fake, client, tasks, before) = scheduled(n).await;
    let mut pending: Vec<String> = tasks.iter().map(|t| t.id.clone()).collect();
    let mut delays = Vec::with_capacity(tasks.len());
    while !pending.is_empty() {
        let mut still = Vec::new();
        for id in pending {
            let task = client.task(&id).send().await.expect("got").task;
            if task.state.is_terminal() {
                delays.push(notice_delay(&fake, &task));
            } else {
                still.push(id);
            }
        }
        pending = still;
        fake.advance(INTERVAL);
    }
    Waited::counted(&fake, before, delays)
}

/// Part 3, waiting for tasks to finish with the fake's schedule fixed: the requests sent, the
/// answers that count against the rate limit, and how late each finished task is noticed.
async fn waiting(sizes: &Sizes, rows: &mut Vec<[String; 4]>) {
    let n = sizes.waited;
    let defaults = sdk_wait(n, None).await;
    let shorter = sdk_wait(n, Some(Duration::from_secs(5))).await;
    let mut naive = naive_wait(n).await;
    let naive_notice = delays(&mut naive.delays);
    let secs = INTERVAL.as_secs();
    for (label, mut w) in [
        ("its default options (10 s interval)", defaults),
        ("a 5 s interval", shorter),
    ] {
        let notice = delays(&mut w.delays);
        println!(
            "waiting for {n} tasks, SDK with {label}: {} requests ({} answered 304, {} counted), \
             notice delay {notice}; naive loop every {secs} s: {} requests ({} counted), \
             notice delay {naive_notice}",
            w.requests, w.not_modified, w.counted, naive.requests, naive.counted
        );
        rows.push([
            format!("waiting for {n} tasks (the same schedule), SDK with {label}: requests"),
            format!("{}, {} of them answered 304", w.requests, w.not_modified),
            format!("{} (get each task every {secs} s)", naive.requests),
            format!(
                "{:.0}x fewer",
                naive.requests as f64 / w.requests.max(1) as f64
            ),
        ]);
        rows.push([
            format!(
                "notice delay (a task's end on the fake to the wait reporting it), SDK with \
                 {label}; answers counted against the rate limit (all but 304s)"
            ),
            format!("{notice}; {} counted", w.counted),
            format!("{naive_notice}; {} counted", naive.counted),
            format!(
                "{:.0}x fewer counted",
                naive.counted as f64 / w.counted.max(1) as f64
            ),
        ]);
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("in the workspace")
        .to_path_buf()
}

/// Runs `cargo build -p agent-tasks` with `args` in a target dir of its own; returns the time
/// and whether the raw crate's build script ran.
fn cargo_build(target: &Path, args: &[&str]) -> (Duration, bool) {
    let t = Instant::now();
    let out = downstream::cargo(&workspace())
        .args(["build", "-v", "-p", "agent-tasks"])
        .args(args)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("cargo runs");
    let elapsed = t.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = String::from_utf8_lossy(&out.stderr);
    let ran = log.lines().any(|l| {
        l.contains("Running") && l.contains("agent-tasks-raw") && l.contains("build-script-build")
    });
    (elapsed, ran)
}

fn touch(path: &Path) {
    let file = std::fs::File::options()
        .append(true)
        .open(path)
        .expect("exists");
    file.set_modified(std::time::SystemTime::now())
        .expect("touch");
}

/// 4. Clean builds, and rebuilds after touching the ergonomic crate and the spec.
fn building(rows: &mut Vec<[String; 4]>) {
    let target = workspace().join("target/bench-build");
    let _ = std::fs::remove_dir_all(&target);
    let (debug, _) = cargo_build(&target, &[]);
    let (release, _) = cargo_build(&target, &["--release"]);
    touch(&workspace().join("crates/agent-tasks/src/lib.rs"));
    let (crate_touch, script_after_crate) = cargo_build(&target, &[]);
    touch(&workspace().join("openapi/agents.yaml"));
    let (spec_touch, script_after_spec) = cargo_build(&target, &[]);
    println!(
        "building agent-tasks: clean debug {:.1} s, clean release {:.1} s; after touching the crate {:.2} s (build script ran: {script_after_crate}); after touching the spec {:.2} s (build script ran: {script_after_spec})",
        debug.as_secs_f64(),
        release.as_secs_f64(),
        crate_touch.as_secs_f64(),
        spec_touch.as_secs_f64()
    );
    rows.push([
        "clean build of agent-tasks, debug / release".into(),
        format!(
            "{:.1} s / {:.1} s",
            debug.as_secs_f64(),
            release.as_secs_f64()
        ),
        "-".into(),
        "-".into(),
    ]);
    rows.push([
        "rebuild after touching crates/agent-tasks/src/lib.rs".into(),
        format!(
            "{:.2} s (build script ran: {script_after_crate})",
            crate_touch.as_secs_f64()
        ),
        "-".into(),
        "-".into(),
    ]);
    rows.push([
        "rebuild after touching openapi/agents.yaml".into(),
        format!(
            "{:.2} s (build script ran: {script_after_spec})",
            spec_touch.as_secs_f64()
        ),
        "-".into(),
        "-".into(),
    ]);
    let _ = std::fs::remove_dir_all(&target);
}
