use super::pin::{check_pin_pair, optional_pin};
use super::{EmailAddress, InvalidValue, Pin};

/// Longest name, description or alias, in characters (the conferencing platform's limit).
const MAX_TEXT_CHARS: usize = 250;
/// Most aliases one personal VMR may have.
const MAX_ALIASES: usize = 20;

/// A personal VMR as an admin supplies it (an import file's row), before validation.
/// Blank PINs mean "no PIN". No `Debug`: it would print the PINs.
#[derive(Clone, Default)]
pub struct PersonalVmrFields {
    pub owner_email: String,
    pub name: String,
    pub description: String,
    pub aliases: Vec<String>,
    pub pin: Option<String>,
    pub guest_pin: Option<String>,
    pub allow_guests: bool,
}

/// One thing wrong with one field, e.g. `pin`: "must be 4–20 digits".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub problem: String,
}

impl FieldProblem {
    pub fn new(field: &'static str, problem: impl Into<String>) -> Self {
        Self {
            field,
            problem: problem.into(),
        }
    }
}

/// A user's own permanent VMR: found by the owner's email address, offered in the add-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalVmr {
    owner_email: EmailAddress,
    name: String,
    description: String,
    aliases: VmrAliases,
    pin: Option<Pin>,
    guest_pin: Option<Pin>,
    allow_guests: bool,
}

impl PersonalVmr {
    /// Validates every field and reports every problem, not just the first.
    pub fn parse(fields: &PersonalVmrFields) -> Result<Self, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut check = |field: &'static str, error: Option<&InvalidValue>| {
            if let Some(error) = error {
                problems.push(FieldProblem::new(field, error.0.clone()));
            }
        };
        // Exchange and Entra compare addresses case-insensitively; stored lowercase, so are look-ups.
        let owner_email = EmailAddress::parse(&fields.owner_email.to_lowercase());
        check("owner_email", owner_email.as_ref().err());
        let name = fields.name.trim();
        check("name", text(name, true).err().as_ref());
        let description = fields.description.trim();
        check("description", text(description, false).err().as_ref());
        let pin = optional_pin(fields.pin.as_deref());
        check("pin", pin.as_ref().err());
        let guest_pin = optional_pin(fields.guest_pin.as_deref());
        check("guest_pin", guest_pin.as_ref().err());
        if let (Ok(pin), Ok(guest_pin)) = (&pin, &guest_pin) {
            let pair = check_pin_pair(pin.as_ref(), guest_pin.as_ref(), "pin");
            check("guest_pin", pair.err().as_ref());
        }
        let aliases = VmrAliases::classify(&fields.aliases);
        if let Err(alias_problems) = &aliases {
            problems.extend(alias_problems.iter().cloned());
        }
        match (owner_email, pin, guest_pin, aliases) {
            (Ok(owner_email), Ok(pin), Ok(guest_pin), Ok(aliases)) if problems.is_empty() => {
                Ok(Self {
                    owner_email,
                    name: name.to_string(),
                    description: description.to_string(),
                    aliases,
                    pin,
                    guest_pin,
                    allow_guests: fields.allow_guests,
                })
            }
            _ => Err(problems),
        }
    }

    /// Lowercase.
    pub fn owner_email(&self) -> &EmailAddress {
        &self.owner_email
    }

    /// Unique per owner within an integration.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    pub fn aliases(&self) -> &VmrAliases {
        &self.aliases
    }

    /// The host PIN.
    pub fn pin(&self) -> Option<&Pin> {
        self.pin.as_ref()
    }

    pub fn guest_pin(&self) -> Option<&Pin> {
        self.guest_pin.as_ref()
    }

    pub fn allow_guests(&self) -> bool {
        self.allow_guests
    }
}

