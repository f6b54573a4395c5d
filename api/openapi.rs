//! The OpenAPI 3.1 document, generated from the same route table the server mounts; needs no
//! database and no server.

use utoipa::openapi::header::Header;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{Object, Schema, Type};
use utoipa::openapi::security::{ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as Document, Ref, RefOr, Response, ResponseBuilder};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use crate::domain::access::Scope;
use crate::error::{ConflictCode, Problem, ProblemField};

macro_rules! problem_responses {
    ($($name:ident => $description:literal),+ $(,)?) => {
        $(
            #[doc = $description]
            pub struct $name;

            impl<'s> utoipa::ToResponse<'s> for $name {
                fn response() -> (&'s str, RefOr<Response>) {
                    (stringify!($name), problem($description).into())
                }
            }
        )+

        fn problem_components() -> Vec<(String, RefOr<Response>)> {
            vec![$((stringify!($name).to_string(), problem($description).into())),+]
        }
    };
}

fn problem(description: &str) -> Response {
    let mut response = ResponseBuilder::new()
        .description(description)
        .content("application/problem+json", Content::new(Some(Ref::from_schema_name("Problem"))))
        .build();
    add_request_id_header(&mut response);
    response
}

/// Every answer carries `X-Request-Id` and `Content-Language`.
fn add_request_id_header(response: &mut Response) {
    let mut header = Header::new(Object::with_type(Type::String));
    header.description = Some("The caller's request id if it sent one, else a new one; also in the server log.".into());
    response.headers.entry("X-Request-Id".into()).or_insert(RefOr::T(header));
    let mut language = Header::new(Object::with_type(Type::String));
    language.description = Some("`en` or `fr`: the language of the answer's words (API.md §8).".into());
    response.headers.entry("Content-Language".into()).or_insert(RefOr::T(language));
}

/// Every `/v1` operation answers problems (and labels) in French when asked (API.md §8); an
/// operation that documents the header itself (statistics) keeps its own words.
fn accept_language(op: &mut Operation) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    let params = op.parameters.get_or_insert_with(Vec::new);
    if params.iter().any(|p| matches!(p, RefOr::T(p) if p.name == "Accept-Language")) {
        return;
    }
    let param = ParameterBuilder::new()
        .name("Accept-Language")
        .parameter_in(ParameterIn::Header)
        .required(utoipa::openapi::Required::False)
        .description(Some(
            "`fr` or `fr-CA` (or French ranked above English) for problem titles, details and messages \
             in French; anything else is English. Field names, values, `type` and `code` never change.",
        ))
        .schema(Some(Schema::Object(Object::with_type(Type::String))))
        .build();
    params.push(RefOr::T(param));
}

problem_responses! {
    BadRequest => "Malformed JSON or query parameter (`errors` names each bad parameter).",
    Unauthorized => "Missing, invalid or expired access token (`WWW-Authenticate: Bearer`).",
    Forbidden => "The token lacks the scope this endpoint needs.",
    NotFound => "No such record, or one the caller may not see.",
    Conflict => "The stored data forbids the change (`code` says which conflict).",
    PreconditionFailed => "`If-Match` does not name the current version.",
    PayloadTooLarge => "The body is larger than the endpoint accepts.",
    UnsupportedMediaType => "The body is not in a media type the endpoint accepts.",
    UnprocessableEntity => "Validation failed (`errors` names every bad field).",
    TooManyRequests => "This client made more requests this minute than `RATE_LIMIT_PER_MINUTE` allows (`Retry-After`, `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`).",
    Gone => "The change feed no longer holds the entries after `after` (problem `resync-required`): reload every record, then poll from `GET /v1/changes/head`.",
    ServiceUnavailable => "The database is unavailable (`Retry-After`).",
    InternalError => "An unexpected error; details are in the server log under the request id.",
}

