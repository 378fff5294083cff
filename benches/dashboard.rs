//! The round page (dashboard, change since the previous round, comments) of a running server:
//! wall time and peak heap per view. The rounds are closed, so the first view publishes their
//! releases (scoring every response) and later views read the stored figures.
//!
//! `scripts/bench-dashboard` runs this (`cargo bench --bench dashboard`). Two rounds, on SQLite:
//! the demo's largest round, and a round of open-link responses (100,000, or
//! `BENCH_DASHBOARD_RESPONSES`) to the 40-item `collaboration-factors` instrument whose
//! partnership has a previous round of `PREVIOUS` responses, so the view also computes the
//! change. The server runs in this process; a counting allocator records the peak heap above what
//! was in use before each request.
//!
//! Then the large round's `raw.csv`, `dimensions.csv` and `respondents.csv` downloads (time to
//! the last byte, peak heap), and the rate and 99th percentile of `CONNECTIONS` clients asking at
//! once for the demo round's page, the 40-item form of an invitation (`GET /s/{token}`) and
//! `/healthz`, each for `LOAD` (the clients share the process with the server).

#[path = "support/demo.rs"]
mod demo;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use partnerscope::instrument::{Instrument, Library};
use partnerscope::store;
use partnerscope::survey::closing::RoundDetails;
use partnerscope::survey::{NewInvitation, NewRound};
use partnerscope::web::{self, AppState};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const LARGE: usize = 100_000;
const PREVIOUS: usize = 20_000;
const VIEWS: usize = 4;
const CONNECTIONS: usize = 8;
const LOAD: Duration = Duration::from_secs(5);

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Stores `count` submitted open-link responses to `round_id`, answering every item, in one
/// transaction of multi-row inserts (the server's own path would take minutes at this size).
async fn fill(url: &str, round_id: i64, instrument: &Instrument, count: usize, seed: u64) {
    use sqlx::Connection;
    let mut db = sqlx::SqliteConnection::connect(url).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let sectors = ["government", "nonprofit", "business", "education", "health"];
    let mut rng = StdRng::seed_from_u64(seed);
    let first: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM responses")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    for chunk in (0..count).collect::<Vec<_>>().chunks(500) {
        let mut responses = String::from(
            "INSERT INTO responses (id, round_id, open_form_id, consent, sector, status, \
             started_at, updated_at, submitted_at, pseudonym, answers) VALUES ",
        );
        for (k, &i) in chunk.iter().enumerate() {
            let id = first + i as i64;
            let sector = sectors[rng.random_range(0..sectors.len())];
            if k > 0 {
                responses.push(',');
            }
            // Distinct, and not in id order, like the server's random pseudonyms.
            let pseudonym = (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let answers: Vec<String> = instrument
                .items
                .iter()
                .map(|item| format!("\"{}\":{}", item.id, rng.random_range(1..=5)))
                .collect();
            responses.push_str(&format!(
                "({id}, {round_id}, 'bench-{round_id}-{i}', 1, '{sector}', 'submitted', \
                 '2026-11-26T00:00:00Z', '2026-11-26T00:00:00Z', '2026-11-26T00:00:00Z', \
                 '{pseudonym:016x}', '{{{}}}')",
                answers.join(",")
            ));
        }
        sqlx::query(&responses).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// Signs in and views the round page `VIEWS` times: the first view's time (which publishes the
/// closed round's release), the median of the others (which read it), and the largest peak heap.
async fn measure(base: &str, round_id: i64) -> (Duration, Duration, usize) {
    let browser = signed_in(base).await;
    let mut times = Vec::new();
    let mut peak = 0;
    for _ in 0..VIEWS {
        let (time, heap, _) =
            timed_get(&browser, &format!("{base}/facilitator/rounds/{round_id}")).await;
        times.push(time);
        peak = peak.max(heap);
    }
    let first = times.remove(0);
    times.sort();
    (first, times[times.len() / 2], peak)
}

/// One GET read to its last byte: its wall time, the peak heap above what was in use before, and
/// its length.
async fn timed_get(browser: &reqwest::Client, url: &str) -> (Duration, usize, usize) {
    let before = IN_USE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let start = Instant::now();
    let mut page = browser.get(url).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200, "{url}");
    let mut length = 0;
    while let Some(chunk) = page.chunk().await.unwrap() {
        length += chunk.len();
    }
    let time = start.elapsed();
    (
        time,
        PEAK.load(Ordering::Relaxed).saturating_sub(before),
        length,
    )
}

/// `CONNECTIONS` clients asking for `url` one request after another for `LOAD`: requests per
/// second and the 99th percentile latency.
async fn load(browser: &reqwest::Client, url: &str) -> (f64, Duration) {
    let start = Instant::now();
    let clients: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (browser, url) = (browser.clone(), url.to_string());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while start.elapsed() < LOAD {
                    let asked = Instant::now();
                    let page = browser.get(&url).send().await.unwrap();
                    assert_eq!(page.status().as_u16(), 200, "{url}");
                    page.bytes().await.unwrap();
                    latencies.push(asked.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for client in clients {
        latencies.extend(client.await.unwrap());
    }
    let elapsed = start.elapsed();
    latencies.sort();
    let p99 = latencies[(latencies.len() * 99 / 100).min(latencies.len() - 1)];
    (latencies.len() as f64 / elapsed.as_secs_f64(), p99)
}

/// A client signed in as the bench's administrator.
async fn signed_in(base: &str) -> reqwest::Client {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed_in = browser
        .post(format!("{base}/facilitator/sign-in"))
        .header("Origin", base)
        .form(&[
            ("email", "bench@example.org"),
            ("password", "bench password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status().as_u16(), 303);
    browser
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let library = Library::shipped().unwrap();
    let instrument = library.get("collaboration-factors").unwrap().clone();
    let store = store::open(&url).await.unwrap();
    partnerscope::demo::ensure(
        store.as_ref(),
        library.get(partnerscope::demo::INSTRUMENT).unwrap(),
    )
    .await
    .unwrap();
    let (demo_round, demo_size) = demo::largest_demo_round(store.as_ref()).await;
    let hash = partnerscope::accounts::hash_password("bench password").unwrap();
    store
        .create_facilitator("bench@example.org", &hash, true)
        .await
        .unwrap();
    let partnership = store.create_partnership("Bench", None).await.unwrap();
    let large = std::env::var("BENCH_DASHBOARD_RESPONSES")
        .map(|n| n.parse().unwrap())
        .unwrap_or(LARGE);
    let mut rounds = Vec::new();
    for (wave, size) in [("previous", PREVIOUS), ("large", large)] {
        let round = store
            .create_round(&NewRound {
                partnership_id: partnership.id,
                instrument: &instrument,
                wave,
                min_group_size: 3,
                open_link: true,
                identified: false,
                details: &RoundDetails::default(),
            })
            .await
            .unwrap();
        fill(&url, round.id, &instrument, size, round.id as u64).await;
        store.close_round(round.id).await.unwrap();
        rounds.push(round.id);
    }
    // An open round with an unanswered invitation, whose form the load asks for.
    let open = store
        .create_round(&NewRound {
            partnership_id: partnership.id,
            instrument: &instrument,
            wave: "open",
            min_group_size: 3,
            open_link: false,
            identified: false,
            details: &RoundDetails::default(),
        })
        .await
        .unwrap();
    let invitation = store
        .create_invitation(&NewInvitation {
            round_id: open.id,
            organisation: "Bench",
            sector: None,
            language: None,
        })
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState {
        store,
        instruments: Arc::new(library),
        public_url: None,
        secure_cookies: false,
        open_links: Arc::default(),
        sign_ins: Arc::default(),
        invited: Arc::default(),
        time_zone: jiff::tz::TimeZone::UTC,
        mailer: None,
    };
    tokio::spawn(web::serve(listener, state, std::future::pending()));
    for (name, round_id, size) in [
        ("demo's largest round", demo_round, demo_size),
        ("large round, previous round of 20,000", rounds[1], large),
    ] {
        let (first, later, peak) = measure(&base, round_id).await;
        println!(
            "{name} ({size} responses): first view {:.0} ms, later views median {:.0} ms, \
             peak heap {:.1} MiB",
            first.as_secs_f64() * 1000.0,
            later.as_secs_f64() * 1000.0,
            peak as f64 / (1 << 20) as f64
        );
    }
    let browser = signed_in(&base).await;
    for file in ["raw.csv", "dimensions.csv", "respondents.csv"] {
        let url = format!("{base}/facilitator/rounds/{}/reports/{file}", rounds[1]);
        let (time, peak, length) = timed_get(&browser, &url).await;
        println!(
            "{file} of the large round: {:.0} ms, peak heap {:.1} MiB, {:.1} MiB",
            time.as_secs_f64() * 1000.0,
            peak as f64 / (1 << 20) as f64,
            length as f64 / (1 << 20) as f64
        );
    }
    for (name, url) in [
        (
            "demo round page",
            format!("{base}/facilitator/rounds/{demo_round}"),
        ),
        (
            "40-item form GET /s/{token}",
            format!("{base}/s/{}", invitation.token),
        ),
        ("/healthz", format!("{base}/healthz")),
    ] {
        let (rate, p99) = load(&browser, &url).await;
        println!(
            "{name}, {CONNECTIONS} connections: {rate:.0} requests/s, p99 {:.1} ms",
            p99.as_secs_f64() * 1000.0
        );
    }
}
