//! A page of statements as a pull reads it: parsed in place from the LRS's answer, keeping only
//! what rebuilding a session needs (a session's ending, its turns), so a page of 500 statements
//! is not built as 500 JSON trees to be looked up and dropped.

use super::statements::CampaignExtension;
use crate::engine::model::CampaignCall;
use crate::records::clock::{self, Millis};
use crate::records::config::XapiSettings;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;

/// A page of statements as read: the LRS's answer, parsed without copying its text.
#[derive(Deserialize)]
pub(super) struct WirePage<'a> {
    #[serde(borrow)]
    statements: Option<Vec<WireStatement<'a>>>,
    #[serde(borrow, default)]
    more: Option<Text<'a>>,
}

/// One statement, cut to the parts a pull reads; the activity definitions, scores and context
/// activities (most of a page's bytes) are skipped.
#[derive(Deserialize)]
pub(super) struct WireStatement<'a> {
    #[serde(borrow, default)]
    id: Option<Text<'a>>,
    #[serde(borrow, default)]
    verb: WireVerb<'a>,
    #[serde(borrow, default)]
    actor: WireActor<'a>,
    #[serde(borrow, default)]
    context: WireContext<'a>,
    #[serde(borrow, default)]
    result: WireResult<'a>,
    #[serde(borrow, default)]
    stored: Option<Text<'a>>,
    #[serde(borrow, default)]
    timestamp: Option<Text<'a>>,
}

#[derive(Deserialize, Default)]
struct WireVerb<'a> {
    #[serde(borrow, default)]
    id: Option<Text<'a>>,
}

#[derive(Deserialize, Default)]
struct WireActor<'a> {
    #[serde(borrow, default)]
    name: Option<Text<'a>>,
    #[serde(borrow, default)]
    account: Option<WireAccount<'a>>,
}

#[derive(Deserialize, Default)]
struct WireAccount<'a> {
    #[serde(borrow, default)]
    name: Option<Text<'a>>,
}

/// A JSON string, borrowed from the page unless it has escapes. (serde's own `Cow<str>`
/// always copies outside a struct field marked `borrow`, and copying every key and value was a
/// large part of reading a page.)
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Borrowing<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Borrowing<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Borrowed(text)))
            }
            fn visit_str<E>(self, text: &str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(text.to_string())))
            }
            fn visit_string<E>(self, text: String) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(text)))
            }
        }
        deserializer.deserialize_str(Borrowing(std::marker::PhantomData))
    }
}

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// Extensions by IRI, each value left as its JSON text until asked for. A list, not a hash
/// map: a statement has a handful, and hashing their long IRIs cost more than finding one.
struct Extensions<'a>(Vec<(Text<'a>, &'a RawValue)>);

impl<'a> Extensions<'a> {
    fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().find(|(k, _)| k.0 == key).map(|(_, v)| *v)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Extensions<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Entries<'a> {
            type Value = Extensions<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of extensions")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Extensions<'a>, M::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(entry) = map.next_entry::<Text<'a>, &'a RawValue>()? {
                    entries.push(entry);
                }
                Ok(Extensions(entries))
            }
        }
        deserializer.deserialize_map(Entries(std::marker::PhantomData))
    }
}

#[derive(Deserialize, Default)]
struct WireContext<'a> {
    #[serde(borrow, default)]
    registration: Option<Text<'a>>,
    #[serde(borrow, default)]
    extensions: Option<Extensions<'a>>,
}

#[derive(Deserialize, Default)]
struct WireResult<'a> {
    #[serde(borrow, default)]
    extensions: Option<Extensions<'a>>,
}

impl<'a> WirePage<'a> {
    /// The page, or why the LRS's answer is not one (not JSON, or no `statements` list).
    pub(super) fn parse(body: &'a str) -> Result<WirePage<'a>, String> {
        let page: WirePage = serde_json::from_str(body)
            .map_err(|e| format!("the LRS's answer is not a page of statements ({e})"))?;
        if page.statements.is_none() {
            return Err("the LRS's answer has no `statements` list".into());
        }
        Ok(page)
    }

    pub(super) fn statements(&self) -> &[WireStatement<'a>] {
        self.statements.as_deref().unwrap_or_default()
    }

    /// The address of the next page (`more`), if there is one.
    pub(super) fn next_page(&self) -> Option<&str> {
        self.more.as_deref().filter(|m| !m.trim().is_empty())
    }
}

impl WireStatement<'_> {
    pub(super) fn verb(&self) -> &str {
        self.verb.id.as_deref().unwrap_or_default()
    }