macro_rules! problem_sets {
    ($($(#[$meta:meta])* $name:ident => [$($status:literal => $response:ident),+]),+ $(,)?) => {
        $(
            $(#[$meta])*
            pub struct $name;

            impl utoipa::IntoResponses for $name {
                fn responses() -> std::collections::BTreeMap<String, RefOr<Response>> {
                    [$(($status.to_string(), RefOr::Ref(Ref::from_response_name(stringify!($response))))),+]
                        .into_iter()
                        .collect()
                }
            }
        )+
    };
}

problem_sets! {
    /// The problems a list can answer besides 401/403/503.
    ListProblems => ["400" => BadRequest],
    /// The problems a list under one record (`/v1/incidents/{id}/outcomes`) can answer.
    NestedListProblems => ["400" => BadRequest, "404" => NotFound],
    /// The problems a single-record read can answer.
    ReadProblems => ["404" => NotFound],
    /// The problems a create can answer.
    CreateProblems => ["400" => BadRequest, "409" => Conflict, "413" => PayloadTooLarge,
        "415" => UnsupportedMediaType, "422" => UnprocessableEntity],
    /// The problems a change of an existing record (PATCH, PUT) can answer.
    ChangeProblems => ["400" => BadRequest, "404" => NotFound, "409" => Conflict, "412" => PreconditionFailed,
        "413" => PayloadTooLarge, "415" => UnsupportedMediaType, "422" => UnprocessableEntity],
    /// The problems an action on an existing record with a body can answer.
    ActionProblems => ["400" => BadRequest, "404" => NotFound, "409" => Conflict, "413" => PayloadTooLarge,
        "415" => UnsupportedMediaType, "422" => UnprocessableEntity],
    /// The problems a status move (an action that honours `If-Match`) can answer.
    StatusProblems => ["400" => BadRequest, "404" => NotFound, "409" => Conflict, "412" => PreconditionFailed,
        "413" => PayloadTooLarge, "415" => UnsupportedMediaType, "422" => UnprocessableEntity],
    /// The problems a confirmation without a body (`/v1/disclosures/{id}/acknowledge`) can answer.
    ConfirmProblems => ["404" => NotFound, "412" => PreconditionFailed],
    /// The problems the change feed can answer.
    FeedProblems => ["400" => BadRequest, "410" => Gone],
    /// The problems a DELETE can answer.
    DeleteProblems => ["404" => NotFound, "409" => Conflict, "412" => PreconditionFailed],
}

/// A body schema derived from another: the same properties and rules, with `optional` no
/// longer required (all of them for a merge patch).
fn relaxed<T: utoipa::PartialSchema>(optional: Option<&[&str]>, description: &str) -> RefOr<Schema> {
    match T::schema() {
        RefOr::T(Schema::Object(mut object)) => {
            match optional {
                Some(fields) => object.required.retain(|f| !fields.contains(&f.as_str())),
                None => object.required.clear(),
            }
            object.description = Some(description.to_owned());
            RefOr::T(Schema::Object(object))
        }
        other => other,
    }
}

macro_rules! relaxed_bodies {
    ($($(#[doc = $doc:literal])+ $name:ident = $base:ty, $optional:expr;)+) => {
        $(
            $(#[doc = $doc])+
            pub struct $name;

            impl utoipa::PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    let doc: Vec<&str> = vec![$($doc.trim()),+];
                    relaxed::<$base>($optional, &doc.join(" "))
                }
            }

            impl utoipa::ToSchema for $name {}
        )+
    };
}

relaxed_bodies! {
    /// `PATCH /v1/schools/{id}` (JSON merge patch): any of the fields of `NewSchool`, with the
    /// same rules; null clears an optional field.
    SchoolPatch = crate::domain::school::NewSchool, None;
    /// `PUT /v1/schools/by-ministry-number/{number}`: the body of `POST /v1/schools`;
    /// `ministry_number` may be left out and must equal the path's if given.
    SchoolReplacement = crate::domain::school::NewSchool, Some(&["ministry_number"]);
    /// `PATCH /v1/officers/{id}` (JSON merge patch): any of the fields of `NewOfficer`.
    OfficerPatch = crate::domain::officer::NewOfficer, None;
    /// `PATCH /v1/assignments/{id}` (JSON merge patch): any of the fields of `NewAssignment`;
    /// end an assignment by setting `ends_on`.
    AssignmentPatch = crate::domain::assignment::NewAssignment, None;
    /// `PATCH /v1/boards/{id}` (JSON merge patch): any of the fields an admin may change.
    BoardPatch = crate::domain::board::BoardChanges, None;
    /// `PATCH /v1/agencies/{id}` (JSON merge patch): any of the fields of `NewAgency`.
    AgencyPatch = crate::domain::agency::NewAgency, None;
    /// `PATCH /v1/persons/{id}` (JSON merge patch): any of the fields of `NewPerson`.
    PersonPatch = crate::domain::person::NewPerson, None;
    /// `PATCH /v1/incidents/{id}` (JSON merge patch): any of the fields of `IncidentChanges`;
    /// `involved` replaces the whole list.
    IncidentPatch = crate::domain::incident::IncidentChanges, None;
    /// `PATCH /v1/referrals/{id}` (JSON merge patch, `consent` merged member by member): any of
    /// the fields of `NewReferral`; `person_id` and `agency_id` cannot change.
    ReferralPatch = crate::domain::referral::NewReferral, None;
    /// `PATCH /v1/service-requests/{id}` (JSON merge patch): any of the fields of
    /// `ServiceRequestChanges`.
    ServiceRequestPatch = crate::domain::service_request::ServiceRequestChanges, None;
    /// `PATCH /v1/presentations/{id}` (JSON merge patch): any of the fields of
    /// `NewPresentation`.
    PresentationPatch = crate::domain::presentation::NewPresentation, None;
    /// `PATCH /v1/incidents/{id}/outcomes/{outcome_id}` (JSON merge patch): any of the fields of
    /// `NewIncidentOutcome`; `person_id` cannot change.
    OutcomePatch = crate::domain::outcome::NewIncidentOutcome, None;
}

/// The body of `POST /v1/persons/{id}/hold`.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct HoldBody {
    /// Why the record must be kept (an access request or litigation in progress).
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000]*[^\\u0000\\t-\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff][^\\u0000]*$"
    )]
    reason: String,
}

