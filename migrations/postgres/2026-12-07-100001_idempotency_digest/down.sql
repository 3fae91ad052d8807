ALTER TABLE client_mutations DROP COLUMN input_digest;
