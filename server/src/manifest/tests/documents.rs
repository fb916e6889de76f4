//! The document checks catch what the schemas cannot, on deliberately broken output.

use super::*;
use crate::manifest::checks::{
    self as document_checks, COMMANDS_SCRIPT, JSON_TEMPLATE, XML_TEMPLATE,
};

/// The problems of the generated XML manifest after `edit`, which must change it.
fn xml_after(addin: &str, edit: impl Fn(&str) -> String) -> Vec<ConfigProblem> {
    let settings = settings(addin);
    let original = xml(&settings);
    let edited = edit(&original);
    assert_ne!(edited, original, "the edit changed nothing");
    document_checks::xml::check(&edited, &input(&settings))
}

/// Asserts that the template is blamed with a problem containing `problem`.
fn assert_defect(found: &[ConfigProblem], template: &str, problem: &str) {
    assert!(
        found
            .iter()
            .any(|p| p.key == template && p.problem.contains(problem)),
        "no `{problem}` for {template} in {found:#?}"
    );
}

#[test]
fn the_generated_documents_pass_their_checks() {
    for addin in [
        "",
        "mobile = true\ntoken = \"sso\"",
        "task_pane = false",
        "function_command = false",
    ] {
        let settings = settings_with(PUBLIC_URL, addin, TWO_LOCALES);
        let input = input(&settings);
        assert_eq!(
            document_checks::xml::check(&xml(&settings), &input),
            vec![],
            "{addin}"
        );
        let json = generate_json(&input).unwrap().text;
        assert_eq!(
            document_checks::json::check(&json, &input),
            vec![],
            "{addin}"
        );
    }
}

#[test]
fn every_resid_names_a_resource_of_the_right_list() {
    let found = xml_after("", |x| {
        x.replace(
            r#"<Label resid="vmrGroupLabel"/>"#,
            r#"<Label resid="vmrMissing"/>"#,
        )
    });
    assert_defect(
        &found,
        XML_TEMPLATE,
        "the resid `vmrMissing` on <Label>, which names no resource",
    );
    let found = xml_after("", |x| {
        x.replace(
            r#"<Label resid="vmrGroupLabel"/>"#,
            r#"<Label resid="vmrDescription"/>"#,
        )
    });
    assert_defect(&found, XML_TEMPLATE, "names an entry of bt:LongStrings");
    assert!(found[0].expected.contains("bt:ShortStrings"), "{found:#?}");
    let found = xml_after("", |x| {
        x.replace(
            r#"<Description resid="vmrSupertipText"/>"#,
            r#"<Description resid="vmrSupertipTitle"/>"#,
        )
    });
    assert_defect(
        &found,
        XML_TEMPLATE,
        "`vmrSupertipTitle` on <Description>, which names an entry of bt:ShortStrings",
    );
    let found = xml_after("", |x| {
        x.replace(
            r#"<FunctionFile resid="vmrCommandsUrl"/>"#,
            r#"<FunctionFile resid="vmrIcon16"/>"#,
        )
    });
    assert_defect(&found, XML_TEMPLATE, "names an entry of bt:Images");
    let found = xml_after("", |x| {
        x.replace(
            r#"<OfficeTab id="TabDefault">"#,
            r#"<OfficeTab id="TabDefault" resid="vmrIcon16">"#,
        )
    });
    assert_defect(
        &found,
        XML_TEMPLATE,
        "a resid on <OfficeTab>, which takes none",
    );
}

#[test]
fn resource_ids_are_short_and_unique_per_level() {
    let long = "vmrCommandsUrlThatIsFarTooLong123";
    let found = xml_after("", |x| x.replace("vmrCommandsUrl", long));
    assert_defect(
        &found,
        XML_TEMPLATE,
        &format!("the resource id `{long}` of 33 characters"),
    );
    assert_defect(&found, XML_TEMPLATE, "longer than 32 characters");
    let found = xml_after("", |x| {
        x.replace(
            r#"<bt:Url id="vmrTaskPaneUrl""#,
            r#"<bt:Url id="vmrCommandsUrl""#,
        )
    });
    assert_defect(
        &found,
        XML_TEMPLATE,
        "the resource id `vmrCommandsUrl` twice",
    );
}

