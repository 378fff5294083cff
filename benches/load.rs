//! The load benchmark of issue 14 ("Fast at any size"): the release `partnerscope serve` under
//! `wrk`, and the dashboard and downloads of a 1,000,000-response round, in one run that prints
//! one table.
//!
//! `scripts/bench-load` starts a PostgreSQL cluster with fsync on, installs `wrk` if missing,
//! builds the release binary and runs this (`cargo bench --bench load`). For each engine (SQLite
//! in `target/bench-data/`, WAL with `synchronous=FULL`; PostgreSQL when
//! `PARTNERSCOPE_TEST_POSTGRES` names a server) everything is prepared through the product as a
//! facilitator would: `partnerscope facilitator add`, `serve --demo` in its own process on
//! loopback, sign-in, the partnership and round forms, `partnerscope partners add` of
//! `INVITATIONS` partners and the round's `links.csv`. Then `wrk` (2 threads) runs for
//! `PARTNERSCOPE_BENCH_LOAD_SECONDS` (default 15) seconds each against `/healthz`, the
//! submissions (`benches/load-submit.lua`: each personal link's complete 40-item form, once), the
//! form `GET /s/{token}` of a link of that round and of a round of `SMALL_ROUND` partners, and
//! the round page of the demo's largest round (with the session cookie). Beside the submissions
//! it measures the fsync latency of the database's disk.
//!
//! On SQLite (on both engines with `PARTNERSCOPE_BENCH_LOAD_LARGE=both`, on neither with `none`)
//! it then creates two rounds of `benches/bench-instrument.toml` in one partnership, fills them with
//! `partnerscope import` from the `score` benchmark's file (its first 100,000 responses, then all
//! 1,000,000), closes them with the round page's form (which publishes their releases: the
//! server scores every response then), and times the closing, the round page and each download
//! of the large round to its last byte, with the server's peak resident memory during each one (`VmHWM`, reset before it through
//! `/proc/PID/clear_refs`).

#[path = "support/data.rs"]
mod data;
#[path = "support/database.rs"]
mod database;
#[path = "support/demo.rs"]
mod demo;
#[path = "support/memory.rs"]
mod memory;
#[path = "support/process.rs"]
mod process;
mod support;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use partnerscope::instrument::Library;
use partnerscope::store;

/// Connections of the `wrk` runs, except the demo dashboard's.
const CONNECTIONS: usize = 32;
/// Connections of the demo dashboard's `wrk` run.
const DASHBOARD_CONNECTIONS: usize = 8;
/// `wrk` threads: one per core of the project's machine.
const THREADS: usize = 2;
/// Partners invited to the submission round: more than the submissions of one run can spend.
const INVITATIONS: usize = 100_000;
/// Partners of the round whose form is fetched beside the large round's.
const SMALL_ROUND: usize = 40;
/// Views of a large round's page after the first.
const LATER_VIEWS: usize = 5;
/// The peak resident memory every large request must stay under: 300 MB, in MiB.
const RSS_LIMIT_MIB: f64 = 300e6 / 1048576.0;
const EMAIL: &str = "load@example.org";
const PASSWORD: &str = "load bench password";
/// Seconds of each `wrk` run.
const SECONDS: &str = "PARTNERSCOPE_BENCH_LOAD_SECONDS";
/// Which engines run the large rounds: `sqlite` (the default), `both` or `none`.
const LARGE: &str = "PARTNERSCOPE_BENCH_LOAD_LARGE";

/// One line of the final table.
struct Row {
    what: String,
    measured: String,
    target: String,
    /// `None` where there is no target.
    met: Option<bool>,
}

impl Row {
    fn new(what: impl Into<String>, measured: String, target: &str, met: Option<bool>) -> Row {
        Row {
            what: what.into(),
            measured,
            target: target.to_string(),
            met,
        }
    }
}

/// The facts of the machine at one moment.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map_or("unknown", |rest| rest.trim_start_matches([' ', '\t', ':']));
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(0.0, |kib| kib / 1048576.0);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores ({model}), {memory:.1} GiB")
}

