DELETE FROM mail_templates WHERE lang <> 'ja';
ALTER TABLE mail_templates DROP CONSTRAINT mail_templates_pkey,
    ADD PRIMARY KEY (tenant_id, procedure_id, kind);
ALTER TABLE mail_templates DROP COLUMN lang;
DROP TABLE city_text_fallbacks;
DROP TABLE city_texts;