#[test]
fn group_and_control_ids_are_short_and_unique() {
    let found = xml_after("", |x| {
        x.replace(r#"id="vmrOpenTaskPane""#, r#"id="vmrAddSingleUseVmr""#)
    });
    assert_defect(
        &found,
        XML_TEMPLATE,
        "the group or control id `vmrAddSingleUseVmr` twice",
    );
    let long = "g".repeat(126);
    let found = xml_after("", |x| {
        x.replace(r#"id="vmrOrganizerGroup""#, &format!(r#"id="{long}""#))
    });
    assert_defect(&found, XML_TEMPLATE, "of 126 characters");
}

#[test]
fn buttons_have_the_required_icon_sizes() {
    let found = xml_after("", |x| {
        x.lines()
            .filter(|line| !line.contains(r#"<bt:Image size="80""#))
            .collect::<Vec<_>>()
            .join("\n")
    });
    assert_defect(
        &found,
        XML_TEMPLATE,
        "the button `vmrAddSingleUseVmr` with icon sizes",
    );
    let found = xml_after("", |x| {
        x.replace(r#"<bt:Image size="20""#, r#"<bt:Image size="17""#)
    });
    assert_defect(&found, XML_TEMPLATE, "Some(17)");
    let found = xml_after("mobile = true", |x| {
        x.lines()
            .filter(|line| !line.contains(r#"scale="3" resid="vmrMobile48x3""#))
            .collect::<Vec<_>>()
            .join("\n")
    });
    assert_defect(
        &found,
        XML_TEMPLATE,
        "the mobile button `vmrMobileAddSingleUseVmr` with icons",
    );
}

#[test]
fn execute_function_names_the_registered_function_and_has_a_function_file() {
    let found = xml_after("", |x| {
        x.replace(
            &format!("<FunctionName>{FUNCTION_NAME}</FunctionName>"),
            "<FunctionName>insertMeeting</FunctionName>",
        )
    });
    assert_defect(&found, XML_TEMPLATE, "the function name `insertMeeting`");
    let found = xml_after("mobile = true", |x| {
        x.lines()
            .filter(|line| !line.contains("<FunctionFile"))
            .collect::<Vec<_>>()
            .join("\n")
    });
    assert_defect(
        &found,
        XML_TEMPLATE,
        "an ExecuteFunction action in a form factor without FunctionFile",
    );
}

/// The script `commands.html` serves registers the function the manifests name, and its
/// notifications use an image resource of the manifest.
#[test]
fn the_served_script_matches_the_manifest() {
    let script = document_checks::COMMANDS_JS;
    assert!(
        script.contains(&format!("Office.actions.associate(\"{FUNCTION_NAME}\"")),
        "{COMMANDS_SCRIPT} does not register {FUNCTION_NAME}"
    );
    let declaration = "const NOTIFICATION_ICON = \"";
    let start = script.find(declaration).expect("the notification icon id") + declaration.len();
    let icon = &script[start..start + script[start..].find('"').unwrap()];
    let manifest = xml(&settings(""));
    assert!(
        manifest.contains(&format!("<bt:Image id=\"{icon}\"")),
        "the manifest has no image resource `{icon}`"
    );
}

#[test]
fn the_root_is_a_mail_app_in_the_http_xsi_namespace() {
    let found = xml_after("", |x| {
        x.replace(
            "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"",
            "xmlns:xsi=\"https://www.w3.org/2001/XMLSchema-instance\"",
        )
    });
    assert_defect(&found, XML_TEMPLATE, "not an OfficeApp of xsi:type MailApp");
    let found = xml_after("", |x| x.replacen("</OfficeApp>", "", 1));
    assert_defect(&found, XML_TEMPLATE, "does not parse");
}

#[test]
fn urls_no_setting_produced_blame_the_template() {
    let found = xml_after("", |x| {
        x.replace(
            &format!("<AppDomain>{PUBLIC_URL}</AppDomain>"),
            "<AppDomain>http://elsewhere.example.org</AppDomain>",
        )
    });
    assert_defect(
        &found,
        XML_TEMPLATE,
        "makes <AppDomain> `http://elsewhere.example.org`",
    );
}

/// The problems of the generated unified manifest after `edit` of its parsed form.
fn json_after(edit: impl Fn(&mut serde_json::Value)) -> Vec<ConfigProblem> {
    let settings = settings("mobile = true");
    let mut manifest = json(&settings);
    edit(&mut manifest);
    document_checks::json::check(&manifest.to_string(), &input(&settings))
}

#[test]
fn unified_manifest_references_resolve() {
    let group = "/extensions/0/ribbons/0/tabs/0/groups/0";
    let found = json_after(|m| {
        *m.pointer_mut(&format!("{group}/controls/1/actionId"))
            .unwrap() = "vmrNoSuchAction".into();
    });
    assert_defect(
        &found,
        JSON_TEMPLATE,
        "actionId `vmrNoSuchAction`, which names no action",
    );
    let found = json_after(|m| {
        *m.pointer_mut("/extensions/0/runtimes/0/actions/0/id")
            .unwrap() = "insertMeeting".into();
    });
    assert_defect(&found, JSON_TEMPLATE, "the function name `insertMeeting`");
    let found = json_after(|m| {
        *m.pointer_mut(&format!("{group}/controls/1/id")).unwrap() = "vmrAddSingleUseVmr".into();
    });
    assert_defect(
        &found,
        JSON_TEMPLATE,
        "the group or control id `vmrAddSingleUseVmr` twice",
    );
    let found = json_after(|m| {
        m.pointer_mut("/extensions/0/runtimes/1/actions")
            .unwrap()
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({ "id": "vmrShowTaskPane", "type": "openPage" }));
    });
    assert_defect(
        &found,
        JSON_TEMPLATE,
        "the action id `vmrShowTaskPane` twice",
    );
}

#[test]
fn unified_manifest_icons_and_urls_are_checked() {
    let group = "/extensions/0/ribbons/0/tabs/0/groups/0";
    let found = json_after(|m| {
        m.pointer_mut(&format!("{group}/controls/0/icons"))
            .unwrap()
            .as_array_mut()
            .unwrap()
            .retain(|icon| icon["size"] != 32);
    });
    assert_defect(
        &found,
        JSON_TEMPLATE,
        "the button `vmrAddSingleUseVmr` with icon sizes",
    );
    let found = json_after(|m| {
        m.pointer_mut("/extensions/0/ribbons/0/tabs/0/customMobileRibbonGroups/0/controls/0/icons")
            .unwrap()
            .as_array_mut()
            .unwrap()
            .pop();
    });
    assert_defect(
        &found,
        JSON_TEMPLATE,
        "the mobile button `vmrMobileAddSingleUseVmr`",
    );
    let found = json_after(|m| {
        *m.pointer_mut("/extensions/0/runtimes/0/code/page").unwrap() =
            "http://vmr.example.org/addin/main/commands.html".into();
    });
    assert_defect(
        &found,
        JSON_TEMPLATE,
        "makes the page of runtime `vmrCommands`",
    );
    let found = document_checks::json::check("{ not json", &input(&settings("")));
    assert_defect(&found, JSON_TEMPLATE, "does not parse");
}
