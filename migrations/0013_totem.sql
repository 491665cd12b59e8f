-- 0013: what the in-store totem shows besides the catalogue: the branch's logo, a WhatsApp
-- number offered as a QR code, a call to action, one promotion slide (title, text, picture) and
-- whether the opening hours are shown. Pictures are image-store hashes ('' = none).
ALTER TABLE branches ADD COLUMN logo_image TEXT NOT NULL DEFAULT '';
ALTER TABLE branches ADD COLUMN whatsapp TEXT NOT NULL DEFAULT '';
ALTER TABLE branches ADD COLUMN totem_message TEXT NOT NULL DEFAULT '';
ALTER TABLE branches ADD COLUMN promo_title TEXT NOT NULL DEFAULT '';
ALTER TABLE branches ADD COLUMN promo_text TEXT NOT NULL DEFAULT '';
ALTER TABLE branches ADD COLUMN promo_image TEXT NOT NULL DEFAULT '';
ALTER TABLE branches ADD COLUMN totem_show_hours INTEGER NOT NULL DEFAULT 1;