/// A name (required) or description (optional): one line of at most [`MAX_TEXT_CHARS`].
fn text(value: &str, required: bool) -> Result<(), InvalidValue> {
    if required && value.is_empty() {
        return Err(InvalidValue::new("is empty"));
    }
    let chars = value.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(InvalidValue::new(format!(
            "is {chars} characters long; at most {MAX_TEXT_CHARS}"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(InvalidValue::new("contains control characters"));
    }
    Ok(())
}

/// A VMR's aliases by kind: `name@domain` (a video system calls these directly), all digits
/// (reached by phone through a gateway) and any other form. Each list keeps the given order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VmrAliases {
    domain: Vec<String>,
    other: Vec<String>,
    numeric: Vec<String>,
}

impl VmrAliases {
    /// Sorts aliases into the three kinds; at least one alias, each one line without spaces.
    pub fn classify(aliases: &[String]) -> Result<Self, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut sorted = Self::default();
        let mut problem = |message: String| problems.push(FieldProblem::new("aliases", message));
        let aliases: Vec<&str> = aliases
            .iter()
            .map(|alias| alias.trim())
            .filter(|alias| !alias.is_empty())
            .collect();
        if aliases.is_empty() {
            problem("has no alias; a personal VMR needs at least one".into());
        }
        if aliases.len() > MAX_ALIASES {
            problem(format!(
                "has {} aliases; at most {MAX_ALIASES}",
                aliases.len()
            ));
        }
        for (n, alias) in aliases.iter().enumerate() {
            if aliases[..n].contains(alias) {
                problem(format!("`{alias}` is listed twice"));
            } else if alias.chars().count() > MAX_TEXT_CHARS {
                problem(format!(
                    "an alias is longer than {MAX_TEXT_CHARS} characters"
                ));
            } else if alias.chars().any(|c| c.is_whitespace() || c.is_control()) {
                problem(format!("`{alias}` contains spaces or control characters"));
            } else if alias.bytes().all(|b| b.is_ascii_digit()) {
                sorted.numeric.push(alias.to_string());
            } else if alias.contains('@') {
                match EmailAddress::parse(alias) {
                    Ok(_) => sorted.domain.push(alias.to_string()),
                    Err(_) => problem(format!(
                        "`{alias}` contains `@` but is not of the form name@domain"
                    )),
                }
            } else {
                sorted.other.push(alias.to_string());
            }
        }
        if problems.is_empty() {
            Ok(sorted)
        } else {
            Err(problems)
        }
    }

    pub fn domain(&self) -> &[String] {
        &self.domain
    }

    pub fn other(&self) -> &[String] {
        &self.other
    }

    pub fn numeric(&self) -> &[String] {
        &self.numeric
    }

    /// Every alias: domain, then other, then numeric ones.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.domain
            .iter()
            .chain(&self.other)
            .chain(&self.numeric)
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> PersonalVmrFields {
        PersonalVmrFields {
            owner_email: " Alice@Example.COM ".into(),
            name: " Alice's room ".into(),
            description: "Weekly team calls".into(),
            aliases: vec![
                "4455".into(),
                "alice@vc.example.com".into(),
                "alice.room".into(),
                "alice2@vc.example.com".into(),
            ],
            pin: Some("1234".into()),
            guest_pin: Some("".into()),
            allow_guests: true,
        }
    }

    #[test]
    fn classifies_aliases_and_normalizes_the_owner() {
        let vmr = PersonalVmr::parse(&fields()).unwrap();
        assert_eq!(vmr.owner_email().as_str(), "alice@example.com");
        assert_eq!(vmr.name(), "Alice's room");
        assert_eq!(
            vmr.aliases().domain(),
            ["alice@vc.example.com", "alice2@vc.example.com"]
        );
        assert_eq!(vmr.aliases().other(), ["alice.room"]);
        assert_eq!(vmr.aliases().numeric(), ["4455"]);
        assert_eq!(vmr.pin().unwrap().as_str(), "1234");
        assert_eq!(vmr.guest_pin(), None);
        assert!(vmr.allow_guests());
        // Classifying the stored lists again gives the same lists.
        let again: Vec<String> = vmr.aliases().all().map(str::to_string).collect();
        assert_eq!(&VmrAliases::classify(&again).unwrap(), vmr.aliases());
    }

    #[test]
    fn reports_every_problem_with_its_field() {
        let bad = PersonalVmrFields {
            owner_email: "not-an-address".into(),
            name: "  ".into(),
            description: "x".repeat(MAX_TEXT_CHARS + 1),
            aliases: vec!["a b".into(), "x@".into(), "ok".into(), "ok".into()],
            pin: Some("12".into()),
            guest_pin: Some("5678".into()),
            allow_guests: false,
        };
        let problems = PersonalVmr::parse(&bad).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                "owner_email",
                "name",
                "description",
                "pin",
                "aliases",
                "aliases",
                "aliases"
            ],
            "{problems:?}"
        );
    }

    #[test]
    fn guest_pin_rules() {
        let mut no_host = fields();
        no_host.pin = None;
        no_host.guest_pin = Some("5678".into());
        let problems = PersonalVmr::parse(&no_host).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "guest_pin");
        assert!(
            problems[0].problem.contains("without a pin"),
            "{problems:?}"
        );
        let mut same = fields();
        same.guest_pin = Some("1234".into());
        assert_eq!(PersonalVmr::parse(&same).unwrap_err()[0].field, "guest_pin");
    }

    #[test]
    fn needs_at_least_one_and_at_most_max_aliases() {
        let mut none = fields();
        none.aliases = vec![" ".into()];
        assert!(PersonalVmr::parse(&none).unwrap_err()[0]
            .problem
            .contains("no alias"));
        let mut many = fields();
        many.aliases = (0..=MAX_ALIASES).map(|n| format!("room{n}")).collect();
        assert!(PersonalVmr::parse(&many).is_err());
    }
}
