-- Foundation schema. Every tenant-owned row carries tenant_id; composite foreign keys
-- (tenant_id, id) make it impossible for a row to point at another tenant's data.

CREATE TABLE tenants (
    id bigserial PRIMARY KEY,
    code text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
    name text NOT NULL CHECK (name <> ''),
    name_en text NOT NULL DEFAULT '',
    hold_minutes integer NOT NULL DEFAULT 10 CHECK (hold_minutes BETWEEN 1 AND 120),
    booking_opens_days integer NOT NULL DEFAULT 60 CHECK (booking_opens_days BETWEEN 0 AND 366),
    cutoff_days_before integer NOT NULL DEFAULT 1 CHECK (cutoff_days_before BETWEEN 0 AND 60),
    cutoff_time time NOT NULL DEFAULT '17:00',
    change_deadline_days_before integer NOT NULL DEFAULT 1 CHECK (change_deadline_days_before BETWEEN 0 AND 60),
    change_deadline_time time NOT NULL DEFAULT '17:00',
    -- when true, deadlines count back over open days only (weekends and closed days skipped)
    deadlines_skip_closed_days boolean NOT NULL DEFAULT false,
    max_party_size integer NOT NULL DEFAULT 1 CHECK (max_party_size BETWEEN 1 AND 10),
    pickup_number_kind text NOT NULL DEFAULT 'reservation_number'
        CHECK (pickup_number_kind IN ('reservation_number', 'manufacture_number')),
    pickup_proof_kind text NOT NULL DEFAULT 'birth_date'
        CHECK (pickup_proof_kind IN ('birth_date', 'password')),
    allow_transfers boolean NOT NULL DEFAULT false,
    closed_on_national_holidays boolean NOT NULL DEFAULT true,
    closed_over_new_year boolean NOT NULL DEFAULT true,
    slot_horizon_days integer NOT NULL DEFAULT 120 CHECK (slot_horizon_days BETWEEN 1 AND 400),
    contact_email text NOT NULL DEFAULT 'required' CHECK (contact_email IN ('required', 'optional', 'off')),
    contact_phone text NOT NULL DEFAULT 'optional' CHECK (contact_phone IN ('required', 'optional', 'off')),
    contact_name text NOT NULL DEFAULT 'off' CHECK (contact_name IN ('required', 'optional', 'off')),
    inquiry_phone text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE locations (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    code text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,20}$'),
    name text NOT NULL CHECK (name <> ''),
    name_en text NOT NULL DEFAULT '',
    address text NOT NULL DEFAULT '',
    issues_cards boolean NOT NULL DEFAULT true,
    active boolean NOT NULL DEFAULT true,
    UNIQUE (tenant_id, code),
    UNIQUE (tenant_id, id)
);

CREATE TABLE procedures (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    code text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
    name_ja text NOT NULL CHECK (name_ja <> ''),
    name_en text NOT NULL DEFAULT '',
    needs_card boolean NOT NULL DEFAULT false,
    notes_ja text NOT NULL DEFAULT '',
    notes_en text NOT NULL DEFAULT '',
    sort_order integer NOT NULL DEFAULT 0,
    active boolean NOT NULL DEFAULT true,
    UNIQUE (tenant_id, code),
    UNIQUE (tenant_id, id)
);

-- A lane: the procedures that share the same counters at one location.
CREATE TABLE lanes (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL,
    location_id bigint NOT NULL,
    code text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
    name text NOT NULL DEFAULT '',
    active boolean NOT NULL DEFAULT true,
    FOREIGN KEY (tenant_id, location_id) REFERENCES locations (tenant_id, id),
    UNIQUE (location_id, code),
    UNIQUE (tenant_id, id),
    UNIQUE (location_id, id)
);

CREATE TABLE lane_procedures (
    lane_id bigint NOT NULL,
    location_id bigint NOT NULL,
    procedure_id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    PRIMARY KEY (lane_id, procedure_id),
    FOREIGN KEY (location_id, lane_id) REFERENCES lanes (location_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, procedure_id) REFERENCES procedures (tenant_id, id),
    -- a procedure is served by exactly one lane at a location
    UNIQUE (location_id, procedure_id)
);
CREATE INDEX lane_procedures_procedure ON lane_procedures (procedure_id);

