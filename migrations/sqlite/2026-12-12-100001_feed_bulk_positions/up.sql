-- PostgreSQL only: SQLite gives feed positions as each entry is written (one writer at a
-- time), with no seal at commit. Kept so both dialects list the same migrations.
SELECT 1;
