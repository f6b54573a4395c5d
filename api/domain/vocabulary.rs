//! `GET /v1/vocabularies` (API.md §8): every enum of the API with its labels in both languages,
//! so an integrator's forms show the same words as the service.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::i18n::{label, Lang};

/// One enum of the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Vocabulary {
    /// Its name (`incident_category`): the schema's name in snake case.
    pub name: String,
    /// Its values, in the order of the document.
    pub values: Vec<Term>,
}

/// One value of an enum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Term {
    /// The wire value.
    pub value: String,
    /// Its English label.
    pub label_en: String,
    /// Its French label.
    pub label_fr: String,
}

/// Every vocabulary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Vocabularies {
    /// The vocabularies, by name.
    pub data: Vec<Vocabulary>,
}

impl Vocabulary {
    /// The vocabulary `name` of `values`, labelled from the catalogues.
    pub fn of(name: &str, values: &[String]) -> Vocabulary {
        Vocabulary {
            name: name.to_owned(),
            values: values
                .iter()
                .map(|v| Term {
                    value: v.clone(),
                    label_en: label(Lang::En, name, v),
                    label_fr: label(Lang::Fr, name, v),
                })
                .collect(),
        }
    }
}

/// `IncidentCategory` → `incident_category`.
pub fn snake_case(schema: &str) -> String {
    let mut out = String::new();
    for (i, c) in schema.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