CREATE TABLE timetables (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL,
    lane_id bigint NOT NULL,
    effective_from date NOT NULL,
    slot_minutes integer NOT NULL CHECK (slot_minutes IN (10, 15, 20, 30, 60)),
    capacity integer NOT NULL CHECK (capacity BETWEEN 1 AND 200),
    -- places bookable by residents online; the rest is kept for operator bookings
    web_capacity integer NOT NULL CHECK (web_capacity >= 0 AND web_capacity <= capacity),
    FOREIGN KEY (tenant_id, lane_id) REFERENCES lanes (tenant_id, id) ON DELETE CASCADE,
    UNIQUE (lane_id, effective_from)
);

-- Opening periods per ISO weekday (1 = Monday … 7 = Sunday); a break is the gap between two periods.
CREATE TABLE timetable_periods (
    timetable_id bigint NOT NULL REFERENCES timetables (id) ON DELETE CASCADE,
    weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens time NOT NULL,
    closes time NOT NULL,
    CHECK (opens < closes),
    PRIMARY KEY (timetable_id, weekday, opens)
);

-- National holidays are public facts shared by every tenant (Cabinet Office list).
CREATE TABLE national_holidays (
    day date PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE closures (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    -- NULL: the whole tenant is closed that day
    location_id bigint,
    day date NOT NULL,
    reason text NOT NULL DEFAULT '',
    FOREIGN KEY (tenant_id, location_id) REFERENCES locations (tenant_id, id)
);
CREATE UNIQUE INDEX closures_unique ON closures (tenant_id, coalesce(location_id, 0), day);

CREATE TABLE slots (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL,
    location_id bigint NOT NULL,
    lane_id bigint NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    capacity integer NOT NULL CHECK (capacity >= 0),
    web_capacity integer NOT NULL CHECK (web_capacity >= 0 AND web_capacity <= capacity),
    -- places taken by bookings that are not cancelled; maintained under the slot's row lock
    booked integer NOT NULL DEFAULT 0 CHECK (booked >= 0),
    -- the last line of defence against overbooking: no code path can store more
    CHECK (booked <= capacity),
    closed boolean NOT NULL DEFAULT false,
    CHECK (starts_at < ends_at),
    FOREIGN KEY (tenant_id, lane_id) REFERENCES lanes (tenant_id, id),
    FOREIGN KEY (location_id, lane_id) REFERENCES lanes (location_id, id),
    UNIQUE (lane_id, starts_at),
    UNIQUE (tenant_id, id)
);
CREATE INDEX slots_location_time ON slots (tenant_id, location_id, starts_at);

CREATE TABLE holds (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL,
    slot_id bigint NOT NULL,
    -- opaque token of the client holding the place; one hold per client
    client_token text NOT NULL CHECK (length(client_token) BETWEEN 16 AND 100),
    procedure_id bigint NOT NULL,
    places integer NOT NULL CHECK (places BETWEEN 1 AND 10),
    channel text NOT NULL CHECK (channel IN ('web', 'phone', 'counter')),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    CHECK (created_at < expires_at),
    FOREIGN KEY (tenant_id, slot_id) REFERENCES slots (tenant_id, id),
    FOREIGN KEY (tenant_id, procedure_id) REFERENCES procedures (tenant_id, id),
    UNIQUE (tenant_id, client_token)
);
CREATE INDEX holds_slot_expiry ON holds (slot_id, expires_at);

CREATE TABLE card_records (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    application_id text NOT NULL CHECK (application_id ~ '^[0-9]{23}$'),
    manufacture_number text NOT NULL CHECK (manufacture_number ~ '^[A-Z0-9]{8,20}$'),
    reservation_number text CHECK (reservation_number ~ '^[A-Z0-9]{3}-[0-9]{6}$'),
    password_hash text,
    name text NOT NULL CHECK (name <> ''),
    name_kana text NOT NULL DEFAULT '',
    birth_date date NOT NULL,
    location_id bigint NOT NULL,
    shipment_number text NOT NULL DEFAULT '' CHECK (shipment_number ~ '^[0-9]*$'),
    manufactured_on date,
    status text NOT NULL DEFAULT 'received'
        CHECK (status IN ('received', 'notified', 'booked', 'in_transfer', 'transferred',
                          'issued', 'to_return', 'returned', 'destroyed')),
    failed_proofs integer NOT NULL DEFAULT 0 CHECK (failed_proofs >= 0),
    locked_until timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, location_id) REFERENCES locations (tenant_id, id),
    UNIQUE (tenant_id, manufacture_number),
    UNIQUE (tenant_id, reservation_number),
    UNIQUE (tenant_id, application_id),
    UNIQUE (tenant_id, id)
);
CREATE INDEX card_records_kana_birth ON card_records (tenant_id, name_kana, birth_date);

