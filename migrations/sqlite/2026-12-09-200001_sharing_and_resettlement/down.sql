DROP TABLE resettlement_cases;
DROP TABLE referrals;
DROP TABLE consents;
DROP TABLE sharing_agreements;
