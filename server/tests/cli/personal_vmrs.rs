//! `personal-vmrs import` and `list`.

use super::support::*;

/// `personal-vmrs <args>` with the example configuration on a fresh SQLite database in `dir`.
fn personal_vmrs(dir: &TempDir, args: &[&str]) -> Output {
    let config = dir.example_config();
    let database = format!("sqlite://{}/vmr.db", dir.path().display());
    let mut all = vec!["--config", config.to_str().unwrap(), "personal-vmrs"];
    all.extend_from_slice(args);
    run(
        dir.path(),
        &all,
        &[("VMR_SCHEDULER__DATABASE__URL", &database)],
    )
}

/// The rows of `personal-vmrs list` (without its header), as owner and name.
fn listed(dir: &TempDir, extra: &[&str]) -> Vec<(String, String)> {
    let mut args = vec!["list", "--integration", "demo"];
    args.extend_from_slice(extra);
    let output = personal_vmrs(dir, &args);
    assert_exit(&output, 0);
    let out = stdout(&output);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("owner_email\tname\taliases\tpin\tguest_pin\tallow_guests\tdescription"),
        "{out}"
    );
    lines
        .map(|line| {
            let columns: Vec<&str> = line.split('\t').collect();
            (columns[0].to_string(), columns[1].to_string())
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(owner, name)| (owner.to_string(), name.to_string()))
        .collect()
}

const ROOMS_CSV: &str = "owner_email,name,description,aliases,pin,guest_pin,allow_guests\n\
    Alice@Example.com,Alice,Team room,alice@vc.example.com;7001,246810,135790,yes\n\
    alice@example.com,Board,,board@vc.example.com,,,\n\
    bob@example.com,Bob,,bob@vc.example.com,,,\n";

#[test]
fn personal_vmrs_import_then_list() {
    let dir = TempDir::new();
    let file = dir.write("rooms.csv", ROOMS_CSV);
    let output = personal_vmrs(
        &dir,
        &["import", "--integration", "demo", file.to_str().unwrap()],
    );
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output).trim(),
        format!(
            "imported 3 personal VMR(s) into `demo` from {}: 3 added, 0 updated, 0 removed",
            file.display()
        )
    );
    assert_eq!(
        listed(&dir, &[]),
        pairs(&[
            ("alice@example.com", "Alice"),
            ("alice@example.com", "Board"),
            ("bob@example.com", "Bob")
        ])
    );
    let output = personal_vmrs(
        &dir,
        &[
            "list",
            "--integration",
            "demo",
            "--owner",
            "ALICE@example.com",
        ],
    );
    assert_exit(&output, 0);
    let out = stdout(&output);
    assert!(
        out.contains(
            "alice@example.com\tAlice\talice@vc.example.com;7001\tset\tset\tyes\tTeam room"
        ),
        "{out}"
    );
    assert!(
        !out.contains("246810") && !out.contains("135790"),
        "PINs are not printed:\n{out}"
    );
    assert_eq!(out.lines().count(), 3, "header and Alice's two:\n{out}");
}

#[test]
fn personal_vmrs_import_reports_every_bad_row_and_imports_nothing() {
    let dir = TempDir::new();
    let file = dir.write(
        "rooms.csv",
        "owner_email,name,aliases,pin\n\
         carol@example.com,Carol,carol@vc.example.com,\n\
         nobody,Dave,dave@vc.example.com,12\n\
         erin@example.com,,,\n",
    );
    let output = personal_vmrs(
        &dir,
        &["import", "--integration", "demo", file.to_str().unwrap()],
    );
    assert_exit(&output, 1);
    assert!(stdout(&output).is_empty(), "{}", describe(&output));
    let err = stderr(&output);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines,
        [
            format!("{} has 4 problem(s); nothing was imported:", file.display()).as_str(),
            "  - line 3, owner_email: `nobody` has no `@`",
            "  - line 3, pin: must be 4–20 digits (got 2 character(s))",
            "  - line 4, name: is empty",
            "  - line 4, aliases: has no alias; a personal VMR needs at least one",
        ],
        "{err}"
    );
    assert!(
        listed(&dir, &[]).is_empty(),
        "the valid row was not imported"
    );
}

#[test]
fn personal_vmrs_replace_removes_what_the_file_lacks() {
    let dir = TempDir::new();
    let csv = dir.write("rooms.csv", ROOMS_CSV);
    let json = dir.write(
        "rooms.json",
        r#"[{"owner_email": "bob@example.com", "name": "Bob", "aliases": ["bob2@vc.example.com"]},
            {"owner_email": "carol@example.com", "name": "Carol", "aliases": ["carol"]}]"#,
    );
    let import = |file: &Path, extra: &[&str]| {
        let mut args = vec!["import", "--integration", "demo"];
        args.extend_from_slice(extra);
        args.push(file.to_str().unwrap());
        let output = personal_vmrs(&dir, &args);
        assert_exit(&output, 0);
        stdout(&output)
    };
    import(&csv, &[]);
    let out = import(&json, &[]);
    assert!(out.contains("1 added, 1 updated, 0 removed"), "{out}");
    assert_eq!(listed(&dir, &[]).len(), 4, "an upsert keeps the others");
    let out = import(&json, &["--replace"]);
    assert!(out.contains("0 added, 2 updated, 2 removed"), "{out}");
    assert_eq!(
        listed(&dir, &[]),
        pairs(&[("bob@example.com", "Bob"), ("carol@example.com", "Carol")])
    );
}

#[test]
fn personal_vmrs_refuses_unknown_integrations_owners_and_file_types() {
    let dir = TempDir::new();
    let file = dir.write("rooms.csv", ROOMS_CSV);
    let output = personal_vmrs(
        &dir,
        &["import", "--integration", "nope", file.to_str().unwrap()],
    );
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("no integration named `nope`; the configuration has: demo"),
        "{}",
        describe(&output)
    );
    let output = personal_vmrs(
        &dir,
        &["list", "--integration", "demo", "--owner", "not-an-address"],
    );
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("--owner is not an email address"),
        "{}",
        describe(&output)
    );
    let text = dir.write("rooms.txt", ROOMS_CSV);
    let output = personal_vmrs(
        &dir,
        &["import", "--integration", "demo", text.to_str().unwrap()],
    );
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains("must end in .csv or .json"),
        "{}",
        describe(&output)
    );
    let output = run(dir.path(), &["personal-vmrs", "--help"], &[]);
    assert_exit(&output, 0);
    for command in ["import", "list"] {
        assert!(stdout(&output).contains(command), "{}", describe(&output));
    }
}
