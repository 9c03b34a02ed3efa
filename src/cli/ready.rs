//! The `--ready-json` line: where a started subcommand listens, as one line of JSON on
//! stdout, so that scripts and test harnesses need not read the human banner.

/// Where a started subcommand listens, printed by `--ready-json` as one line of JSON so that
/// scripts and test harnesses need not read the human banner.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Ready {
    pub(crate) site: Option<String>,
    pub(crate) emulator: Option<String>,
    pub(crate) handler: Option<String>,
    pub(crate) connection_string: Option<String>,
}

impl Ready {
    /// `{"ready":{…}}` without a newline: only the addresses this subcommand has.
    pub(crate) fn line(&self) -> String {
        let fields: serde_json::Map<String, serde_json::Value> = [
            ("site", &self.site),
            ("emulator", &self.emulator),
            ("handler", &self.handler),
            ("connectionString", &self.connection_string),
        ]
        .into_iter()
        .filter_map(|(name, value)| Some((name.to_string(), value.clone()?.into())))
        .collect();
        let mut line = serde_json::Map::new();
        line.insert("ready".to_string(), fields.into());
        serde_json::Value::Object(line).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ready_line_is_one_line_of_json_with_every_address() {
        let ready = Ready {
            site: Some("http://localhost:4280".into()),
            emulator: Some("http://localhost:8080".into()),
            handler: Some("http://127.0.0.1:40000".into()),
            connection_string: Some(
                "Endpoint=http://localhost;Port=8080;AccessKey=k;Version=1.0;".into(),
            ),
        };
        let line = ready.line();
        assert!(!line.contains('\n'), "{line}");
        let parsed: serde_json::Value = serde_json::from_str(&line).expect("valid JSON");
        assert_eq!(
            parsed,
            serde_json::json!({"ready": {
                "site": "http://localhost:4280",
                "emulator": "http://localhost:8080",
                "handler": "http://127.0.0.1:40000",
                "connectionString": "Endpoint=http://localhost;Port=8080;AccessKey=k;Version=1.0;",
            }})
        );
    }

    #[test]
    fn the_ready_line_leaves_out_what_a_subcommand_does_not_run() {
        let serve = Ready {
            handler: Some("http://127.0.0.1:7071".into()),
            ..Ready::default()
        };
        let parsed: serde_json::Value = serde_json::from_str(&serve.line()).expect("valid JSON");
        assert_eq!(
            parsed,
            serde_json::json!({"ready": {"handler": "http://127.0.0.1:7071"}})
        );
    }
}
