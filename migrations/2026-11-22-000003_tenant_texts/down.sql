ALTER TABLE tenants
    DROP COLUMN notice_ja,
    DROP COLUMN notice_en,
    DROP COLUMN maintenance_ja,
    DROP COLUMN maintenance_en;
