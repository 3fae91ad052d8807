ALTER TABLE offices DROP COLUMN time_zone;
ALTER TABLE operation_units DROP COLUMN time_zone;
