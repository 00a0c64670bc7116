-- A city's own texts in the languages beyond Japanese and English, whose texts stay in the
-- `_ja`/`_en` columns: a procedure's name and notes, a location's name, address and
-- access, and the start page's notice and banner. Nothing empty is stored: a text the city
-- has not given falls back along the order it sets (city_text_fallbacks).
CREATE TABLE city_texts (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    lang text NOT NULL CHECK (lang IN ('ja-easy', 'pt-BR', 'vi', 'zh-Hans', 'ko', 'tl')),
    procedure_id bigint,
    location_id bigint,
    field text NOT NULL,
    body text NOT NULL CHECK (body <> ''),
    FOREIGN KEY (tenant_id, procedure_id) REFERENCES procedures (tenant_id, id),
    FOREIGN KEY (tenant_id, location_id) REFERENCES locations (tenant_id, id),
    CHECK (CASE
        WHEN procedure_id IS NOT NULL THEN location_id IS NULL AND field IN ('name', 'notes')
        WHEN location_id IS NOT NULL THEN field IN ('name', 'address', 'access')
        ELSE field IN ('notice', 'maintenance')
    END),
    UNIQUE NULLS NOT DISTINCT (tenant_id, lang, procedure_id, location_id, field)
);

-- The languages tried in turn when a text is not given in `lang`. Japanese, which every
-- city writes, ends every order. A language without a row keeps the default order.
CREATE TABLE city_text_fallbacks (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    lang text NOT NULL CHECK (lang IN ('ja-easy', 'pt-BR', 'vi', 'zh-Hans', 'ko', 'tl')),
    fallbacks text NOT NULL
        CHECK (fallbacks ~ '^((ja-easy|en|pt-BR|vi|zh-Hans|ko|tl),){0,6}ja$'),
    PRIMARY KEY (tenant_id, lang)
);

-- A city's mail text in the languages beyond Japanese and English. `mail_templates` keeps
-- the Japanese–English message that bookings in Japanese and English receive (a table of
-- its own, so that a server of the previous release still saves those while both run).
CREATE TABLE translated_mail_templates (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    procedure_id bigint NOT NULL,
    kind text NOT NULL CHECK (kind IN ('confirmation', 'change', 'cancellation', 'reminder')),
    lang text NOT NULL CHECK (lang IN ('ja-easy', 'pt-BR', 'vi', 'zh-Hans', 'ko', 'tl')),
    subject text NOT NULL,
    body_text text NOT NULL,
    body_html text NOT NULL,
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, procedure_id, kind, lang),
    FOREIGN KEY (tenant_id, procedure_id) REFERENCES procedures (tenant_id, id)
);

ALTER TABLE city_texts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_only ON city_texts TO madoguchi_app
    USING (tenant_id = nullif(current_setting('madoguchi.tenant_id', true), '')::bigint);
ALTER TABLE city_text_fallbacks ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_only ON city_text_fallbacks TO madoguchi_app
    USING (tenant_id = nullif(current_setting('madoguchi.tenant_id', true), '')::bigint);
ALTER TABLE translated_mail_templates ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_only ON translated_mail_templates TO madoguchi_app
    USING (tenant_id = nullif(current_setting('madoguchi.tenant_id', true), '')::bigint);
