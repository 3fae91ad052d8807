-- Each unit's and office's time zone (IANA), so clients show local times without assuming one.
-- Ecuador's mainland keeps America/Guayaquil (UTC-5, no daylight saving); the Galápagos keep
-- Pacific/Galapagos (UTC-6).
ALTER TABLE operation_units ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'America/Guayaquil';
ALTER TABLE offices ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'America/Guayaquil';
UPDATE offices SET time_zone = 'Pacific/Galapagos'
WHERE lower(name) LIKE '%gal_pagos%' OR lower(name) LIKE '%galapagos%';
