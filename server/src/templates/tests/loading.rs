use super::*;
use std::path::Path;

#[test]
fn a_syntax_error_names_the_key_and_line() {
    let problem = single_problem(
        "joining_instructions = \"\"\"\n<p>{{alias}}</p>\n\
         {{#if dial_in_number}}\n{{/each}}\n{{marker}}\"\"\"",
    );
    assert_eq!(
        problem.key,
        "integrations.main.templates.joining_instructions"
    );
    assert!(
        problem.problem.starts_with("line 3, column 1:"),
        "{problem}"
    );
    assert!(
        problem
            .problem
            .contains("\"if\" was opened, but \"each\" is closing"),
        "{problem}"
    );
}

#[test]
fn unknown_variables_and_helpers_are_caught_at_load_on_every_branch() {
    let problem = single_problem("location = \"Video meeting: {{alais}}\"");
    assert_eq!(problem.key, "integrations.main.templates.location");
    assert_eq!(problem.problem, "line 1: unknown variable `alais`");
    assert!(
        problem.expected.contains("alias, numeric_alias"),
        "{problem}"
    );

    // Inside a branch the samples never take, and inside {{else}}.
    let problem = single_problem(
        "decline_alias_deleted = \"\"\"\n<p>Sorry</p>\n\
         {{#if public_url}}ok{{else}}\n{{correlation_id}}{{/if}}\"\"\"",
    );
    // TOML drops the newline right after the opening quotes, so `{{correlation_id}}` is on line 3.
    assert_eq!(problem.problem, "line 3: unknown variable `correlation_id`");

    let problem = single_problem("pane_title = \"{{shout integration_name}}\"");
    assert_eq!(problem.problem, "line 1: unknown helper `shout`");

    // Names inside {{#each}} refer to the item and are left to rendering; `../` climbs out.
    let problems = problems_of(
        "personal_vmr_name = \"{{#each domain_aliases}}{{this}}{{../nmae}}{{/each}}{{name}}\"",
    );
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].problem, "line 1: unknown variable `../nmae`");

    let problem = single_problem("accept_new_single_meeting = \"<p>{{{subject}}}</p>\"");
    assert_eq!(
        problem.problem,
        "line 1: {{{subject}}} inserts a value without HTML escaping; write {{subject}}"
    );
    // Text templates never escape, so there the triple form is harmless.
    assert!(load("location = \"{{{alias}}}\"", Path::new(".")).is_ok());

    let problem = single_problem("pane_title = \"{{> header}}\"");
    assert!(problem.problem.contains("partials"), "{problem}");
}

#[test]
fn unguarded_optional_values_are_caught_at_load() {
    let problem =
        single_problem("personal_vmr_location = \"Video meeting: {{domain_aliases.[0]}}\"");
    assert_eq!(
        problem.key,
        "integrations.main.templates.personal_vmr_location"
    );
    assert!(
        problem.problem.ends_with("when optional values are empty"),
        "{problem}"
    );
    assert!(problem.problem.contains("domain_aliases.[0]"), "{problem}");
}

#[test]
fn the_marker_is_required_exactly_once() {
    let problem = single_problem("joining_instructions = \"<p>{{alias}}</p>\"");
    assert_eq!(
        problem.key,
        "integrations.main.templates.joining_instructions"
    );
    assert_eq!(problem.problem, "does not render {{marker}}");

    let problem =
        single_problem("joining_instructions = \"{{#if dial_in_number}}{{marker}}{{/if}}\"");
    assert_eq!(
        problem.problem,
        "does not render {{marker}} when optional values are empty"
    );

    let problems = problems_of("joining_instructions = \"{{marker}} {{{marker}}}\"");
    assert!(
        problems
            .iter()
            .all(|p| p.problem.starts_with("renders {{marker}} 2 times")),
        "{problems:#?}"
    );

    assert!(load(
        "joining_instructions = \"<p>{{alias}}</p>{{{ marker }}}\"",
        Path::new(".")
    )
    .is_ok());
}

#[test]
fn a_file_override_is_read_relative_to_the_base_dir() {
    let dir = std::env::temp_dir().join(format!("vmr-templates-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("templates/join.hbs"),
        "<p>Call {{alias}}</p>\n<p>{{marker}}</p>\n",
    )
    .unwrap();
    let loaded = load(
        "joining_instructions = { file = \"templates/join.hbs\" }",
        &dir,
    );
    let missing = load("location = { file = \"templates/nope.hbs\" }", &dir);
    std::fs::remove_dir_all(&dir).unwrap();

    let templates = loaded.unwrap();
    let meeting = meeting();
    let html = templates.joining_instructions(&meeting).unwrap();
    assert_eq!(
        html,
        format!(
            "<p>Call meet482913@vc.example.com</p>\n<p>{}</p>\n",
            meeting.marker
        )
    );
    assert!(format!("{templates:?}").contains("joining_instructions"));

    let problems = missing.unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].key, "integrations.main.templates.location");
    assert!(
        problems[0].problem.starts_with("cannot read "),
        "{:?}",
        problems[0]
    );
}

#[test]
fn the_toml_shape_is_strict_about_file_tables() {
    let raw: RawTemplates =
        toml::from_str("location = \"x\"\njoining_instructions = { file = \"a.hbs\" }").unwrap();
    assert_eq!(
        raw.overrides["location"],
        TemplateSource::Inline("x".into())
    );
    assert_eq!(
        raw.overrides["joining_instructions"],
        TemplateSource::File {
            file: "a.hbs".into()
        }
    );
    let error = toml::from_str::<RawTemplates>("location = { fiel = \"a.hbs\" }").unwrap_err();
    assert!(
        error.to_string().contains("a template string or a table"),
        "{error}"
    );
    assert!(toml::from_str::<RawTemplates>("location = { file = \"a.hbs\", mode = 1 }").is_err());
    assert!(toml::from_str::<RawTemplates>("location = 3").is_err());
}

#[test]
fn unknown_template_names_list_the_valid_ones() {
    let problem = single_problem("joining_instruction = \"{{marker}}\"");
    assert_eq!(
        problem.key,
        "integrations.main.templates.joining_instruction"
    );
    assert_eq!(problem.problem, "is not a template name");
    assert!(
        problem
            .expected
            .contains("joining_instructions, placeholder_instructions"),
        "{problem}"
    );
}

#[test]
fn an_overlong_template_is_refused() {
    let long = format!("pane_title = \"{}\"", "é".repeat(MAX_TEMPLATE_CHARS + 1));
    let problem = single_problem(&long);
    assert_eq!(problem.key, "integrations.main.templates.pane_title");
    assert_eq!(
        problem.problem,
        format!("is {} characters long", MAX_TEMPLATE_CHARS + 1)
    );
    let exact = format!("pane_title = \"{}\"", "é".repeat(MAX_TEMPLATE_CHARS));
    assert!(load(&exact, Path::new(".")).is_ok());
}
