// @generated automatically by Diesel CLI.

diesel::table! {
    audit_log (id) {
        id -> Int8,
        tenant_id -> Nullable<Int8>,
        actor -> Text,
        action -> Text,
        target -> Text,
        client_addr -> Nullable<Text>,
        details -> Jsonb,
        created_at -> Timestamptz,
        chain_position -> Int8,
        prev_hash -> Text,
        row_hash -> Text,
        chain_strand -> Int2,
    }
}

diesel::table! {
    availability_exclusions (id) {
        id -> Int8,
        tenant_id -> Nullable<Int8>,
        cause -> Text,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        reason -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    booking_events (id) {
        id -> Int8,
        tenant_id -> Int8,
        booking_id -> Int8,
        kind -> Text,
        actor -> Text,
        channel -> Text,
        from_slot_id -> Nullable<Int8>,
        to_slot_id -> Nullable<Int8>,
        details -> Jsonb,
        created_at -> Timestamptz,
        client_addr -> Nullable<Text>,
    }
}

diesel::table! {
    booking_members (id) {
        id -> Int8,
        tenant_id -> Int8,
        booking_id -> Int8,
        position -> Int4,
        procedure_id -> Int8,
        card_id -> Nullable<Int8>,
        person_key -> Nullable<Text>,
        active -> Bool,
    }
}

diesel::table! {
    bookings (id) {
        id -> Int8,
        tenant_id -> Int8,
        code -> Text,
        slot_id -> Int8,
        procedure_id -> Int8,
        status -> Text,
        channel -> Text,
        party_size -> Int4,
        contact_email -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        contact_name -> Nullable<Text>,
        note -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        cancelled_at -> Nullable<Timestamptz>,
        lang -> Text,
        visit_day -> Nullable<Date>,
        location_id -> Nullable<Int8>,
        lead_days -> Nullable<Int4>,
        moved -> Bool,
        cancelled_by -> Nullable<Text>,
        anonymised_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    card_events (id) {
        id -> Int8,
        tenant_id -> Int8,
        card_id -> Int8,
        kind -> Text,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        actor -> Text,
        details -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    card_imports (id) {
        id -> Int8,
        tenant_id -> Int8,
        actor -> Text,
        file_name -> Text,
        sha256 -> Text,
        encoding -> Text,
        rows_read -> Int4,
        new_cards -> Int4,
        changed_cards -> Int4,
        unchanged_cards -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    card_records (id) {
        id -> Int8,
        tenant_id -> Int8,
        application_id -> Text,
        manufacture_number -> Text,
        reservation_number -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        name -> Text,
        name_kana -> Text,
        birth_date -> Date,
        location_id -> Int8,
        shipment_number -> Text,
        manufactured_on -> Nullable<Date>,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        status_changed_at -> Timestamptz,
    }
}

diesel::table! {
    city_text_fallbacks (tenant_id, lang) {
        tenant_id -> Int8,
        lang -> Text,
        fallbacks -> Text,
    }
}

diesel::table! {
    city_texts (id) {
        id -> Int8,
        tenant_id -> Int8,
        lang -> Text,
        procedure_id -> Nullable<Int8>,
        location_id -> Nullable<Int8>,
        field -> Text,
        body -> Text,
    }
}

diesel::table! {
    closures (id) {
        id -> Int8,
        tenant_id -> Int8,
        location_id -> Nullable<Int8>,
        day -> Date,
        reason -> Text,
    }
}

diesel::table! {
    holds (id) {
        id -> Int8,
        tenant_id -> Int8,
        slot_id -> Int8,
        client_token -> Text,
        procedure_id -> Int8,
        places -> Int4,
        channel -> Text,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        client_key -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (tenant_id, key) {
        tenant_id -> Int8,
        key -> Text,
        request_hash -> Bytea,
        status -> Int2,
        response -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    identification_failures (id) {
        id -> Int8,
        tenant_id -> Int8,
        number_key -> Text,
        network -> Nullable<Text>,
        failed_at -> Timestamptz,
    }
}

diesel::table! {
    lane_procedures (lane_id, procedure_id) {
        lane_id -> Int8,
        location_id -> Int8,
        procedure_id -> Int8,
        tenant_id -> Int8,
    }
}

diesel::table! {
    lanes (id) {
        id -> Int8,
        tenant_id -> Int8,
        location_id -> Int8,
        code -> Text,
        name -> Text,
        active -> Bool,
    }
}

diesel::table! {
    locations (id) {
        id -> Int8,
        tenant_id -> Int8,
        code -> Text,
        name -> Text,
        name_en -> Text,
        address -> Text,
        issues_cards -> Bool,
        active -> Bool,
        access_ja -> Text,
        access_en -> Text,
        map_url -> Text,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Int8,
        tenant_id -> Int8,
        booking_id -> Nullable<Int8>,
        kind -> Text,
        recipient -> Text,
        dedupe_key -> Text,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_error -> Nullable<Text>,
        message_id -> Nullable<Text>,
        sent_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        one_time_code -> Nullable<Text>,
        requested_from -> Nullable<Text>,
        note -> Nullable<Text>,
        lang -> Nullable<Text>,
    }
}

diesel::table! {
    mail_templates (tenant_id, procedure_id, kind) {
        tenant_id -> Int8,
        procedure_id -> Int8,
        kind -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        updated_by -> Text,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    maintenance_windows (id) {
        id -> Int8,
        tenant_id -> Int8,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        text_ja -> Text,
        text_en -> Text,
        stop_starts_at -> Nullable<Timestamptz>,
        stop_ends_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    national_holidays (day) {
        day -> Date,
        name -> Text,
    }
}

diesel::table! {
    procedures (id) {
        id -> Int8,
        tenant_id -> Int8,
        code -> Text,
        name_ja -> Text,
        name_en -> Text,
        needs_card -> Bool,
        notes_ja -> Text,
        notes_en -> Text,
        sort_order -> Int4,
        active -> Bool,
        phone_only -> Bool,
        change_days_before -> Nullable<Int4>,
        change_at -> Nullable<Time>,
    }
}

diesel::table! {
    service_minutes (minute) {
        minute -> Timestamptz,
        beats -> Int4,
    }
}

diesel::table! {
    signing_keys (name) {
        name -> Text,
        key -> Bytea,
    }
}

diesel::table! {
    slots (id) {
        id -> Int8,
        tenant_id -> Int8,
        location_id -> Int8,
        lane_id -> Int8,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        capacity -> Int4,
        web_capacity -> Int4,
        booked -> Int4,
        closed -> Bool,
    }
}

diesel::table! {
    staff_accounts (id) {
        id -> Int8,
        tenant_id -> Int8,
        login -> Text,
        display_name -> Text,
        password_hash -> Text,
        role -> Text,
        location_ids -> Array<Int8>,
        failed_logins -> Int4,
        locked_until -> Nullable<Timestamptz>,
        password_expires_at -> Nullable<Timestamptz>,
        must_change_password -> Bool,
        active -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    staff_notices (id) {
        id -> Int8,
        tenant_id -> Int8,
        body -> Text,
        shows_from -> Nullable<Timestamptz>,
        shows_until -> Nullable<Timestamptz>,
        created_by -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    staff_sessions (token) {
        token -> Text,
        tenant_id -> Int8,
        staff_id -> Int8,
        csrf_token -> Text,
        client_addr -> Nullable<Text>,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    tenant_card_columns (tenant_id, standard_name) {
        tenant_id -> Int8,
        standard_name -> Text,
        file_name -> Text,
    }
}

diesel::table! {
    tenant_mail_settings (tenant_id) {
        tenant_id -> Int8,
        reminder_hour -> Int4,
        confirm_email -> Bool,
    }
}

diesel::table! {
    tenants (id) {
        id -> Int8,
        code -> Text,
        name -> Text,
        name_en -> Text,
        hold_minutes -> Int4,
        booking_opens_days -> Int4,
        cutoff_days_before -> Int4,
        cutoff_time -> Time,
        change_deadline_days_before -> Int4,
        change_deadline_time -> Time,
        deadlines_skip_closed_days -> Bool,
        max_party_size -> Int4,
        pickup_number_kind -> Text,
        pickup_proof_kind -> Text,
        allow_transfers -> Bool,
        closed_on_national_holidays -> Bool,
        closed_over_new_year -> Bool,
        slot_horizon_days -> Int4,
        contact_email -> Text,
        contact_phone -> Text,
        contact_name -> Text,
        inquiry_phone -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        notice_ja -> Text,
        notice_en -> Text,
        maintenance_ja -> Text,
        maintenance_en -> Text,
        staff_idle_minutes -> Int4,
        staff_password_min_length -> Int4,
        staff_password_mixed -> Bool,
        staff_networks -> Array<Text>,
        training -> Bool,
        operation_log_days -> Int4,
        personal_data_days -> Nullable<Int4>,
        file_days -> Int4,
    }
}

diesel::table! {
    timetable_periods (timetable_id, weekday, opens) {
        timetable_id -> Int8,
        weekday -> Int2,
        opens -> Time,
        closes -> Time,
    }
}

diesel::table! {
    timetables (id) {
        id -> Int8,
        tenant_id -> Int8,
        lane_id -> Int8,
        effective_from -> Date,
        slot_minutes -> Int4,
        capacity -> Int4,
        web_capacity -> Int4,
    }
}

diesel::table! {
    translated_mail_templates (tenant_id, procedure_id, kind, lang) {
        tenant_id -> Int8,
        procedure_id -> Int8,
        kind -> Text,
        lang -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        updated_by -> Text,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    web_sessions (token) {
        token -> Text,
        tenant_id -> Int8,
        csrf_token -> Text,
        state -> Jsonb,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::joinable!(audit_log -> tenants (tenant_id));
diesel::joinable!(availability_exclusions -> tenants (tenant_id));
diesel::joinable!(card_imports -> tenants (tenant_id));
diesel::joinable!(city_text_fallbacks -> tenants (tenant_id));
diesel::joinable!(city_texts -> tenants (tenant_id));
diesel::joinable!(closures -> tenants (tenant_id));
diesel::joinable!(idempotency_keys -> tenants (tenant_id));
diesel::joinable!(identification_failures -> tenants (tenant_id));
diesel::joinable!(locations -> tenants (tenant_id));
diesel::joinable!(mail_outbox -> tenants (tenant_id));
diesel::joinable!(mail_templates -> tenants (tenant_id));
diesel::joinable!(maintenance_windows -> tenants (tenant_id));
diesel::joinable!(procedures -> tenants (tenant_id));
diesel::joinable!(staff_accounts -> tenants (tenant_id));
diesel::joinable!(staff_notices -> tenants (tenant_id));
diesel::joinable!(tenant_card_columns -> tenants (tenant_id));
diesel::joinable!(tenant_mail_settings -> tenants (tenant_id));
diesel::joinable!(timetable_periods -> timetables (timetable_id));
diesel::joinable!(translated_mail_templates -> tenants (tenant_id));
diesel::joinable!(web_sessions -> tenants (tenant_id));

diesel::allow_tables_to_appear_in_same_query!(
    audit_log,
    availability_exclusions,
    booking_events,
    booking_members,
    bookings,
    card_events,
    card_imports,
    card_records,
    city_text_fallbacks,
    city_texts,
    closures,
    holds,
    idempotency_keys,
    identification_failures,
    lane_procedures,
    lanes,
    locations,
    mail_outbox,
    mail_templates,
    maintenance_windows,
    national_holidays,
    procedures,
    service_minutes,
    signing_keys,
    slots,
    staff_accounts,
    staff_notices,
    staff_sessions,
    tenant_card_columns,
    tenant_mail_settings,
    tenants,
    timetable_periods,
    timetables,
    translated_mail_templates,
    web_sessions,
);
