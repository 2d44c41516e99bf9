//! IR → Sigma YAML (to be written).
