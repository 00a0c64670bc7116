DROP TABLE translated_mail_templates;
DROP TABLE city_text_fallbacks;
DROP TABLE city_texts;
