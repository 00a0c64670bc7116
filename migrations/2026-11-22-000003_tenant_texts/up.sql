-- Texts a tenant shows on its start page: a standing notice, and a banner while
-- maintenance or a disruption is announced.
ALTER TABLE tenants
    ADD COLUMN notice_ja text NOT NULL DEFAULT '',
    ADD COLUMN notice_en text NOT NULL DEFAULT '',
    ADD COLUMN maintenance_ja text NOT NULL DEFAULT '',
    ADD COLUMN maintenance_en text NOT NULL DEFAULT '';
