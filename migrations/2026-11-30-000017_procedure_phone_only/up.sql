-- A procedure booked only through the call centre (as some cities take applications and
-- renewals): absent from the resident pages and the API, open on the phone desk.
ALTER TABLE procedures ADD COLUMN phone_only boolean NOT NULL DEFAULT false;
