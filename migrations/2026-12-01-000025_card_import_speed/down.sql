ALTER TABLE card_records ADD CONSTRAINT card_records_tenant_id_fkey
    FOREIGN KEY (tenant_id) REFERENCES tenants (id);