/// The load averages over 1, 5 and 15 minutes, as `/proc/loadavg` gives them.
fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The current time, UTC.
fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Median and 99th percentile, in milliseconds, of 200 appends of 4 KiB each made durable
/// (`sync_data`) to a file in `dir`: what each commit of a database there waits for at least.
fn fsync_latency(dir: &Path) -> (f64, f64) {
    let path = dir.join("partnerscope-fsync-probe");
    let mut file = File::create(&path).unwrap();
    let block = [0x5a_u8; 4096];
    let mut times: Vec<Duration> = (0..200)
        .map(|_| {
            let start = Instant::now();
            file.write_all(&block).unwrap();
            file.sync_data().unwrap();
            start.elapsed()
        })
        .collect();
    drop(file);
    std::fs::remove_file(&path).unwrap();
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
    (at(0.5), at(0.99))
}

/// Milliseconds of one of wrk's durations (`850.00us`, `1.23ms`, `2.00s`, `1.50m`).
fn wrk_ms(text: &str) -> f64 {
    let text = text.trim_end_matches(',');
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().unwrap_or(f64::NAN);
    number
        * match unit {
            "us" => 0.001,
            "ms" => 1.0,
            "s" => 1000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            _ => f64::NAN,
        }
}

/// What one `wrk --latency` run printed.
struct Wrk {
    /// Requests completed.
    requests: u64,
    /// The run's wall seconds.
    seconds: f64,
    /// Requests per second, as wrk counts them (every completed request).
    rate: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Answers with a status outside 200–399.
    failed: u64,
    /// wrk's socket errors line, if it printed one.
    socket_errors: Option<String>,
    /// The line `benches/load-submit.lua` prints at the end, if it ran.
    script: Option<String>,
}

impl Wrk {
    /// A short account of the run's errors, empty when there were none.
    fn errors(&self) -> String {
        let mut errors = Vec::new();
        if self.failed > 0 {
            errors.push(format!("{} answers not 2xx or 3xx", self.failed));
        }
        if let Some(socket) = &self.socket_errors {
            errors.push(format!("socket errors: {socket}"));
        }
        if errors.is_empty() {
            String::new()
        } else {
            format!("; **{}**", errors.join(", "))
        }
    }
}

/// Runs `wrk` with `connections` connections for `seconds` on `url`, with the extra options
/// `extra` (before the URL) and script arguments `script_args` (after it), and reads its report.
async fn wrk(
    connections: usize,
    seconds: u64,
    url: &str,
    extra: &[&str],
    script_args: &[&str],
) -> Wrk {
    let mut command = tokio::process::Command::new("wrk");
    command
        .args(["-t", &THREADS.to_string(), "-c", &connections.to_string()])
        .args([
            "-d",
            &format!("{seconds}s"),
            "--latency",
            "--timeout",
            "10s",
        ])
        .args(extra)
        .arg(url);
    if !script_args.is_empty() {
        command.arg("--").args(script_args);
    }
    let output = command
        .output()
        .await
        .expect("wrk runs (scripts/bench-load installs it)");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "wrk failed:\n{text}");
    let mut report = Wrk {
        requests: 0,
        seconds: f64::NAN,
        rate: f64::NAN,
        p50_ms: f64::NAN,
        p99_ms: f64::NAN,
        failed: 0,
        socket_errors: None,
        script: None,
    };
    for line in text.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["50%", value] => report.p50_ms = wrk_ms(value),
            ["99%", value] => report.p99_ms = wrk_ms(value),
            ["Requests/sec:", value] => report.rate = value.parse().unwrap_or(f64::NAN),
            [count, "requests", "in", duration, ..] => {
                report.requests = count.parse().unwrap_or(0);
                report.seconds = wrk_ms(duration) / 1000.0;
            }
            ["Non-2xx", "or", "3xx", "responses:", count] => {
                report.failed = count.parse().unwrap_or(0);
            }
            _ => {}
        }
        if let Some(errors) = line.strip_prefix("Socket errors: ") {
            report.socket_errors = Some(errors.to_string());
        }
        if let Some(summary) = line.strip_prefix("partnerscope-load: ") {
            report.script = Some(summary.to_string());
        }
    }
    println!(
        "  wrk {url}: {} requests in {:.1} s, {:.0}/s, p50 {:.2} ms, p99 {:.2} ms{}{}",
        report.requests,
        report.seconds,
        report.rate,
        report.p50_ms,
        report.p99_ms,
        report.errors(),
        report
            .script
            .as_deref()
            .map_or(String::new(), |s| format!(" ({s})"))
    );
    report
}

