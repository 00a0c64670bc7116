-- The language a booking was made in: its e-mail links open the booking's page in it.
-- Existing bookings were all made in Japanese or by staff.
ALTER TABLE bookings ADD COLUMN lang text NOT NULL DEFAULT 'ja'
    CHECK (lang ~ '^[a-z]{2,3}(-[A-Za-z0-9]{1,8})?$');
