//! Events: what a sink hears for a fetch, a retry, the cache and a failing refresh, and that
//! nothing is heard below the sink's level. Its own test binary: the sink is process-wide,
//! so its tests run one at a time under `SERIAL`.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use testkit::Testkit;
use tokenfetch::clock::ManualClock;
use tokenfetch::events::{self, names, Event, EventSink, FieldValue, Level};
use tokenfetch::{ManagerOptions, TokenClient, TokenManager, TokenRequest};

static SERIAL: Mutex<()> = Mutex::new(());

#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>);

impl EventSink for Recorder {
    fn emit(&self, event: &Event) {
        self.0.lock().unwrap().push(event.clone());
    }
}

impl Recorder {
    fn named(&self, name: &str) -> Vec<Event> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.name == name)
            .cloned()
            .collect()
    }
}

/// Installs a recorder at `level` for the length of one test.
fn listen(level: Level) -> (MutexGuard<'static, ()>, Arc<Recorder>) {
    let serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let recorder = Arc::new(Recorder::default());
    events::set_sink(Some(recorder.clone() as Arc<dyn EventSink>), level);
    (serial, recorder)
}

/// A manager on a server that answers once (a 600 s token), then 502 to every request, and
/// the clock it reads.
fn failing_after_first(kit: &Testkit) -> (Arc<ManualClock>, TokenManager) {
    let client = TokenClient::builder(kit.scenario_url("fail_after_first"))
        .client_id("c")
        .client_secret("s")
        .header("X-Testkit-Expires-In", "600")
        .max_retries(0)
        .build()
        .unwrap();
    let clock = Arc::new(ManualClock::new());
    let options = ManagerOptions {
        clock: clock.clone(),
        ..ManagerOptions::default()
    };
    let manager = TokenManager::with_options(client, TokenRequest::client_credentials(), options).unwrap();
    (clock, manager)
}

fn text(event: &Event, field: &str) -> String {
    event.field(field).map(ToString::to_string).unwrap_or_default()
}

#[test]
fn a_fetch_is_a_request_start_and_end_with_its_endpoint_status_duration_and_size() {
    let (_serial, heard) = listen(Level::Debug);
    let kit = Testkit::start().unwrap();
    let url = format!("{}?tenant=t1", kit.token_url());
    let client = TokenClient::builder(url.as_str())
        .client_id("c")
        .client_secret("s")
        .build()
        .unwrap();
    client.client_credentials(None).unwrap();
    let start = &heard.named(names::REQUEST_START)[0];
    let end = &heard.named(names::REQUEST_END)[0];
    assert_eq!(start.level, Level::Debug);
    for event in [start, end] {
        assert_eq!(text(event, "endpoint"), "token");
        assert_eq!(text(event, "method"), "POST");
        assert_eq!(text(event, "attempt"), "1");
        // Query values are redacted, as in metadata.
        assert!(text(event, "url").starts_with(&kit.token_url()), "{event:?}");
        assert!(!text(event, "url").contains("t1"), "{event:?}");
    }
    assert_eq!(end.field("status"), Some(&FieldValue::Number(200)));
    assert_eq!(text(end, "outcome"), "ok");
    assert!(matches!(end.field("bytes"), Some(FieldValue::Number(n)) if *n > 0));
    assert!(end.field("duration_ms").is_some());
    assert!(
        end.message.starts_with("request.end endpoint=token method=POST"),
        "{}",
        end.message
    );
}

#[test]
fn a_retry_says_why_and_how_long_it_waits() {
    let (_serial, heard) = listen(Level::Info);
    let kit = Testkit::start().unwrap();
    let client = TokenClient::builder(kit.scenario_url("flaky"))
        .client_id("c")
        .client_secret("s")
        .header("X-Testkit-Fail-Times", "1")
        .build()
        .unwrap();
    client.client_credentials(None).unwrap();
    let retries = heard.named(names::RETRY);
    assert_eq!(retries.len(), 1, "{retries:?}");
    assert_eq!(retries[0].level, Level::Info);
    assert_eq!(text(&retries[0], "reason"), "http_status");
    assert_eq!(retries[0].field("status"), Some(&FieldValue::Number(503)));
    assert_eq!(text(&retries[0], "attempt"), "2");
    assert!(retries[0].field("wait_ms").is_some());
    // Below the sink's level: no request events at all.
    assert!(heard.named(names::REQUEST_END).is_empty());
}

#[test]
fn the_cache_reports_a_miss_a_refresh_hits_and_waits() {
    let (_serial, heard) = listen(Level::Debug);
    let kit = Testkit::start().unwrap();
    let client = TokenClient::builder(kit.token_url())
        .client_id("c")
        .client_secret("s")
        .build()
        .unwrap();
    let manager = TokenManager::new(client, TokenRequest::client_credentials());
    manager.access_token().unwrap();
    manager.access_token().unwrap();
    manager.access_token().unwrap();
    assert_eq!(text(&heard.named(names::CACHE_MISS)[0], "why"), "empty");
    let refreshes = heard.named(names::CACHE_REFRESH);
    assert_eq!(refreshes.len(), 1);
    assert_eq!(refreshes[0].field("early"), Some(&FieldValue::Flag(false)));
    let hits = heard.named(names::CACHE_HIT);
    assert_eq!(hits.len(), 2);
    assert!(matches!(hits[0].field("remaining_ms"), Some(FieldValue::Number(n)) if *n > 3_000_000));
}

