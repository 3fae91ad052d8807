DROP TABLE individual_links;
DROP TABLE biometric_referrals;
DROP TABLE biometric_reviews;
DROP TABLE biometric_enrolments;
DROP TABLE biometric_samples;