/// Runs `partnerscope ARGS --database-url URL`, timed, and prints what it took.
fn partnerscope(args: &[&str], url: &str) {
    let process::Measured { wall, rss, stdout } = process::measure(
        Command::new(env!("CARGO_BIN_EXE_partnerscope"))
            .args(args)
            .args(["--database-url", url]),
    );
    let command: Vec<&str> = args
        .iter()
        .copied()
        .take_while(|arg| !arg.starts_with("--"))
        .collect();
    println!(
        "  partnerscope {}: {wall:.1} s, {rss:.0} MiB peak RSS ({})",
        command.join(" "),
        stdout.trim()
    );
}

/// Adds the bench's administrator with `partnerscope facilitator add`, the password on stdin.
fn add_facilitator(url: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_partnerscope"))
        .args([
            "facilitator",
            "add",
            "--admin",
            EMAIL,
            "--database-url",
            url,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(child.wait().unwrap().success(), "facilitator add failed");
}

/// A signed-in facilitator's browser: the session cookie and the CSRF token of its forms.
struct Browser {
    client: reqwest::Client,
    /// `http://127.0.0.1:PORT`, without the final `/`.
    base: String,
    /// `partnerscope_session=…`, as the `Cookie` header carries it.
    cookie: String,
    csrf: String,
}

impl Browser {
    /// Signs in through the sign-in form and reads the CSRF token from the home page.
    async fn sign_in(base: &str) -> Browser {
        let base = base.trim_end_matches('/').to_string();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let signed_in = client
            .post(format!("{base}/facilitator/sign-in"))
            .header("Origin", &base)
            .form(&[("email", EMAIL), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status().as_u16(), 303, "the sign-in is accepted");
        let cookie = signed_in
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find(|value| value.starts_with("partnerscope_session="))
            .and_then(|value| value.split(';').next())
            .expect("the sign-in sets the session cookie")
            .to_string();
        let mut browser = Browser {
            client,
            base,
            cookie,
            csrf: String::new(),
        };
        let home = browser.get("/facilitator").await.text().await.unwrap();
        let (_, rest) = home
            .split_once("name=\"csrf\" value=\"")
            .expect("the home page has a form with the CSRF token");
        browser.csrf = rest.split('"').next().unwrap_or_default().to_string();
        browser
    }

    /// `GET path` with the session cookie.
    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .header("Cookie", &self.cookie)
            .send()
            .await
            .unwrap()
    }

    /// Posts a facilitator form (with its CSRF token) and returns the id at the end of the
    /// address it redirects to.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> i64 {
        let mut form = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        let answer = self
            .client
            .post(format!("{}{path}", self.base))
            .header("Cookie", &self.cookie)
            .header("Origin", &self.base)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 303, "POST {path} is accepted");
        let location = answer.headers()["location"].to_str().unwrap();
        location
            .rsplit('/')
            .next()
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("POST {path} leads to an id, not {location}"))
    }

    /// Creates a partnership with the home page's form; its id.
    async fn partnership(&self, name: &str) -> i64 {
        self.post("/facilitator/partnerships", &[("name", name)])
            .await
    }

    /// Creates an anonymous round of `instrument` with personal links in `partnership` with the
    /// partnership page's form; its id.
    async fn round(&self, partnership: i64, instrument: &str, wave: &str) -> i64 {
        self.post(
            &format!("/facilitator/partnerships/{partnership}/rounds"),
            &[
                ("instrument", instrument),
                ("wave", wave),
                ("min_group_size", "3"),
            ],
        )
        .await
    }

    /// The personal links' tokens of `round`, from its `links.csv`.
    async fn tokens(&self, round: i64) -> Vec<String> {
        let links = self
            .get(&format!("/facilitator/rounds/{round}/links.csv"))
            .await
            .text()
            .await
            .unwrap();
        links
            .lines()
            .filter_map(|line| line.rsplit_once("/s/"))
            .map(|(_, rest)| {
                rest.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect()
            })
            .collect()
    }
}

/// Sets the peak resident memory (`VmHWM`) of process `pid` to its current resident memory.
fn reset_peak(pid: u32) {
    // 5: reset the peak, the one `clear_refs` value that changes no page's state.
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").expect("the peak RSS can be reset");
}