#[test]
fn a_failed_early_refresh_that_serves_the_valid_token_is_a_warning() {
    let (_serial, heard) = listen(Level::Warn);
    let kit = Testkit::start().unwrap();
    let (clock, manager) = failing_after_first(&kit);
    let first = manager.access_token().unwrap();
    clock.advance(Duration::from_secs(570)); // inside the skew window: a refresh is attempted
    assert_eq!(manager.access_token().unwrap(), first, "the valid token is served");
    let stale = heard.named(names::CACHE_STALE_SERVED);
    assert_eq!(stale.len(), 1, "{:?}", heard.0.lock().unwrap());
    assert_eq!(stale[0].level, Level::Warn);
    assert_eq!(text(&stale[0], "reason"), "http_status");
    // Warn only: the cache's own steps are not heard.
    assert!(heard.named(names::CACHE_HIT).is_empty());
}

#[test]
fn without_a_sink_nothing_is_enabled_and_a_panicking_sink_fails_no_fetch() {
    let serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    events::set_sink(None, Level::Debug);
    for level in [Level::Debug, Level::Info, Level::Warn] {
        assert!(!events::enabled(level));
    }
    struct Panics;
    impl EventSink for Panics {
        fn emit(&self, _: &Event) {
            panic!("a logger that raises");
        }
    }
    events::set_sink(Some(Arc::new(Panics)), Level::Debug);
    assert!(events::enabled(Level::Debug));
    let kit = Testkit::start().unwrap();
    let client = TokenClient::builder(kit.token_url())
        .client_id("c")
        .client_secret("s")
        .build()
        .unwrap();
    client.client_credentials(None).unwrap();
    events::set_level(Some(Level::Warn));
    assert!(!events::enabled(Level::Info) && events::enabled(Level::Warn));
    events::set_level(None);
    assert!(!events::enabled(Level::Warn));
    events::set_sink(None, Level::Debug);
    drop(serial);
}

/// A sink that asks the manager whose event it is handling for a token: a logging handler
/// authenticating with the same manager. It must get an answer, never wait for itself.
struct AsksTheManager {
    manager: std::sync::OnceLock<Arc<TokenManager>>,
    answers: Mutex<Vec<Result<String, String>>>,
}

impl EventSink for AsksTheManager {
    fn emit(&self, event: &Event) {
        if !matches!(event.name, names::CACHE_REFRESH | names::CACHE_STALE_SERVED) {
            return;
        }
        if let Some(manager) = self.manager.get() {
            let answer = manager.access_token().map_err(|e| e.to_string());
            self.answers.lock().unwrap().push(answer);
        }
    }
}

fn run_within(limit: Duration, work: impl FnOnce() + Send + 'static) {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        work();
        let _ = done.send(());
    });
    finished
        .recv_timeout(limit)
        .expect("a handler calling back into its manager hung");
}

#[test]
fn a_handler_that_calls_back_into_its_manager_gets_an_answer_not_a_hang() {
    let (_serial, _heard) = listen(Level::Debug);
    let kit = Testkit::start().unwrap();
    let sink = Arc::new(AsksTheManager {
        manager: std::sync::OnceLock::new(),
        answers: Mutex::new(Vec::new()),
    });
    events::set_sink(Some(sink.clone() as Arc<dyn EventSink>), Level::Debug);
    // Ok once for 600 s, then 502: the first fetch leads (cache.refresh), the second is a
    // failed early refresh that serves the valid token (cache.stale_served).
    let (clock, manager) = failing_after_first(&kit);
    let manager = Arc::new(manager);
    let _ = sink.manager.set(manager.clone());
    let (first_manager, later) = (manager.clone(), manager.clone());
    run_within(Duration::from_secs(20), move || {
        first_manager.access_token().unwrap();
    });
    clock.advance(Duration::from_secs(570));
    run_within(Duration::from_secs(20), move || {
        later.access_token().unwrap();
    });
    let answers = sink.answers.lock().unwrap().clone();
    // The first fetch's refresh, the early refresh, the stale token served.
    assert_eq!(answers.len(), 3, "{answers:?}");
    // During its own first fetch, on its own thread: refused, with what to do.
    assert!(
        answers[0]
            .as_ref()
            .is_err_and(|e| e.contains("would wait for itself") && !e.contains("  ")),
        "{answers:?}"
    );
    // During the early refresh the valid token; after the failed refresh, the lock released,
    // the valid token again.
    assert!(answers[1].is_ok() && answers[2].is_ok(), "{answers:?}");
    events::set_sink(None, Level::Debug);
}