/// The root of the document; paths come from the route table.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "SRO Program API",
        description = "Integration API of the School Resource Officer program and the Youth \
Intervention and Diversion Unit: schools, boards, officers and SRO assignments for school board SIS \
integrations, referral systems and dashboards. Errors are RFC 9457 problem details; lists are \
keyset-paged with opaque cursors; every record has a `version` for `If-Match`.",
        license(name = "MIT")
    ),
    components(schemas(Problem, ProblemField, ConflictCode, Scope)),
    tags(
        (name = "auth", description = "Tokens and the caller's identity"),
        (name = "clients", description = "API clients (admin)"),
        (name = "webhooks", description = "Signed push notices of changes to clients' receivers (admin)"),
        (name = "boards", description = "The four school boards"),
        (name = "schools", description = "Schools and their current SRO"),
        (name = "officers", description = "The SRO directory"),
        (name = "assignments", description = "SRO assignments"),
        (name = "agencies", description = "Agencies youth are referred to"),
        (name = "persons", description = "Youth and guardians (personal information, audited)"),
        (name = "incidents", description = "Calls for service (audited; boards see no persons)"),
        (name = "referrals", description = "Referrals to agencies and their status (audited)"),
        (name = "service-requests", description = "What schools ask of their SRO"),
        (name = "presentations", description = "Law and safety talks given"),
        (name = "vocabularies", description = "Every enum of the API with English and French labels"),
        (name = "retention", description = "Retention passes: sealing and destruction of youth records (admin)"),
        (name = "outcomes", description = "YCJA measures for the subjects of incidents and their access periods (police use only)"),
        (name = "disclosures", description = "Disclosures to schools under YCJA s. 125(6)-(7) (audited; the one record a board sees a young person's name in)"),
        (name = "stats", description = "Counts by group (no personal data; small counts suppressed for dashboards)"),
        (name = "audit", description = "The audit log of personal information (admin)"),
        (name = "changes", description = "The change feed: what changed, in commit order, as each caller may see it"),
        (name = "operations", description = "Health, readiness and keys"),
    )
)]
struct ApiDoc;