    pub(super) fn registration(&self) -> &str {
        self.context.registration.as_deref().unwrap_or_default()
    }

    /// When the LRS stored it.
    pub(super) fn stored(&self) -> Option<Millis> {
        self.stored.as_deref().and_then(|s| clock::parse(s).ok())
    }

    fn timestamp(&self) -> Option<Millis> {
        self.timestamp.as_deref().and_then(|s| clock::parse(s).ok())
    }

    pub(super) fn has_context_extension(&self, key: &str) -> bool {
        self.context
            .extensions
            .as_ref()
            .is_some_and(|e| e.get(key).is_some())
    }

    fn context_extension(&self, key: &str) -> Option<&RawValue> {
        self.context.extensions.as_ref()?.get(key)
    }

    fn result_extension(&self, key: &str) -> Option<&RawValue> {
        self.result.extensions.as_ref()?.get(key)
    }

    /// The statement as JSON with only the parts read (for assignments and focus skills, read
    /// by the same code as when they are read on their own).
    pub(super) fn to_value(&self) -> Value {
        let text = |t: &Option<Text>| t.as_ref().map(|t| Value::String(t.0.to_string()));
        let extensions = |e: &Option<Extensions>| {
            e.as_ref().map(|e| {
                Value::Object(
                    e.0.iter()
                        .filter_map(|(key, raw)| {
                            serde_json::from_str(raw.get())
                                .ok()
                                .map(|value| (key.0.to_string(), value))
                        })
                        .collect(),
                )
            })
        };
        let mut context = serde_json::Map::new();
        if let Some(registration) = text(&self.context.registration) {
            context.insert("registration".into(), registration);
        }
        if let Some(extensions) = extensions(&self.context.extensions) {
            context.insert("extensions".into(), extensions);
        }
        let mut result = serde_json::Map::new();
        if let Some(extensions) = extensions(&self.result.extensions) {
            result.insert("extensions".into(), extensions);
        }
        let mut actor = serde_json::Map::new();
        if let Some(name) = text(&self.actor.name) {
            actor.insert("name".into(), name);
        }
        if let Some(name) = self.actor.account.as_ref().and_then(|a| text(&a.name)) {
            actor.insert("account".into(), serde_json::json!({ "name": name }));
        }
        let mut statement = serde_json::Map::new();
        for (key, value) in [
            ("id", text(&self.id)),
            (
                "verb",
                text(&self.verb.id).map(|id| serde_json::json!({ "id": id })),
            ),
            ("actor", Some(Value::Object(actor))),
            ("context", Some(Value::Object(context))),
            ("result", Some(Value::Object(result))),
            ("stored", text(&self.stored)),
            ("timestamp", text(&self.timestamp)),
        ] {
            if let Some(value) = value {
                statement.insert(key.into(), value);
            }
        }
        Value::Object(statement)
    }
}

/// The text of an extension that is a JSON string.
fn text_of(raw: Option<&RawValue>) -> Option<String> {
    raw.and_then(|raw| serde_json::from_str::<Cow<str>>(raw.get()).ok())
        .map(Cow::into_owned)
}

/// An extension that is a whole number, or a string holding one.
fn number_of(raw: Option<&RawValue>) -> Option<u64> {
    let raw = raw?.get();
    serde_json::from_str::<u64>(raw).ok().or_else(|| {
        serde_json::from_str::<Cow<str>>(raw)
            .ok()
            .and_then(|s| s.trim().parse().ok())
    })
}

