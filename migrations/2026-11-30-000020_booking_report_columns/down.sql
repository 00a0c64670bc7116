DROP TRIGGER bookings_cancelled_by ON booking_events;
DROP FUNCTION bookings_cancelled_by();
DROP TRIGGER bookings_visit ON bookings;
DROP FUNCTION bookings_visit();
DROP FUNCTION madoguchi_time_zone();
DROP INDEX bookings_visit_day;
ALTER TABLE bookings DROP COLUMN visit_day, DROP COLUMN location_id, DROP COLUMN lead_days,
    DROP COLUMN moved, DROP COLUMN cancelled_by;
