//! The README's configuration table against what each service's command line accepts:
//! every variable a service reads is listed for it, with the default it really has, and
//! the table lists nothing for a service that the service does not read.

use std::collections::BTreeMap;

/// One row of the README's `## Configuration` table.
#[derive(Debug)]
struct Row {
    services: String,
    default: String,
}

fn readme_rows() -> BTreeMap<String, Row> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
    let text = std::fs::read_to_string(path).expect("README.md");
    let section = text
        .split("\n## Configuration\n")
        .nth(1)
        .expect("a `## Configuration` section");
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .map(|row| {
            let cells: Vec<&str> = row.split(" | ").collect();
            assert_eq!(cells.len(), 4, "a row of four cells: {row}");
            (
                cells[0].trim_end_matches('`').to_owned(),
                Row {
                    services: cells[1].to_owned(),
                    default: cells[2].trim_matches('`').to_owned(),
                },
            )
        })
        .collect()
}

/// Every `(variable, default)` the command and its subcommands read.
fn command_variables(command: &clap::Command, into: &mut BTreeMap<String, Option<String>>) {
    for arg in command.get_arguments() {
        if let Some(name) = arg.get_env().and_then(|n| n.to_str()) {
            let default = arg
                .get_default_values()
                .first()
                .and_then(|v| v.to_str())
                .map(str::to_owned);
            into.insert(name.to_owned(), default);
        }
    }
    for sub in command.get_subcommands() {
        command_variables(sub, into);
    }
}

/// Fails unless the README's table and `command` agree for `service`. `process_level`
/// names the variables read outside the command line (logging, the allocator, tracing
/// export), which must be listed too.
pub fn assert_environment_documented(
    service: &str,
    command: &clap::Command,
    process_level: &[&str],
) {
    let rows = readme_rows();
    let mut read = BTreeMap::new();
    command_variables(command, &mut read);
    assert!(!read.is_empty(), "{service} reads no variable?");
    for (name, default) in &read {
        let row = rows
            .get(name)
            .unwrap_or_else(|| panic!("{name} ({service}) is missing from README's table"));
        assert!(
            row.services.split(", ").any(|s| s == service),
            "README lists {name} for `{}`, not for {service}",
            row.services
        );
        if let Some(default) = default {
            assert_eq!(&row.default, default, "README's default of {name}");
        }
    }
    for (name, row) in &rows {
        if row.services.split(", ").any(|s| s == service) {
            assert!(
                read.contains_key(name) || process_level.contains(&name.as_str()),
                "README lists {name} for {service}, which does not read it"
            );
        }
    }
}
