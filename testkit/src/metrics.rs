//! Reading a Prometheus text exposition in tests.

/// The value of the first sample of `name` whose labels include every one of `labels`
/// (other labels may be there too), or `None` if there is none.
pub fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples(text, name)
        .into_iter()
        .find(|(have, _)| {
            labels
                .iter()
                .all(|(k, v)| have.iter().any(|(hk, hv)| hk == k && hv == v))
        })
        .map(|(_, value)| value)
}

/// Every sample of `name`: its labels and its value.
pub fn samples(text: &str, name: &str) -> Vec<(Vec<(String, String)>, f64)> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, labels) = match series.split_once('{') {
                Some((metric, rest)) => (metric, rest.strip_suffix('}')?),
                None => (series, ""),
            };
            if metric != name {
                return None;
            }
            let labels = labels
                .split("\",")
                .filter(|pair| !pair.is_empty())
                .filter_map(|pair| {
                    let (k, v) = pair.split_once('=')?;
                    Some((k.to_owned(), v.trim_matches('"').to_owned()))
                })
                .collect();
            Some((labels, value.parse().ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_found_by_name_and_labels() {
        let text = "# HELP x_total X\n# TYPE x_total counter\n\
                    x_total{a=\"1\",route=\"/p/{id}\"} 3\nx_total{a=\"2\"} 4\ny 5\n";
        assert_eq!(sample(text, "x_total", &[("route", "/p/{id}")]), Some(3.0));
        assert_eq!(sample(text, "x_total", &[("a", "2")]), Some(4.0));
        assert_eq!(sample(text, "y", &[]), Some(5.0));
        assert_eq!(sample(text, "x_total", &[("a", "3")]), None);
        assert_eq!(samples(text, "x_total").len(), 2);
    }
}
