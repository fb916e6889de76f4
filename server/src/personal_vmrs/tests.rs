use super::*;
use crate::templates::Templates;

/// A file in a fresh temporary folder, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, contents: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("vmr-import-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn read(name: &str, contents: &str) -> Result<Vec<PersonalVmr>, ImportError> {
    let file = TempFile::new(name, contents);
    read_file(&file.0)
}

fn problems(name: &str, contents: &str) -> Vec<String> {
    match read(name, contents) {
        Err(ImportError::Invalid { problems, .. }) => {
            problems.iter().map(ToString::to_string).collect()
        }
        other => panic!("expected row problems, got {other:?}"),
    }
}

#[test]
fn reads_a_spreadsheet_export() {
    // Byte-order mark, columns in another order and case, quoting, blank lines, CRLF.
    let csv = "\u{feff}Name,owner_email,aliases,pin,guest_pin,allow_guests,description\r\n\
               \"Alice's room, big\",Alice@Example.com,alice@vc.example.com; 4455 ;alice.room,1234,5678,yes,\"Team, weekly\"\r\n\
               \r\n\
               Bob,bob@example.com,bob@vc.example.com,,,,\r\n";
    let vmrs = read("rooms.CSV", csv).unwrap();
    assert_eq!(vmrs.len(), 2);
    let alice = &vmrs[0];
    assert_eq!(alice.owner_email().as_str(), "alice@example.com");
    assert_eq!(alice.name(), "Alice's room, big");
    assert_eq!(alice.description(), "Team, weekly");
    assert_eq!(alice.aliases().domain(), ["alice@vc.example.com"]);
    assert_eq!(alice.aliases().numeric(), ["4455"]);
    assert_eq!(alice.aliases().other(), ["alice.room"]);
    assert_eq!(alice.pin().unwrap().as_str(), "1234");
    assert_eq!(alice.guest_pin().unwrap().as_str(), "5678");
    assert!(alice.allow_guests());
    let bob = &vmrs[1];
    assert_eq!(
        (bob.pin(), bob.guest_pin(), bob.allow_guests()),
        (None, None, false)
    );
    assert_eq!(bob.description(), "");
}

#[test]
fn reports_every_bad_csv_row_with_its_line_and_field() {
    let csv = "owner_email,name,description,aliases,pin,guest_pin,allow_guests\n\
               alice@example.com,Alice,,alice@vc.example.com,1234,,true\n\
               not-an-address,Broken,,room1,12,,maybe\n\
               carol@example.com,,,,,,\n\
               ALICE@example.com,Alice,,alice2@vc.example.com,,,\n\
               dave@example.com,Dave,,dave@vc.example.com\n";
    let found = problems("rooms.csv", csv);
    assert_eq!(
        found,
        [
            "line 3, allow_guests: `maybe` is not true/false, yes/no or 1/0",
            "line 3, owner_email: `not-an-address` has no `@`",
            "line 3, pin: must be 4–20 digits (got 2 character(s))",
            "line 4, name: is empty",
            "line 4, aliases: has no alias; a personal VMR needs at least one",
            "line 5, name: `alice@example.com` already has a personal VMR named `Alice` (line 2)",
            "line 6, row: has 4 values but the header row has 7 columns",
        ],
        "{found:#?}"
    );
}

