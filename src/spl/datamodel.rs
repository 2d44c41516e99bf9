//! CIM data models: our own YAML (rules/datamodels/), built in and extendable with `--datamodels`.
//! A dataset is named `Model.Dataset` (or just `Model` for its first dataset) and its fields are
//! written `Dataset.field` in `tstats` and `from datamodel`.

use crate::diagnostic::{codes, Diagnostic};
use serde::Deserialize;
use std::path::Path;

/// The built-in data models (file name, text).
const BUILT_IN: &[(&str, &str)] = &[
    (
        "alerts.yml",
        include_str!("../../rules/datamodels/alerts.yml"),
    ),
    (
        "change_analysis.yml",
        include_str!("../../rules/datamodels/change_analysis.yml"),
    ),
    (
        "identity_management.yml",
        include_str!("../../rules/datamodels/identity_management.yml"),
    ),
    ("ueba.yml", include_str!("../../rules/datamodels/ueba.yml")),
    (
        "vulnerabilities.yml",
        include_str!("../../rules/datamodels/vulnerabilities.yml"),
    ),
    (
        "authentication.yml",
        include_str!("../../rules/datamodels/authentication.yml"),
    ),
    (
        "certificates.yml",
        include_str!("../../rules/datamodels/certificates.yml"),
    ),
    (
        "change.yml",
        include_str!("../../rules/datamodels/change.yml"),
    ),
    (
        "email.yml",
        include_str!("../../rules/datamodels/email.yml"),
    ),
    (
        "endpoint.yml",
        include_str!("../../rules/datamodels/endpoint.yml"),
    ),
    (
        "intrusion_detection.yml",
        include_str!("../../rules/datamodels/intrusion_detection.yml"),
    ),
    (
        "network_resolution.yml",
        include_str!("../../rules/datamodels/network_resolution.yml"),
    ),
    (
        "network_sessions.yml",
        include_str!("../../rules/datamodels/network_sessions.yml"),
    ),
    (
        "network_traffic.yml",
        include_str!("../../rules/datamodels/network_traffic.yml"),
    ),
    ("risk.yml", include_str!("../../rules/datamodels/risk.yml")),
    (
        "updates.yml",
        include_str!("../../rules/datamodels/updates.yml"),
    ),
    ("web.yml", include_str!("../../rules/datamodels/web.yml")),
];

/// One data model file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Datamodel {
    pub name: String,
    pub datasets: Vec<Dataset>,
}

/// A dataset: its constraint search and its fields.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    pub name: String,
    /// The CIM constraint (a search, usually on `tag`).
    pub constraint: String,
    /// The search that decides membership for events without a `tag` field.
    #[serde(default)]
    pub fallback: Option<String>,
    #[serde(default)]
    pub fields: Vec<String>,
}

/// Every known data model.
#[derive(Debug, Clone, Default)]
pub struct Datamodels {
    models: Vec<Datamodel>,
}

impl Datamodels {
    /// The built-in CIM models (parsed once per process).
    pub fn standard() -> Datamodels {
        Datamodels::builtin().clone()
    }

    /// The built-in CIM models, shared.
    pub fn builtin() -> &'static Datamodels {
        static BUILTIN: std::sync::OnceLock<Datamodels> = std::sync::OnceLock::new();
        BUILTIN.get_or_init(|| {
            let mut all = Datamodels::default();
            for (name, text) in BUILT_IN {
                // Each built-in file is checked by a test.
                let _ = all.load_yaml(text, name);
            }
            all
        })
    }

    /// Adds the models of a YAML file, or of every `.yml`/`.yaml` file in a folder.
    pub fn load_path(&mut self, path: &Path) -> Result<(), Diagnostic> {
        let read_error = |e: std::io::Error| {
            Diagnostic::error(
                codes::IO,
                format!(
                    "cannot read data models from `{}`: {}",
                    path.display(),
                    crate::io::io_reason(&e)
                ),
            )
        };
        if path.is_dir() {
            let mut files: Vec<_> = std::fs::read_dir(path)
                .map_err(read_error)?
                .flatten()
                .map(|e| e.path())
                .collect();
            files.sort();
            for file in files
                .iter()
                .filter(|f| f.extension().is_some_and(|e| e == "yml" || e == "yaml"))
            {
                self.load_path(file)?;
            }
            return Ok(());
        }
        let text = std::fs::read_to_string(path).map_err(read_error)?;
        self.load_yaml(&text, &path.display().to_string())
    }

    pub fn load_yaml(&mut self, text: &str, origin: &str) -> Result<(), Diagnostic> {
        if crate::yaml::too_deep(text).is_some() {
            let message = crate::yaml::too_deep_message();
            return Err(Diagnostic::error(
                codes::SPL_SEMANTIC,
                format!("{origin}: {message}"),
            ));
        }
        let model: Datamodel = serde_yaml::from_str(text).map_err(|e| {
            Diagnostic::error(
                codes::SPL_SEMANTIC,
                format!("{origin}: invalid data model: {e}"),
            )
        })?;
        self.models.retain(|m| m.name != model.name);
        self.models.push(model);
        Ok(())
    }

    /// `Endpoint.Processes` → that dataset; `Web` → the model's first dataset.
    pub fn dataset(&self, reference: &str) -> Option<&Dataset> {
        let reference = reference.trim_matches('"');
        let (model, dataset) = reference
            .split_once('.')
            .map_or((reference, None), |(m, d)| (m, Some(d)));
        let model = self
            .models
            .iter()
            .find(|m| m.name.eq_ignore_ascii_case(model))?;
        match dataset {
            None => model.datasets.first(),
            Some(d) => {
                let last = d.rsplit('.').next().unwrap_or(d);
                model
                    .datasets
                    .iter()
                    .find(|ds| ds.name.eq_ignore_ascii_case(last))
            }
        }
    }

    /// `Model.Dataset` names, for messages.
    pub fn names(&self) -> Vec<String> {
        self.models
            .iter()
            .flat_map(|m| {
                m.datasets
                    .iter()
                    .map(move |d| format!("{}.{}", m.name, d.name))
            })
            .collect()
    }
}
