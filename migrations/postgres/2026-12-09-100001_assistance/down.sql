DROP TABLE distributions;
DROP TABLE entitlements;
DROP TABLE distribution_lists;
DROP TABLE eligibility_assessments;
DROP TABLE assistance_programmes;
