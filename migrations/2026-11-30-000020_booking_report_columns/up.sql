-- What reports count, kept on the booking itself so that a fiscal year of a large city is one
-- scan of one table instead of a join with slots and the history: the visit's local day and
-- counter (from its slot), the days from booking to visit, whether it was ever moved, and who
-- cancelled it. The database fills them, whichever server version writes the booking (an
-- old and a new server share this schema during a rolling deploy).
ALTER TABLE bookings
    ADD COLUMN visit_day date,
    ADD COLUMN location_id bigint,
    ADD COLUMN lead_days integer,
    ADD COLUMN moved boolean NOT NULL DEFAULT false,
    ADD COLUMN cancelled_by text;

-- Local days are in the zone the server names in the database setting madoguchi.time_zone
-- (set at start-up from its configuration), Japan's when unset.
CREATE FUNCTION madoguchi_time_zone() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT coalesce(nullif(current_setting('madoguchi.time_zone', true), ''), 'Asia/Tokyo') $$;

UPDATE bookings b
   SET visit_day = (s.starts_at AT TIME ZONE madoguchi_time_zone())::date,
       location_id = s.location_id,
       lead_days = (s.starts_at AT TIME ZONE madoguchi_time_zone())::date
                   - (b.created_at AT TIME ZONE madoguchi_time_zone())::date,
       moved = EXISTS (SELECT 1 FROM booking_events e
                        WHERE e.booking_id = b.id AND e.kind = 'moved'),
       cancelled_by = (SELECT e.actor FROM booking_events e
                        WHERE e.booking_id = b.id AND e.kind = 'cancelled'
                        ORDER BY e.id DESC LIMIT 1)
  FROM slots s
 WHERE s.id = b.slot_id;

CREATE FUNCTION bookings_visit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT (s.starts_at AT TIME ZONE madoguchi_time_zone())::date, s.location_id
      INTO NEW.visit_day, NEW.location_id
      FROM slots s WHERE s.id = NEW.slot_id;
    NEW.lead_days := NEW.visit_day - (NEW.created_at AT TIME ZONE madoguchi_time_zone())::date;
    IF TG_OP = 'UPDATE' AND NEW.slot_id IS DISTINCT FROM OLD.slot_id THEN
        NEW.moved := true;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER bookings_visit BEFORE INSERT OR UPDATE OF slot_id ON bookings
    FOR EACH ROW EXECUTE FUNCTION bookings_visit();

-- Who cancelled comes with the cancellation's history row, written in the same transaction.
CREATE FUNCTION bookings_cancelled_by() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE bookings SET cancelled_by = NEW.actor WHERE id = NEW.booking_id;
    RETURN NULL;
END $$;
CREATE TRIGGER bookings_cancelled_by AFTER INSERT ON booking_events
    FOR EACH ROW WHEN (NEW.kind = 'cancelled') EXECUTE FUNCTION bookings_cancelled_by();

CREATE INDEX bookings_visit_day ON bookings (tenant_id, visit_day);
