-- The digest of the mutation's name and input (without the clientMutationId) each stored
-- result answers; NULL for results stored before, which are matched by name alone.
ALTER TABLE client_mutations ADD COLUMN input_digest TEXT;
