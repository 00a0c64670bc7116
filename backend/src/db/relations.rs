//! Joins between tables whose foreign keys include `tenant_id` (so that a row can only
//! point at a row of its own city): `diesel print-schema` writes joins for single-column
//! keys only, so the others are declared here by hand.

use super::schema::*;

diesel::joinable!(lanes -> locations (location_id));
diesel::joinable!(lane_procedures -> lanes (lane_id));
diesel::joinable!(lane_procedures -> procedures (procedure_id));
diesel::joinable!(timetables -> lanes (lane_id));
diesel::joinable!(slots -> lanes (lane_id));
diesel::joinable!(slots -> locations (location_id));
diesel::joinable!(holds -> slots (slot_id));
diesel::joinable!(bookings -> slots (slot_id));
diesel::joinable!(bookings -> procedures (procedure_id));
diesel::joinable!(booking_members -> bookings (booking_id));
diesel::joinable!(booking_events -> bookings (booking_id));
diesel::joinable!(card_records -> locations (location_id));
diesel::joinable!(staff_sessions -> staff_accounts (staff_id));
diesel::joinable!(card_events -> card_records (card_id));