/// Builds the document from the route table.
pub fn document() -> Document {
    let (_, mut doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    let components = doc.components.get_or_insert_with(Default::default);
    components.responses.extend(problem_components());
    let scopes = Scopes::from_iter(Scope::ALL.iter().map(|s| (s.as_str().to_string(), s.as_str().to_string())));
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
    );
    components.add_security_scheme(
        "oauth2",
        SecurityScheme::OAuth2(OAuth2::new([Flow::ClientCredentials(ClientCredentials::new("/oauth/token", scopes))])),
    );
    for (path, item) in doc.paths.paths.iter_mut() {
        for op in operations(item) {
            describe_shared_parameters(op);
            accept_bearer_too(op);
            for response in op.responses.responses.values_mut() {
                if let RefOr::T(response) = response {
                    add_request_id_header(response);
                }
            }
            if path.starts_with("/v1/") {
                add_common_responses(op);
                accept_language(op);
            }
        }
        if path.starts_with("/v1/") {
            if let Some(post) = item.post.as_mut() {
                accept_idempotency_key(post);
            }
        }
    }
    doc
}

/// Every `/v1` POST takes `Idempotency-Key` (API.md §2, §6, `http::idempotency`): a replay is
/// the first answer again, a malformed key is 400, a different body under the key is 422, and a
/// second request while the first runs is 409 `idempotency_in_progress`.
fn accept_idempotency_key(op: &mut Operation) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    let mut schema = Object::with_type(Type::String);
    schema.min_length = Some(1);
    schema.max_length = Some(crate::domain::idempotency::MAX_KEY_LENGTH);
    schema.pattern = Some(crate::domain::pattern::IDEMPOTENCY_KEY.to_owned());
    let param = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(utoipa::openapi::Required::False)
        .description(Some(
            "Makes a retry safe: the same key from the same client with the same body within 24 hours \
             returns the first answer again (`Idempotent-Replayed: true`) and creates nothing.",
        ))
        .schema(Some(Schema::Object(schema)))
        .build();
    op.parameters.get_or_insert_with(Vec::new).push(RefOr::T(param));
    for (status, name) in [("400", "BadRequest"), ("409", "Conflict"), ("422", "UnprocessableEntity")] {
        op.responses.responses.entry(status.to_string()).or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
    }
}

/// Parameters many operations share, stated once with every rule the server applies to them.
fn describe_shared_parameters(op: &mut Operation) {
    use crate::domain::pattern;
    for param in op.parameters.iter_mut().flatten() {
        let RefOr::T(param) = param else { continue };
        let string = |pattern: &str, min: Option<usize>| {
            let mut schema = Object::with_type(Type::String);
            schema.pattern = Some(pattern.to_owned());
            schema.min_length = min;
            Some(RefOr::T(Schema::Object(schema)))
        };
        match param.name.as_str() {
            // The version as `"<n>"` (or `*`); optional, never null.
            "If-Match" => param.schema = Some(RefOr::T(Schema::Object(Object::with_type(Type::String)))),
            "number" => param.schema = string(pattern::SCHOOL_NUMBER, None),
            "cursor" => param.schema = string(CURSOR_PATTERN, Some(1)),
            "q" | "code" => param.schema = string(pattern::OPTIONAL_TEXT, None),
            _ => {}
        }
    }
}

/// A cursor is base64url text (opaque; only a `next_cursor` of the same query is valid).
const CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]+$";

/// Every operation that takes a token names the plain `bearer` scheme as an alternative to the
/// OAuth flow, so tools see that the header is `Authorization: Bearer <token>`.
fn accept_bearer_too(op: &mut Operation) {
    if let Some(requirements) = op.security.as_mut() {
        if !requirements.is_empty() {
            requirements.push(utoipa::openapi::security::SecurityRequirement::new("bearer", Vec::<String>::new()));
        }
    }
}

fn operations(item: &mut utoipa::openapi::PathItem) -> Vec<&mut Operation> {
    [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch]
        .into_iter()
        .filter_map(|op| op.as_mut())
        .collect()
}

/// Every `/v1` operation can answer 401, 403, 429, 503 and 500.
fn add_common_responses(op: &mut Operation) {
    for (status, name) in [
        ("401", "Unauthorized"),
        ("403", "Forbidden"),
        ("429", "TooManyRequests"),
        ("500", "InternalError"),
        ("503", "ServiceUnavailable"),
    ] {
        op.responses.responses.entry(status.to_string()).or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
    }
}

/// The document as committed at `openapi/openapi.json` and served at `/openapi.json`.
pub fn render() -> String {
    let mut text = document().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}
