DROP TABLE signing_keys;
DROP TABLE mail_templates;
DROP TABLE tenant_mail_settings;
DROP TABLE mail_outbox;
