-- Indexes on the columns that refer to people, groups, documents and import batches and had
-- none. Removing a row checks every foreign key that may refer to it, and without an index the
-- check reads the whole referring table: rolling back one import batch of 500 people read the
-- 213,000 cases once per person (about a minute a batch at a million people). They serve
-- "what refers to this person" reads too.
CREATE INDEX IF NOT EXISTS cases_by_principal_applicant_id ON cases (principal_applicant_id);
CREATE INDEX IF NOT EXISTS cases_by_registration_group_id ON cases (registration_group_id);
CREATE INDEX IF NOT EXISTS individual_links_by_linked_individual_id ON individual_links (linked_individual_id);
CREATE INDEX IF NOT EXISTS import_reviews_by_batch_id ON import_reviews (batch_id);
CREATE INDEX IF NOT EXISTS import_reviews_by_individual_id ON import_reviews (individual_id);
CREATE INDEX IF NOT EXISTS import_reviews_by_candidate_id ON import_reviews (candidate_id);
CREATE INDEX IF NOT EXISTS distributions_by_recipient_id ON distributions (recipient_id);
CREATE INDEX IF NOT EXISTS distributions_by_group_id ON distributions (group_id);
CREATE INDEX IF NOT EXISTS distributions_by_document_id ON distributions (document_id);
CREATE INDEX IF NOT EXISTS referrals_by_individual_id ON referrals (individual_id);
CREATE INDEX IF NOT EXISTS referrals_by_receiving_individual_id ON referrals (receiving_individual_id);
CREATE INDEX IF NOT EXISTS eligibility_assessments_by_group_id ON eligibility_assessments (group_id);
CREATE INDEX IF NOT EXISTS entitlements_by_group_id ON entitlements (group_id);
