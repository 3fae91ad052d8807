-- The deduplication calibration each possible-duplicate decision was made with. Rows from before
-- calibration were decided with thresholds measured on synthetic prints only.
ALTER TABLE biometric_reviews ADD COLUMN calibration_version TEXT NOT NULL DEFAULT 'uncalibrated-synthetic';
ALTER TABLE biometric_referrals ADD COLUMN calibration_version TEXT NOT NULL DEFAULT 'uncalibrated-synthetic';
