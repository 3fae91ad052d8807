// The tables of migrations/{postgres,sqlite}; portable types only (ids as Text, naive UTC timestamps).

diesel::table! {
    operation_units (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        kind -> Text,
        modules -> Text,
        settings -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        time_zone -> Text,
    }
}

diesel::table! {
    offices (id) {
        id -> Text,
        operation_unit_id -> Text,
        code -> Text,
        name -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        time_zone -> Text,
        working_hours -> Text,
        holidays -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        operation_unit_id -> Text,
        office_id -> Nullable<Text>,
        username -> Text,
        display_name -> Text,
        password_hash -> Nullable<Text>,
        roles -> Text,
        scope_level -> Text,
        disabled -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        sex -> Nullable<Text>,
        must_change_password -> Bool,
        last_login_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    one_time_codes (id) {
        id -> Text,
        user_id -> Text,
        code_hash -> Text,
        purpose -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        token_hash -> Text,
        kind -> Text,
        name -> Nullable<Text>,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    individuals (id) {
        id -> Text,
        operation_unit_id -> Text,
        office_id -> Text,
        individual_number -> Text,
        number_key -> Text,
        legacy_id -> Nullable<Text>,
        given_names -> Text,
        middle_name -> Nullable<Text>,
        family_name -> Nullable<Text>,
        second_family_name -> Nullable<Text>,
        fathers_name -> Nullable<Text>,
        grandfathers_name -> Nullable<Text>,
        original_script_name -> Nullable<Text>,
        aliases -> Nullable<Text>,
        sex -> Nullable<Text>,
        date_of_birth -> Nullable<Date>,
        date_of_birth_precision -> Nullable<Text>,
        place_of_birth -> Nullable<Text>,
        marital_status -> Nullable<Text>,
        nationalities -> Text,
        country_of_origin -> Nullable<Text>,
        ethnicity -> Nullable<Text>,
        religion -> Nullable<Text>,
        needs_interpreter -> Bool,
        same_sex_interviewer -> Bool,
        arrival_date -> Nullable<Date>,
        point_of_entry -> Nullable<Text>,
        registration_date -> Date,
        registered_by -> Text,
        dataset_level -> Text,
        last_verified_at -> Nullable<Timestamp>,
        consent_to_contact -> Bool,
        information_given_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    individual_languages (id) {
        id -> Text,
        operation_unit_id -> Text,
        individual_id -> Text,
        language -> Text,
        kind -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    name_tokens (operation_unit_id, token, individual_id) {
        operation_unit_id -> Text,
        token -> Text,
        individual_id -> Text,
    }
}

diesel::table! {
    registration_groups (id) {
        id -> Text,
        operation_unit_id -> Text,
        office_id -> Text,
        group_number -> Text,
        number_key -> Text,
        status -> Text,
        closed_reason -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    group_memberships (id) {
        id -> Text,
        operation_unit_id -> Text,
        group_id -> Text,
        individual_id -> Text,
        relationship -> Text,
        started_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        end_reason -> Nullable<Text>,
    }
}

diesel::table! {
    cases (id) {
        id -> Text,
        operation_unit_id -> Text,
        office_id -> Text,
        case_number -> Text,
        number_key -> Text,
        procedure -> Text,
        status -> Text,
        stage -> Text,
        modality -> Text,
        principal_applicant_id -> Text,
        registration_group_id -> Nullable<Text>,
        assigned_officer_id -> Nullable<Text>,
        claim_summary -> Nullable<Text>,
        opened_at -> Timestamp,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        workflow -> Nullable<Text>,
        status_changed_at -> Nullable<Timestamp>,
        due_at -> Nullable<Timestamp>,
        decision_due_at -> Nullable<Timestamp>,
        appeal_deadline_at -> Nullable<Timestamp>,
        abandonment_from -> Nullable<Timestamp>,
        next_appointment_at -> Nullable<Timestamp>,
        priority -> Bool,
        same_sex_interviewer -> Bool,
    }
}

diesel::table! {
    interpreters (id) {
        id -> Text,
        operation_unit_id -> Text,
        office_id -> Nullable<Text>,
        name -> Text,
        languages -> Text,
        active -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    appointments (id) {
        id -> Text,
        operation_unit_id -> Text,
        case_id -> Text,
        stage -> Text,
        officer_id -> Text,
        interpreter_id -> Nullable<Text>,
        language -> Nullable<Text>,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        status -> Text,
        superseded_by -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    case_members (id) {
        id -> Text,
        operation_unit_id -> Text,
        case_id -> Text,
        individual_id -> Text,
        role -> Text,
        relationship -> Nullable<Text>,
        added_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    specific_needs (id) {
        id -> Text,
        operation_unit_id -> Text,
        individual_id -> Text,
        code -> Text,
        sub_code -> Nullable<Text>,
        status -> Text,
        comments -> Nullable<Text>,
        catalogue_version -> Text,
        identified_at -> Timestamp,
        identified_by -> Text,
        reviewed_at -> Nullable<Timestamp>,
        reviewed_by -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    documents (id) {
        id -> Text,
        operation_unit_id -> Text,
        individual_id -> Text,
        document_type -> Text,
        number -> Text,
        number_key -> Text,
        issuing_country -> Nullable<Text>,
        issued_on -> Nullable<Date>,
        expires_on -> Nullable<Date>,
        verified -> Bool,
        verified_by -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    addresses (id) {
        id -> Text,
        operation_unit_id -> Text,
        individual_id -> Text,
        kind -> Text,
        line -> Text,
        city -> Nullable<Text>,
        province -> Nullable<Text>,
        country -> Text,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    phones (id) {
        id -> Text,
        operation_unit_id -> Text,
        individual_id -> Text,
        number -> Text,
        kind -> Text,
        consent_to_contact -> Bool,
        created_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    events (id) {
        id -> Text,
        operation_unit_id -> Text,
        record_type -> Text,
        record_id -> Text,
        kind -> Text,
        actor_id -> Text,
        at -> Timestamp,
        data -> Text,
    }
}

diesel::table! {
    client_mutations (user_id, client_mutation_id) {
        user_id -> Text,
        client_mutation_id -> Text,
        mutation -> Text,
        result -> Text,
        created_at -> Timestamp,
        input_digest -> Nullable<Text>,
    }
}

diesel::table! {
    counters (operation_unit_id, kind) {
        operation_unit_id -> Text,
        kind -> Text,
        value -> BigInt,
    }
}

diesel::table! {
    audit_events (seq) {
        seq -> BigInt,
        id -> Text,
        at -> Timestamp,
        user_id -> Nullable<Text>,
        username -> Nullable<Text>,
        operation_unit_id -> Nullable<Text>,
        action -> Text,
        record_type -> Nullable<Text>,
        record_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
        outcome -> Text,
        detail -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
        key_id -> Nullable<Text>,
        record_ids -> Nullable<Text>,
    }
}

diesel::table! {
    audit_event_records (record_id, seq) {
        record_id -> Text,
        seq -> BigInt,
    }
}

diesel::table! {
    login_failures (key) {
        key -> Text,
        failures -> Integer,
        last_at -> Timestamp,
    }
}

diesel::table! {
    audit_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    biometric_samples (id) {
        id -> Text,
        reference_id -> BigInt,
        position -> Text,
        quality -> Integer,
        origin -> Text,
        key_id -> Text,
        record -> Binary,
        device_record -> Binary,
        template -> Nullable<Binary>,
        algorithm_version -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    biometric_enrolments (id) {
        id -> Text,
        reference_id -> BigInt,
        operation_unit_id -> Text,
        individual_id -> Text,
        transaction_id -> Text,
        captured_at -> Timestamp,
        status -> Text,
        exceptions -> Text,
        enrolled_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    biometric_reviews (id) {
        id -> Text,
        operation_unit_id -> Text,
        enrolment_id -> Text,
        candidate_enrolment_id -> Text,
        score -> Double,
        position_scores -> Text,
        status -> Text,
        decision_reason -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        calibration_version -> Text,
    }
}

diesel::table! {
    biometric_referrals (id) {
        id -> Text,
        reference -> Text,
        from_unit_id -> Text,
        to_unit_id -> Text,
        enrolment_id -> Text,
        candidate_enrolment_id -> Text,
        score -> Double,
        created_by -> Text,
        created_at -> Timestamp,
        calibration_version -> Text,
    }
}

diesel::table! {
    individual_links (id) {
        id -> Text,
        operation_unit_id -> Text,
        individual_id -> Text,
        linked_individual_id -> Text,
        kind -> Text,
        review_id -> Text,
        reason -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    change_feed (seq) {
        seq -> BigInt,
        operation_unit_id -> Text,
        position -> Nullable<BigInt>,
        record_type -> Text,
        record_id -> Text,
        version -> Integer,
        operation -> Text,
        field_groups -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    change_feed_heads (operation_unit_id) {
        operation_unit_id -> Text,
        position -> BigInt,
    }
}

diesel::table! {
    pre_registrations (id) {
        id -> Text,
        operation_unit_id -> Text,
        office_id -> Text,
        reference -> Text,
        secret_hash -> Text,
        form -> Text,
        lang -> Text,
        urgency -> Integer,
        stage -> Text,
        appointment_at -> Nullable<Timestamp>,
        dismissed_reason -> Nullable<Text>,
        group_id -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    protection_cases (id) {
        id -> Text,
        operation_unit_id -> Text,
        office_id -> Text,
        case_number -> Text,
        principal_id -> Text,
        category -> Text,
        risk_level -> Text,
        status -> Text,
        assigned_officer_id -> Nullable<Text>,
        next_follow_up -> Nullable<Date>,
        state -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    import_batches (id) {
        id -> Text,
        operation_unit_id -> Text,
        source -> Text,
        source_files -> Text,
        first_row -> Integer,
        last_row -> Integer,
        mapping_version -> Text,
        mapping_digest -> Text,
        operator_id -> Text,
        individuals_created -> Integer,
        groups_created -> Integer,
        cases_created -> Integer,
        needs_created -> Integer,
        documents_created -> Integer,
        linked -> Integer,
        status -> Text,
        created_at -> Timestamp,
        rolled_back_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    import_records (id) {
        id -> Text,
        batch_id -> Text,
        operation_unit_id -> Text,
        source -> Text,
        source_key -> Text,
        record_kind -> Text,
        record_id -> Text,
        version -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    import_reviews (id) {
        id -> Text,
        operation_unit_id -> Text,
        batch_id -> Text,
        individual_id -> Text,
        candidate_id -> Text,
        score -> Integer,
        reasons -> Text,
        within_import -> Bool,
        status -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    assistance_programmes (id) {
        id -> Text,
        operation_unit_id -> Text,
        name -> Text,
        kind -> Text,
        amount -> Double,
        amount_unit -> Text,
        cycles -> Integer,
        eligibility -> Text,
        active -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    eligibility_assessments (id) {
        id -> Text,
        operation_unit_id -> Text,
        programme_id -> Text,
        group_id -> Text,
        eligible -> Bool,
        criteria_met -> Text,
        explanation_en -> Text,
        explanation_es -> Text,
        field_groups -> Text,
        assessed_by -> Text,
        assessed_at -> Timestamp,
    }
}

diesel::table! {
    distribution_lists (id) {
        id -> Text,
        operation_unit_id -> Text,
        office_id -> Text,
        programme_id -> Text,
        cycle -> Integer,
        site -> Text,
        distribution_date -> Date,
        created_by -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    entitlements (id) {
        id -> Text,
        operation_unit_id -> Text,
        programme_id -> Text,
        cycle -> Integer,
        group_id -> Text,
        list_id -> Text,
        assessment_id -> Text,
        amount -> Double,
        created_at -> Timestamp,
    }
}

diesel::table! {
    distributions (id) {
        id -> Text,
        operation_unit_id -> Text,
        entitlement_id -> Text,
        programme_id -> Text,
        cycle -> Integer,
        group_id -> Text,
        list_id -> Text,
        site -> Text,
        recipient_id -> Text,
        method -> Text,
        document_id -> Nullable<Text>,
        distributed_by -> Text,
        distributed_at -> Timestamp,
    }
}

diesel::table! {
    stat_cursors (operation_unit_id) {
        operation_unit_id -> Text,
        position -> BigInt,
    }
}

diesel::table! {
    stat_contributions (record_id) {
        record_id -> Text,
        operation_unit_id -> Text,
        record_type -> Text,
        cells -> Text,
    }
}

diesel::table! {
    stat_population (operation_unit_id, need, office_id, registration_month, nationality, sex, birth_month, group_size) {
        operation_unit_id -> Text,
        office_id -> Text,
        nationality -> Text,
        sex -> Text,
        birth_month -> Text,
        registration_month -> Text,
        group_size -> Integer,
        need -> Text,
        people -> BigInt,
    }
}

diesel::table! {
    stat_crossings (operation_unit_id, crossing, office_id, a, b) {
        operation_unit_id -> Text,
        crossing -> Text,
        office_id -> Text,
        a -> Text,
        b -> Text,
        people -> BigInt,
    }
}

diesel::table! {
    stat_fact_totals (operation_unit_id, measure, office_id, month, modality, value) {
        operation_unit_id -> Text,
        measure -> Text,
        office_id -> Text,
        month -> Text,
        modality -> Text,
        value -> BigInt,
        n -> BigInt,
    }
}

diesel::table! {
    stat_facts (operation_unit_id, measure, office_id, month, modality, value, actor) {
        operation_unit_id -> Text,
        measure -> Text,
        office_id -> Text,
        month -> Text,
        modality -> Text,
        value -> BigInt,
        actor -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    sharing_agreements (id) {
        id -> Text,
        unit_id -> Text,
        partner_unit_id -> Text,
        title -> Text,
        purposes -> Text,
        valid_from -> Date,
        valid_until -> Date,
        recorded_by -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    consents (id) {
        id -> Text,
        operation_unit_id -> Text,
        individual_id -> Text,
        given_by -> Text,
        given_on -> Date,
        purposes -> Text,
        recorded_by -> Text,
        withdrawn_on -> Nullable<Date>,
        withdrawn_by -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    referrals (id) {
        id -> Text,
        reference -> Text,
        kind -> Text,
        operation_unit_id -> Text,
        from_unit_id -> Text,
        agreement_id -> Nullable<Text>,
        purpose -> Nullable<Text>,
        consent_id -> Nullable<Text>,
        individual_id -> Nullable<Text>,
        shared -> Text,
        note -> Nullable<Text>,
        status -> Text,
        decline_reason -> Nullable<Text>,
        receiving_individual_id -> Nullable<Text>,
        referred_by -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    resettlement_cases (id) {
        id -> Text,
        operation_unit_id -> Text,
        office_id -> Text,
        case_number -> Text,
        principal_id -> Text,
        protection_case_id -> Nullable<Text>,
        status -> Text,
        priority -> Text,
        due_on -> Nullable<Date>,
        state -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    export_jobs (id) {
        id -> Text,
        operation_unit_id -> Text,
        requested_by -> Text,
        kind -> Text,
        format -> Text,
        fields -> Text,
        office_id -> Nullable<Text>,
        purpose -> Text,
        recipient -> Text,
        status -> Text,
        rows_total -> Nullable<Integer>,
        rows_done -> Integer,
        file_name -> Nullable<Text>,
        size_bytes -> Nullable<BigInt>,
        sha256 -> Nullable<Text>,
        error -> Nullable<Text>,
        attempts -> Integer,
        created_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
        version -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    field_nodes (id) {
        id -> Text,
        operation_unit_id -> Text,
        office_id -> Text,
        name -> Text,
        enrol_code_hash -> Nullable<Text>,
        enrol_expires_at -> Timestamp,
        token_hash -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        enrolled_at -> Nullable<Timestamp>,
        last_contact_at -> Nullable<Timestamp>,
        feed_cursor -> BigInt,
        backlog -> Integer,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<Text>,
        wiped_at -> Nullable<Timestamp>,
        version -> Integer,
        audit_seq -> BigInt,
        audit_hash -> Text,
    }
}

diesel::table! {
    sync_conflicts (id) {
        id -> Text,
        operation_unit_id -> Text,
        office_id -> Text,
        node_id -> Text,
        user_id -> Text,
        client_mutation_id -> Text,
        mutation -> Text,
        request -> Text,
        record_type -> Nullable<Text>,
        record_id -> Nullable<Text>,
        theirs -> Nullable<Text>,
        error_code -> Text,
        error_message -> Text,
        status -> Text,
        resolved_by -> Nullable<Text>,
        resolved_at -> Nullable<Timestamp>,
        resolution -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        error_reason -> Nullable<Text>,
        error_field -> Nullable<Text>,
    }
}

diesel::table! {
    number_aliases (operation_unit_id, alias) {
        operation_unit_id -> Text,
        alias -> Text,
        record_type -> Text,
        record_id -> Text,
        number -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    node_state (id) {
        id -> Text,
        node_id -> Text,
        central_url -> Text,
        token -> Text,
        operation_unit_id -> Text,
        office_id -> Text,
        office_code -> Text,
        feed_cursor -> BigInt,
        snapshot_table -> Nullable<Text>,
        snapshot_after -> Nullable<Text>,
        snapshot_head -> Nullable<BigInt>,
        last_contact_at -> Nullable<Timestamp>,
        offline_since -> Nullable<Timestamp>,
        reference_digest -> Text,
        created_at -> Timestamp,
        audit_cursor -> BigInt,
    }
}

diesel::table! {
    node_outbox (seq) {
        seq -> BigInt,
        user_id -> Text,
        client_mutation_id -> Text,
        mutation -> Text,
        request -> Text,
        at_ms -> BigInt,
        provisional -> Text,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    operation_units,
    offices,
    users,
    one_time_codes,
    sessions,
    individuals,
    individual_languages,
    name_tokens,
    registration_groups,
    group_memberships,
    cases,
    case_members,
    interpreters,
    appointments,
    specific_needs,
    documents,
    addresses,
    phones,
    events,
    client_mutations,
    counters,
    audit_events,
    audit_event_records,
    audit_head,
    biometric_samples,
    biometric_enrolments,
    biometric_reviews,
    biometric_referrals,
    individual_links,
    change_feed,
    change_feed_heads,
    pre_registrations,
    protection_cases,
    import_batches,
    import_records,
    import_reviews,
    assistance_programmes,
    eligibility_assessments,
    distribution_lists,
    entitlements,
    distributions,
    stat_cursors,
    stat_contributions,
    stat_population,
    stat_crossings,
    stat_fact_totals,
    stat_facts,
    sharing_agreements,
    consents,
    referrals,
    resettlement_cases,
    export_jobs,
    field_nodes,
    sync_conflicts,
    number_aliases,
    node_state,
    node_outbox,
);

diesel::joinable!(case_members -> cases (case_id));
diesel::joinable!(appointments -> cases (case_id));
diesel::joinable!(group_memberships -> registration_groups (group_id));
diesel::joinable!(specific_needs -> individuals (individual_id));
diesel::joinable!(sessions -> users (user_id));
