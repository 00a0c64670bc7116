-- Lists of locations and address ranges never hold an empty (NULL) element; the schema
-- file maps them to arrays of plain values on that promise.
ALTER TABLE staff_accounts
    ADD CONSTRAINT staff_accounts_location_ids_no_null
    CHECK (array_position(location_ids, NULL) IS NULL);
ALTER TABLE tenants
    ADD CONSTRAINT tenants_staff_networks_no_null
    CHECK (array_position(staff_networks, NULL) IS NULL);
