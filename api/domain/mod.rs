//! Pure types and rules: wire types, validation, enums and the access policy.
//! Nothing here imports actix or diesel (a test checks).

pub mod access;
pub mod access_period;
pub mod agency;
pub mod assignment;
pub mod audit;
pub mod board;
pub mod change;
pub mod client;
pub mod context;
pub mod disclosure;
pub mod i18n;
pub mod idempotency;
pub mod import;
pub mod incident;
pub mod json;
pub mod labels;
pub mod merge;
pub mod officer;
pub mod outcome;
pub mod page;
pub mod pattern;
pub mod person;
pub mod postal;
pub mod presentation;
pub mod query;
pub mod referral;
pub mod retention;
pub mod school;
pub mod secret;
pub mod service_request;
pub mod stats;
pub mod text;
pub mod time;
pub mod validate;
pub mod vocabulary;
pub mod webhook;

/// A new time-ordered record id.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

/// Defines a string enum with its wire names, parsing and schema. The schema is written by
/// hand so that it lists the wire names (`en`, `boards:read`), never the Rust variants.
#[macro_export]
macro_rules! string_enum {
    ($(#[doc = $doc:literal])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $wire)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::ALL[0]
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::i18n::Msg;
            fn from_str(s: &str) -> Result<Self, $crate::domain::i18n::Msg> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    _ => Err($crate::msg!("one_of", values = [$($wire),+].join(", "))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let doc: Vec<&str> = vec![$($doc.trim()),*];
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description((!doc.is_empty()).then(|| doc.join("\n")))
                    .enum_values(Some([$($wire),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}