/// What one timed request of a large round gave: to its last byte.
struct Timed {
    status: u16,
    seconds: f64,
    bytes: usize,
    lines: usize,
    /// The server's peak resident memory during the request, MiB.
    peak_mib: f64,
    /// The body's first bytes.
    head: Vec<u8>,
}

/// `GET path` as `browser`, timed to its last byte, with the peak resident memory of the server
/// `pid` from just before the request to its end.
async fn timed(browser: &Browser, pid: u32, path: &str) -> Timed {
    reset_peak(pid);
    let start = Instant::now();
    let mut response = browser.get(path).await;
    let status = response.status().as_u16();
    let (mut bytes, mut lines, mut head) = (0, 0, Vec::new());
    while let Some(chunk) = response.chunk().await.unwrap() {
        bytes += chunk.len();
        lines += chunk.iter().filter(|&&b| b == b'\n').count();
        if head.len() < 64 {
            head.extend_from_slice(&chunk[..chunk.len().min(64)]);
        }
    }
    Timed {
        status,
        seconds: start.elapsed().as_secs_f64(),
        bytes,
        lines,
        peak_mib: memory::status_mib(pid, "VmHWM"),
        head,
    }
}

/// `n` with thousands separators, as the table writes sizes (`1,000,000`).
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// `yes`, `no`, or `—` where there is no target.
fn met(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "yes",
        Some(false) => "**no**",
        None => "—",
    }
}

/// The responses files of the large rounds: (responses, file).
fn large_files(bench_data: &Path, work: &Path) -> Vec<(usize, PathBuf)> {
    let source = bench_data.join("responses-1m.csv");
    // The import benchmark's file, made here if it is missing.
    let all = bench_data.join("responses-1m-one-wave.csv");
    if !all.exists() {
        data::one_wave(&source, &all, usize::MAX).unwrap();
    }
    let first = work.join("responses-100k-one-wave.csv");
    data::one_wave(&source, &first, 100_000).unwrap();
    vec![(100_000, first), (1_000_000, all)]
}

/// Everything of one engine: the `wrk` runs, then (with `large`) the large rounds.
struct Engine<'a> {
    name: &'a str,
    url: String,
    /// Where the database's files are, for the fsync latency.
    disk: Option<PathBuf>,
    work: &'a Path,
    instruments: &'a Path,
    seconds: u64,
    large: Option<&'a [(usize, PathBuf)]>,
}

