-- Name search looks every typed word up as a prefix. Besides each complete key, the index now
-- holds every prefix of at least two characters of it, marked with a trailing '*', so that a typed
-- word is an equality lookup returning ids in order (see names::stored_tokens). Keys already
-- stored get their prefixes here; new ones are written with them.
INSERT INTO name_tokens (operation_unit_id, token, individual_id)
SELECT t.operation_unit_id, substr(t.token, 1, n) || '*', t.individual_id
FROM name_tokens t
CROSS JOIN generate_series(2, 64) AS n
WHERE n <= char_length(t.token) AND t.token NOT LIKE '%*'
ON CONFLICT DO NOTHING;