/// The IRIs of dealsim's xAPI extensions, made once per pull rather than for every statement.
pub(super) struct Keys(HashMap<&'static str, String>);

impl Keys {
    const NAMES: [&'static str; 9] = [
        "campaign",
        "scenario-id",
        "revision",
        "revision-source",
        "turns",
        "seed",
        "choice-position",
        "turn",
        "think-ms",
    ];

    pub(super) fn new(settings: &XapiSettings) -> Keys {
        Keys(
            Keys::NAMES
                .iter()
                .map(|name| (*name, super::statements::extension_key(settings, name)))
                .collect(),
        )
    }

    pub(super) fn get(&self, name: &'static str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }
}

/// What a session's ending statement (`completed` or `terminated`) says.
#[derive(Debug, Clone)]
pub(super) struct Ending {
    pub(super) registration: String,
    /// The actor's account name (a login, or the rep's name).
    pub(super) account: String,
    /// The actor's name as shown (the account when the statement has none).
    pub(super) shown: String,
    pub(super) scenario_id: String,
    pub(super) revision: String,
    pub(super) seed: Option<u64>,
    /// How many turns the session had, when the statement says.
    pub(super) turns: Option<usize>,
    pub(super) stored: Option<Millis>,
    pub(super) at: Option<Millis>,
    pub(super) abandoned: bool,
    /// The call's place in a campaign run, when it was played in one.
    pub(super) campaign: Option<CampaignCall>,
}

impl Ending {
    pub(super) fn read(statement: &WireStatement, keys: &Keys, abandoned: bool) -> Ending {
        let account = statement
            .actor
            .account
            .as_ref()
            .and_then(|a| a.name.as_deref())
            .unwrap_or_default()
            .to_string();
        let shown = statement
            .actor
            .name
            .as_deref()
            .map_or_else(|| account.clone(), str::to_string);
        Ending {
            registration: statement.registration().to_string(),
            account,
            shown,
            scenario_id: text_of(statement.context_extension(keys.get("scenario-id")))
                .unwrap_or_default(),
            revision: text_of(statement.context_extension(keys.get("revision")))
                .unwrap_or_default(),
            seed: number_of(statement.context_extension(keys.get("seed"))),
            turns: statement
                .context_extension(keys.get("turns"))
                .and_then(|raw| serde_json::from_str::<u64>(raw.get()).ok())
                .map(|n| n as usize),
            stored: statement.stored(),
            at: statement.timestamp(),
            abandoned,
            campaign: statement
                .context_extension(keys.get("campaign"))
                .and_then(|raw| serde_json::from_str::<CampaignExtension>(raw.get()).ok())
                .and_then(CampaignExtension::into_call),
        }
    }

    /// The text of the revision it was played on, when the statement carries it.
    pub(super) fn revision_source(statement: &WireStatement, keys: &Keys) -> Option<String> {
        text_of(statement.context_extension(keys.get("revision-source")))
    }
}

/// What one `answered` statement (a turn) says.
#[derive(Debug, Clone)]
pub(super) struct TurnRead {
    /// The choice's position in its node's list, from 1.
    pub(super) position: Option<u64>,
    /// The turn's number in the session, when the statement says.
    pub(super) order: Option<u64>,
    pub(super) think_ms: u64,
    pub(super) at: Option<Millis>,
}

impl TurnRead {
    pub(super) fn read(statement: &WireStatement, keys: &Keys) -> TurnRead {
        let number = |name| {
            statement
                .result_extension(keys.get(name))
                .and_then(|raw| serde_json::from_str::<u64>(raw.get()).ok())
        };
        TurnRead {
            position: number("choice-position"),
            order: number("turn"),
            think_ms: number("think-ms").unwrap_or(0),
            at: statement.timestamp(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> XapiSettings {
        XapiSettings {
            base: "https://acme.example/xapi".into(),
            home_page: "https://acme.example".into(),
            language: "en-US".into(),
        }
    }

    /// An ending and a turn as an LRS may write them: slashes escaped (as PHP's JSON does), a
    /// seed as a string, a name with an escaped quote, parts a pull never reads.
    const PAGE: &str = r#"{"statements": [
        {"id": "s1", "verb": {"id": "http:\/\/adlnet.gov\/expapi\/verbs\/completed", "display": {"en-US": "completed"}},
         "actor": {"objectType": "Agent", "name": "Eve \"Evie\" Moreau", "account": {"homePage": "https://acme.example", "name": "eve@acme.example"}},
         "object": {"id": "https://acme.example/xapi/scenarios/harbor", "definition": {"name": {"en-US": "Harbor"}}},
         "result": {"score": {"scaled": 0.5}},
         "context": {"registration": "r-1", "contextActivities": {"parent": [{"id": "x"}]},
            "extensions": {"https:\/\/acme.example\/xapi\/extensions\/seed": "42",
                           "https://acme.example/xapi/extensions/scenario-id": "harbor",
                           "https://acme.example/xapi/extensions/revision": "abc",
                           "https://acme.example/xapi/extensions/revision-source": "line one\nline \"two\"",
                           "https://acme.example/xapi/extensions/turns": 1}},
         "timestamp": "2026-11-30T10:00:00Z", "stored": "2026-11-30T10:00:01Z"},
        {"id": "s2", "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
         "actor": {"name": "Eve"},
         "context": {"registration": "r-1", "extensions": {"https://acme.example/xapi/extensions/scenario-id": "harbor"}},
         "result": {"extensions": {"https://acme.example/xapi/extensions/choice-position": 2,
                                   "https://acme.example/xapi/extensions/think-ms": 1500}},
         "timestamp": "2026-11-30T09:59:00Z"}
    ], "more": ""}"#;

    #[test]
    fn a_page_is_read_in_place_escapes_and_all() {
        let keys = Keys::new(&settings());
        let page = WirePage::parse(PAGE).unwrap();
        assert_eq!(page.next_page(), None, "an empty `more` is the last page");
        let statements = page.statements();
        let ending_statement = &statements[0];
        assert_eq!(
            ending_statement.verb(),
            "http://adlnet.gov/expapi/verbs/completed"
        );
        assert!(ending_statement.has_context_extension(keys.get("scenario-id")));
        let ending = Ending::read(ending_statement, &keys, false);
        assert_eq!(ending.registration, "r-1");
        assert_eq!(ending.shown, "Eve \"Evie\" Moreau");
        assert_eq!(ending.account, "eve@acme.example");
        assert_eq!(ending.scenario_id, "harbor");
        assert_eq!(ending.revision, "abc");
        assert_eq!(
            ending.seed,
            Some(42),
            "a seed written as a string, under an escaped key"
        );
        assert_eq!(ending.turns, Some(1));
        assert_eq!(ending.at, clock::parse("2026-11-30T10:00:00Z").ok());
        assert_eq!(ending.stored, clock::parse("2026-11-30T10:00:01Z").ok());
        assert_eq!(
            Ending::revision_source(ending_statement, &keys).as_deref(),
            Some("line one\nline \"two\"")
        );
        let turn = TurnRead::read(&statements[1], &keys);
        assert_eq!(turn.position, Some(2));
        assert_eq!(turn.order, None);
        assert_eq!(turn.think_ms, 1500);
        assert_eq!(turn.at, clock::parse("2026-11-30T09:59:00Z").ok());
        assert_eq!(Ending::read(&statements[1], &keys, false).seed, None);
    }

    #[test]
    fn a_statement_becomes_json_with_the_parts_read() {
        let page = WirePage::parse(PAGE).unwrap();
        let value = page.statements()[0].to_value();
        assert_eq!(value["id"], "s1");
        assert_eq!(
            value["verb"]["id"],
            "http://adlnet.gov/expapi/verbs/completed"
        );
        assert_eq!(value["actor"]["account"]["name"], "eve@acme.example");
        assert_eq!(
            value["context"]["extensions"]["https://acme.example/xapi/extensions/seed"],
            "42"
        );
        assert_eq!(value["timestamp"], "2026-11-30T10:00:00Z");
        assert!(
            value.get("object").is_none(),
            "parts a pull never reads are not kept"
        );
    }

    #[test]
    fn what_is_not_a_page_says_so() {
        let error = WirePage::parse("<html>Bad gateway</html>").err().unwrap();
        assert!(
            error.starts_with("the LRS's answer is not a page of statements"),
            "{error}"
        );
        let error = WirePage::parse(r#"{"more": "/xAPI/statements?page=2"}"#)
            .err()
            .unwrap();
        assert_eq!(error, "the LRS's answer has no `statements` list");
        let page =
            WirePage::parse(r#"{"statements": [], "more": "/xAPI/statements?page=2"}"#).unwrap();
        assert!(page.statements().is_empty());
        assert_eq!(page.next_page(), Some("/xAPI/statements?page=2"));
    }
}
