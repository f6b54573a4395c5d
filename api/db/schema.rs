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

diesel::table! {
    agencies (id) {
        id -> Text,
        name -> Text,
        name_fr -> Nullable<Text>,
        name_folded -> Text,
        kind -> Text,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    persons (id) {
        id -> Text,
        given_name -> Text,
        family_name -> Text,
        family_folded -> Text,
        date_of_birth -> Nullable<Date>,
        school_id -> Nullable<Text>,
        guardian_name -> Nullable<Text>,
        guardian_phone -> Nullable<Text>,
        language -> Nullable<Text>,
        created_by_officer -> Nullable<Text>,
        created_on -> Date,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        sealed_at -> Nullable<Timestamp>,
        hold_reason -> Nullable<Text>,
        hold_placed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    incidents (id) {
        id -> Text,
        occurrence_number -> Nullable<Text>,
        school_id -> Text,
        officer_id -> Nullable<Text>,
        occurred_at -> Timestamp,
        occurred_on -> Date,
        reported_at -> Timestamp,
        location -> Text,
        during_school_hours -> Bool,
        category -> Text,
        safe_schools_reportable -> Bool,
        summary -> Text,
        status -> Text,
        resolution -> Nullable<Text>,
        diversion_agency_id -> Nullable<Text>,
        created_by_officer -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    incident_persons (incident_id, person_id) {
        incident_id -> Text,
        person_id -> Text,
        role -> Text,
        position -> Integer,
    }
}

diesel::table! {
    referrals (id) {
        id -> Text,
        person_id -> Nullable<Text>,
        agency_id -> Text,
        incident_id -> Nullable<Text>,
        officer_id -> Nullable<Text>,
        category -> Text,
        urgency -> Text,
        reason -> Text,
        consent_given_by -> Text,
        consent_obtained_on -> Nullable<Date>,
        status -> Text,
        created_by_officer -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        sealed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    referral_history (id) {
        id -> Text,
        referral_id -> Text,
        status -> Text,
        at -> Timestamp,
        by_client -> Text,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    service_requests (id) {
        id -> Text,
        school_id -> Text,
        kind -> Text,
        details -> Text,
        requested_by_name -> Text,
        requested_by_role -> Text,
        officer_id -> Nullable<Text>,
        status -> Text,
        outcome -> Nullable<Text>,
        created_on -> Date,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    presentations (id) {
        id -> Text,
        school_id -> Text,
        officer_id -> Text,
        delivered_on -> Date,
        topic -> Text,
        grades -> Text,
        audience_size -> Nullable<Integer>,
        language -> Text,
        service_request_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    outcomes (id) {
        id -> Text,
        incident_id -> Text,
        person_id -> Text,
        measure -> Text,
        decided_on -> Date,
        youth_consent_obtained_on -> Nullable<Date>,
        court_disposition -> Nullable<Text>,
        disposition_on -> Nullable<Date>,
        sentence_completed_on -> Nullable<Date>,
        access_period_ends_on -> Nullable<Date>,
        access_period_rule -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    retention_runs (id) {
        id -> Text,
        started_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        dry_run -> Bool,
        sealed -> Integer,
        destroyed -> Integer,
        held -> Integer,
        errors -> Integer,
    }
}

diesel::table! {
    disclosures (id) {
        id -> Text,
        person_id -> Text,
        school_id -> Text,
        recipient_name -> Text,
        recipient_role -> Text,
        purpose -> Text,
        information -> Text,
        disclosed_on -> Date,
        destroy_by -> Date,
        acknowledged_at -> Nullable<Timestamp>,
        destroyed_at -> Nullable<Timestamp>,
        expired_at -> Nullable<Timestamp>,
        created_by_officer -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        at -> Timestamp,
        client_id -> Text,
        role -> Text,
        action -> Text,
        resource -> Text,
        resource_id -> Nullable<Text>,
        request_id -> Text,
        status -> Integer,
        person_ids -> Text,
    }
}

diesel::table! {
    audit_persons (person_id, event_id) {
        person_id -> Text,
        event_id -> Text,
    }
}

diesel::table! {
    changes (seq) {
        seq -> BigInt,
        resource -> Text,
        record_id -> Text,
        op -> Text,
        version -> Integer,
        at -> Timestamp,
        audience -> Text,
        audience_before -> Text,
    }
}

diesel::table! {
    change_head (id) {
        id -> Integer,
        seq -> BigInt,
        pruned_through -> BigInt,
    }
}

diesel::table! {
    record_audiences (resource, record_id) {
        resource -> Text,
        record_id -> Text,
        audience -> Text,
    }
}

diesel::table! {
    idempotency_keys (client_id, idem_key) {
        client_id -> Text,
        idem_key -> Text,
        fingerprint -> Text,
        state -> Text,
        status -> Nullable<Integer>,
        location -> Nullable<Text>,
        etag -> Nullable<Text>,
        content_type -> Nullable<Text>,
        body -> Nullable<Text>,
        content_language -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        client_id -> Text,
        url -> Text,
        resources -> Nullable<Text>,
        description -> Nullable<Text>,
        active -> Bool,
        failing_since -> Nullable<Timestamp>,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        feed_after -> BigInt,
        next_attempt_at -> Nullable<Timestamp>,
        lease_until -> Nullable<Timestamp>,
        leased_by -> Nullable<Text>,
        claimed_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    webhook_notices (id) {
        id -> Text,
        webhook_id -> Text,
        seq -> BigInt,
        resource -> Text,
        resource_id -> Text,
        op -> Text,
        at -> Timestamp,
        queued_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
        abandoned_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Text,
        webhook_id -> Text,
        notice_id -> Text,
        seq -> BigInt,
        op -> Text,
        attempt -> Integer,
        created_at -> Timestamp,
        duration_ms -> Integer,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        outcome -> Text,
        next_retry_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(schools -> boards (board_id));
diesel::joinable!(webhooks -> clients (client_id));
diesel::joinable!(webhook_notices -> webhooks (webhook_id));
diesel::joinable!(webhook_attempts -> webhooks (webhook_id));
diesel::joinable!(assignments -> schools (school_id));
diesel::joinable!(assignments -> officers (officer_id));
diesel::joinable!(clients -> officers (officer_id));

diesel::joinable!(persons -> schools (school_id));
diesel::joinable!(incidents -> schools (school_id));
diesel::joinable!(incident_persons -> incidents (incident_id));
diesel::joinable!(incident_persons -> persons (person_id));
diesel::joinable!(referrals -> agencies (agency_id));
diesel::joinable!(referral_history -> referrals (referral_id));
diesel::joinable!(service_requests -> schools (school_id));
diesel::joinable!(presentations -> schools (school_id));
diesel::joinable!(audit_persons -> audit_events (event_id));
diesel::joinable!(outcomes -> incidents (incident_id));
diesel::joinable!(outcomes -> persons (person_id));
diesel::joinable!(disclosures -> persons (person_id));
diesel::joinable!(disclosures -> schools (school_id));

diesel::allow_tables_to_appear_in_same_query!(
    boards,
    schools,
    officers,
    assignments,
    clients,
    signing_keys,
    agencies,
    persons,
    incidents,
    incident_persons,
    referrals,
    referral_history,
    service_requests,
    presentations,
    outcomes,
    retention_runs,
    disclosures,
    audit_events,
    audit_persons,
    changes,
    change_head,
    idempotency_keys,
    record_audiences,
    webhooks,
    webhook_notices,
    webhook_attempts,
);
