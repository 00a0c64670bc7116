-- A card's tenant is checked by its counter's key (tenant_id, location_id), which only a
-- counter of the same tenant has; the separate key on tenant_id alone checked it a second
-- time for every imported row.
ALTER TABLE card_records DROP CONSTRAINT card_records_tenant_id_fkey;