impl Engine<'_> {
    /// Invites `count` partners to `round` with `partnerscope partners add`; their links' tokens,
    /// from the round's `links.csv`.
    async fn invite(&self, browser: &Browser, round: i64, count: usize) -> Vec<String> {
        let partners = self
            .work
            .join(format!("partners-{}-{round}.csv", self.name));
        let mut list = BufWriter::new(File::create(&partners).unwrap());
        writeln!(list, "organisation,sector").unwrap();
        for i in 0..count {
            writeln!(list, "Partner {i},nonprofit").unwrap();
        }
        list.flush().unwrap();
        drop(list);
        partnerscope(
            &[
                "partners",
                "add",
                "--round",
                &round.to_string(),
                partners.to_str().unwrap(),
            ],
            self.url.as_str(),
        );
        let tokens = browser.tokens(round).await;
        assert_eq!(tokens.len(), count, "links.csv lists every partner");
        tokens
    }

    async fn run(&self, table: &mut Vec<Row>) {
        let (engine, url, seconds) = (self.name, self.url.as_str(), self.seconds);
        println!("{engine}: preparing");
        add_facilitator(url);
        let instruments = self.instruments.to_str().unwrap();
        let (mut server, base) =
            support::serve(url, &["--demo", "--instruments", instruments]).await;
        let pid = server.id().unwrap();
        let browser = Browser::sign_in(&base).await;
        let base = browser.base.clone();

        // The submission round: its partners, their links, and the form every request posts.
        let partnership = browser.partnership("Load").await;
        let round = browser
            .round(partnership, "collaboration-factors", "2026 spring")
            .await;
        let mut tokens = self.invite(&browser, round, INVITATIONS).await;
        // Kept out of the submissions, so the form's GET has a link not yet submitted.
        let form_token = tokens.pop().unwrap();
        let small = browser
            .round(partnership, "collaboration-factors", "2026 small")
            .await;
        let small_token = self.invite(&browser, small, SMALL_ROUND).await.remove(0);
        let token_file = self.work.join(format!("tokens-{engine}.txt"));
        std::fs::write(&token_file, tokens.join("\n") + "\n").unwrap();
        let instrument = Library::shipped()
            .unwrap()
            .get("collaboration-factors")
            .unwrap()
            .clone();
        let mut body = String::from("consent=yes&action=submit");
        for (i, item) in instrument.items.iter().enumerate() {
            body.push_str(&format!("&item-{}={}", item.id, (i % 5) + 1));
        }
        let body_file = self.work.join("submission.txt");
        std::fs::write(&body_file, body).unwrap();

        println!("{engine}: wrk, {seconds} s each");
        let healthz = wrk(CONNECTIONS, seconds, &format!("{base}/healthz"), &[], &[]).await;
        table.push(Row::new(
            format!("`GET /healthz`, {CONNECTIONS} connections ({engine} run)"),
            format!(
                "{:.0}/s, p99 {:.2} ms{}",
                healthz.rate,
                healthz.p99_ms,
                healthz.errors()
            ),
            "baseline",
            None,
        ));

        let fsync = self.disk.as_deref().map(fsync_latency);
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/load-submit.lua");
        let submit = wrk(
            CONNECTIONS,
            seconds,
            &format!("{base}/"),
            &["-s", script],
            &[
                token_file.to_str().unwrap(),
                body_file.to_str().unwrap(),
                &THREADS.to_string(),
            ],
        )
        .await;
        let summary = submit.script.clone().unwrap_or_default();
        let submitted: u64 = summary
            .split_whitespace()
            .find_map(|word| word.strip_prefix("303="))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let rate = submitted as f64 / submit.seconds;
        let share = 100.0 * rate / healthz.rate;
        let out_of_tokens = !summary.contains("threads out of tokens 0,");
        let disk = fsync.map_or(
            "not measured (PG_TEST_DIR unset)".to_string(),
            |(p50, p99)| format!("p50 {p50:.2} ms, p99 {p99:.2} ms"),
        );
        table.push(Row::new(
            format!(
                "complete 40-item submissions to personal links, {CONNECTIONS} connections, {}",
                if engine == "SQLite" {
                    "SQLite (WAL, synchronous=FULL)"
                } else {
                    "PostgreSQL (fsync on)"
                }
            ),
            format!(
                "{rate:.0} submissions/s ({share:.1} % of /healthz), p50 {:.1} ms, p99 {:.1} ms; \
                 fsync of the database's disk {disk}; wrk: {summary}{}{}",
                submit.p50_ms,
                submit.p99_ms,
                submit.errors(),
                if out_of_tokens {
                    " (**tokens ran out**: the rate is a lower bound)"
                } else {
                    ""
                }
            ),
            "≥ 10 % of /healthz, p99 < 50 ms",
            Some(share >= 10.0 && submit.p99_ms < 50.0),
        ));

        for (token, partners) in [(small_token, SMALL_ROUND), (form_token, INVITATIONS)] {
            let form = wrk(CONNECTIONS, seconds, &format!("{base}/s/{token}"), &[], &[]).await;
            let share = 100.0 * form.rate / healthz.rate;
            table.push(Row::new(
                format!(
                    "`GET /s/{{token}}`, the 40-item form, {CONNECTIONS} connections, {engine}, \
                     a round of {} partners",
                    thousands(partners)
                ),
                format!(
                    "{:.0}/s ({share:.1} % of /healthz), p50 {:.1} ms, p99 {:.1} ms{}",
                    form.rate,
                    form.p50_ms,
                    form.p99_ms,
                    form.errors()
                ),
                "≥ 25 % of /healthz",
                Some(share >= 25.0 && form.failed == 0),
            ));
        }

        let store = store::open(url).await.unwrap();
        let (demo_round, demo_size) = demo::largest_demo_round(store.as_ref()).await;
        drop(store);
        let page = format!("/facilitator/rounds/{demo_round}");
        // One view first, so that whatever the page does once (publishing a release the demo round
        // may be waiting for) is done before wrk's views.
        let first = timed(&browser, pid, &page).await;
        assert_eq!(first.status, 200, "the demo round's page is shown");
        println!("  demo round page, first view: {:.3} s", first.seconds);
        let cookie = format!("Cookie: {}", browser.cookie);
        let dashboard = wrk(
            DASHBOARD_CONNECTIONS,
            seconds,
            &format!("{base}{page}"),
            &["-H", &cookie],
            &[],
        )
        .await;
        table.push(Row::new(
            format!(
                "dashboard of the demo's {demo_size}-response round, {DASHBOARD_CONNECTIONS} \
                 connections, {engine}"
            ),
            format!(
                "{:.0} views/s, p50 {:.1} ms, p99 {:.1} ms{}",
                dashboard.rate,
                dashboard.p50_ms,
                dashboard.p99_ms,
                dashboard.errors()
            ),
            "≥ 1,000 views/s, p99 < 20 ms",
            Some(dashboard.rate >= 1000.0 && dashboard.p99_ms < 20.0 && dashboard.failed == 0),
        ));

        if let Some(files) = self.large {
            large_rounds(engine, url, &browser, pid, files, table).await;
        }
        server.kill().await.unwrap();
    }
}

