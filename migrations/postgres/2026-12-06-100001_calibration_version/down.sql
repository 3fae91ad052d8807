ALTER TABLE biometric_referrals DROP COLUMN calibration_version;
ALTER TABLE biometric_reviews DROP COLUMN calibration_version;
