//! Diesel table definitions, one set for both backends (UUIDs as text, UTC timestamps).

diesel::table! {
    boards (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        name_fr -> Text,
        language -> Text,
        kind -> Text,
        ministry_number -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    schools (id) {
        id -> Text,
        board_id -> Nullable<Text>,
        ministry_number -> Text,
        name -> Text,
        name_folded -> Text,
        level -> Text,
        language -> Nullable<Text>,
        kind -> Text,
        street -> Nullable<Text>,
        city -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        phone -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    officers (id) {
        id -> Text,
        badge_number -> Text,
        first_name -> Text,
        last_name -> Text,
        name_folded -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    assignments (id) {
        id -> Text,
        school_id -> Text,
        officer_id -> Text,
        role -> Text,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    clients (id) {
        id -> Text,
        name -> Text,
        role -> Text,
        board_id -> Nullable<Text>,
        agency_id -> Nullable<Text>,
        officer_id -> Nullable<Text>,
        scopes -> Text,
        secret_hash -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    signing_keys (name) {
        name -> Text,
        private_pem -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(schools -> boards (board_id));
diesel::joinable!(assignments -> schools (school_id));
diesel::joinable!(assignments -> officers (officer_id));
diesel::joinable!(clients -> officers (officer_id));

diesel::allow_tables_to_appear_in_same_query!(boards, schools, officers, assignments, clients, signing_keys);