/// Fills, closes and views the large rounds, then downloads each report of the largest.
async fn large_rounds(
    engine: &str,
    url: &str,
    browser: &Browser,
    pid: u32,
    files: &[(usize, PathBuf)],
    table: &mut Vec<Row>,
) {
    println!("{engine}: large rounds");
    let partnership = browser.partnership("Large rounds").await;
    let mut rounds = Vec::new();
    for (i, (size, file)) in files.iter().enumerate() {
        let round = browser
            .round(partnership, "bench", &format!("wave {i}"))
            .await;
        partnerscope(
            &[
                "import",
                "--round",
                &round.to_string(),
                file.to_str().unwrap(),
            ],
            url,
        );
        rounds.push((*size, round));
    }
    for &(size, round) in &rounds {
        let limit = if size >= 1_000_000 { 1.0 } else { 0.2 };
        // Closing publishes the round's release (the server scores every response then), so the
        // first view below only reads it.
        reset_peak(pid);
        let start = Instant::now();
        browser
            .post(&format!("/facilitator/rounds/{round}/close"), &[])
            .await;
        let closing = start.elapsed().as_secs_f64();
        let peak = memory::status_mib(pid, "VmHWM");
        println!(
            "  closing the round of {size} responses: {closing:.3} s, server peak RSS {peak:.0} MiB"
        );
        table.push(Row::new(
            format!(
                "closing a {}-response round with its form (publishes the release), {engine}",
                thousands(size)
            ),
            format!("{closing:.3} s, server peak RSS {peak:.0} MiB"),
            &format!("< {limit} s (the first view's target)"),
            Some(closing < limit),
        ));
        let page = format!("/facilitator/rounds/{round}");
        let mut views = Vec::new();
        for _ in 0..=LATER_VIEWS {
            views.push(timed(browser, pid, &page).await);
        }
        let first = views.remove(0);
        println!(
            "  round page, {size} responses: first view {:.3} s (status {}), later {} s",
            first.seconds,
            first.status,
            views
                .iter()
                .map(|v| format!("{:.3}", v.seconds))
                .collect::<Vec<_>>()
                .join(", ")
        );
        table.push(Row::new(
            format!(
                "dashboard of a {}-response round, first view, {engine}",
                thousands(size)
            ),
            format!(
                "{:.3} s, server peak RSS {:.0} MiB{}",
                first.seconds,
                first.peak_mib,
                status_note(first.status)
            ),
            &format!("< {limit} s"),
            Some(first.status == 200 && first.seconds < limit),
        ));
        let ok = views.iter().all(|v| v.status == 200);
        let peak = views.iter().map(|v| v.peak_mib).fold(0.0, f64::max);
        let mut seconds: Vec<f64> = views.iter().map(|v| v.seconds).collect();
        seconds.sort_by(f64::total_cmp);
        let slowest = seconds[seconds.len() - 1];
        table.push(Row::new(
            format!(
                "dashboard of a {}-response round, later views, {engine}",
                thousands(size)
            ),
            format!(
                "median {:.3} s, slowest {slowest:.3} s of {LATER_VIEWS}, server peak RSS \
                 {peak:.0} MiB{}",
                seconds[seconds.len() / 2],
                if ok { "" } else { "; **not all 200**" }
            ),
            &format!("< {limit} s"),
            Some(ok && slowest < limit),
        ));
    }
    let Some(&(size, round)) = rounds.last() else {
        return;
    };
    let workbook = format!("partnerscope-round-{round}.xlsx");
    for (file, time_limit) in [
        ("dimensions.csv", Some(1.0)),
        ("raw.csv", Some(3.0)),
        ("respondents.csv", None),
        (workbook.as_str(), None),
    ] {
        let got = timed(
            browser,
            pid,
            &format!("/facilitator/rounds/{round}/reports/{file}"),
        )
        .await;
        // Non-trivial: the per-respondent files have a line per response, the workbook is a zip.
        let whole = match file {
            "raw.csv" | "respondents.csv" => got.lines > size,
            "dimensions.csv" => got.lines > 2,
            _ => got.head.starts_with(b"PK") && got.bytes > 1 << 20,
        };
        let fast = time_limit.is_none_or(|limit| got.seconds < limit);
        println!(
            "  {file}: status {}, {:.2} s, {} bytes, {} lines, server peak RSS {:.0} MiB",
            got.status, got.seconds, got.bytes, got.lines, got.peak_mib
        );
        table.push(Row::new(
            format!(
                "`{}` of the {}-response round, {engine}",
                if file == workbook { ".xlsx" } else { file },
                thousands(size)
            ),
            format!(
                "{:.2} s, {}, server peak RSS {:.0} MiB{}{}",
                got.seconds,
                if got.bytes < 1_000_000 {
                    format!("{:.1} kB", got.bytes as f64 / 1e3)
                } else {
                    format!("{:.1} MB", got.bytes as f64 / 1e6)
                },
                got.peak_mib,
                status_note(got.status),
                if whole || got.status != 200 {
                    ""
                } else {
                    "; **body too short**"
                }
            ),
            &match time_limit {
                Some(limit) => format!("< {limit} s, RSS < 300 MB"),
                None => "RSS < 300 MB".to_string(),
            },
            Some(got.status == 200 && whole && fast && got.peak_mib < RSS_LIMIT_MIB),
        ));
    }
}