#[test]
fn csv_headers_must_name_known_columns() {
    for (header, expected) in [
        ("owner_email,name,aliases,colour", "unknown column `colour`"),
        (
            "owner_email,name,description",
            "lacks the column(s) aliases",
        ),
        (
            "owner_email,name,aliases,name",
            "names the column `name` twice",
        ),
    ] {
        let error = read("rooms.csv", &format!("{header}\n")).unwrap_err();
        assert!(
            matches!(&error, ImportError::Syntax { format: "CSV", .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains(expected), "{error}");
    }
}

#[test]
fn reads_json_arrays() {
    let json = r#"[
        {"owner_email": "alice@example.com", "name": "Alice", "aliases": ["alice@vc.example.com", "4455"],
         "pin": "0123", "guest_pin": null, "allow_guests": true},
        {"owner_email": "bob@example.com", "name": "Bob", "description": "Bob's", "aliases": ["bob"]}
    ]"#;
    let vmrs = read("rooms.json", json).unwrap();
    assert_eq!(vmrs.len(), 2);
    assert_eq!(vmrs[0].pin().unwrap().as_str(), "0123");
    assert!(vmrs[0].allow_guests());
    assert_eq!(vmrs[1].aliases().other(), ["bob"]);
    assert_eq!(vmrs[1].description(), "Bob's");
    assert!(read("empty.json", "[]").unwrap().is_empty());
}

#[test]
fn reports_every_bad_json_entry_with_its_index_and_field() {
    let json = r#"[
        {"owner_email": "alice@example.com", "name": "Alice", "aliases": ["alice@vc.example.com"]},
        {"owner_email": "bob@example.com", "name": 7, "aliases": "bob", "pin": 1234, "colour": "red"},
        "carol",
        {"owner_email": "dave@example.com", "name": "Dave", "aliases": ["dave", 5], "allow_guests": "yes"}
    ]"#;
    let found = problems("rooms.json", json);
    assert_eq!(
        found,
        [
            "entry [1], entry: has an unknown field `colour`; the fields are owner_email, name, description, aliases, pin, guest_pin, allow_guests",
            "entry [1], name: is a number; expected a string",
            "entry [1], pin: is a number; write PINs as strings, e.g. \"0123\", so leading zeros are kept",
            "entry [1], aliases: is a string; expected an array of strings, e.g. [\"alice@vc.example.com\"]",
            "entry [2], entry: is not an object",
            "entry [3], aliases: has an item that is a number; expected an array of strings, e.g. [\"alice@vc.example.com\"]",
            "entry [3], allow_guests: is a string; expected true or false",
        ],
        "{found:#?}"
    );
}

#[test]
fn structural_errors_name_the_file_and_format() {
    let error = read("rooms.json", r#"{"owner_email": "a@example.com"}"#).unwrap_err();
    assert!(
        error.to_string().contains("must be an array of objects"),
        "{error}"
    );
    let error = read("rooms.json", "[{").unwrap_err();
    assert!(
        matches!(error, ImportError::Syntax { format: "JSON", .. }),
        "{error:?}"
    );
    let error = read("rooms.txt", "").unwrap_err();
    assert!(
        error.to_string().contains("must end in .csv or .json"),
        "{error}"
    );
    let missing = std::env::temp_dir().join("vmr-import-missing/rooms.csv");
    assert!(matches!(read_file(&missing), Err(ImportError::Read { .. })));
}

#[test]
fn the_invalid_file_message_lists_each_problem_on_its_own_line() {
    let file = TempFile::new("rooms.csv", "owner_email,name,aliases\nx,,\n");
    let message = read_file(&file.0).unwrap_err().to_string();
    let lines: Vec<&str> = message.lines().collect();
    assert!(
        lines[0].ends_with("has 3 problem(s); nothing was imported:"),
        "{message}"
    );
    assert_eq!(lines.len(), 4, "{message}");
    assert!(lines[1..]
        .iter()
        .all(|line| line.starts_with("  - line 2, ")));
}

#[test]
fn templates_get_the_preferred_alias_and_joining_details() {
    let vmrs = read(
        "rooms.csv",
        "owner_email,name,aliases,pin,guest_pin,allow_guests\n\
         a@example.com,Room,4455;room.a;a@vc.example.com,1234,5678,true\n",
    )
    .unwrap();
    let joining = JoiningSettings {
        web_join_url: "https://vc.example.com/webapp/#/?conference={alias}".into(),
        dial_in_number: Some("+1 555 0100".into()),
    };
    let context = template_context(&vmrs[0], &joining, SharedValues::default());
    assert_eq!(context.preferred_alias(), Some("a@vc.example.com"));
    assert_eq!(
        context.web_join_url.as_deref(),
        Some("https://vc.example.com/webapp/#/?conference=a@vc.example.com")
    );
    let html = Templates::defaults()
        .render(
            crate::templates::TemplateName::PersonalVmrInstructions,
            &context,
        )
        .unwrap();
    assert!(
        html.contains("a@vc.example.com") && html.contains("4455"),
        "{html}"
    );
    assert!(
        html.contains("5678") && !html.contains("1234"),
        "guests see the guest PIN: {html}"
    );
}