CREATE TABLE bookings (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL,
    code text NOT NULL CHECK (code ~ '^[2-9A-HJKMNP-Z]{9}$'),
    slot_id bigint NOT NULL,
    procedure_id bigint NOT NULL,
    status text NOT NULL DEFAULT 'booked'
        CHECK (status IN ('booked', 'checked_in', 'completed', 'no_show', 'cancelled')),
    channel text NOT NULL CHECK (channel IN ('web', 'phone', 'counter', 'migration')),
    party_size integer NOT NULL CHECK (party_size BETWEEN 1 AND 10),
    contact_email text,
    contact_phone text,
    contact_name text,
    note text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    cancelled_at timestamptz,
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    FOREIGN KEY (tenant_id, slot_id) REFERENCES slots (tenant_id, id),
    FOREIGN KEY (tenant_id, procedure_id) REFERENCES procedures (tenant_id, id),
    UNIQUE (tenant_id, code),
    UNIQUE (tenant_id, id)
);
CREATE INDEX bookings_slot ON bookings (slot_id) WHERE status <> 'cancelled';

-- One row per person in a booking; a booking takes one place per member.
CREATE TABLE booking_members (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL,
    booking_id bigint NOT NULL,
    position integer NOT NULL CHECK (position BETWEEN 1 AND 10),
    procedure_id bigint NOT NULL,
    card_id bigint,
    -- normalised contact that identifies a person for procedures without a card record
    person_key text,
    -- true while the booking is upcoming or in progress (booked, checked_in)
    active boolean NOT NULL,
    FOREIGN KEY (tenant_id, booking_id) REFERENCES bookings (tenant_id, id),
    FOREIGN KEY (tenant_id, card_id) REFERENCES card_records (tenant_id, id),
    UNIQUE (booking_id, position)
);
-- The database itself guarantees one active booking per card and per person and procedure,
-- so two racing requests cannot both win.
CREATE UNIQUE INDEX booking_members_one_active_per_card
    ON booking_members (tenant_id, card_id) WHERE active AND card_id IS NOT NULL;
CREATE UNIQUE INDEX booking_members_one_active_per_person
    ON booking_members (tenant_id, procedure_id, person_key) WHERE active AND person_key IS NOT NULL;
CREATE INDEX booking_members_card ON booking_members (card_id);

CREATE TABLE booking_events (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL,
    booking_id bigint NOT NULL,
    kind text NOT NULL CHECK (kind IN ('created', 'moved', 'cancelled', 'checked_in',
                                       'completed', 'no_show', 'reverted', 'noted')),
    actor text NOT NULL,
    channel text NOT NULL,
    from_slot_id bigint,
    to_slot_id bigint,
    details jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    FOREIGN KEY (tenant_id, booking_id) REFERENCES bookings (tenant_id, id)
);
CREATE INDEX booking_events_booking ON booking_events (booking_id, id);

CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    tenant_id bigint REFERENCES tenants (id),
    actor text NOT NULL,
    action text NOT NULL,
    target text NOT NULL DEFAULT '',
    client_addr text,
    details jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL
);
CREATE INDEX audit_log_tenant_time ON audit_log (tenant_id, created_at);

-- History is append-only: the application can never rewrite or remove it.
CREATE FUNCTION refuse_history_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER booking_events_append_only BEFORE UPDATE OR DELETE ON booking_events
    FOR EACH ROW EXECUTE FUNCTION refuse_history_rewrite();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_history_rewrite();