/// Nothing for 200; the status otherwise, for the table.
fn status_note(status: u16) -> String {
    if status == 200 {
        String::new()
    } else {
        format!("; **status {status}**")
    }
}

#[tokio::main]
async fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let bench_data = root.join("target/bench-data");
    assert!(
        bench_data.join("responses-1m.csv").exists(),
        "run `cargo bench --bench score` first: it generates target/bench-data/responses-1m.csv"
    );
    let seconds: u64 = std::env::var(SECONDS)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let (started, load_before) = (now(), load_average());
    println!("{started}: {}, load average {load_before}", machine());

    let work = tempfile::tempdir_in(&bench_data).unwrap();
    let instruments = work.path().join("instruments");
    std::fs::create_dir(&instruments).unwrap();
    std::fs::copy(
        root.join("benches/bench-instrument.toml"),
        instruments.join("bench.toml"),
    )
    .unwrap();
    let large_on = std::env::var(LARGE).unwrap_or_else(|_| "sqlite".to_string());
    let files = if large_on == "none" {
        Vec::new()
    } else {
        large_files(&bench_data, work.path())
    };

    let mut table = Vec::new();
    for engine in ["SQLite", "PostgreSQL"] {
        let Some(url) = database::database(engine, work.path()).await else {
            println!("{engine}: skipped (set PARTNERSCOPE_TEST_POSTGRES; scripts/bench-load does)");
            continue;
        };
        let disk = if engine == "SQLite" {
            Some(work.path().to_path_buf())
        } else {
            std::env::var_os("PG_TEST_DIR").map(PathBuf::from)
        };
        let large = match large_on.as_str() {
            "both" => true,
            "none" => false,
            _ => engine == "SQLite",
        };
        Engine {
            name: engine,
            url,
            disk,
            work: work.path(),
            instruments: &instruments,
            seconds,
            large: large.then_some(files.as_slice()),
        }
        .run(&mut table)
        .await;
    }

    println!();
    println!(
        "Started {started}, ended {}; {}; load average at start {load_before}, at end {}; \
         wrk {THREADS} threads, {seconds} s a run.",
        now(),
        machine(),
        load_average()
    );
    println!();
    println!("| what | measured | target | met? |");
    println!("|---|---|---|---|");
    for row in &table {
        println!(
            "| {} | {} | {} | {} |",
            row.what,
            row.measured,
            row.target,
            met(row.met)
        );
    }
}
