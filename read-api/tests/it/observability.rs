//! `deploy/observability/`: the Grafana dashboard is JSON Grafana can load, and every
//! metric it or the alert rules name is one the services export. (The rules themselves
//! are checked by `promtool test rules deploy/observability/alerts.test.yml`.)

use std::collections::BTreeSet;

/// Every metric name the services export, from the constants the code records with.
fn exported() -> BTreeSet<&'static str> {
    BTreeSet::from([
        platform::metrics::HTTP_DURATION,
        platform::metrics::DB_POOL,
        platform::metrics::DB_POOL_MAX,
        platform::metrics::CONSUMER_PENDING,
        platform::metrics::CONSUMER_ACK_PENDING,
        platform::metrics::CONSUMER_OLDEST_AGE,
        command_api::es::COMMANDS,
        command_api::relay::PUBLISHED,
        command_api::relay::FAILURES,
        command_api::relay::PUBLISH_DURATION,
        command_api::relay::OUTBOX_UNPUBLISHED,
        command_api::relay::OUTBOX_OLDEST_AGE,
        projector::consumer::LAG,
        projector::consumer::MESSAGES,
        projector::sampler::DEAD_LETTERS,
        projector::sampler::ACTIVE,
        read_api::proforma::RENDER_DURATION,
        read_api::facturx::RENDER_DURATION,
    ])
}

/// The metric names `text` mentions (`gescom_…`), a histogram's series by its own name.
fn named_in(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("gescom_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let name = &tail[..end];
        let name = ["_bucket", "_count", "_sum"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix))
            .unwrap_or(name);
        names.insert(name.to_owned());
        rest = &tail[end..];
    }
    names
}

fn read(file: &str) -> String {
    let path = format!(
        "{}/../deploy/observability/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_dashboard_and_the_alerts_name_only_exported_metrics() {
    let exported = exported();
    let dashboard: serde_json::Value =
        serde_json::from_str(&read("grafana-dashboard.json")).expect("the dashboard is JSON");
    let panels = dashboard["panels"].as_array().expect("panels");
    let mut shown = BTreeSet::new();
    for panel in panels {
        let targets = panel["targets"].as_array().expect("targets");
        assert!(!targets.is_empty(), "{}", panel["title"]);
        for target in targets {
            shown.extend(named_in(target["expr"].as_str().expect("an expression")));
        }
    }
    let alerts = named_in(&read("alerts.yml"));
    for name in shown.iter().chain(&alerts) {
        assert!(
            exported.contains(name.as_str()),
            "{name} is not a metric the services export"
        );
    }
    // Every exported metric has a panel.
    for name in &exported {
        assert!(shown.contains(*name), "no panel shows {name}");
    }
    for alert in [
        "GescomOutboxStale",
        "GescomProjectorLagging",
        "GescomDeadLetters",
        "GescomHttp5xx",
    ] {
        assert!(
            read("alerts.yml").contains(&format!("alert: {alert}")),
            "{alert}"
        );
    }
    assert!(read("prometheus.yml").contains("alerts.yml"));
}
