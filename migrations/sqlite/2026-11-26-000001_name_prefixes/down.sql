DELETE FROM name_tokens WHERE token LIKE '%*';
